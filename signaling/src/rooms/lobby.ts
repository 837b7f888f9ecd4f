import { ERROR_CODES } from '@parley/protocol';
import type { PeerId, WaitingPeer } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import { LimitError } from '../util/limits.ts';
import type { OnLimit } from '../util/limits.ts';
import type { Peer } from './peer.ts';

/** How many may wait (issue #14): a flood of joiners cannot fill a meeting's waiting room. */
export interface WaitingLimits {
  /** People in the waiting room (WAITING_ROOM_MAX, default 200); beyond: ROOM_FULL. */
  max: number;
  /** People waiting from one address (WAITING_MAX_PER_ADDRESS, default 10); beyond: LIMIT_REACHED. */
  perAddress: number;
  onLimit?: OnLimit | undefined;
}

const DEFAULT_LIMITS: WaitingLimits = { max: 200, perAddress: 10 };

/**
 * A meeting's waiting queue, oldest first. Who may not come in, or comes in as co-host, is the
 * Door's (door.ts). Lives as long as the Room object: a moved room's waiting people join again.
 */
export class Lobby {
  readonly #waiting = new Map<PeerId, Peer>();

  constructor(private readonly limits: WaitingLimits = DEFAULT_LIMITS) {}
  /** Waiting peers who may be someone removed earlier (Door.mayBeRemoved): hosts see a mark. */
  readonly #suspect = new Set<PeerId>();

  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Queues a peer (marked `previouslyRemoved` for the hosts); its 1-based place in line. Throws
   * ROOM_FULL when the waiting room is full, LIMIT_REACHED when the peer's address (its keyed
   * hash, `identity.network`) already has `perAddress` people waiting here.
   */
  add(peer: Peer, previouslyRemoved = false): number {
    this.#checkLimits(peer);
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

  /** Marked `previouslyRemoved`: only a host's own `admit` lets them in. */
  isSuspect(peerId: PeerId): boolean {
    return this.#suspect.has(peerId);
  }

  /** The waiting peers, oldest first. */
  peers(): Peer[] {
    return [...this.#waiting.values()];
  }

  #checkLimits(peer: Peer): void {
    const { max, perAddress, onLimit } = this.limits;
    if (this.#waiting.size >= max) {
      onLimit?.('waiting_room');
      throw new ProtocolError(ERROR_CODES.ROOM_FULL, 'waiting room is full');
    }
    const network = peer.identity.network;
    if (network === undefined) return;
    let fromThere = 0;
    for (const waiting of this.#waiting.values()) {
      if (waiting.identity.network === network) fromThere++;
    }
    if (fromThere >= perAddress) {
      onLimit?.('waiting_per_address');
      throw new LimitError('waiting_per_address', 'too many people waiting from your address');
    }
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
