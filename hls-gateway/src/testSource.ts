// Test helper: real media into the SFU without a browser. FFmpeg renders a test pattern and a
// sine tone, encodes VP8 + Opus and sends them as RTP to comedia PlainTransport producers.

import { spawn, type ChildProcess } from 'node:child_process';
import type { SfuRoom } from '@parley/sfu';

export interface TestSource {
  videoProducerId: string;
  audioProducerId: string;
  process: ChildProcess;
  /** SIGKILLs FFmpeg and waits for it to exit. */
  stop(): Promise<void>;
}

export interface TestSourceOptions {
  /** lavfi video source (default testsrc); size and rate are appended as its options. */
  pattern?: string;
  /** A whole lavfi video graph instead of `pattern` (size and rate are then its own). */
  videoGraph?: string;
  /** A whole lavfi audio graph (48 kHz) instead of the sine tone. */
  audioGraph?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Sine frequency, Hz (default 440). */
  tone?: number;
  /** Local ports FFmpeg sends from: base..base+3 (keeps tests inside their port block). */
  localPortBase: number;
  peerId?: string;
}

function payloadType(room: SfuRoom, mimeType: string): number {
  const codecs =
    (room.rtpCapabilities as { codecs?: { mimeType: string; preferredPayloadType?: number }[] })
      .codecs ?? [];
  const pt = codecs.find(
    (c) => c.mimeType.toLowerCase() === mimeType.toLowerCase(),
  )?.preferredPayloadType;
  if (pt === undefined) throw new Error(`router lacks ${mimeType}`);
  return pt;
}

export async function startTestSource(
  room: SfuRoom,
  options: TestSourceOptions,
): Promise<TestSource> {
  const { width = 320, height = 180, fps = 15, tone = 440, localPortBase: base } = options;
  const peerId = options.peerId ?? 'test-source';
  const vpt = payloadType(room, 'video/VP8');
  const apt = payloadType(room, 'audio/opus');
  const vssrc = 11110000 + base;
  const assrc = 22220000 + base;
  const video = await room.createPlainProducer(peerId, {
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: vpt, clockRate: 90000 }],
      encodings: [{ ssrc: vssrc }],
    },
  });
  const audio = await room.createPlainProducer(peerId, {
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: apt, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: assrc }],
    },
  });
  const url = (to: { ip: string; port: number; rtcpPort: number }, local: number): string =>
    `rtp://${to.ip}:${to.port}?rtcpport=${to.rtcpPort}&localrtpport=${local}&localrtcpport=${local + 1}&pkt_size=1200`;
  const pattern = options.pattern ?? 'testsrc';
  const videoInput = options.videoGraph ?? `${pattern}=size=${width}x${height}:rate=${fps}`;
  const audioInput = options.audioGraph ?? `sine=frequency=${tone}:sample_rate=48000`;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-re', '-f', 'lavfi', '-i', videoInput],
    ...['-re', '-f', 'lavfi', '-i', audioInput],
    ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'],
    ...[
      '-b:v',
      `${Math.round((width * height * fps) / 200)}`,
      '-g',
      String(fps),
      '-keyint_min',
      String(fps),
    ],
    ...['-f', 'rtp', '-payload_type', String(vpt), '-ssrc', String(vssrc), url(video, base)],
    ...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '64k'],
    ...['-f', 'rtp', '-payload_type', String(apt), '-ssrc', String(assrc), url(audio, base + 2)],
  ];
  const process = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => process.once('exit', () => resolve()));
  return {
    videoProducerId: video.producerId,
    audioProducerId: audio.producerId,
    process,
    async stop() {
      if (process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
      await exited;
    },
  };
}
