import { availableParallelism } from 'node:os';
import { trustProxyError } from '../util/clientAddress.ts';
import { ConfigError, int, list } from './env.ts';
import type { Env } from './env.ts';

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

export function limitsConfig(env: Env): LimitsConfig {
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
