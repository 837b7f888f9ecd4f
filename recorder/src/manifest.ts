// The recording's manifest.json: which track files exist, when each part's media began and
// ended, and who spoke when. Written atomically beside the files on every change, so a server
// that dies mid-meeting still leaves a manifest the compositor can read.

import fs from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';

export type TrackKind = 'audio' | 'video';
export type TrackSource = 'camera' | 'screen' | 'mic';

export interface RecordedPart {
  /** File name inside the recording directory, e.g. `<producerId>-1.mkv`. */
  file: string;
  /** Wall-clock time (epoch ms) of the file's timestamp 0: when its first packet arrived. */
  startedAt: number;
  /** When its FFmpeg stopped or died (epoch ms); null while recording or after a crash. */
  endedAt: number | null;
}

export interface RecordedTrack {
  producerId: string;
  peerId: string;
  name: string;
  kind: TrackKind;
  source: TrackSource;
  /** A new part after each FFmpeg restart; the hole between two parts is a gap. */
  parts: RecordedPart[];
}

export interface RecordingManifest {
  version: 1;
  recordingId: string;
  /** Epoch ms. */
  startedAt: number;
  /** Null while recording, or after a crash (the compositor then uses the last part's end). */
  endedAt: number | null;
  tracks: RecordedTrack[];
  /** Active speaker changes, epoch ms. */
  speakers: { at: number; peerId: string | null }[];
}

export interface Gap {
  producerId: string;
  /** Epoch ms: the previous part's end and the next part's start. */
  from: number;
  to: number;
}

/** Ids become file names: nothing that could leave the directory or need quoting. */
export const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const PART_FILE = /^[A-Za-z0-9_-]{1,128}-\d{1,6}\.mkv$/;

export class ManifestError extends Error {
  readonly code = 'BAD_MANIFEST';
}

/** Writes the manifest to `<dir>/manifest.json` through a temporary file and a rename. */
export async function writeManifest(dir: string, manifest: RecordingManifest): Promise<void> {
  const target = path.join(dir, MANIFEST_FILE);
  const tmp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await fs.rename(tmp, target);
}

/** Reads and validates `<dir>/manifest.json`; throws ManifestError on anything unexpected. */
export async function readManifest(dir: string): Promise<RecordingManifest> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    throw new ManifestError(`manifest: cannot read (${String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ManifestError('manifest: not JSON');
  }
  return parseManifest(value);
}

/** Checks every field of a parsed manifest and returns a clean copy. */
export function parseManifest(value: unknown): RecordingManifest {
  const m = record(value, 'manifest');
  if (m.version !== 1) throw new ManifestError('manifest: unsupported version');
  const startedAt = time(m.startedAt, 'startedAt');
  const endedAt = m.endedAt === null ? null : time(m.endedAt, 'endedAt');
  if (endedAt !== null && endedAt < startedAt) throw new ManifestError('manifest: ends early');
  return {
    version: 1,
    recordingId: text(m.recordingId, 'recordingId', 200),
    startedAt,
    endedAt,
    tracks: list(m.tracks, 'tracks').map(parseTrack),
    speakers: list(m.speakers, 'speakers').map((s, i) => {
      const r = record(s, `speakers[${i}]`);
      return {
        at: time(r.at, `speakers[${i}].at`),
        peerId: r.peerId === null ? null : text(r.peerId, `speakers[${i}].peerId`, 200),
      };
    }),
  };
}

function parseTrack(value: unknown, i: number): RecordedTrack {
  const t = record(value, `tracks[${i}]`);
  const producerId = text(t.producerId, `tracks[${i}].producerId`, 128);
  if (!SAFE_ID.test(producerId)) throw new ManifestError(`manifest: bad producerId ${i}`);
  const kind = oneOf(t.kind, ['audio', 'video'] as const, `tracks[${i}].kind`);
  const source = oneOf(t.source, ['camera', 'screen', 'mic'] as const, `tracks[${i}].source`);
  if ((kind === 'audio') !== (source === 'mic')) {
    throw new ManifestError(`manifest: tracks[${i}] is ${kind} from ${source}`);
  }
  return {
    producerId,
    peerId: text(t.peerId, `tracks[${i}].peerId`, 200),
    name: text(t.name, `tracks[${i}].name`, 200),
    kind,
    source,
    parts: list(t.parts, `tracks[${i}].parts`).map((p, j) => {
      const r = record(p, `tracks[${i}].parts[${j}]`);
      const file = text(r.file, 'file', 200);
      if (!PART_FILE.test(file)) throw new ManifestError(`manifest: bad part file ${i}/${j}`);
      const partStart = time(r.startedAt, 'part startedAt');
      const partEnd = r.endedAt === null ? null : time(r.endedAt, 'part endedAt');
      if (partEnd !== null && partEnd < partStart) throw new ManifestError('manifest: bad part');
      return { file, startedAt: partStart, endedAt: partEnd };
    }),
  };
}

/** Holes between consecutive parts of each track (an FFmpeg that died and was restarted). */
/**
 * The recording as people saw it: from its first media on. Record was pressed up to a few
 * seconds earlier (each track's FFmpeg starts and waits for a keyframe) and the server shows
 * the indicator with that first media, so the lead-in would only be black.
 */
export function fromFirstMedia(manifest: RecordingManifest): RecordingManifest {
  const starts = manifest.tracks.flatMap((t) => t.parts.map((p) => p.startedAt));
  const first = Math.min(...starts);
  return starts.length > 0 && first > manifest.startedAt
    ? { ...manifest, startedAt: first }
    : manifest;
}

export function gapsOf(manifest: RecordingManifest): Gap[] {
  const gaps: Gap[] = [];
  for (const track of manifest.tracks) {
    const parts = [...track.parts].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < parts.length; i += 1) {
      const prev = parts[i - 1];
      const next = parts[i];
      if (!prev || !next) continue;
      const from = prev.endedAt ?? next.startedAt;
      if (next.startedAt > from)
        gaps.push({ producerId: track.producerId, from, to: next.startedAt });
    }
  }
  return gaps;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError(`manifest: ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value) || value.length > 10_000) {
    throw new ManifestError(`manifest: ${what} is not a list`);
  }
  return value;
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) {
    throw new ManifestError(`manifest: bad ${what}`);
  }
  return value;
}

function time(value: unknown, what: string): number {
  // 2000-01-01 .. 2200-01-01: an epoch-ms timestamp, not seconds or garbage.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 946_684_800_000) {
    throw new ManifestError(`manifest: bad ${what}`);
  }
  if (value > 7_258_118_400_000) throw new ManifestError(`manifest: bad ${what}`);
  return value;
}

function oneOf<T extends string>(value: unknown, options: readonly T[], what: string): T {
  if (typeof value !== 'string' || !options.includes(value as T)) {
    throw new ManifestError(`manifest: bad ${what}`);
  }
  return value as T;
}
