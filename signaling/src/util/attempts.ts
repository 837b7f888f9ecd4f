import { AttemptLimiter } from './attemptLimiter.ts';

/**
 * Attempts counted per key (an email, an address) in fixed windows, as the account limits use
 * them: on one node in memory (AttemptLimiter), or shared by every node of a cluster
 * (cluster/sharedAttempts.ts), so that N nodes behind a load balancer do not give an attacker N
 * times the tries.
 */
export interface Attempts {
  /** Seconds until `key` may try again; 0 while it is under the limit. */
  retryAfterS(key: string): Promise<number>;
  /** Checks and counts in one step: 0 when the attempt may go ahead (and is counted), else the wait. */
  take(key: string): Promise<number>;
  /** Counts one attempt; returns how many the window now holds. */
  record(key: string): Promise<number>;
  /** Takes back one attempt (one counted before it turned out to succeed). */
  forgive(key: string): Promise<void>;
  /** Forgets `key`. */
  reset(key: string): Promise<void>;
}

/** One kind of limit: its name (unique per process: it keys the shared counters), its size. */
export interface AttemptsSpec {
  name: string;
  limit: number;
  windowMs: number;
}

export type AttemptsFactory = (spec: AttemptsSpec) => Attempts;

/** Attempts in this process's memory. */
export class LocalAttempts implements Attempts {
  readonly #limiter: AttemptLimiter;

  constructor(spec: AttemptsSpec, now?: () => number) {
    this.#limiter = new AttemptLimiter({
      limit: spec.limit,
      windowMs: spec.windowMs,
      ...(now ? { now } : {}),
    });
  }

  async retryAfterS(key: string): Promise<number> {
    return this.#limiter.retryAfterS(key);
  }

  async take(key: string): Promise<number> {
    return this.#limiter.take(key);
  }

  async record(key: string): Promise<number> {
    this.#limiter.record(key);
    return this.#limiter.count(key);
  }

  async forgive(key: string): Promise<void> {
    this.#limiter.forgive(key);
  }

  async reset(key: string): Promise<void> {
    this.#limiter.reset(key);
  }
}

/** The factory for one node: every limit in memory, on `now`'s clock. */
export const localAttempts =
  (now?: () => number): AttemptsFactory =>
  (spec) =>
    new LocalAttempts(spec, now);
