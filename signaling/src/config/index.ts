import { createECDH, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trustProxyError } from '../util/clientAddress.ts';
import { HOST_GRACE_MS } from '../rooms/roomTypes.ts';
import { PUSH_SERVICES } from '../push/subscriptionCheck.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Everything the server can be told. `loadConfig` documents each default. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The built PWA; `undefined` serves the API only. */
  staticDir: string | undefined;
  /** Extra origins allowed to open the WebSocket, besides same-origin pages. */
  allowedOrigins: string[];
  roomMaxPeers: number;
  /** Above this many admitted peers a room moves from the mesh to the SFU. */
  meshMaxPeers: number;
  /** How long a room must stay small before it moves back to the mesh (seconds). */
  sfuDowngradeHoldS: number;
  /** How long the SFU stays up after the move back, so clients can make before break. */
  sfuDowngradeGraceS: number;
  /** Broadcasting (needs the SFU and FFmpeg); undefined: rooms cannot go on air. */
  hls: HlsConfig | undefined;
  /** Recording (needs the SFU and FFmpeg); undefined: rooms cannot be recorded. */
  recording: RecordingConfig | undefined;
  /**
   * Attendance and feedback (issue 21): ATTENDANCE_RETENTION_DAYS (default 90, at least 1),
   * how long after a meeting ends its attendance and ratings are kept.
   */
  attendance: { retentionDays: number };
  /**
   * Scheduled meetings (issue 21): REMINDER_LEAD_MIN (default 15, 1-1440), how long before each
   * occurrence its invitees are reminded.
   */
  schedule: { reminderLeadMin: number };
  /**
   * SITE_URL: where people open Parley (`https://meet.example.org`), the base of every link we
   * send out: in mail (invitations, reminders, password resets) and in calendars. Never the
   * request's Host header, which anyone can set (a reset link to their site would leak the
   * token). Undefined: the address this server listens on, which suits development and tests.
   */
  siteUrl: string | undefined;
  /** Who may read `/metrics`: see `metricsConfig` and http/metricsAccess.ts. */
  metrics: MetricsConfig;
  /**
   * Media jobs (broadcasts and recordings) at once: per node (MEDIA_JOBS_PER_NODE,
   * default the number of cores, at least 2) and per account or guest (MEDIA_JOBS_PER_ACCOUNT,
   * default 2).
   */
  mediaJobs: { perNode: number; perAccount: number };
  /** The SFU (mediasoup workers); undefined runs mesh-only rooms. */
  sfu: SfuConfig | undefined;
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
  /** STUN/TURN URLs without credentials; TURN ones get per-peer credentials when `turn` is set. */
  stunUrls: string[];
  turn: { urls: string[]; secret: string } | undefined;
  /** Lifetime of a minted TURN credential, seconds. */
  turnTtlS: number;
  /** Browsers use only relayed (TURN) candidates. */
  iceRelayOnly: boolean;
  /** Start a local coturn (embedded default) when `turnserver` is installed. */
  localTurn: boolean;
  turnPort: number;
  /**
   * HS256 key for access tokens (at least 32 characters); undefined: one is generated once and
   * kept in `<dataDir>/jwt-secret` (mode 0600) so sessions survive a restart.
   */
  jwtSecret: string | undefined;
  /** Lifetime of an access token (JWT), seconds. Default 900. */
  accessTokenTtlS: number;
  /** Lifetime of a refresh token (rotated on every use), days. Default 30. */
  refreshTtlDays: number;
  /** PostgreSQL for durable state (`postgres://...`); undefined: SQLite under `dataDir`. */
  databaseUrl: string | undefined;
  /** Cluster membership (REDIS_URL set); undefined: one process, exactly as before. */
  cluster: ClusterConfig | undefined;
  /** Single sign-on with an OpenID provider (OIDC_*, issue 21); undefined: none. */
  oidc: OidcConfig | undefined;
  /** What one address, peer or account may cost us (issue #14); see `limitsConfig`. */
  limits: LimitsConfig;
  /** Outgoing mail over SMTP (SMTP_URL, MAIL_FROM; issue 21); undefined: mail is off. */
  mail: MailConfig | undefined;
  /** Web Push reminders (issue 21); see `PushConfig`. */
  push: PushConfig;
}

export interface MailConfig {
  /** SMTP_URL: `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://` (TLS). */
  smtpUrl: string;
  /** MAIL_FROM: the sender, `parley@example.org` or `Parley <parley@example.org>`. */
  from: string;
  /** SMTP connection, greeting and socket timeouts (SMTP_TIMEOUT_MS, default 10 s). */
  timeoutMs: number;
}

/** A VAPID key pair (RFC 8292), base64url: the public key uncompressed (65 bytes), the private 32. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushConfig {
  /**
   * VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (together, e.g. from `npx web-push
   * generate-vapid-keys`); undefined: a pair is generated once into `<dataDir>/vapid-keys.json`
   * (mode 0600). The nodes of a cluster must share one pair: a browser subscribed with one key
   * accepts pushes signed by that key only.
   */
  vapid: VapidKeys | undefined;
  /**
   * VAPID_SUBJECT: how a push service reaches the operator, `mailto:` or `https:`. Default
   * PUBLIC_URL when it is https, else `mailto:parley@localhost` (set it in production).
   */
  subject: string;
  /**
   * PUSH_HTTP_LOOPBACK=on (default off) also accepts subscriptions whose endpoint is plain
   * http:// on a loopback address: a push service run by a test or a developer.
   */
  httpLoopback: boolean;
  /**
   * PUSH_SERVICES (comma-separated hosts; `.example.org` for a domain's hosts): the push
   * services endpoints may be at; default the browsers' (push/subscriptionCheck.ts).
   */
  services: readonly string[];
  /** PUSH_MAX_DEVICES (default 10): devices per account; a new one beyond drops the oldest. */
  maxDevices: number;
}

export interface ClusterConfig {
  redisUrl: string;
  /** Stable id of this node (NODE_ID); default: generated at start. */
  nodeId: string;
  /**
   * Where the other nodes (and clients, directly) reach this node (PUBLIC_URL); undefined:
   * `http://<host>:<port>` as bound.
   */
  publicUrl: string | undefined;
}

export interface OidcConfig {
  /** The provider's issuer URL (OIDC_ISSUER): https://, or http:// on a loopback address. */
  issuer: string;
  /** OIDC_CLIENT_ID, as registered at the provider. */
  clientId: string;
  /** OIDC_CLIENT_SECRET (a confidential client: the code is redeemed server-side). */
  clientSecret: string;
  /** What the button says after "Sign in with" (OIDC_NAME, default the issuer's host name). */
  name: string;
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

export interface MetricsConfig {
  /** `Authorization: Bearer <token>` opens `/metrics` (METRICS_TOKEN, 16+ characters). */
  token: string | undefined;
  /** A separate listener that serves `/metrics` only (METRICS_LISTEN, `host:port`). */
  listen: { host: string; port: number } | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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

function turnConfig(env: Env): Config['turn'] {
  const urls = list(env, 'TURN_URLS');
  const secret = env.TURN_SECRET ?? '';
  if (urls.length === 0 && secret === '') return undefined;
  if (urls.length === 0 || secret === '') {
    throw new ConfigError('TURN_URLS and TURN_SECRET must be set together');
  }
  return { urls, secret };
}

function sfuConfig(env: Env): SfuConfig | undefined {
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

function hlsConfig(env: Env): HlsConfig | undefined {
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

function recordingConfig(env: Env): RecordingConfig | undefined {
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

const METRICS_TOKEN_MIN = 16;

function metricsConfig(env: Env): MetricsConfig {
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

/** 32 characters is the least that gives HS256 a key as long as its hash (RFC 7518, 3.2). */
const JWT_SECRET_MIN = 32;

function jwtSecret(env: Env): string | undefined {
  const secret = env.JWT_SECRET;
  if (secret === undefined || secret === '') return undefined;
  if (secret.length < JWT_SECRET_MIN) {
    throw new ConfigError(`JWT_SECRET must be at least ${JWT_SECRET_MIN} characters`);
  }
  return secret;
}

function urlOf(env: Env, name: string, schemes: readonly string[]): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL (${schemes.join(' or ')}), got "${value}"`);
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) {
    throw new ConfigError(`${name} must start with ${schemes.map((s) => `${s}://`).join(' or ')}`);
  }
  return value;
}

function clusterConfig(env: Env, databaseUrl: string | undefined): ClusterConfig | undefined {
  const redisUrl = urlOf(env, 'REDIS_URL', ['redis', 'rediss']);
  if (redisUrl === undefined) return undefined;
  if (databaseUrl === undefined) {
    throw new ConfigError(
      'REDIS_URL is set but DATABASE_URL is not: the nodes of a cluster cannot share SQLite files ' +
        '(each machine has its own disk). Set DATABASE_URL=postgres://... as well.',
    );
  }
  const nodeId = env.NODE_ID || `node-${randomBytes(4).toString('hex')}`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) {
    throw new ConfigError('NODE_ID must be 1-64 letters, digits, "_" or "-"');
  }
  return { redisUrl, nodeId, publicUrl: urlOf(env, 'PUBLIC_URL', ['http', 'https']) };
}

/** An address alone, or a display name and the address in <>; no line breaks (header injection). */
const MAIL_FROM = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

/** SMTP_URL and MAIL_FROM together, or neither: mail is off, and the app says so. */
function mailConfig(env: Env): MailConfig | undefined {
  const smtpUrl = urlOf(env, 'SMTP_URL', ['smtp', 'smtps']);
  const from = (env.MAIL_FROM ?? '').trim();
  if (smtpUrl === undefined) {
    if (from) throw new ConfigError('MAIL_FROM is set but SMTP_URL is not');
    return undefined;
  }
  if (!from) throw new ConfigError('SMTP_URL is set but MAIL_FROM is not: mail needs a sender');
  if (!MAIL_FROM.test(from)) {
    throw new ConfigError(
      `MAIL_FROM must be an address, or "Name <address>", got "${env.MAIL_FROM}"`,
    );
  }
  return { smtpUrl, from, timeoutMs: int(env, 'SMTP_TIMEOUT_MS', 10_000, 100) };
}

/** SITE_URL, the site alone: links are built on its origin. */
function siteUrlOf(env: Env): string | undefined {
  const siteUrl = urlOf(env, 'SITE_URL', ['https', 'http']);
  if (siteUrl !== undefined && new URL(siteUrl).pathname !== '/') {
    throw new ConfigError('SITE_URL must be the site alone (https://host[:port]), without a path');
  }
  return siteUrl && new URL(siteUrl).origin;
}

const OIDC_NAME_MAX = 40;
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together, or none. Plain http:// is only
 * for a provider on this machine (tests, development): elsewhere tokens would cross the network
 * in the clear.
 */
function oidcConfig(env: Env): OidcConfig | undefined {
  const names = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const set = names.filter((name) => (env[name] ?? '') !== '');
  if (set.length === 0) {
    if (env.OIDC_NAME) throw new ConfigError('OIDC_NAME is set but OIDC_ISSUER is not');
    return undefined;
  }
  if (set.length < names.length) {
    const missing = names.filter((name) => !set.includes(name)).join(', ');
    throw new ConfigError(`single sign-on needs ${names.join(', ')} together: ${missing} missing`);
  }
  const issuer = urlOf(env, 'OIDC_ISSUER', ['https', 'http']) as string;
  const url = new URL(issuer);
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    throw new ConfigError(
      'OIDC_ISSUER must start with https:// (http:// only on a loopback address)',
    );
  }
  if (url.search || url.hash) {
    throw new ConfigError('OIDC_ISSUER must be the issuer URL alone, without ?query or #fragment');
  }
  const name = (env.OIDC_NAME ?? '').trim() || url.hostname;
  if (name.length > OIDC_NAME_MAX || /[\p{Cc}]/u.test(name)) {
    throw new ConfigError(`OIDC_NAME must be 1-${OIDC_NAME_MAX} printable characters`);
  }
  return {
    issuer,
    clientId: env.OIDC_CLIENT_ID as string,
    clientSecret: env.OIDC_CLIENT_SECRET as string,
    name,
  };
}

const VAPID_PUBLIC = /^B[A-Za-z0-9_-]{86}$/;
const VAPID_PRIVATE = /^[A-Za-z0-9_-]{43}$/;

/** Both VAPID keys or neither; the public one must be the private one's (checked here, once). */
function vapidKeys(env: Env): VapidKeys | undefined {
  const publicKey = env.VAPID_PUBLIC_KEY ?? '';
  const privateKey = env.VAPID_PRIVATE_KEY ?? '';
  if (publicKey === '' && privateKey === '') return undefined;
  if (publicKey === '' || privateKey === '') {
    throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together');
  }
  if (!VAPID_PUBLIC.test(publicKey)) {
    throw new ConfigError('VAPID_PUBLIC_KEY must be an uncompressed P-256 key in base64url');
  }
  if (!VAPID_PRIVATE.test(privateKey)) {
    throw new ConfigError('VAPID_PRIVATE_KEY must be a 32-byte P-256 key in base64url');
  }
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
  } catch {
    throw new ConfigError('VAPID_PRIVATE_KEY is not a valid P-256 private key');
  }
  if (ecdh.getPublicKey('base64url') !== publicKey) {
    throw new ConfigError('VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY');
  }
  return { publicKey, privateKey };
}

function pushConfig(env: Env): PushConfig {
  const fallback =
    env.PUBLIC_URL?.startsWith('https://') === true ? env.PUBLIC_URL : 'mailto:parley@localhost';
  const subject = env.VAPID_SUBJECT || fallback;
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(subject)) {
    throw new ConfigError(
      `VAPID_SUBJECT must be a mailto: address or an https:// URL, got "${subject}"`,
    );
  }
  const httpLoopback = env.PUSH_HTTP_LOOPBACK ?? 'off';
  if (httpLoopback !== 'on' && httpLoopback !== 'off') {
    throw new ConfigError(`PUSH_HTTP_LOOPBACK must be on or off, got "${httpLoopback}"`);
  }
  return {
    vapid: vapidKeys(env),
    subject,
    httpLoopback: httpLoopback === 'on',
    services: env.PUSH_SERVICES ? list(env, 'PUSH_SERVICES') : PUSH_SERVICES,
    maxDevices: int(env, 'PUSH_MAX_DEVICES', 10, 1),
  };
}

/** Per-address, per-peer and per-account limits. Windows are fixed; counts are per window. */
export interface LimitsConfig {
  /** Proxies whose X-Forwarded-For is believed (TRUST_PROXY, addresses/CIDRs); default none. */
  trustProxy: string[];
  /** Rooms one address may create per hour (ROOM_CREATIONS_PER_HOUR, default 30). */
  roomCreationsPerHour: number;
  /** Open WebSockets per address (WS_MAX_PER_ADDRESS, default 50). */
  wsPerAddress: number;
  /** People in one room's waiting room (WAITING_ROOM_MAX, default 200). */
  waitingMax: number;
  /** People waiting in one room from one address (WAITING_MAX_PER_ADDRESS, default 10). */
  waitingPerAddress: number;
  /** Room-password attempts per 5 min: per room and address 10, per address 30, per room 100. */
  roomPassword: { perRoomAddress: number; perAddress: number; perRoom: number; windowMs: number };
  /**
   * Sign-ins per 15 min: per account and address 5, per address 30; beyond `slowAfter` (10)
   * failures on one account from anywhere, each attempt on it waits, up to `slowMaxMs` (5 s).
   */
  signIn: {
    perAccountAddress: number;
    perAddress: number;
    slowAfter: number;
    slowMaxMs: number;
    windowMs: number;
  };
  /** Sign-ups one address may make per hour (SIGN_UPS_PER_HOUR, default 30). */
  signUpsPerHour: number;
  /**
   * Password reset requests per hour: per email 3 (PASSWORD_RESETS_PER_EMAIL), so nobody's
   * inbox can be flooded, and per address 20 (PASSWORD_RESETS_PER_ADDRESS).
   */
  passwordReset: { perEmail: number; perAddress: number; windowMs: number };
  /** argon2 hashes at once (HASH_CONCURRENCY, default half the cores) and queued (HASH_QUEUE_MAX). */
  hash: { concurrency: number; queueMax: number };
  /** Per SFU peer: transports (4), producers (4: mic, camera, screen, screen audio), consumers (200). */
  sfu: { transports: number; producers: number; consumers: number };
}

function trustProxy(env: Env): string[] {
  const entries = list(env, 'TRUST_PROXY');
  const error = trustProxyError(entries);
  if (error) throw new ConfigError(error);
  return entries;
}

function limitsConfig(env: Env): LimitsConfig {
  const halfTheCores = Math.max(1, Math.floor(availableParallelism() / 2));
  return {
    trustProxy: trustProxy(env),
    roomCreationsPerHour: int(env, 'ROOM_CREATIONS_PER_HOUR', 30, 1),
    wsPerAddress: int(env, 'WS_MAX_PER_ADDRESS', 50, 1),
    waitingMax: int(env, 'WAITING_ROOM_MAX', 200, 1),
    waitingPerAddress: int(env, 'WAITING_MAX_PER_ADDRESS', 10, 1),
    roomPassword: {
      perRoomAddress: int(env, 'ROOM_PASSWORD_TRIES', 10, 1),
      perAddress: int(env, 'ROOM_PASSWORD_TRIES_PER_ADDRESS', 30, 1),
      perRoom: int(env, 'ROOM_PASSWORD_TRIES_PER_ROOM', 100, 1),
      windowMs: 5 * 60_000,
    },
    signIn: {
      perAccountAddress: int(env, 'SIGN_IN_TRIES', 5, 1),
      perAddress: int(env, 'SIGN_IN_TRIES_PER_ADDRESS', 30, 1),
      slowAfter: int(env, 'SIGN_IN_SLOW_AFTER', 10, 1),
      slowMaxMs: int(env, 'SIGN_IN_SLOW_MAX_MS', 5000),
      windowMs: 15 * 60_000,
    },
    signUpsPerHour: int(env, 'SIGN_UPS_PER_HOUR', 30, 1),
    passwordReset: {
      perEmail: int(env, 'PASSWORD_RESETS_PER_EMAIL', 3, 1),
      perAddress: int(env, 'PASSWORD_RESETS_PER_ADDRESS', 20, 1),
      windowMs: 60 * 60_000,
    },
    hash: {
      concurrency: int(env, 'HASH_CONCURRENCY', halfTheCores, 1),
      queueMax: int(env, 'HASH_QUEUE_MAX', 500, 1),
    },
    sfu: {
      transports: int(env, 'SFU_MAX_TRANSPORTS_PER_PEER', 4, 1),
      producers: int(env, 'SFU_MAX_PRODUCERS_PER_PEER', 4, 1),
      consumers: int(env, 'SFU_MAX_CONSUMERS_PER_PEER', 200, 1),
    },
  };
}

/** Reads and validates the environment; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = urlOf(env, 'DATABASE_URL', ['postgres', 'postgresql']);
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || path.join(REPO_ROOT, 'data')),
    staticDir:
      env.STATIC_DIR === ''
        ? undefined
        : path.resolve(env.STATIC_DIR ?? path.join(REPO_ROOT, 'app/dist')),
    allowedOrigins: origins(env),
    roomMaxPeers: int(env, 'ROOM_MAX_PEERS', 50, 2),
    meshMaxPeers: int(env, 'MESH_MAX_PEERS', 4, 1),
    sfuDowngradeHoldS: int(env, 'SFU_DOWNGRADE_HOLD_S', 30),
    sfuDowngradeGraceS: int(env, 'SFU_DOWNGRADE_GRACE_S', 20),
    sfu: sfuConfig(env),
    hls: hlsConfig(env),
    recording: recordingConfig(env),
    attendance: { retentionDays: int(env, 'ATTENDANCE_RETENTION_DAYS', 90, 1) },
    schedule: { reminderLeadMin: Math.min(1440, int(env, 'REMINDER_LEAD_MIN', 15, 1)) },
    siteUrl: siteUrlOf(env),
    metrics: metricsConfig(env),
    mediaJobs: {
      perNode: int(env, 'MEDIA_JOBS_PER_NODE', Math.max(2, availableParallelism()), 1),
      perAccount: int(env, 'MEDIA_JOBS_PER_ACCOUNT', 2, 1),
    },
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
    stunUrls: list(env, 'STUN_URLS'),
    turn: turnConfig(env),
    turnTtlS: int(env, 'TURN_TTL_S', 600, 60),
    localTurn: (env.LOCAL_TURN ?? 'auto') !== 'off',
    iceRelayOnly: env.ICE_RELAY_ONLY === 'on',
    turnPort: int(env, 'TURN_PORT', 3478, 1),
    jwtSecret: jwtSecret(env),
    accessTokenTtlS: int(env, 'ACCESS_TOKEN_TTL_S', 900, 30),
    refreshTtlDays: int(env, 'REFRESH_TTL_DAYS', 30, 1),
    databaseUrl,
    cluster: clusterConfig(env, databaseUrl),
    oidc: oidcConfig(env),
    limits: limitsConfig(env),
    mail: mailConfig(env),
    push: pushConfig(env),
  };
}
