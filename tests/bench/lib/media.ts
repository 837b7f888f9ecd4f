// Media for the SFU and broadcast scenarios without spending the benchmark's CPU on encoding:
// FFmpeg encodes a VP8 + Opus clip once (cached), then streams it in a loop with `-c copy`
// as RTP into comedia PlainTransport producers (the approach of hls-gateway/src/testSource.ts).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SfuRoom } from '@parley/sfu';

export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  seconds: number;
}

/** 720p30 VP8 at ~2.5 Mbps, like a browser's top simulcast layer. */
export const HD_CLIP: ClipSpec = {
  width: 1280,
  height: 720,
  fps: 30,
  videoKbps: 2500,
  seconds: 10,
};
export const SMOKE_CLIP: ClipSpec = {
  width: 320,
  height: 180,
  fps: 15,
  videoKbps: 300,
  seconds: 2,
};

const CACHE = path.join(tmpdir(), 'parley-bench-media');

/**
 * Encodes (once) a test pattern with temporal noise, so that the encoder needs its bitrate the
 * way camera video does (a clean pattern compresses to almost nothing), and a sine tone.
 */
export function prepareClip(spec: ClipSpec): string {
  const { width, height, fps, videoKbps, seconds } = spec;
  const file = path.join(CACHE, `clip-${width}x${height}-${fps}-${videoKbps}k-${seconds}s.webm`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  const kbps = `${videoKbps}k`;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps},noise=alls=14:allf=t`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', kbps],
    ...['-minrate', kbps, '-maxrate', kbps, '-g', String(fps), '-auto-alt-ref', '0'],
    ...['-c:a', 'libopus', '-b:a', '64k', '-ac', '2', file],
  ];
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`ffmpeg could not prepare ${file}: ${r.stderr}`);
  return file;
}

export interface ClipSource {
  videoProducerId: string;
  audioProducerId: string;
  pid: number;
  stop(): Promise<void>;
}

function payloadType(room: SfuRoom, mimeType: string): number {
  const { codecs = [] } = room.rtpCapabilities as {
    codecs?: { mimeType: string; preferredPayloadType?: number }[];
  };
  const pt = codecs.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (pt?.preferredPayloadType === undefined) throw new Error(`router lacks ${mimeType}`);
  return pt.preferredPayloadType;
}

/** Produces the clip (video + audio) into `room` as a plain RTP peer, looping until stopped. */
export async function startClipSource(
  room: SfuRoom,
  clip: string,
  ssrcBase: number,
): Promise<ClipSource> {
  const vpt = payloadType(room, 'video/VP8');
  const apt = payloadType(room, 'audio/opus');
  const [vssrc, assrc] = [ssrcBase + 1, ssrcBase + 2];
  const video = await room.createPlainProducer('bench-source', {
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: vpt, clockRate: 90000 }],
      encodings: [{ ssrc: vssrc }],
    },
  });
  const audio = await room.createPlainProducer('bench-source', {
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: apt, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: assrc }],
    },
  });
  const url = (to: { ip: string; port: number; rtcpPort: number }): string =>
    `rtp://${to.ip}:${to.port}?rtcpport=${to.rtcpPort}&pkt_size=1200`;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-re', '-stream_loop', '-1', '-i', clip],
    ...['-map', '0:v', '-c', 'copy', '-f', 'rtp', '-payload_type', String(vpt)],
    ...['-ssrc', String(vssrc), url(video)],
    ...['-map', '0:a', '-c', 'copy', '-f', 'rtp', '-payload_type', String(apt)],
    ...['-ssrc', String(assrc), url(audio)],
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    videoProducerId: video.producerId,
    audioProducerId: audio.producerId,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
