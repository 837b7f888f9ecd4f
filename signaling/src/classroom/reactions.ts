import { LIMITS } from '@parley/protocol';
import type { PeerId, Reaction } from '@parley/protocol';
import { TokenBucket } from '../ws/rateLimiter.ts';

export type ReactionItem = { peerId: PeerId; reaction: Reaction };

/**
 * Reactions on their way out (issue 17). Each person may send LIMITS.REACTIONS_PER_SEC, with a
 * burst of LIMITS.REACTION_BURST; what passes is sent to everyone in one message per
 * LIMITS.REACTION_BATCH_MS, so a class of 50 pressing at once costs each member a few frames,
 * not 50. What waits is bounded by the limit: at most a burst per person per batch.
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
    this.#timer ??= setTimeout(() => this.#send(), this.batchMs);
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

  #send(): void {
    this.#timer = undefined;
    const items = this.#pending;
    this.#pending = [];
    if (items.length > 0) this.flush(items);
  }
}
