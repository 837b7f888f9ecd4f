import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.ts';

/**
 * A browser whose camera is one plain colour and whose microphone says syllable-like tone
 * bursts: what arrives elsewhere (a broadcast, a recording) then tells whose picture it is.
 */
export function makeMedia(dir: string, colour: string): { video: string; audio: string } {
  const video = path.join(dir, `${colour}.y4m`);
  const audio = path.join(dir, `${colour}.wav`);
  const run = (args: string[]) => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  };
  run([
    '-f',
    'lavfi',
    '-i',
    `color=c=${colour}:s=320x180:r=15`,
    '-t',
    '2',
    '-pix_fmt',
    'yuv420p',
    video,
  ]);
  // Syllable-like tone bursts: a steady tone is taken for noise and suppressed by the browser.
  // (Commas inside a filter argument are escaped for FFmpeg's filtergraph parser.)
  const speech = 'sin(2*PI*440*t)*0.8*lt(mod(t*3.7\\,1)\\,0.6)*(0.6+0.4*sin(2*PI*0.9*t))';
  run(['-f', 'lavfi', '-i', `aevalsrc=${speech}:s=48000`, '-t', '10', '-ac', '1', audio]);
  return { video, audio };
}

export function launch(media?: { video: string; audio: string }): Promise<Browser> {
  const files = media
    ? [
        `--use-file-for-fake-video-capture=${media.video}`,
        `--use-file-for-fake-audio-capture=${media.audio}`,
      ]
    : [];
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...files],
  });
}
