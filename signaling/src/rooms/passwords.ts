import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { LimitError } from '../util/limits.ts';
import type { OnLimit } from '../util/limits.ts';

/**
 * Password hashing for accounts and room passwords: argon2id with the OWASP-recommended
 * minimum (19 MiB, 2 passes, 1 lane), computed on libuv's thread pool. About 50 ms per hash on
 * this machine.
 */
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * At most `concurrency` hashes run at once; the rest wait in line, and beyond `queueMax`
 * waiting a request is refused (RATE_LIMITED, `hash_queue`). Without the bound a flood of
 * sign-ups fills every thread of the pool (4) with argon2, which on a small machine takes the
 * cores from the event loop and delays every other request (tests/bench: argon2 scenario),
 * and holds 19 MiB per hash. One bound per process: the cores are the process's.
 */
class HashQueue {
  concurrency = 1;
  queueMax = 500;
  onLimit: OnLimit | undefined;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.queueMax) {
        this.onLimit?.('hash_queue');
        throw new LimitError('hash_queue', 'the server is busy: try again in a few seconds', 2);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line (the count stays), or is freed.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

const queue = new HashQueue();

/**
 * Sets the bound (HASH_CONCURRENCY, HASH_QUEUE_MAX) and who is told when it refuses. The
 * server calls it at start; the last call wins when several servers share a process (tests).
 */
export function limitHashing(options: {
  concurrency: number;
  queueMax: number;
  onLimit?: OnLimit;
}): void {
  queue.concurrency = options.concurrency;
  queue.queueMax = options.queueMax;
  queue.onLimit = options.onLimit;
}

export function hashPassword(password: string): Promise<string> {
  return queue.run(() => hash(password, OPTIONS));
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
    decoy ??= hash('decoy: no such account or room', OPTIONS);
    const against = await decoy;
    await queue
      .run(() => verify(against, password))
      .catch((error: unknown) => {
        if (error instanceof LimitError) throw error;
        return false;
      });
    return false;
  }
  try {
    return await queue.run(() => verify(storedHash, password));
  } catch (error) {
    if (error instanceof LimitError) throw error;
    return false;
  }
}

let common: Set<string> | undefined;

/**
 * True for one of the ~49,000 most common passwords (the list `@zxcvbn-ts/language-common`
 * maintains, from leaked-password corpora), compared without case: the first ones an attacker
 * tries, whatever their length.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}
