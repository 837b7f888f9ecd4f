// Where each recorded video goes in the composite, and when. Pure geometry and timeline: the
// FFmpeg graph is built from these in compositeArgs.ts.

import type { RecordedTrack, RecordingManifest } from './manifest.ts';

export type LayoutName = 'speaker' | 'grid';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Seconds from the recording's start. */
export interface Interval {
  from: number;
  to: number;
}

/** One tile: a track drawn in a rectangle during some intervals (all the time when omitted). */
export interface Placement {
  track: RecordedTrack;
  rect: Rect;
  when?: Interval[];
  label: string;
}

const even = (n: number): number => Math.max(2, 2 * Math.floor(n / 2));

/** The end of a recording in epoch ms: its endedAt, else the last part's end. */
export function endOf(manifest: RecordingManifest): number {
  if (manifest.endedAt !== null) return manifest.endedAt;
  const ends = manifest.tracks.flatMap((t) => t.parts.map((p) => p.endedAt ?? p.startedAt));
  return Math.max(manifest.startedAt, ...ends);
}

function videoTracks(manifest: RecordingManifest, source: 'camera' | 'screen'): RecordedTrack[] {
  return manifest.tracks.filter((t) => t.kind === 'video' && t.source === source && t.parts.length);
}

function labelOf(track: RecordedTrack): string {
  return track.source === 'screen' ? `${track.name} (screen)` : track.name;
}

/** Every camera (and screen share) in a grid for the whole recording. */
export function gridLayout(
  manifest: RecordingManifest,
  width: number,
  height: number,
): Placement[] {
  const tracks = [...videoTracks(manifest, 'camera'), ...videoTracks(manifest, 'screen')];
  const n = tracks.length;
  if (n === 0) return [];
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const w = even(width / cols);
  const h = even(height / rows);
  return tracks.map((track, i) => ({
    track,
    rect: { x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h },
    label: labelOf(track),
  }));
}

/**
 * The stage (top three quarters) shows a screen share while one is present, otherwise the
 * active speaker's camera; the strip below keeps every camera in a fixed slot, empty while
 * that camera is on the stage.
 */
export function speakerLayout(
  manifest: RecordingManifest,
  width: number,
  height: number,
): Placement[] {
  const cameras = videoTracks(manifest, 'camera');
  const stripH = even(height / 4);
  const stage: Rect = { x: 0, y: 0, w: width, h: height - stripH };
  const segments = stageSegments(manifest);
  const placements: Placement[] = [];
  const slotW = cameras.length
    ? Math.min(even(width / cameras.length), even((stripH * 16) / 9))
    : 0;
  // Centred, on an even column (yuv420p).
  const x0 = 2 * Math.floor((width - slotW * cameras.length) / 4);
  cameras.forEach((track, i) => {
    const onStage = segments.filter((s) => s.track === track).map(({ from, to }) => ({ from, to }));
    if (onStage.length)
      placements.push({ track, rect: stage, when: onStage, label: labelOf(track) });
    const rect = {
      x: Math.min(x0 + i * slotW, width - slotW),
      y: height - stripH,
      w: slotW,
      h: stripH,
    };
    const inStrip = complement(onStage, manifest);
    if (inStrip === undefined) placements.push({ track, rect, label: labelOf(track) });
    else if (inStrip.length) placements.push({ track, rect, when: inStrip, label: labelOf(track) });
  });
  for (const track of videoTracks(manifest, 'screen')) {
    const when = segments.filter((s) => s.track === track).map(({ from, to }) => ({ from, to }));
    if (when.length) placements.push({ track, rect: stage, when, label: labelOf(track) });
  }
  return placements;
}

/** Who holds the stage when: cut at every speaker change and screen share start or end. */
export function stageSegments(
  manifest: RecordingManifest,
): (Interval & { track: RecordedTrack })[] {
  const duration = (endOf(manifest) - manifest.startedAt) / 1000;
  const rel = (ms: number): number => (ms - manifest.startedAt) / 1000;
  const cameras = videoTracks(manifest, 'camera');
  const screens = videoTracks(manifest, 'screen');
  const live = (track: RecordedTrack, t: number): boolean =>
    track.parts.some(
      (p) => rel(p.startedAt) <= t && t < (p.endedAt === null ? duration : rel(p.endedAt)),
    );
  const cuts = new Set([0, duration]);
  for (const s of manifest.speakers) cuts.add(Math.min(duration, Math.max(0, rel(s.at))));
  for (const p of screens.flatMap((t) => t.parts)) {
    cuts.add(Math.max(0, rel(p.startedAt)));
    if (p.endedAt !== null) cuts.add(Math.min(duration, rel(p.endedAt)));
  }
  const times = [...cuts].sort((a, b) => a - b);
  const segments: (Interval & { track: RecordedTrack })[] = [];
  for (let i = 1; i < times.length; i += 1) {
    const from = times[i - 1] ?? 0;
    const to = times[i] ?? 0;
    if (to <= from) continue;
    const mid = (from + to) / 2;
    const screen = screens.filter((t) => live(t, mid)).at(-1);
    const speaker = speakerAt(manifest, mid * 1000 + manifest.startedAt);
    const track =
      screen ??
      cameras.find((t) => t.peerId === speaker && live(t, mid)) ??
      cameras.find((t) => t.peerId === speaker) ??
      cameras.find((t) => live(t, mid)) ??
      cameras[0];
    if (!track) continue;
    const last = segments.at(-1);
    if (last && last.track === track && last.to === from) last.to = to;
    else segments.push({ from, to, track });
  }
  return segments;
}

/** The last non-null speaker at or before `at`: silence keeps the previous speaker on stage. */
function speakerAt(manifest: RecordingManifest, at: number): string | undefined {
  let peerId: string | undefined;
  for (const s of manifest.speakers) if (s.at <= at && s.peerId !== null) peerId = s.peerId;
  return peerId;
}

function complement(intervals: Interval[], manifest: RecordingManifest): Interval[] | undefined {
  if (intervals.length === 0) return undefined;
  const duration = (endOf(manifest) - manifest.startedAt) / 1000;
  const out: Interval[] = [];
  let at = 0;
  for (const { from, to } of [...intervals].sort((a, b) => a.from - b.from)) {
    if (from > at) out.push({ from: at, to: from });
    at = Math.max(at, to);
  }
  if (at < duration) out.push({ from: at, to: duration });
  return out;
}
