// The looping clip publisher bots send: VP8 in IVF and Opus in Ogg, encoded once by FFmpeg
// into a cache folder (never committed) and read into memory as frames. Sending pre-encoded
// frames keeps a bot's cost at packetizing and SRTP: encoding per bot would take the cores
// the server is being measured on (issue #15; LiveKit's `lk load-test` does the same).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
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
  /** VP8 frames in order; the first is a keyframe (the loop and every PLI restart there). */
  video: Buffer[];
  /** Opus packets of 20 ms each. */
  audio: Buffer[];
}

/** FFmpeg's arguments for the clip's two files (table-tested in clip.test.ts). */
export function ffmpegArgs(spec: ClipSpec, ivf: string, ogg: string): string[] {
  const { width, height, fps, videoKbps, audioKbps, seconds } = spec;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    // Like a browser's realtime encoder: no alt-ref or lag, one keyframe (the first), CBR-ish.
    ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-b:v', `${videoKbps}k`, '-maxrate', `${videoKbps}k`, '-bufsize', `${videoKbps}k`],
    ...['-g', String(fps * seconds), '-auto-alt-ref', '0', '-lag-in-frames', '0'],
    ...['-f', 'ivf', ivf],
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', `${audioKbps}k`, '-frame_duration', '20'],
    ...['-ac', '1', '-f', 'ogg', ogg],
  ];
}

/**
 * The clip for `spec`, encoded with FFmpeg the first time (about a second of CPU for the
 * default) and read from the cache after that. Throws naming FFmpeg when it is missing.
 */
export function loadClip(spec: ClipSpec = DEFAULT_CLIP, cacheDir = CLIP_CACHE_DIR): Clip {
  const key = `${spec.width}x${spec.height}-${spec.fps}fps-${spec.videoKbps}k-${spec.audioKbps}k-${spec.seconds}s`;
  const ivf = path.join(cacheDir, `${key}.ivf`);
  const ogg = path.join(cacheDir, `${key}.ogg`);
  if (!existsSync(ivf) || !existsSync(ogg)) {
    mkdirSync(cacheDir, { recursive: true });
    // Written under a temporary name and renamed: two runs at once never read half a file.
    const tmp = `.${process.pid}`;
    const run = spawnSync('ffmpeg', ffmpegArgs(spec, ivf + tmp, ogg + tmp), {
      encoding: 'utf8',
    });
    if (run.error) throw new Error(`load bots need FFmpeg on PATH: ${run.error.message}`);
    if (run.status !== 0) throw new Error(`ffmpeg failed (${run.status}): ${run.stderr}`);
    renameSync(ivf + tmp, ivf);
    renameSync(ogg + tmp, ogg);
  }
  return { spec, video: ivfFrames(readFileSync(ivf)), audio: oggPackets(readFileSync(ogg)) };
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
