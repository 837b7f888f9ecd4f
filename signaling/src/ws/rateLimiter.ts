/**
 * A token bucket: `ratePerSec` tokens refill continuously up to `burst`. Bursts matter here:
 * a new mesh link sends an offer and a dozen ICE candidates within milliseconds.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `count` tokens (one by default); false, taking none, when fewer are left. */
  take(count = 1): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.ratePerSec);
    this.#last = t;
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }
}

/**
 * Beyond this many dropped messages within `ABUSE_WINDOW_MS` the client is not a browser having
 * a burst. A window, not a run: a flood that gets a token now and then never resets it.
 */
const ABUSE_DROPS = 500;
const ABUSE_WINDOW_MS = 10_000;

/**
 * A socket's message rate limit: `take()` says whether a frame may be handled (`ok`), must be
 * dropped with a RATE_LIMITED reply (`drop`), or shows abuse and closes the socket (`close`).
 */
export class FloodGuard {
  readonly #bucket: TokenBucket;
  #drops = 0;
  #dropsSince = 0;

  constructor(
    perSec: number,
    burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#bucket = new TokenBucket(perSec, burst, now);
  }

  take(): 'ok' | 'drop' | 'close' {
    if (this.#bucket.take()) return 'ok';
    const now = this.now();
    if (now - this.#dropsSince > ABUSE_WINDOW_MS) {
      this.#dropsSince = now;
      this.#drops = 0;
    }
    return ++this.#drops > ABUSE_DROPS ? 'close' : 'drop';
  }
}

/**
 * The rid of a frame that is dropped unparsed (over the rate limit), so the client's request
 * fails at once instead of timing out. Looks only at the first 256 bytes.
 */
export function peekRid(data: Buffer | string): number | undefined {
  const head = typeof data === 'string' ? data.slice(0, 256) : data.toString('utf8', 0, 256);
  const match = /"rid"\s*:\s*(\d{1,15})[,}\s]/.exec(head);
  return match ? Number(match[1]) : undefined;
}
