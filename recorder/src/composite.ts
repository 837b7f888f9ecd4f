// Runs the composite: one FFmpeg for the MP4, then one for the M4A, with progress and abort.

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchFfmpeg, type FfmpegPlan, type GatewayLog } from '@parley/hls-gateway';
import { buildCompositePlans, type CompositeArgsOptions } from './compositeArgs.ts';
import type { RecordingManifest } from './manifest.ts';

const run = promisify(execFile);

export interface CompositeOptions extends Omit<CompositeArgsOptions, 'dir'> {
  dir: string;
  /** Called with the fraction done, 0..1, as FFmpeg reports its progress. */
  onProgress?: (fraction: number) => void;
  /** Aborting kills FFmpeg, removes partial outputs and rejects with an AbortError. */
  signal?: AbortSignal;
  /** FFmpeg binary (default: FFMPEG_PATH, else `ffmpeg` on PATH); ffprobe is looked for beside it. */
  ffmpegPath?: string;
  log?: GatewayLog;
}

export interface CompositeResult {
  durationMs: number;
  bytes: number;
  audioBytes: number;
}

/** Share of the progress bar for the video run; the audio-only run is the rest. */
const VIDEO_SHARE = 0.98;

export async function composite(
  manifest: RecordingManifest,
  options: CompositeOptions,
): Promise<CompositeResult> {
  options.signal?.throwIfAborted();
  const closed = await closeOpenParts(manifest, options);
  const plans = buildCompositePlans(closed, options);
  const progress = (base: number, share: number) => (seconds: number) => {
    const fraction = plans.durationMs > 0 ? (seconds * 1000) / plans.durationMs : 1;
    options.onProgress?.(base + share * Math.min(1, Math.max(0, fraction)));
  };
  try {
    await runPlan(plans.video, options, progress(0, VIDEO_SHARE));
    await runPlan(plans.audio, options, progress(VIDEO_SHARE, 1 - VIDEO_SHARE));
  } catch (error) {
    await fs.rm(options.output, { force: true });
    await fs.rm(options.audioOutput, { force: true });
    throw error;
  }
  options.onProgress?.(1);
  const [video, audio] = await Promise.all([fs.stat(options.output), fs.stat(options.audioOutput)]);
  return { durationMs: plans.durationMs, bytes: video.size, audioBytes: audio.size };
}

async function runPlan(
  plan: FfmpegPlan,
  options: CompositeOptions,
  onSeconds: (seconds: number) => void,
): Promise<void> {
  options.signal?.throwIfAborted();
  const process = launchFfmpeg(plan, options.dir, {
    onStderrLine: (line) => {
      const match = /^out_time_us=(\d+)/.exec(line.trim());
      if (match?.[1]) onSeconds(Number(match[1]) / 1e6);
    },
    ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
  });
  const abort = (): void => {
    process.kill().catch((error: unknown) => {
      options.log?.warn('composite: ffmpeg kill failed', { error: String(error) });
    });
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const exit = await process.exited;
    options.signal?.throwIfAborted();
    // fluent-ffmpeg reports a non-zero exit or a signal as an error (`code` may not be set yet).
    if (exit.error) {
      const tail = exit.stderr.trim().split('\n').slice(-5).join(' | ');
      throw new Error(`composite: ffmpeg failed (${exit.error ?? exit.code}): ${tail}`);
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * After a server crash the last parts have no end: their end is their file's last packet (the
 * file is valid up to where FFmpeg was killed).
 *
 * Audio is deliberately not re-anchored to its sample count: packets that queued while
 * FFmpeg started carry the time they were read, but video frames are stamped the same way,
 * and measured against a source whose beep and flash coincide, arrival stamps for both line
 * up best (about -30..+60 ms; moving audio to its earliest packet made it 100-170 ms early).
 */
async function closeOpenParts(
  manifest: RecordingManifest,
  options: CompositeOptions,
): Promise<RecordingManifest> {
  const copy = structuredClone(manifest);
  for (const part of copy.tracks.flatMap((t) => t.parts)) {
    if (part.endedAt !== null) continue;
    const packets = await probePackets(path.join(options.dir, part.file), options).catch(
      (error: unknown) => {
        options.log?.warn('composite: part not probed', { file: part.file, error: String(error) });
        return [];
      },
    );
    const last = Math.max(0, ...packets.map((p) => p.pts + p.duration));
    part.endedAt = part.startedAt + Math.round(last * 1000);
  }
  return copy;
}

async function probePackets(
  file: string,
  options: CompositeOptions,
): Promise<{ pts: number; duration: number }[]> {
  const ffprobe = options.ffmpegPath
    ? path.join(path.dirname(options.ffmpegPath), 'ffprobe')
    : (process.env.FFPROBE_PATH ?? 'ffprobe');
  const { stdout } = await run(
    ffprobe,
    [
      ...['-v', 'error', '-select_streams', '0', '-show_entries', 'packet=pts_time,duration_time'],
      ...['-of', 'csv=p=0', file],
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .map((line) => line.split(',').map(Number))
    .filter(([pts, duration]) => Number.isFinite(pts) && Number.isFinite(duration))
    .map(([pts = 0, duration = 0]) => ({ pts, duration }));
}
