import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegArgs, isVp8Keyframe, ivfFrames, loadClip, oggPackets } from '../../load/clip.ts';
import { ClipSender } from '../../load/ClipSender.ts';
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

  it('sends Opus every 20 ms, 960 ticks apart, and no video when audio-only', () => {
    const { sent, at } = run(['audio']);
    at(0);
    at(60);
    expect(sent.map((s) => s.kind)).toEqual(['audio', 'audio', 'audio', 'audio']);
    expect(sent.map((s) => s.ts - (sent[0]?.ts ?? 0))).toEqual([0, 960, 1920, 2880]);
    expect(sent.map((s) => s.first)).toEqual([1, 2, 1, 2]);
  });
});
