import type { SignalData } from 'simple-peer/simplepeer.min.js';
import { MeshLink, readEnvelope } from './MeshLink.ts';
import type { SignalEnvelope } from './MeshLink.ts';
import type { SendPlan } from '../../quality/sendPlan.ts';
import { log } from '../../../log.ts';
import { background } from '../../../util/background.ts';

export interface MeshEvents {
  signal(to: string, data: SignalEnvelope): void;
  /** A remote stream arrived on the link to `peerId`; `stats` reads one of its receivers. */
  stream(
    peerId: string,
    stream: MediaStream,
    stats: (track: MediaStreamTrack) => Promise<RTCStatsReport>,
  ): void;
  /** The link to `peerId` is gone, and with it every stream it brought. */
  gone(peerId: string): void;
  linkState(peerId: string, connected: boolean): void;
  /** A link is being built (before its first signal): the place to send side-band notes. */
  built(peerId: string): void;
  /** The link to `peerId` failed (ICE, or its connection went away) and is being recovered. */
  lost(peerId: string): void;
  /** Recovery of the link to `peerId` is over: it did not come back after a few attempts. */
  gaveUp(peerId: string): void;
}

/** Where links get their ICE configuration, and fresh TURN credentials before a rebuild. */
export interface MeshIce {
  config(): RTCConfiguration;
  refresh(): Promise<unknown>;
}

export interface PeerStats {
  peerId: string;
  connected: boolean;
  framesDecoded: number;
  audioBytesReceived: number;
  /** The received audio's total energy (> 0 once sound, not just silence, arrived). */
  audioEnergy: number;
  /** Our candidate's type (`host`, `srflx`, `relay`) in the selected pair, or null. */
  candidateType: string | null;
}

/** How long an initiator waits for a link to connect before building a fresh one. */
const CONNECT_TIMEOUT_MS = 20_000;
const REBUILD_DELAY_MS = 1_000;
/** Rebuilds of one link without it ever connecting before the initiator gives up. */
const MAX_REBUILDS = 3;
/** How long the answering side waits for the initiator's new offer after its link failed. */
const ANSWER_WAIT_MS = 3 * CONNECT_TIMEOUT_MS;

/**
 * The full mesh: one MeshLink per remote peer. Glare-free by a fixed rule: the newer peer (the
 * one that received the others in its `joined` reply) initiates. Only the initiator rebuilds a
 * failed link; the other side replaces its link when an offer with a new link id arrives.
 * While the room is on the SFU the mesh is not `accepting`: links that still exist keep
 * working until retired (make before break), but none is answered or rebuilt.
 */
export class Mesh {
  private readonly links = new Map<string, MeshLink>();
  /** Peers this side initiates to (so it never answers for them). */
  private readonly initiatorFor = new Set<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Rebuilds per peer since its link last connected. */
  private readonly rebuilds = new Map<string, number>();
  private closed = false;
  private accepting = true;

  constructor(
    private readonly events: MeshEvents,
    /** The camera/mic stream (undefined or empty when receive-only) and any screen stream. */
    private readonly localStreams: () => MediaStream[],
    private readonly ice: MeshIce,
  ) {}

  /** Fresh TURN credentials: used by every link's later ICE gathering. */
  setIceServers(iceServers: RTCIceServer[]): void {
    for (const link of this.links.values()) link.setIceServers(iceServers);
  }

  /** Treats the link to `peerId` (default: every link) as failed: the recovery path. */
  failLinks(peerId?: string): void {
    for (const [id, link] of [...this.links]) if (!peerId || id === peerId) link.fail('forced');
  }

  /** False while the room is on the SFU: no new links are answered, failed ones not rebuilt. */
  setAccepting(accepting: boolean): void {
    this.accepting = accepting;
  }

  /** Ends the link to a peer that is now reached through the SFU. */
  retire(peerId: string): void {
    this.drop(peerId);
  }

  get connectedCount(): number {
    return [...this.links.values()].filter((l) => l.isConnected).length;
  }

  hasLink(peerId: string): boolean {
    return this.links.has(peerId);
  }

  addStream(stream: MediaStream): void {
    for (const link of this.links.values()) link.addStream(stream);
  }

  removeStream(stream: MediaStream): void {
    for (const link of this.links.values()) link.removeStream(stream);
  }

  /** We are the newcomer: open the link to an existing peer. */
  connectTo(peerId: string): void {
    this.initiatorFor.add(peerId);
    this.rebuilds.delete(peerId);
    this.build(peerId, crypto.randomUUID(), true);
  }

  onSignal(from: string, data: Record<string, unknown>): void {
    if (this.closed) return;
    const env = readEnvelope(data);
    if (!env) {
      log.warn('mesh: ignoring a signal without a link id from', from);
      return;
    }
    const link = this.links.get(from);
    if (link?.id === env.link) {
      link.signal(env.signal);
      return;
    }
    // A signal for a link we do not have. As initiator it is stale (from a link we replaced);
    // otherwise the other side (re)built the link: answer on a fresh one.
    if (this.initiatorFor.has(from) || !this.accepting) return;
    if (!isOffer(env.signal)) return;
    this.build(from, env.link, false).signal(env.signal);
  }

  removePeer(peerId: string): void {
    this.initiatorFor.delete(peerId);
    this.rebuilds.delete(peerId);
    this.drop(peerId);
  }

  replaceTrack(old: MediaStreamTrack | undefined, next: MediaStreamTrack): void {
    const stream = this.localStreams()[0];
    if (!stream) return;
    for (const [peerId, link] of this.links) {
      try {
        if (old) link.replaceTrack(old, next, stream);
        else link.addTrack(next, stream);
      } catch (err) {
        // simple-peer throws for a track it never sent (ERR_TRACK_NOT_ADDED): the other links
        // still get the new one.
        log.warn(`mesh: could not send the new ${next.kind} track to ${peerId}`, err);
      }
    }
  }

  /** The stats of each connected link (each reports back how our media reaches that peer). */
  sendStats(): Promise<{ peerId: string; report: RTCStatsReport }[]> {
    return Promise.all(
      [...this.links.entries()]
        .filter(([, l]) => l.isConnected)
        .map(async ([peerId, l]) => ({ peerId, report: await l.allStats() })),
    );
  }

  /** How much of our camera (`track`) the link to `peerId` carries (see sendPlan.ts). */
  setSendPlan(peerId: string, plan: SendPlan, track: MediaStreamTrack): void {
    const link = this.links.get(peerId);
    if (link) background(link.setSendPlan(plan, track), 'mesh: sizing the video');
  }

  async stats(): Promise<PeerStats[]> {
    const entries = [...this.links.entries()];
    return Promise.all(
      entries.map(async ([peerId, link]) => ({
        peerId,
        connected: link.isConnected,
        ...(await link.inboundStats()),
      })),
    );
  }

  /** Idempotent: destroys every link. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peerId of [...this.links.keys()]) this.drop(peerId);
    // Rebuild and answer-wait timers outlive their links: a closed mesh must not act later.
    for (const peerId of [...this.timers.keys()]) this.clearTimer(peerId);
    this.initiatorFor.clear();
  }

  private build(peerId: string, id: string, initiator: boolean): MeshLink {
    this.drop(peerId);
    this.events.built(peerId);
    const link: MeshLink = new MeshLink(
      {
        id,
        initiator,
        streams: this.localStreams().filter((s) => s.getTracks().length > 0),
        config: this.ice.config(),
      },
      {
        signal: (env) => this.events.signal(peerId, env),
        stream: (s) => this.events.stream(peerId, s, (t) => link.statsFor(t)),
        connected: () => {
          this.clearTimer(peerId);
          this.rebuilds.delete(peerId);
          this.events.linkState(peerId, true);
        },
        closed: (reason) => this.onLinkClosed(peerId, link, reason),
      },
    );
    this.links.set(peerId, link);
    if (initiator) {
      this.setTimer(peerId, CONNECT_TIMEOUT_MS, () =>
        background(this.rebuild(peerId), 'mesh: rebuilding a link'),
      );
    }
    return link;
  }

  private onLinkClosed(peerId: string, link: MeshLink, reason: string): void {
    if (this.links.get(peerId) !== link) return;
    log.warn(`mesh: link to ${peerId} closed (${reason})`);
    this.drop(peerId);
    if (!this.accepting) return;
    this.events.lost(peerId);
    if (this.initiatorFor.has(peerId)) {
      this.setTimer(peerId, REBUILD_DELAY_MS, () =>
        background(this.rebuild(peerId), 'mesh: rebuilding a link'),
      );
    } else {
      // The initiator rebuilds; if its offer never comes, stop waiting.
      this.setTimer(peerId, ANSWER_WAIT_MS, () => this.events.gaveUp(peerId));
    }
  }

  /** A new link (new RTCPeerConnection: simple-peer cannot restart ICE) with fresh credentials. */
  private async rebuild(peerId: string): Promise<void> {
    const count = (this.rebuilds.get(peerId) ?? 0) + 1;
    this.rebuilds.set(peerId, count);
    if (count > MAX_REBUILDS) {
      this.drop(peerId);
      this.events.gaveUp(peerId);
      return;
    }
    await this.ice.refresh();
    if (this.closed || !this.accepting || !this.initiatorFor.has(peerId)) return;
    this.build(peerId, crypto.randomUUID(), true);
  }

  private drop(peerId: string): void {
    this.clearTimer(peerId);
    const link = this.links.get(peerId);
    if (!link) return;
    this.links.delete(peerId);
    link.destroy();
    this.events.gone(peerId);
    this.events.linkState(peerId, false);
  }

  private setTimer(peerId: string, ms: number, fn: () => void): void {
    this.clearTimer(peerId);
    this.timers.set(
      peerId,
      setTimeout(() => {
        this.timers.delete(peerId);
        fn();
      }, ms),
    );
  }

  private clearTimer(peerId: string): void {
    clearTimeout(this.timers.get(peerId));
    this.timers.delete(peerId);
  }
}

function isOffer(signal: SignalData): boolean {
  return signal.type === 'offer';
}
