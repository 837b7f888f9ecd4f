import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_GRACE_MS } from '../rooms/roomTypes.ts';
import { ConfigError, int, list, urlOf } from './env.ts';
import type { Env } from './env.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The server and its network: where it listens, what it serves, who may connect and read. */
export interface ServerSettings {
  port: number;
  host: string;
  dataDir: string;
  /** The built PWA; `undefined` serves the API only. */
  staticDir: string | undefined;
  /** Extra origins allowed to open the WebSocket, besides same-origin pages. */
  allowedOrigins: string[];
  /**
   * SITE_URL: where people open Parley (`https://meet.example.org`), the base of every link we
   * send out: in mail (invitations, reminders, password resets) and in calendars. Never the
   * request's Host header, which anyone can set (a reset link to their site would leak the
   * token). Undefined: the address this server listens on, which suits development and tests.
   */
  siteUrl: string | undefined;
  /** Who may read `/metrics`: see `metricsConfig` and http/metricsAccess.ts. */
  metrics: MetricsConfig;
}

/** A socket's and a seat's timers and flow limits. */
export interface SessionSettings {
  heartbeatMs: number;
  /** How long a dropped peer's seat is kept for `resume` (0: leave at once). */
  resumeWindowMs: number;
  /**
   * How long a meeting whose host left (without handing the role over) waits for a host before
   * it makes the longest-present co-host, or else person, host (HOST_GRACE_MS, default 15 s).
   */
  hostGraceMs: number;
  joinTimeoutMs: number;
  rateLimit: { perSec: number; burst: number };
  /**
   * Back-pressure: a socket whose send buffer stays above `maxBytes` (default 4 MiB) for longer
   * than `graceMs` (default 10 s) is closed with 4005, instead of holding memory for a client
   * that stopped reading.
   */
  wsBuffer: { maxBytes: number; graceMs: number };
}

export interface MetricsConfig {
  /** `Authorization: Bearer <token>` opens `/metrics` (METRICS_TOKEN, 16+ characters). */
  token: string | undefined;
  /** A separate listener that serves `/metrics` only (METRICS_LISTEN, `host:port`). */
  listen: { host: string; port: number } | undefined;
}

/** Where the server listens and what it serves (PORT, HOST, DATA_DIR, STATIC_DIR, ALLOWED_ORIGINS). */
export function listenConfig(
  env: Env,
): Pick<ServerSettings, 'port' | 'host' | 'dataDir' | 'staticDir' | 'allowedOrigins'> {
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || path.join(REPO_ROOT, 'data')),
    staticDir:
      env.STATIC_DIR === ''
        ? undefined
        : path.resolve(env.STATIC_DIR ?? path.join(REPO_ROOT, 'app/dist')),
    allowedOrigins: origins(env),
  };
}

function origins(env: Env): string[] {
  return list(env, 'ALLOWED_ORIGINS').map((o) => {
    try {
      return new URL(o).origin;
    } catch {
      throw new ConfigError(`ALLOWED_ORIGINS has an entry that is not a URL: "${o}"`);
    }
  });
}

/** SITE_URL, the site alone: links are built on its origin. */
export function siteUrlOf(env: Env): string | undefined {
  const siteUrl = urlOf(env, 'SITE_URL', ['https', 'http']);
  if (siteUrl !== undefined && new URL(siteUrl).pathname !== '/') {
    throw new ConfigError('SITE_URL must be the site alone (https://host[:port]), without a path');
  }
  return siteUrl && new URL(siteUrl).origin;
}

const METRICS_TOKEN_MIN = 16;

export function metricsConfig(env: Env): MetricsConfig {
  const token = env.METRICS_TOKEN || undefined;
  if (token !== undefined && (token.length < METRICS_TOKEN_MIN || /\s/.test(token))) {
    throw new ConfigError(
      `METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN} characters, without spaces`,
    );
  }
  const raw = env.METRICS_LISTEN || undefined;
  if (raw === undefined) return { token, listen: undefined };
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (!host || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`METRICS_LISTEN must be host:port (e.g. 127.0.0.1:9464), got "${raw}"`);
  }
  return { token, listen: { host, port } };
}

export function sessionConfig(env: Env): SessionSettings {
  return {
    heartbeatMs: int(env, 'HEARTBEAT_MS', 15_000, 100),
    resumeWindowMs: int(env, 'RESUME_WINDOW_S', 30) * 1000,
    hostGraceMs: int(env, 'HOST_GRACE_MS', HOST_GRACE_MS),
    joinTimeoutMs: int(env, 'JOIN_TIMEOUT_MS', 15_000, 100),
    rateLimit: {
      perSec: int(env, 'WS_RATE_PER_SEC', 50, 1),
      burst: int(env, 'WS_RATE_BURST', 200, 1),
    },
    wsBuffer: {
      // At least one largest frame: a single big message must not count as a slow reader.
      maxBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 64 * 1024),
      graceMs: int(env, 'WS_BUFFERED_GRACE_MS', 10_000, 0),
    },
  };
}
