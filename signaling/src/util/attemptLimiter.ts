export interface AttemptLimiterOptions {
  /** Attempts allowed per key within one window. */
  limit: number;
  windowMs: number;
  /** Keys remembered at most; beyond it the oldest window is forgotten. Default 10,000. */
  maxKeys?: number;
  now?: () => number;
}

interface Window {
  count: number;
  endsAt: number;
}

/**
 * Counts attempts per key (an email, an IP) in fixed windows that start at the key's first
 * attempt. Memory is bounded by `maxKeys`. A Map keeps insertion order and every window has the
 * same length, so the first key is the oldest and the first to expire. When a new key finds
 * the map full, expired windows go first, then the oldest key that is not blocked: a flood of
 * fresh keys (each with one attempt) can never push out a key that is at its limit, so it
 * cannot buy an attacker new tries (issue #14). Only when every key is blocked does the oldest
 * go, which keeps memory bounded.
 */
export class AttemptLimiter {
  readonly #windows = new Map<string, Window>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: AttemptLimiterOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds until `key` may try again; 0 while it is under the limit. */
  retryAfterS(key: string): number {
    const window = this.#current(key);
    if (!window || window.count < this.#limit) return 0;
    return Math.max(1, Math.ceil((window.endsAt - this.#now()) / 1000));
  }

  /**
   * Checks and counts in one step: 0 when the attempt may go ahead (and is now counted), else
   * the seconds to wait (and nothing counted). Counting before the attempt is verified is what
   * keeps parallel attempts from each getting a free try.
   */
  take(key: string): number {
    const wait = this.retryAfterS(key);
    if (wait === 0) this.record(key);
    return wait;
  }

  /** Attempts counted for `key` in its current window. */
  count(key: string): number {
    return this.#current(key)?.count ?? 0;
  }

  /** Counts one attempt (a failed sign-in, any sign-up). */
  record(key: string): void {
    const window = this.#current(key);
    if (window) {
      window.count += 1;
      return;
    }
    if (this.#windows.size >= this.#maxKeys) this.#evict();
    this.#windows.set(key, { count: 1, endsAt: this.#now() + this.#windowMs });
  }

  /** Takes back one attempt of `key` (one counted before it turned out to succeed). */
  forgive(key: string): void {
    const window = this.#current(key);
    if (window && --window.count <= 0) this.#windows.delete(key);
  }

  /** Forgets `key` (a successful sign-in clears its email's failures). */
  reset(key: string): void {
    this.#windows.delete(key);
  }

  get size(): number {
    return this.#windows.size;
  }

  /** Makes room for one key: expired windows, else the oldest unblocked key, else the oldest. */
  #evict(): void {
    const now = this.#now();
    for (const [key, window] of this.#windows) {
      if (window.endsAt > now) break;
      this.#windows.delete(key);
    }
    if (this.#windows.size < this.#maxKeys) return;
    let oldest: string | undefined;
    for (const [key, window] of this.#windows) {
      oldest ??= key;
      if (window.count < this.#limit) {
        this.#windows.delete(key);
        return;
      }
    }
    if (oldest !== undefined) this.#windows.delete(oldest);
  }

  #current(key: string): Window | undefined {
    const window = this.#windows.get(key);
    if (window && window.endsAt <= this.#now()) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }
}
