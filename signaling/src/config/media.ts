import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ConfigError, int } from './env.ts';
import type { Env } from './env.ts';

/** Media on the server: the SFU, and the FFmpeg jobs that read from it (broadcast, recording). */
export interface MediaSettings {
  /** The SFU (mediasoup workers); undefined runs mesh-only rooms. */
  sfu: SfuConfig | undefined;
  /** Broadcasting (needs the SFU and FFmpeg); undefined: rooms cannot go on air. */
  hls: HlsConfig | undefined;
  /** Recording (needs the SFU and FFmpeg); undefined: rooms cannot be recorded. */
  recording: RecordingConfig | undefined;
  /**
   * Media jobs (broadcasts and recordings) at once: per node (MEDIA_JOBS_PER_NODE,
   * default the number of cores, at least 2) and per account or guest (MEDIA_JOBS_PER_ACCOUNT,
   * default 2).
   */
  mediaJobs: { perNode: number; perAccount: number };
}

export interface SfuConfig {
  workers: number | undefined;
  listenIp: string;
  announcedIp: string | undefined;
  /** Worker i's WebRtcServer listens on port + i (UDP and TCP); 0 picks free ports. */
  webRtcPortBase: number;
  rtcMinPort: number;
  rtcMaxPort: number;
}

export interface HlsConfig {
  segmentSeconds: number;
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  /**
   * HLS_LADDER=on (default off): a 360p rendition beside the main picture and a master
   * playlist (issue 20). It costs a second x264 encode; BENCHMARKS.md has the figure.
   */
  ladder?: boolean;
}

export interface RecordingConfig {
  /** RECORDINGS_DIR; undefined: `<dataDir>/recordings`, whatever `dataDir` ends up being. */
  dir: string | undefined;
  /** RECORDING_RETENTION_DAYS (default 30): ended recordings older than this are deleted; 0 keeps them. */
  retentionDays: number;
  /** RECORDING_MIN_FREE_MB (default 1024): below it recording does not start, and stops. */
  minFreeBytes: number;
  /** RECORDING_COMPOSITES (default 1): composites produced at once on this node. */
  composites: number;
  /** RECORDING_RTP_PORTS (default 52000-52999): the UDP pairs the track recorders receive on. */
  rtpPorts: { min: number; max: number };
}

export function sfuConfig(env: Env): SfuConfig | undefined {
  if (env.SFU === 'off') return undefined;
  const rtcMinPort = int(env, 'SFU_RTC_MIN_PORT', 40100, 1);
  const rtcMaxPort = int(env, 'SFU_RTC_MAX_PORT', 40999, 1);
  if (rtcMaxPort <= rtcMinPort)
    throw new ConfigError('SFU_RTC_MAX_PORT must be above SFU_RTC_MIN_PORT');
  const workers = int(env, 'SFU_WORKERS', 0);
  return {
    workers: workers === 0 ? undefined : workers,
    listenIp: env.SFU_LISTEN_IP || '127.0.0.1',
    announcedIp: env.SFU_ANNOUNCED_IP || undefined,
    webRtcPortBase: int(env, 'SFU_PORT', 40000),
    rtcMinPort,
    rtcMaxPort,
  };
}

export function hlsConfig(env: Env): HlsConfig | undefined {
  if (env.HLS === 'off' || env.SFU === 'off') return undefined;
  return {
    segmentSeconds: int(env, 'HLS_SEGMENT_S', 1, 1),
    width: int(env, 'HLS_WIDTH', 1280, 16),
    height: int(env, 'HLS_HEIGHT', 720, 16),
    fps: int(env, 'HLS_FPS', 30, 1),
    videoKbps: int(env, 'HLS_VIDEO_KBPS', 2500, 100),
    ladder: hlsLadder(env),
  };
}

function hlsLadder(env: Env): boolean {
  const value = env.HLS_LADDER ?? 'off';
  if (value !== 'on' && value !== 'off') {
    throw new ConfigError(`HLS_LADDER must be on or off, got "${value}"`);
  }
  if (value === 'on' && int(env, 'HLS_HEIGHT', 720, 16) <= 360) {
    throw new ConfigError('HLS_LADDER=on needs HLS_HEIGHT above 360: its low rendition is 360p');
  }
  return value === 'on';
}

export function recordingConfig(env: Env): RecordingConfig | undefined {
  if (env.RECORDING === 'off' || env.SFU === 'off') return undefined;
  const ports = /^(\d+)-(\d+)$/.exec(env.RECORDING_RTP_PORTS ?? '52000-52999');
  const [min, max] = [Number(ports?.[1]), Number(ports?.[2])];
  if (!ports || min < 1024 || max > 65535 || max - min < 1) {
    throw new ConfigError(
      `RECORDING_RTP_PORTS must be <min>-<max> above 1023, got "${env.RECORDING_RTP_PORTS}"`,
    );
  }
  return {
    dir: env.RECORDINGS_DIR ? path.resolve(env.RECORDINGS_DIR) : undefined,
    retentionDays: int(env, 'RECORDING_RETENTION_DAYS', 30),
    minFreeBytes: int(env, 'RECORDING_MIN_FREE_MB', 1024) * 1024 * 1024,
    composites: int(env, 'RECORDING_COMPOSITES', 1, 1),
    rtpPorts: { min, max },
  };
}

export function mediaJobsConfig(env: Env): MediaSettings['mediaJobs'] {
  return {
    perNode: int(env, 'MEDIA_JOBS_PER_NODE', Math.max(2, availableParallelism()), 1),
    perAccount: int(env, 'MEDIA_JOBS_PER_ACCOUNT', 2, 1),
  };
}
