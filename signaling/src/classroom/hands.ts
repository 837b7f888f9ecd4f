import type { RaisedHand, RoomId } from '@parley/protocol';
import type { DoorStore, StoredHand } from '../store/index.ts';
import { personKey } from '../rooms/identity.ts';
import type { Peer } from '../rooms/peer.ts';

/**
 * A meeting's raised hands (issue 17), first up first. A hand is the person's, kept under
 * their account or server-issued guest id (`personKey`), so it keeps its place when they
 * reload (a new peer) or resume; it is listed while they are in the meeting. Stored with the
 * meeting's door: written first, loaded when the room opens, cleared when the meeting ends.
 *
 * Call inside the room's queue.
 */
export class Hands {
  readonly #at: Map<string, number>;

  constructor(
    readonly roomId: RoomId,
    private readonly store: DoorStore,
    stored: readonly StoredHand[] = [],
  ) {
    this.#at = new Map(stored.map((h) => [h.key, h.at]));
  }

  isRaised(peer: Peer): boolean {
    return this.#at.has(personKey(peer.identity, peer.id));
  }

  /** Raises `peer`'s hand; false when it was up already (it keeps its place). */
  async raise(peer: Peer): Promise<boolean> {
    const key = personKey(peer.identity, peer.id);
    if (this.#at.has(key)) return false;
    const hand = { key, at: Date.now() };
    await this.store.raiseHand(this.roomId, hand);
    this.#at.set(key, hand.at);
    return true;
  }

  /** Lowers `peer`'s hand; false when it was not up. */
  async lower(peer: Peer): Promise<boolean> {
    const key = personKey(peer.identity, peer.id);
    if (!this.#at.has(key)) return false;
    await this.store.lowerHands(this.roomId, [key]);
    this.#at.delete(key);
    return true;
  }

  /** Lowers every hand, of those away too; false when none was up. */
  async lowerAll(): Promise<boolean> {
    if (this.#at.size === 0) return false;
    await this.store.lowerHands(this.roomId, null);
    this.#at.clear();
    return true;
  }

  /**
   * The hands of `present`, first up first (ties by person, as the store orders them). A
   * person in two tabs has one hand, shown on the first of their seats.
   */
  list(present: Iterable<Peer>): RaisedHand[] {
    const seen = new Set<string>();
    const up: (RaisedHand & { key: string })[] = [];
    for (const peer of present) {
      const key = personKey(peer.identity, peer.id);
      const at = this.#at.get(key);
      if (seen.has(key) || at === undefined) continue;
      seen.add(key);
      up.push({ peerId: peer.id, name: peer.name, at, key });
    }
    up.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return up.map(({ peerId, name, at }) => ({ peerId, name, at }));
  }
}
