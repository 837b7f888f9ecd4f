import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import type { VapidKeys } from '../config/index.ts';

const FILE = 'vapid-keys.json';

/**
 * The VAPID key pair push messages are signed with (RFC 8292): VAPID_PUBLIC_KEY and
 * VAPID_PRIVATE_KEY when configured (validated by config/push.ts), else
 * `<dataDir>/vapid-keys.json`, created once (mode 0600) like the JWT secret, because every
 * browser subscribed with the public key would stop receiving anything if it changed.
 */
export function loadVapidKeys(configured: VapidKeys | undefined, dataDir: string): VapidKeys {
  if (configured) return configured;
  const file = path.join(dataDir, FILE);
  try {
    // 'wx': if another process created it first, keep theirs (read below) rather than replace it.
    const fresh = webpush.generateVAPIDKeys();
    const text = `${JSON.stringify({ publicKey: fresh.publicKey, privateKey: fresh.privateKey })}\n`;
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const keys = parse(readFileSync(file, 'utf8'));
  if (!keys) {
    throw new Error(`${file} does not hold a VAPID key pair: delete it to generate a new one`);
  }
  return keys;
}

function parse(text: string): VapidKeys | undefined {
  try {
    const value = JSON.parse(text) as Partial<VapidKeys> | null;
    const { publicKey, privateKey } = value ?? {};
    if (typeof publicKey !== 'string' || typeof privateKey !== 'string') return undefined;
    if (!/^B[A-Za-z0-9_-]{86}$/.test(publicKey) || !/^[A-Za-z0-9_-]{43}$/.test(privateKey)) {
      return undefined;
    }
    return { publicKey, privateKey };
  } catch {
    return undefined;
  }
}
