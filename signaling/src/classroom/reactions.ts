import { LIMITS } from '@parley/protocol';
import type { PeerId, Reaction } from '@parley/protocol';
import { TokenBucket } from '../ws/rateLimiter.ts';

export type ReactionItem = { peerId: PeerId; reaction: Reaction };

/**
 * Reactions on their way out (issue 17). Each person may send LIMITS.REACTIONS_PER_SEC, with a
 * burst of LIMITS.REACTION_BURST. What passes goes out at once when nothing went out in the
 * last LIMITS.REACTION_BATCH_MS; otherwise it waits for the end of that window and goes with
 * everything else that came meanwhile, in one message. So one reaction is seen without delay,
 * and a class of 50 pressing at once costs each member two frames, not 50. What waits is
 * bounded by the limit: at most a burst per person per window.
 */
export class Reactions {
  readonly #buckets = new Map<PeerId, TokenBucket>();
  #pending: ReactionItem[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: ReactionItem[]) => void,
    private readonly batchMs: number = LIMITS.REACTION_BATCH_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Queues a reaction; false when `peerId` is over its limit (nothing is queued). */
  add(peerId: PeerId, reaction: Reaction): boolean {
    let bucket = this.#buckets.get(peerId);
    if (!bucket) {
      bucket = new TokenBucket(LIMITS.REACTIONS_PER_SEC, LIMITS.REACTION_BURST, this.now);
      this.#buckets.set(peerId, bucket);
    }
    if (!bucket.take()) return false;
    this.#pending.push({ peerId, reaction });
    if (this.#timer === undefined) this.#send();
    return true;
  }

  /** `peerId` left: its limit goes, and its reactions still waiting go out with the batch. */
  forget(peerId: PeerId): void {
    this.#buckets.delete(peerId);
  }

  /** The room closed: nothing more is sent. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
    this.#buckets.clear();
  }

  /** Sends what waits, and holds the next send back for a window; a window with nothing ends it. */
  #send(): void {
    const items = this.#pending;
    this.#pending = [];
    if (items.length === 0) {
      this.#timer = undefined;
      return;
    }
    this.flush(items);
    this.#timer = setTimeout(() => this.#send(), this.batchMs);
  }
}
