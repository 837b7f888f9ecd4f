import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = 'jwt-secret';

/**
 * The HS256 key for access tokens: `JWT_SECRET` when configured, else `<dataDir>/jwt-secret`,
 * created once (256 random bits, mode 0600) so that sessions survive a restart. Every instance
 * that shares the data directory (or the variable) accepts the others' tokens.
 */
export function loadJwtSecret(configured: string | undefined, dataDir: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const file = path.join(dataDir, FILE);
  try {
    // 'wx': if another process created it first, keep theirs (read below) rather than replace it.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) {
    throw new Error(`${file} holds fewer than 32 characters: delete it to generate a new one`);
  }
  return new TextEncoder().encode(secret);
}

/**
 * The viewer-token key, derived from the JWT key with a label, so there is one secret to keep
 * and a token of one kind can never pass as the other.
 */
export function deriveViewerSecret(jwtSecret: Uint8Array): string {
  return createHmac('sha256', jwtSecret).update('parley viewer token v1').digest('base64url');
}
