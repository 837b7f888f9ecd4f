// A bot's full mesh: one MeshLink per other participant, with the app's rules
// (app/src/call/topology/mesh/Mesh.ts): the newer peer (the one that got the others in its
// `joined`) initiates; the other side answers an offer with an unknown link id on a fresh link
// (the initiator rebuilt it); while the room is on the SFU nothing new is answered, but links
// that still exist keep carrying media until retired (make before break).

import { MeshLink } from './MeshLink.ts';
import type { LinkTrackCounts } from './MeshLink.ts';
import type { SimpleSignal } from './meshSignal.ts';
import type { RtpSink } from './ClipSender.ts';
import type { Kind } from './peer.ts';

/** The app's initiator rebuilds a failed link after this long, a few times at most. */
const REBUILD_DELAY_MS = 1_000;
const MAX_REBUILDS = 3;

export interface BotMeshEvents {
  /** Relay `data` to `peerId` (a `signal` message). */
  signal(peerId: string, data: Record<string, unknown>): void;
  /** A link came up: the clip must send a keyframe, the receiver has nothing to decode yet. */
  connected(peerId: string): void;
  keyframeRequest(): void;
}

/** What one link (past or present) received, per track. */
export interface MeshReceived extends LinkTrackCounts {
  peerId: string;
  link: string;
}

export class BotMesh implements RtpSink {
  readonly #links = new Map<string, MeshLink>();
  /** Links that ended, kept for their counts (a report covers the whole run). */
  readonly #ended: { peerId: string; link: MeshLink }[] = [];
  readonly #initiatorFor = new Set<string>();
  readonly #rebuilds = new Map<string, number>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #accepting = true;
  #closed = false;

  constructor(
    /** Whether links send (the bot publishes); otherwise they only receive, like the app's. */
    private readonly sends: boolean,
    private readonly events: BotMeshEvents,
  ) {}

  /** False while the room is on the SFU: no new links are answered. */
  setAccepting(accepting: boolean): void {
    this.#accepting = accepting;
  }

  /** We are the newcomer: open the link to an existing peer. */
  connectTo(peerId: string): void {
    this.#initiatorFor.add(peerId);
    this.#rebuilds.delete(peerId);
    this.#build(peerId, crypto.randomUUID(), true);
  }

  onSignal(from: string, link: string, signal: SimpleSignal): void {
    if (this.#closed) return;
    const current = this.#links.get(from);
    if (current?.id === link) {
      current.signal(signal);
      return;
    }
    // Stale (a link we replaced), or the other side built a new one: answer its offer.
    if (this.#initiatorFor.has(from) || !this.#accepting || signal.type !== 'offer') return;
    this.#build(from, link, false).signal(signal);
  }

  hasLink(peerId: string): boolean {
    return this.#links.has(peerId);
  }

  isConnected(peerId: string): boolean {
    return this.#links.get(peerId)?.connected ?? false;
  }

  /** True once the link to `peerId` brings media. */
  flowingFrom(peerId: string): boolean {
    return (this.#links.get(peerId)?.received() ?? []).length > 0;
  }

  /** Ends the link to a peer now reached through the SFU (or gone). */
  retire(peerId: string): void {
    const link = this.#links.get(peerId);
    if (!link) return;
    this.#links.delete(peerId);
    this.#ended.push({ peerId, link });
    void link.close();
  }

  removePeer(peerId: string): void {
    this.#initiatorFor.delete(peerId);
    this.retire(peerId);
  }

  send(kind: Kind, payload: Buffer, timestamp: number, marker: boolean): void {
    for (const link of this.#links.values()) link.send(kind, payload, timestamp, marker);
  }

  /** Every track every link received, ended links included. */
  received(): MeshReceived[] {
    const all = [...this.#ended, ...[...this.#links].map(([peerId, link]) => ({ peerId, link }))];
    return all.flatMap(({ peerId, link }) =>
      link.received().map((t) => ({ ...t, peerId, link: link.id })),
    );
  }

  get connectedCount(): number {
    return [...this.#links.values()].filter((l) => l.connected).length;
  }

  /** Idempotent: closes every link. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const links = [...this.#links.keys()];
    for (const peerId of links) this.retire(peerId);
    await Promise.all(this.#ended.map(({ link }) => link.close()));
  }

  /** As the app's initiator does: a new link (new id), since ICE is not restarted. */
  #rebuild(peerId: string): void {
    const count = (this.#rebuilds.get(peerId) ?? 0) + 1;
    this.#rebuilds.set(peerId, count);
    if (!this.#accepting || !this.#initiatorFor.has(peerId) || count > MAX_REBUILDS) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#closed || !this.#accepting || !this.#initiatorFor.has(peerId)) return;
      if (!this.#links.has(peerId)) this.#build(peerId, crypto.randomUUID(), true);
    }, REBUILD_DELAY_MS);
    this.#timers.add(timer);
  }

  #build(peerId: string, id: string, initiator: boolean): MeshLink {
    this.retire(peerId);
    const link: MeshLink = new MeshLink(id, initiator, this.sends, {
      signal: (data) => this.events.signal(peerId, data),
      connected: () => {
        this.#rebuilds.delete(peerId);
        this.events.connected(peerId);
      },
      keyframeRequest: () => this.events.keyframeRequest(),
      closed: () => {
        if (this.#links.get(peerId) !== link) return;
        this.#links.delete(peerId);
        this.#ended.push({ peerId, link });
        this.#rebuild(peerId);
      },
    });
    this.#links.set(peerId, link);
    return link;
  }
}
