// The looping clip publisher bots send: VP8 in IVF and Opus in Ogg, encoded once by FFmpeg
// into a cache folder (never committed) and read into memory as frames. Sending pre-encoded
// frames keeps a bot's cost at packetizing and SRTP: encoding per bot would take the cores
// the server is being measured on (issue #15; LiveKit's `lk load-test` does the same).

import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where clips are cached: `node_modules/.cache/parley-load/` (gitignored with node_modules). */
export const CLIP_CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'parley-load');

export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  /** Target video bitrate, kbit/s. */
  videoKbps: number;
  /** Opus bitrate, kbit/s. */
  audioKbps: number;
  seconds: number;
  /**
   * Simulcast: the layers, lowest first, each scaled from `width` x `height` (the capture).
   * Absent: one layer of `width` x `height` at `videoKbps`.
   */
  layers?: ClipLayer[];
}

/** One simulcast layer of a clip: its size and target bitrate (kbit/s). */
export interface ClipLayer {
  width: number;
  height: number;
  videoKbps: number;
}

/** 640x360 at 30 fps and ~500 kbit/s: what one camera tile in a grid gets from a browser. */
export const DEFAULT_CLIP: ClipSpec = {
  width: 640,
  height: 360,
  fps: 30,
  videoKbps: 500,
  audioKbps: 32,
  seconds: 10,
};

export interface Clip {
  spec: ClipSpec;
  /**
   * VP8 frames in order; the first is a keyframe (the loop and every PLI restart there). With
   * simulcast, the layer a mesh link sends (`meshLayer`).
   */
  video: Buffer[];
  /** Simulcast: every layer's frames, lowest first, as many and keyframed alike. */
  layers?: Buffer[][];
  /** Simulcast: the index in `layers` of `video` (640x360, like the app's mesh picture). */
  meshLayer?: number;
  /** Opus packets of 20 ms each. */
  audio: Buffer[];
}

/**
 * The app's camera layers (app/src/call/topology/sfu/simulcast.ts, `cameraEncodings`) for a
 * 16:9 capture: 3 layers from 960 px wide (scaled down by 4, 2, 1 at 100, 300 and 900
 * kbit/s), 2 from 480 (by 2 and 1 at 300 and 900). Copied, not imported: tests/ does not
 * reach into the app's sources, and a change there should show here in review.
 */
const APP_LAYER_KBPS = [100, 300, 900];

/**
 * The clip of a camera sending `count` simulcast layers as the app does: 3 -> 320x180,
 * 640x360 and 1280x720 (the app's default 720p camera), 2 -> 320x180 and 640x360 (a 640x360
 * capture), 1 -> DEFAULT_CLIP (one 640x360 layer at 500 kbit/s, what the app sends below 480
 * px and what every bench so far measured). 5 s instead of 10: FFmpeg encodes the three
 * layers in ~19 s of CPU on this machine (load ~9), once per cache.
 */
export function simulcastSpec(count: number): ClipSpec {
  if (count === 1) return DEFAULT_CLIP;
  if (count !== 2 && count !== 3) throw new Error(`video layers: 1, 2 or 3, not ${count}`);
  const width = count === 3 ? 1280 : 640;
  const height = (width * 9) / 16;
  const layers = APP_LAYER_KBPS.slice(3 - count).map((videoKbps, i) => {
    const down = 2 ** (count - 1 - i);
    return { width: width / down, height: height / down, videoKbps };
  });
  return { ...DEFAULT_CLIP, width, height, videoKbps: 0, seconds: 5, layers };
}

function vp8Args(kbps: number, spec: ClipSpec, out: string): string[] {
  return [
    // Like a browser's realtime encoder: no alt-ref or lag, one keyframe (the first), CBR-ish.
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`],
    ...['-g', String(spec.fps * spec.seconds), '-auto-alt-ref', '0', '-lag-in-frames', '0'],
    ...['-f', 'ivf', out],
  ];
}

/**
 * FFmpeg's arguments for the clip's files (table-tested in clip.test.ts): one IVF per layer
 * (`ivf` is the first; with layers, `ivfs` lists them all, lowest first) and the Ogg. The
 * layers are scaled from one source in one run, so frame i is the same picture in each and
 * every layer's only keyframe is frame 0: a receiver switched between layers by the SFU sees
 * the same moment, and a keyframe request restarts them all at one index.
 */
export function ffmpegArgs(
  spec: ClipSpec,
  ivf: string,
  ogg: string,
  ivfs: string[] = [ivf],
): string[] {
  const { width, height, fps, videoKbps, audioKbps, seconds } = spec;
  const layers = spec.layers ?? [];
  const video =
    layers.length === 0
      ? ['-map', '0:v', ...vp8Args(videoKbps, spec, ivf)]
      : [
          '-filter_complex',
          `[0:v]split=${layers.length}${layers.map((_, i) => `[s${i}]`).join('')};` +
            layers.map((l, i) => `[s${i}]scale=${l.width}:${l.height}[l${i}]`).join(';'),
          ...layers.flatMap((l, i) => [
            '-map',
            `[l${i}]`,
            ...vp8Args(l.videoKbps, spec, ivfs[i] ?? `${ivf}.${i}`),
          ]),
        ];
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...video,
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', `${audioKbps}k`, '-frame_duration', '20'],
    ...['-ac', '1', '-f', 'ogg', ogg],
  ];
}

/** The cache file name's stem: every field of the spec, so a changed spec is encoded anew. */
export function clipKey(spec: ClipSpec): string {
  const base = `${spec.width}x${spec.height}-${spec.fps}fps-${spec.videoKbps}k-${spec.audioKbps}k-${spec.seconds}s`;
  const layers = (spec.layers ?? []).map((l) => `${l.width}x${l.height}@${l.videoKbps}k`);
  return layers.length === 0 ? base : `${base}-sim-${layers.join('_')}`;
}

/**
 * The clip for `spec`, encoded with FFmpeg the first time (about a second of CPU for the
 * default) and read from the cache after that. Throws naming FFmpeg when it is missing.
 */
export function loadClip(spec: ClipSpec = DEFAULT_CLIP, cacheDir = CLIP_CACHE_DIR): Clip {
  const key = clipKey(spec);
  const layers = spec.layers ?? [];
  const ivfs =
    layers.length === 0
      ? [path.join(cacheDir, `${key}.ivf`)]
      : layers.map((l) => path.join(cacheDir, `${key}.${l.height}p.ivf`));
  const ogg = path.join(cacheDir, `${key}.ogg`);
  const cached = () => [...ivfs, ogg].every((f) => existsSync(f));
  if (!cached()) {
    mkdirSync(cacheDir, { recursive: true });
    // One encoder per clip: bot processes started together (pool.ts) would each run FFmpeg,
    // ~20 s of CPU apiece for three layers. The others wait for its files.
    const lock = path.join(cacheDir, `${key}.lock`);
    if (takeLock(lock)) {
      try {
        if (!cached()) encode(spec, ivfs, ogg);
      } finally {
        rmSync(lock, { force: true });
      }
    } else {
      waitFor(() => cached() || !existsSync(lock));
      if (!cached()) return loadClip(spec, cacheDir);
    }
  }
  const audio = oggPackets(readFileSync(ogg));
  const frames = ivfs.map((f) => ivfFrames(readFileSync(f)));
  if (layers.length === 0) return { spec, video: frames[0] ?? [], audio };
  // The mesh sends one picture, 640x360 as the bots always have (else the top layer).
  const at360 = layers.findIndex((l) => l.height === 360);
  const meshLayer = at360 >= 0 ? at360 : layers.length - 1;
  return { spec, video: frames[meshLayer] ?? [], layers: frames, meshLayer, audio };
}

/** Encodes the clip's files: under temporary names, renamed when whole (the Ogg last). */
function encode(spec: ClipSpec, ivfs: string[], ogg: string): void {
  const tmp = `.${process.pid}`;
  const tmps = ivfs.map((f) => f + tmp);
  const run = spawnSync('ffmpeg', ffmpegArgs(spec, tmps[0] ?? '', ogg + tmp, tmps), {
    encoding: 'utf8',
  });
  if (run.error) throw new Error(`load bots need FFmpeg on PATH: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`ffmpeg failed (${run.status}): ${run.stderr}`);
  ivfs.forEach((f, i) => renameSync(tmps[i] ?? '', f));
  renameSync(ogg + tmp, ogg);
}

/** A lock older than this is a crashed encoder's: taken over. */
const STALE_LOCK_MS = 180_000;

/** Creates `lock` unless another process holds it (a stale one is removed first). */
function takeLock(lock: string): boolean {
  const held = statSync(lock, { throwIfNoEntry: false });
  if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
  try {
    closeSync(openSync(lock, 'wx'));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Blocks until `done` (loadClip is synchronous, like the FFmpeg run it waits for). */
function waitFor(done: () => boolean): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const end = Date.now() + STALE_LOCK_MS;
  while (!done() && Date.now() < end) Atomics.wait(pause, 0, 0, 200);
}

const layered = new Map<number, Clip>();

/** `loadClip(simulcastSpec(count))`, read once per process (every bot shares its frames). */
export function simulcastClip(count: number): Clip {
  let clip = layered.get(count);
  if (!clip) {
    clip = loadClip(simulcastSpec(count));
    layered.set(count, clip);
  }
  return clip;
}

/** The frames of an IVF file (32-byte file header, then a 12-byte header per frame). */
export function ivfFrames(file: Buffer): Buffer[] {
  if (file.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  let at = file.readUInt16LE(6);
  while (at + 12 <= file.length) {
    const size = file.readUInt32LE(at);
    frames.push(file.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/** The Opus packets of an Ogg file, without its two header packets (OpusHead, OpusTags). */
export function oggPackets(file: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let at = 0;
  while (at + 27 <= file.length) {
    if (file.toString('latin1', at, at + 4) !== 'OggS') throw new Error('not an Ogg page');
    const segments = file.readUInt8(at + 26);
    let data = at + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const len = file.readUInt8(at + 27 + i);
      partial.push(file.subarray(data, data + len));
      data += len;
      // A lacing value below 255 ends a packet; 255 means it goes on in the next segment.
      if (len < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    at = data;
  }
  return packets.slice(2);
}

/** True when a VP8 frame is a keyframe (RFC 6386 9.1: bit 0 of the frame tag is 0). */
export function isVp8Keyframe(frame: Buffer): boolean {
  return frame.length > 0 && ((frame[0] ?? 1) & 0x01) === 0;
}
