// The FFmpeg command lines that turn a recording's track files into one MP4 (H.264 + AAC) and
// one M4A. Pure, so layouts, offsets and the escaping of names are unit-tested.
//
// Timing: each part file's timestamps are wall-clock arrival times relative to its
// `startedAt` (see recordArgs.ts). With -copyts and `-itsoffset <startedAt - recording start>`
// every frame lands at its real moment on one timeline that starts at 0 with the recording;
// overlays onto a black canvas of the recording's length, and `aresample=first_pts=0` pads
// each voice with silence up to its first sample, so nothing needs trimming or delaying.

import path from 'node:path';
import type { FfmpegInput, FfmpegPlan } from '@parley/hls-gateway';
import {
  endOf,
  gridLayout,
  speakerLayout,
  type Interval,
  type LayoutName,
  type Placement,
} from './layout.ts';
import type { RecordedPart, RecordingManifest } from './manifest.ts';

export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface CompositeArgsOptions {
  layout: LayoutName;
  /** Recording directory (where the part files are). */
  dir: string;
  /** The MP4 to write. */
  output: string;
  /** The audio-only M4A to write. */
  audioOutput: string;
  /** Output size (default 1280x720) and frame rate (default 25). */
  width?: number;
  height?: number;
  fps?: number;
  /** Threads for decoders, filters and the encoder (default 1: one core per composite). */
  threads?: number;
  /** x264 preset (default superfast: 2.3-2.6x real time for 4 people at 720p on one core). */
  preset?: string;
  /** x264 CRF (default 23). */
  crf?: number;
  /** Font for names (default DejaVu Sans). */
  fontFile?: string;
}

export interface CompositePlans {
  video: FfmpegPlan;
  audio: FfmpegPlan;
  durationMs: number;
}

const GLOBAL_OPTIONS = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];
// FFmpeg writes key=value progress blocks (out_time_us=...) to stderr, read by composite.ts.
const PROGRESS = ['-progress', 'pipe:2'];

export function buildCompositePlans(
  manifest: RecordingManifest,
  options: CompositeArgsOptions,
): CompositePlans {
  const o = resolve(options);
  const durationMs = Math.max(0, endOf(manifest) - manifest.startedAt);
  const duration = seconds(durationMs);
  const video = buildVideoPlan(manifest, o, duration);
  // The M4A is the MP4's own sound, copied out (it runs after the video): the same mix, and
  // no second decode and encode of every voice, which took a tenth of the composite's time.
  const audio: FfmpegPlan = {
    inputs: [{ options: [], source: o.output }],
    outputOptions: [
      ...GLOBAL_OPTIONS,
      ...PROGRESS,
      ...['-map', '0:a', '-vn', '-c:a', 'copy'],
      ...['-movflags', '+faststart', '-f', 'ipod'],
    ],
    output: o.audioOutput,
  };
  return { video, audio, durationMs };
}

type Resolved = Required<CompositeArgsOptions>;

function resolve(options: CompositeArgsOptions): Resolved {
  const o: Resolved = {
    width: 1280,
    height: 720,
    fps: 25,
    threads: 1,
    preset: 'superfast',
    crf: 23,
    fontFile: DEFAULT_FONT,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Resolved;
  for (const key of ['width', 'height', 'fps', 'crf'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw new Error(`composite: bad ${key}`);
  }
  if (o.width % 2 || o.height % 2) throw new Error('composite: width and height must be even');
  if (!Number.isInteger(o.threads) || o.threads < 0) throw new Error('composite: bad threads');
  if (!/^[a-z]+$/.test(o.preset)) throw new Error(`composite: bad preset ${o.preset}`);
  if (o.layout !== 'grid' && o.layout !== 'speaker') throw new Error('composite: bad layout');
  return o;
}

function buildVideoPlan(manifest: RecordingManifest, o: Resolved, duration: string): FfmpegPlan {
  const placements =
    o.layout === 'grid'
      ? gridLayout(manifest, o.width, o.height)
      : speakerLayout(manifest, o.width, o.height);
  // One input per part of every placed track; audio parts follow.
  const videoParts = [...new Set(placements.map((p) => p.track))].flatMap((track) =>
    track.parts.map((part) => ({ track, part })),
  );
  const audio = audioParts(manifest);
  const filters = [`color=c=black:s=${o.width}x${o.height}:r=${o.fps}:d=${duration}[base]`];
  let canvas = 'base';
  videoParts.forEach(({ track }, index) => {
    const uses = placements.filter((p) => p.track === track);
    const labels = uses.map((_, u) => `p${index}u${u}`);
    const input = `[${index}:v:0]`;
    const fitted = uses.map((use, u) => `[in${index}u${u}]${fit(use)}[${labels[u]}]`);
    filters.push(
      uses.length > 1
        ? `${input}split=${uses.length}${uses.map((_, u) => `[in${index}u${u}]`).join('')}`
        : `${input}null[in${index}u0]`,
      ...fitted,
    );
    uses.forEach((use, u) => {
      const next = `v${index}u${u}`;
      filters.push(
        `[${canvas}][${labels[u]}]overlay=x=${use.rect.x}:y=${use.rect.y}:eof_action=pass${enable(use.when)}[${next}]`,
      );
      canvas = next;
    });
  });
  const names = placements.map((p) => drawName(p, o)).join(',');
  filters.push(`[${canvas}]${names ? `${names},` : ''}format=yuv420p[vout]`);
  filters.push(audioFilter(audio.length, videoParts.length, duration));
  return {
    inputs: [
      ...videoParts.map(({ part }) => partInput(manifest, part, o)),
      ...audio.map((part) => partInput(manifest, part, o)),
    ],
    outputOptions: [
      ...GLOBAL_OPTIONS,
      ...PROGRESS,
      '-copyts',
      ...threadOptions(o.threads),
      ...['-filter_complex', filters.join(';'), '-map', '[vout]', '-map', '[aout]'],
      ...['-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf)],
      ...['-pix_fmt', 'yuv420p', '-r', String(o.fps), '-threads', String(o.threads)],
      ...aacOptions(duration),
      ...['-movflags', '+faststart', '-f', 'mp4'],
    ],
    output: o.output,
  };
}

function audioParts(manifest: RecordingManifest): RecordedPart[] {
  return manifest.tracks.filter((t) => t.kind === 'audio').flatMap((t) => t.parts);
}

/** A part file, shifted to its place on the recording's timeline. */
function partInput(manifest: RecordingManifest, part: RecordedPart, o: Resolved): FfmpegInput {
  return {
    options: [
      ...['-threads', String(o.threads)],
      ...['-itsoffset', seconds(part.startedAt - manifest.startedAt)],
    ],
    source: path.join(o.dir, part.file),
  };
}

/** Scaled to fit its rectangle, letterboxed in black (overlay resamples it to the canvas). */
function fit({ rect: { w, h } }: Placement): string {
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease:flags=bilinear,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
}

/** All voices at their offsets over a silent bed as long as the recording, summed as they are. */
function audioFilter(count: number, firstInput: number, duration: string): string {
  const bed = `anullsrc=r=48000:cl=stereo,atrim=duration=${duration}[abed]`;
  const voices = Array.from(
    { length: count },
    (_, i) =>
      // async=1: only real holes (over 0.1 s, e.g. a paused mic) are filled, no stretching.
      `[${firstInput + i}:a:0]aresample=async=1:first_pts=0,` +
      `aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[a${i}]`,
  );
  const labels = ['[abed]', ...voices.map((_, i) => `[a${i}]`)].join('');
  const mix = `${labels}amix=inputs=${count + 1}:duration=first:dropout_transition=0:normalize=0[aout]`;
  return [bed, ...voices, mix].join(';');
}

function aacOptions(duration: string): string[] {
  return ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-t', duration];
}

function threadOptions(threads: number): string[] {
  return ['-filter_complex_threads', String(threads), '-filter_threads', String(threads)];
}

function enable(when: Interval[] | undefined): string {
  if (!when) return '';
  const terms = when.map(({ from, to }) => `between(t,${round(from)},${round(to)})`);
  return `:enable='${terms.join('+')}'`;
}

function drawName(placement: Placement, o: Resolved): string {
  const { x, y, w, h } = placement.rect;
  const size = Math.max(12, Math.min(32, Math.round(h / 12)));
  return (
    `drawtext=fontfile=${escapeValue(o.fontFile)}:expansion=none` +
    `:text=${escapeValue(cleanName(placement.label))}` +
    `:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4` +
    `:x=${x}+(${w}-text_w)/2:y=${y + h}-text_h-${Math.round(size / 2)}` +
    enable(placement.when)
  );
}

/** A display name as drawn: no control characters, no surrounding blanks, at most 40 chars. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = [...name.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim()];
  return (clean.length > 40 ? `${clean.slice(0, 39).join('')}…` : clean.join('')) || '?';
}

/**
 * Escapes a value for a filter option inside -filter_complex (FFmpeg's "Notes on filtergraph
 * escaping"): first for the option parser (`\ ' :`), then for the graph parser
 * (`\ ' [ ] , ;`). drawtext's own `%{...}` expansion is turned off with expansion=none.
 */
export function escapeValue(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

function seconds(ms: number): string {
  return round(ms / 1000);
}

function round(s: number): string {
  return String(Math.round(s * 1000) / 1000);
}
