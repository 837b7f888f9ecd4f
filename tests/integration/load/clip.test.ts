import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CLIP,
  clipKey,
  ffmpegArgs,
  isVp8Keyframe,
  ivfFrames,
  loadClip,
  oggPackets,
  simulcastSpec,
} from '../../load/clip.ts';
import { ClipSender } from '../../load/ClipSender.ts';
import { vp8KeyframeSize, vp8Payloads } from '../../load/rtpPayload.ts';
import type { Clip } from '../../load/clip.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function ivf(frames: Buffer[]): Buffer {
  const head = Buffer.alloc(32);
  head.write('DKIF', 0, 'latin1');
  head.writeUInt16LE(32, 6);
  const parts = frames.flatMap((f, i) => {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(f.length, 0);
    h.writeUInt32LE(i, 4);
    return [h, f];
  });
  return Buffer.concat([head, ...parts]);
}

function oggPage(packets: Buffer[]): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'latin1');
  head.writeUInt8(lacing.length, 26);
  return Buffer.concat([head, Buffer.from(lacing), ...packets]);
}

describe('the clip publisher bots loop', () => {
  it('asks FFmpeg for realtime VP8 at the bitrate, one keyframe, and 20 ms Opus', () => {
    const args = ffmpegArgs(
      { width: 640, height: 360, fps: 30, videoKbps: 500, audioKbps: 32, seconds: 10 },
      'v.ivf',
      'a.ogg',
    ).join(' ');
    expect(args).toContain('testsrc2=size=640x360:rate=30:duration=10');
    expect(args).toContain('-c:v libvpx -deadline realtime');
    expect(args).toContain('-b:v 500k -maxrate 500k');
    expect(args).toContain('-g 300 -auto-alt-ref 0 -lag-in-frames 0');
    expect(args).toContain('-c:a libopus -b:a 32k -frame_duration 20');
    expect(args).toMatch(/-f ivf v\.ivf .* -f ogg a\.ogg$/);
  });

  it('reads IVF frames and Ogg packets (a 300-byte packet spans two lacing values)', () => {
    const frames = [Buffer.from([0x10, 1, 2]), Buffer.from([0x11])];
    expect(ivfFrames(ivf(frames))).toEqual(frames);
    const big = Buffer.alloc(300, 9);
    const file = Buffer.concat([
      oggPage([Buffer.from('OpusHead')]),
      oggPage([Buffer.from('OpusTags')]),
      oggPage([Buffer.from([1, 2]), big]),
    ]);
    expect(oggPackets(file)).toEqual([Buffer.from([1, 2]), big]);
  });

  it('is made by the real FFmpeg: a keyframe first, ~500 kbit/s, 20 ms audio', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-clip-'));
    dirs.push(dir);
    const spec = { width: 320, height: 180, fps: 15, videoKbps: 200, audioKbps: 24, seconds: 2 };
    const clip = loadClip(spec, dir);
    expect(clip.video).toHaveLength(30);
    expect(isVp8Keyframe(clip.video[0]!)).toBe(true);
    expect(clip.video.slice(1).some((f) => !isVp8Keyframe(f))).toBe(true);
    expect(clip.audio.length).toBeGreaterThanOrEqual(100);
    const kbps = (clip.video.reduce((s, f) => s + f.length, 0) * 8) / spec.seconds / 1000;
    expect(kbps).toBeGreaterThan(50);
    expect(kbps).toBeLessThan(400);
  });
});

describe('the simulcast clip', () => {
  it.each([
    [1, DEFAULT_CLIP.width, undefined],
    [2, 640, ['320x180@300', '640x360@900']],
    [3, 1280, ['320x180@100', '640x360@300', '1280x720@900']],
  ])('%i layer(s): the app’s cameraEncodings for a %i px capture', (count, width, layers) => {
    const spec = simulcastSpec(count);
    expect(spec.width).toBe(width);
    expect(spec.layers?.map((l) => `${l.width}x${l.height}@${l.videoKbps}`)).toEqual(layers);
  });

  it.each([0, 4])('refuses %i layers', (count) => {
    expect(() => simulcastSpec(count)).toThrow('1, 2 or 3');
  });

  it('is cached under a key of its own (an old single-layer cache is not reused)', () => {
    expect(clipKey(DEFAULT_CLIP)).toBe('640x360-30fps-500k-32k-10s');
    expect(clipKey(simulcastSpec(3))).toBe(
      '1280x720-30fps-0k-32k-5s-sim-320x180@100k_640x360@300k_1280x720@900k',
    );
    expect(clipKey(simulcastSpec(2))).not.toBe(clipKey(simulcastSpec(3)));
  });

  it('asks FFmpeg for every layer scaled from one source, each keyframed once', () => {
    const args = ffmpegArgs(simulcastSpec(3), 'a.ivf', 'a.ogg', ['a.ivf', 'b.ivf', 'c.ivf']);
    const text = args.join(' ');
    expect(text).toContain('testsrc2=size=1280x720:rate=30:duration=5');
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:v]split=3[s0][s1][s2];[s0]scale=320:180[l0];[s1]scale=640:360[l1];[s2]scale=1280:720[l2]',
    );
    expect(text).toContain('-map [l0] -c:v libvpx');
    expect(text).toMatch(/-b:v 100k .* -g 150 .* -f ivf a\.ivf -map \[l1\]/);
    expect(text).toMatch(/-b:v 300k .* -f ivf b\.ivf -map \[l2\]/);
    expect(text).toMatch(/-b:v 900k .* -f ivf c\.ivf -map 1:a/);
  });

  it('is made by the real FFmpeg: layers of their sizes, keyframes at the same frame', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-clip-'));
    dirs.push(dir);
    const layers = [
      { width: 160, height: 90, videoKbps: 50 },
      { width: 320, height: 180, videoKbps: 150 },
    ];
    const spec = { ...DEFAULT_CLIP, width: 320, height: 180, fps: 15, seconds: 1, layers };
    const clip = loadClip(spec, dir);
    expect(clip.layers?.map((l) => l.length)).toEqual([15, 15]);
    for (const frames of clip.layers ?? []) {
      expect(frames.map((f) => isVp8Keyframe(f)).indexOf(false)).toBe(1);
      expect(frames.slice(1).some((f) => isVp8Keyframe(f))).toBe(false);
    }
    const size = (f: Buffer | undefined) => vp8KeyframeSize(vp8Payloads(f!, 0)[0]!);
    expect(clip.layers?.map((l) => size(l[0]))).toEqual([
      { width: 160, height: 90 },
      { width: 320, height: 180 },
    ]);
    // No 640x360 layer here: the mesh sends the top one.
    expect(clip.meshLayer).toBe(1);
    expect(clip.video).toBe(clip.layers?.[1]);
  });
});

describe('the clip cache lock', () => {
  it('takes over a crashed encoder’s stale lock, encodes, and removes it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-clip-'));
    dirs.push(dir);
    const spec = { ...DEFAULT_CLIP, width: 160, height: 90, fps: 10, videoKbps: 50, seconds: 1 };
    const lock = path.join(dir, `${clipKey(spec)}.lock`);
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, old, old);
    expect(loadClip(spec, dir).video).toHaveLength(10);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('ClipSender', () => {
  const clip: Clip = {
    spec: { width: 2, height: 2, fps: 10, videoKbps: 1, audioKbps: 1, seconds: 0.3 },
    video: [Buffer.from([0x10, 0xaa]), Buffer.from([0x11, 0xbb]), Buffer.from([0x11, 0xcc])],
    audio: [Buffer.from([1]), Buffer.from([2])],
  };

  function run(kinds: ('audio' | 'video')[]) {
    let now = 0;
    const sent: { kind: string; first: number; ts: number; marker: boolean }[] = [];
    const sender = new ClipSender(
      clip,
      { send: (kind, p, ts, marker) => sent.push({ kind, first: p.at(-1) ?? -1, ts, marker }) },
      new Set(kinds),
      () => now,
    );
    return { sender, sent, at: (ms: number) => ((now = ms), sender.tick()) };
  }

  it('loops the frames at the clip rate with RTP time running on, and restarts on a PLI', () => {
    const { sender, sent, at } = run(['video']);
    for (const ms of [0, 100, 200, 300, 400]) at(ms);
    sender.requestKeyframe();
    at(500);
    const frames = sent.map((s) => s.first);
    expect(frames).toEqual([0xaa, 0xbb, 0xcc, 0xaa, 0xbb, 0xaa]);
    const ts = sent.map((s) => s.ts - (sent[0]?.ts ?? 0));
    expect(ts).toEqual([0, 9000, 18000, 27000, 36000, 45000]);
    expect(sent.every((s) => s.marker)).toBe(true);
    expect(sender.counts).toMatchObject({ videoFrames: 6, keyframes: 3, keyframeRequests: 1 });
  });

  it('sends frame i of every simulcast layer together, and restarts them all on a PLI', () => {
    let now = 0;
    const layered: Clip = {
      ...clip,
      layers: [clip.video, clip.video.map((f) => Buffer.concat([f, Buffer.from([0x01])]))],
    };
    const sent: { layer: number | undefined; last: number; ts: number }[] = [];
    const sender = new ClipSender(
      layered,
      { send: (_k, p, ts, _m, layer) => sent.push({ layer, last: p.at(-1) ?? -1, ts }) },
      new Set(['video' as const]),
      () => now,
    );
    const at = (ms: number) => {
      now = ms;
      sender.tick();
    };
    at(0);
    at(100);
    sender.requestKeyframe();
    at(200);
    expect(sent.map((s) => `${s.layer}:${s.last}`)).toEqual([
      '0:170',
      '1:1',
      '0:187',
      '1:1',
      '0:170',
      '1:1',
    ]);
    expect(sent[0]?.ts).toBe(sent[1]?.ts);
    expect(sender.counts).toMatchObject({ videoFrames: 3, keyframes: 2 });
  });

  it('sends Opus every 20 ms, 960 ticks apart, and no video when audio-only', () => {
    const { sent, at } = run(['audio']);
    at(0);
    at(60);
    expect(sent.map((s) => s.kind)).toEqual(['audio', 'audio', 'audio', 'audio']);
    expect(sent.map((s) => s.ts - (sent[0]?.ts ?? 0))).toEqual([0, 960, 1920, 2880]);
    expect(sent.map((s) => s.first)).toEqual([1, 2, 1, 2]);
  });
});
