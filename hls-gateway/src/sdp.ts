// The SDP file FFmpeg reads to receive the broadcast's RTP streams (its `sdp` demuxer). Pure.

import type { PlainRtpStream } from '@parley/sfu';

/** One RTP stream FFmpeg should listen for (what PlainConsumer.stream says, plus our port). */
export interface SdpStream {
  kind: 'audio' | 'video';
  /** Local UDP port FFmpeg receives RTP on; RTCP is on port + 1 (FFmpeg's fixed convention). */
  port: number;
  payloadType: number;
  /** rtpmap encoding name, e.g. 'VP8', 'opus', 'H264'. */
  codecName: string;
  clockRate: number;
  /** Audio channels (rtpmap's third field); omitted for video. */
  channels?: number;
  /** fmtp parameters, written in key order. */
  parameters?: Record<string, string | number>;
}

/** What FFmpeg needs of a plain consumer's stream (its `stream`) received on `port`. */
export function sdpStreamOf(stream: PlainRtpStream, port: number): SdpStream {
  return {
    kind: stream.kind,
    port,
    payloadType: stream.payloadType,
    codecName: stream.codecName,
    clockRate: stream.clockRate,
    ...(stream.channels !== undefined ? { channels: stream.channels } : {}),
    parameters: stream.parameters,
  };
}

export interface SdpInput {
  /** Address the streams arrive on (default 127.0.0.1). */
  ip?: string;
  /** At most one video stream, first; any number of audio streams. */
  streams: readonly SdpStream[];
}

/**
 * Builds the session description. Rules that matter to FFmpeg: one m-line per stream, each on
 * its own even port (RTCP on the odd one above), a connection line it can bind to, and
 * `recvonly` so nothing tries to send back on the RTP port.
 */
export function buildSdp(input: SdpInput): string {
  const ip = input.ip ?? '127.0.0.1';
  const family = ip.includes(':') ? 'IP6' : 'IP4';
  if (input.streams.length === 0) throw new Error('sdp: no streams');
  const ports = new Set<number>();
  for (const stream of input.streams) validateStream(stream, ports);
  const lines = [
    'v=0',
    `o=- 0 0 IN ${family} ${ip}`,
    's=Parley broadcast',
    `c=IN ${family} ${ip}`,
    't=0 0',
    ...input.streams.flatMap(mediaSection),
  ];
  return lines.join('\r\n') + '\r\n';
}

function validateStream(stream: SdpStream, ports: Set<number>): void {
  const { port, payloadType, codecName, clockRate } = stream;
  if (!Number.isInteger(port) || port < 1 || port > 65534) {
    throw new Error(`sdp: bad port ${port}`);
  }
  if (ports.has(port) || ports.has(port + 1) || ports.has(port - 1)) {
    throw new Error(`sdp: port ${port} overlaps another stream's RTP/RTCP pair`);
  }
  ports.add(port);
  if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) {
    throw new Error(`sdp: bad payload type ${payloadType}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(codecName)) throw new Error(`sdp: bad codec name ${codecName}`);
  if (!Number.isInteger(clockRate) || clockRate <= 0) {
    throw new Error(`sdp: bad clock rate ${clockRate}`);
  }
}

function mediaSection(stream: SdpStream): string[] {
  const { kind, port, payloadType: pt, codecName, clockRate, channels } = stream;
  const rtpmap =
    kind === 'audio' && channels !== undefined
      ? `${codecName}/${clockRate}/${channels}`
      : `${codecName}/${clockRate}`;
  const lines = [`m=${kind} ${port} RTP/AVP ${pt}`, `a=rtpmap:${pt} ${rtpmap}`];
  const fmtp = Object.entries(stream.parameters ?? {})
    .filter(([key, value]) => /^[A-Za-z0-9_-]+$/.test(key) && /^[^\s;]+$/.test(String(value)))
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
  if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
  lines.push(`a=rtcp:${port + 1}`, 'a=recvonly');
  return lines;
}
