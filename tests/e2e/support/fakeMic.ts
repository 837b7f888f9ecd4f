import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.ts';

/**
 * A WAV of a known tone for Chromium's fake microphone: `frequency` Hz, its loudness swelling
 * and fading twice a second (a steady sine is what noise suppression learns to remove; a
 * pulsing one stays, like speech). Mono, 48 kHz, 16-bit PCM, which the fake device reads.
 */
export function toneWav(dir: string, frequency: number, seconds = 30): string {
  const file = path.join(dir, `tone-${String(frequency)}.wav`);
  const expr = `0.5*sin(2*PI*${String(frequency)}*t)*(0.6+0.4*sin(2*PI*2*t))`;
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=${expr}:s=48000:d=${String(seconds)}`,
  ];
  const r = spawnSync('ffmpeg', [...args, '-ac', '1', '-c:a', 'pcm_s16le', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  return file;
}

/**
 * A Chromium whose fake microphone plays `wav` (looping). The file is a flag of the browser
 * process, so each participant that must sound different gets a Chromium of its own.
 */
export function launchChromiumWithMic(wav: string): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`],
  });
}
