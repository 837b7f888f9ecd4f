import { createECDH } from 'node:crypto';
import { PUSH_SERVICES } from '../push/subscriptionCheck.ts';
import { ConfigError, int, list } from './env.ts';
import type { Env } from './env.ts';

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

export function pushConfig(env: Env): PushConfig {
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
