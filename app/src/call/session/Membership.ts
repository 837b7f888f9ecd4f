import type { ClientMessage, ServerMessageOf } from '@parley/protocol';
import type { PeerStats } from '../topology/mesh/Mesh.ts';
import type { TrackInfo } from '../topology/RemoteMedia.ts';
import type { RequestChannel } from './RequestChannel.ts';
import { IceCredentials } from './IceCredentials.ts';
import { Seat } from './seat.ts';
import type { SeatClaim } from './seat.ts';
import { Topology } from '../topology/Topology.ts';
import type { TopologyEvents } from '../topology/Topology.ts';

export interface MembershipDeps {
  rpc: RequestChannel;
  send(msg: ClientMessage): boolean;
  localStream(): MediaStream | undefined;
  /** Audio only: no camera video sent or received. */
  audioOnly(): boolean;
}

type Joined = ServerMessageOf<'joined'>;

/**
 * One stay in the room, across dropped sockets: the seat to resume, the ICE servers (TURN
 * credentials kept fresh) and the media paths (Topology). A fresh `joined` builds a new
 * Topology; a resumed one keeps it and only reconciles.
 */
export class Membership {
  private current: Topology | null = null;
  private readonly seat = new Seat();
  private readonly ice: IceCredentials;

  constructor(
    private readonly deps: MembershipDeps,
    private readonly events: TopologyEvents,
  ) {
    this.ice = new IceCredentials(deps.rpc);
  }

  get topology(): Topology | null {
    return this.current;
  }

  /**
   * Applies a `joined`: 'resumed' when our seat (and media) carried on, else 'fresh' with a
   * new Topology (the old one, if any, closed).
   */
  joined(msg: Joined): 'fresh' | 'resumed' {
    this.seat.take(msg.peerId, msg.resumeToken);
    this.ice.set(msg.iceServers, msg.iceTransportPolicy);
    const joined = { mode: msg.mode, sfu: msg.sfu, peers: msg.peers.map((p) => p.peerId) };
    if (msg.resumed && this.current) {
      this.current.reconcile(joined);
      return 'resumed';
    }
    this.closeTopology();
    const { rpc, send, localStream, audioOnly } = this.deps;
    const opts = { selfId: msg.peerId, ice: this.ice, rpc, send, localStream, audioOnly };
    this.current = new Topology(opts, this.events, joined);
    return 'fresh';
  }

  /** The `resume` to send on a new socket, or null when there is nothing to resume. */
  resumeMessage(roomId: string, lastSeq: number, rid: () => number): ClientMessage | null {
    return this.current ? this.seat.resumeMessage(roomId, lastSeq, rid()) : null;
  }

  /** The seat we hold, for a `join` after a failed resume (null when none). */
  heldSeat(): SeatClaim | null {
    return this.seat.claim();
  }

  /** The seat is gone (left, or the server let it go): media paths close, ICE stays. */
  release(): void {
    this.seat.release();
    this.closeTopology();
  }

  /** Idempotent: the call is over. */
  close(): void {
    this.release();
    this.ice.close();
  }

  private closeTopology(): void {
    this.current?.close();
    this.current = null;
    this.deps.rpc.rejectAll('left the room');
  }

  // ---------- for the debug hook (see debugHook.ts) ----------

  /** Inbound media counters per mesh link. */
  stats(): Promise<PeerStats[]> {
    return this.current?.meshStats() ?? Promise.resolve([]);
  }

  meshLinkCount(): number {
    return this.current?.meshLinkCount ?? 0;
  }

  /** Which path brought a remote track a tile shows, and its stats. */
  trackInfo(track: MediaStreamTrack): TrackInfo | undefined {
    return this.current?.lookup(track);
  }

  /** Runs the ICE-failure recovery (mesh: the link to `peerId`, default every link). */
  failIce(peerId?: string): void {
    this.current?.failIce(peerId);
  }

  /** `ice-refresh` requests sent so far. */
  get iceRefreshes(): number {
    return this.ice.refreshes;
  }
}
