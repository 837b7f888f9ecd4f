import type { PeerId, WaitingPeer } from '@parley/protocol';
import type { Identity } from './identity.ts';
import type { Peer } from './peer.ts';

function keys(identity: Identity): string[] {
  const out: string[] = [];
  if (identity.deviceId) out.push(`d:${identity.deviceId}`);
  if (identity.userId) out.push(`u:${identity.userId}`);
  return out;
}

/** Most people one waiting room holds; beyond it a join gets ROOM_FULL. */
export const WAITING_MAX = 200;

/**
 * A meeting's door: the waiting queue (oldest first), who was turned away or removed (they
 * stay out until the meeting ends), and who was made co-host (they stay co-host if they drop
 * and join again). Lives as long as the Room object, i.e. the meeting.
 */
export class Lobby {
  readonly #waiting = new Map<PeerId, Peer>();
  readonly #banned = new Set<string>();
  readonly #cohosts = new Set<string>();

  get size(): number {
    return this.#waiting.size;
  }

  get full(): boolean {
    return this.#waiting.size >= WAITING_MAX;
  }

  /** Queues a peer; its 1-based place in line. */
  add(peer: Peer): number {
    this.#waiting.set(peer.id, peer);
    return this.#waiting.size;
  }

  get(peerId: PeerId): Peer | undefined {
    return this.#waiting.get(peerId);
  }

  take(peerId: PeerId): Peer | undefined {
    const peer = this.#waiting.get(peerId);
    this.#waiting.delete(peerId);
    return peer;
  }

  /** The waiting peers, oldest first. */
  peers(): Peer[] {
    return [...this.#waiting.values()];
  }

  list(): WaitingPeer[] {
    return this.peers().map((p) => ({ peerId: p.id, name: p.name, since: p.since }));
  }

  ban(identity: Identity): void {
    for (const key of keys(identity)) this.#banned.add(key);
  }

  isBanned(identity: Identity): boolean {
    return keys(identity).some((key) => this.#banned.has(key));
  }

  rememberCohost(identity: Identity, cohost: boolean): void {
    for (const key of keys(identity)) {
      if (cohost) this.#cohosts.add(key);
      else this.#cohosts.delete(key);
    }
  }

  wasCohost(identity: Identity): boolean {
    return keys(identity).some((key) => this.#cohosts.has(key));
  }
}
