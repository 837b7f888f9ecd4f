// The FFmpeg command line that records one track: RTP in (an SDP file), the same packets out
// into Matroska, no decoding. Pure, so every choice is unit-tested.

import { isIP } from 'node:net';
import type { FfmpegPlan } from '@parley/hls-gateway';

export interface RecordOptions {
  /** SDP file describing the one RTP stream. */
  sdpPath: string;
  /** Matroska file to write (relative to FFmpeg's working directory, or absolute). */
  output: string;
  /** The address FFmpeg binds its RTP/RTCP sockets to (default 127.0.0.1). */
  rtpListenIp?: string;
}

/** Matches the input summary FFmpeg prints at `-loglevel info` once it has probed the stream. */
const START_LINE = /^\s*Duration: [^,]+, start: (-?\d+(?:\.\d+)?)/;

export function buildRecordPlan(options: RecordOptions): FfmpegPlan {
  const ip = options.rtpListenIp ?? '127.0.0.1';
  if (!isIP(ip)) throw new Error(`record: bad rtpListenIp ${ip}`);
  if (!options.sdpPath || !options.output.endsWith('.mkv')) throw new Error('record: bad paths');
  return {
    inputs: [
      {
        options: [
          '-protocol_whitelist',
          'file,udp,rtp',
          '-f',
          'sdp',
          // Bind to the loopback only, as the gateway does (issue 14).
          '-localaddr',
          ip,
          // Every packet is stamped with the wall clock when FFmpeg reads it. The file's
          // timestamp 0 is then a known instant (the `start:` FFmpeg prints, see
          // parseStartLine), which lines separately recorded tracks up, and a paused producer
          // leaves a hole of the right length instead of being spliced shut.
          '-use_wallclock_as_timestamps',
          '1',
          '-analyzeduration',
          '1000000',
        ],
        source: options.sdpPath,
      },
    ],
    outputOptions: [
      // info, not warning: the input summary with its `start:` is printed at info level.
      ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'],
      ...['-map', '0', '-c', 'copy', '-f', 'matroska'],
      // The muxer holds a whole cluster in memory; short clusters, each flushed at once, mean a
      // SIGKILL loses at most about a second and the file up to there stays playable.
      ...['-cluster_time_limit', '1000', '-flush_packets', '1'],
    ],
    output: options.output,
  };
}

/** The wall-clock time (epoch ms) of the file's timestamp 0, from FFmpeg's input summary line. */
export function parseStartLine(line: string): number | undefined {
  const match = START_LINE.exec(line);
  if (!match?.[1]) return undefined;
  const seconds = Number(match[1]);
  // Wall-clock stamps are epoch seconds; anything else means the option did not apply.
  if (!Number.isFinite(seconds) || seconds < 946_684_800) return undefined;
  return Math.round(seconds * 1000);
}
