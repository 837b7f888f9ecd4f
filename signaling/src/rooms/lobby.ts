import type { PeerId, WaitingPeer } from '@parley/protocol';
import type { Peer } from './peer.ts';

/** Most people one waiting room holds; beyond it a join gets ROOM_FULL. */
export const WAITING_MAX = 200;

/**
 * A meeting's waiting queue, oldest first. Who may not come in, or comes in as co-host, is the
 * Door's (door.ts). Lives as long as the Room object: a moved room's waiting people join again.
 */
export class Lobby {
  readonly #waiting = new Map<PeerId, Peer>();
  /** Waiting peers who may be someone removed earlier (Door.mayBeRemoved): hosts see a mark. */
  readonly #suspect = new Set<PeerId>();

  get size(): number {
    return this.#waiting.size;
  }

  get full(): boolean {
    return this.#waiting.size >= WAITING_MAX;
  }

  /** Queues a peer (marked `previouslyRemoved` for the hosts); its 1-based place in line. */
  add(peer: Peer, previouslyRemoved = false): number {
    this.#waiting.set(peer.id, peer);
    if (previouslyRemoved) this.#suspect.add(peer.id);
    return this.#waiting.size;
  }

  get(peerId: PeerId): Peer | undefined {
    return this.#waiting.get(peerId);
  }

  take(peerId: PeerId): Peer | undefined {
    const peer = this.#waiting.get(peerId);
    this.#waiting.delete(peerId);
    this.#suspect.delete(peerId);
    return peer;
  }

  /** The waiting peers, oldest first. */
  peers(): Peer[] {
    return [...this.#waiting.values()];
  }

  list(): WaitingPeer[] {
    return this.peers().map((p) => ({
      peerId: p.id,
      name: p.name,
      since: p.since,
      ...(this.#suspect.has(p.id) ? { previouslyRemoved: true } : {}),
    }));
  }
}
