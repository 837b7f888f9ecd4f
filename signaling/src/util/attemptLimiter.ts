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
 * attempt. Memory is bounded: a Map keeps insertion order, so the first key is the oldest and is
 * evicted first. An attacker rotating keys can push old entries out, which only ever forgives
 * (it never blocks anyone wrongly); the per-IP limit is there for that case.
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

  /** Counts one attempt (a failed sign-in, any sign-up). */
  record(key: string): void {
    const window = this.#current(key);
    if (window) {
      window.count += 1;
      return;
    }
    this.#windows.set(key, { count: 1, endsAt: this.#now() + this.#windowMs });
    if (this.#windows.size > this.#maxKeys) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
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

  #current(key: string): Window | undefined {
    const window = this.#windows.get(key);
    if (window && window.endsAt <= this.#now()) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }
}
