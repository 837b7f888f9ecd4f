import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing for accounts and room passwords: argon2id with the OWASP-recommended
 * minimum (19 MiB, 2 passes, 1 lane), computed on libuv's thread pool so the event loop stays
 * free. About 50 ms per hash on this machine.
 */
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A hash of nothing in particular, verified against when there is no real one. */
let decoy: Promise<string> | undefined;

/**
 * Checks a password against a stored argon2id hash. With no stored hash it still spends the
 * same time (against a decoy) and answers false, so timing does not tell whether an account
 * or a password-protected room exists.
 */
export async function verifyPassword(
  storedHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!storedHash) {
    decoy ??= hashPassword('decoy: no such account or room');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
