// One mesh link of a bot: a werift RTCPeerConnection to one other participant that speaks
// simple-peer's side of the app's mesh (app/src/call/topology/mesh/MeshLink.ts): the same
// offer/answer/candidate payloads (trickle), a data channel opened by the initiator (simple-peer
// reports a link connected only once its channel is open, and ends the link when it closes),
// both kinds sent and received on one stream (simple-peer's `stream` event needs an msid).

import type {
  MediaStreamTrack,
  RTCDataChannel,
  RTCPeerConnection,
  RTCRtpTransceiver,
} from 'werift';
import { RtpCounter } from './rtpCounter.ts';
import type { RtpCounts } from './rtpCounter.ts';
import { ABS_SEND_TIME, MID, RtpOut, TRANSPORT_CC, newPeerConnection } from './peer.ts';
import type { Kind, PeerMedia } from './peer.ts';
import { envelope } from './meshSignal.ts';
import type { CandidateInit, SimpleSignal } from './meshSignal.ts';

/**
 * What a bot offers a browser: Chrome's own payload types and extension ids, so an answer
 * needs no remapping. No RTX (as on the SFU path: docs/load.md); NACKs are answered on the
 * media SSRC from werift's history.
 */
const CHROME_EXTENSIONS = [
  { uri: ABS_SEND_TIME, id: 2 },
  { uri: TRANSPORT_CC, id: 3 },
  { uri: MID, id: 4 },
];
export const MESH_MEDIA: PeerMedia = {
  opus: { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 },
  vp8: { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
  extensions: { audio: CHROME_EXTENSIONS, video: CHROME_EXTENSIONS },
};

/** A browser asks again for a keyframe this often until one came; so does a bot. */
const PLI_INTERVAL_MS = 500;

export interface MeshLinkEvents {
  /** A relay `signal` data (`{link, signal}`) for the other side. */
  signal(data: Record<string, unknown>): void;
  connected(): void;
  /** The link failed or the other side closed it; not fired by close(). */
  closed(reason: string): void;
  /** PLI or FIR from the other side. */
  keyframeRequest(): void;
}

/** What one received track of the link counted. */
export interface LinkTrackCounts {
  mid: string;
  kind: Kind;
  counts: RtpCounts;
}

export class MeshLink {
  readonly pc: RTCPeerConnection;
  readonly #out = new RtpOut();
  readonly #counters = new Map<string, RtpCounter>();
  /** One stream id for both kinds: the browser shows them in one tile. */
  readonly #streamId = `parley-bot-${crypto.randomUUID()}`;
  #channel: RTCDataChannel | undefined;
  #queue: Promise<void> = Promise.resolve();
  #pendingCandidates: CandidateInit[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Whether an offer or answer went out; local candidates wait for the first one. */
  #described = false;
  readonly #earlyCandidates: SimpleSignal[] = [];

  constructor(
    readonly id: string,
    readonly initiator: boolean,
    sends: boolean,
    private readonly events: MeshLinkEvents,
  ) {
    this.pc = newPeerConnection(MESH_MEDIA);
    this.#out.onKeyframeRequest = () => events.keyframeRequest();
    // Transceivers made before any offer: an offer from the other side takes them (same kind,
    // no mid yet), so the answer sends as well as receives. A bot that publishes nothing only
    // receives, as the app's receive-only peer offers to.
    for (const kind of ['audio', 'video'] as const) {
      const t = this.pc.addTransceiver(kind, { direction: sends ? 'sendrecv' : 'recvonly' });
      t.sender.streamIds = [this.#streamId];
      this.#out.add(kind, t.sender);
    }
    this.pc.onIceCandidate.subscribe((c) => {
      if (!c || this.#closed) return;
      const { candidate, sdpMid, sdpMLineIndex } = c.toJSON();
      const signal: SimpleSignal = {
        type: 'candidate',
        candidate: {
          candidate,
          ...(sdpMid !== undefined ? { sdpMid } : {}),
          ...(sdpMLineIndex !== undefined ? { sdpMLineIndex } : {}),
        },
      };
      // werift gathers during setLocalDescription, before the offer is out; the app drops a
      // candidate for a link it has no offer of yet, so they wait for the description.
      if (this.#described) this.#emit(signal);
      else this.#earlyCandidates.push(signal);
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') events.connected();
      if (state === 'failed' || state === 'closed') this.#finish(`connection ${state}`);
    });
    this.pc.onTransceiverAdded.subscribe((t) => this.#count(t));
    for (const t of this.pc.getTransceivers()) this.#count(t);
    this.pc.onDataChannel.subscribe((channel) => this.#watch(channel));
    if (initiator) {
      this.#watch(this.pc.createDataChannel(`parley-bot-${id.slice(0, 8)}`));
      this.#run(() => this.#offer());
    }
  }

  /** A payload from the other side's simple-peer, applied in arrival order. */
  signal(s: SimpleSignal): void {
    this.#run(async () => {
      switch (s.type) {
        case 'offer':
          await this.pc.setRemoteDescription({ type: 'offer', sdp: s.sdp });
          await this.pc.setLocalDescription(await this.pc.createAnswer());
          this.#describe({ type: 'answer', sdp: this.pc.localDescription?.sdp ?? '' });
          return this.#flushCandidates();
        case 'answer':
          await this.pc.setRemoteDescription({ type: 'answer', sdp: s.sdp });
          return this.#flushCandidates();
        case 'candidate':
          if (!this.pc.remoteDescription) this.#pendingCandidates.push(s.candidate);
          else await this.#addCandidate(s.candidate);
          return;
        case 'renegotiate':
          // simple-peer's non-initiator wants a new offer: only the initiator makes offers.
          if (this.initiator) await this.#offer();
          return;
        case 'transceiverRequest':
          // simple-peer's non-initiator has a track with no m-line yet (a screen share):
          // its initiator adds a transceiver and offers again. A bot only receives on it.
          if (!this.initiator || (s.kind !== 'audio' && s.kind !== 'video')) return;
          this.pc.addTransceiver(s.kind, { direction: 'recvonly' });
          await this.#offer();
          return;
      }
    });
  }

  /** Sends one RTP payload once the link is up (before, it would be dropped anyway). */
  send(kind: Kind, payload: Buffer, timestamp: number, marker: boolean): void {
    if (this.pc.connectionState === 'connected') this.#out.send(kind, payload, timestamp, marker);
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  /** Counts per track that received anything (by mid). */
  received(): LinkTrackCounts[] {
    return [...this.#counters].flatMap(([mid, c]) => [{ mid, kind: c.kind, counts: c.counts() }]);
  }

  /** Idempotent (every call waits for the same close); does not fire `closed`. */
  close(): Promise<void> {
    this.#closed = true;
    // A close that throws leaves nothing to undo: the link is gone either way.
    this.#closing ??= this.pc.close().catch(() => undefined);
    return this.#closing;
  }

  async #offer(): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.#describe({ type: 'offer', sdp: this.pc.localDescription?.sdp ?? '' });
  }

  async #flushCandidates(): Promise<void> {
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const c of pending) await this.#addCandidate(c);
  }

  async #addCandidate(c: CandidateInit): Promise<void> {
    // A candidate werift cannot use (an mDNS name, TCP) is skipped, as a browser skips it.
    await this.pc.addIceCandidate(c).catch(() => undefined);
  }

  /**
   * Counts what arrives on a transceiver's track, and asks for a keyframe until one came. A
   * counter starts with the first packet: werift makes a receiving track for every m-line it
   * may receive on, also from a peer that sends nothing there (a receive-only one).
   */
  #count(t: RTCRtpTransceiver): void {
    // The receiver's track is made when a remote description applies.
    t.onTrack.subscribe((track: MediaStreamTrack) => {
      let counter: RtpCounter | undefined;
      let lastPli = -Infinity;
      track.onReceiveRtp.subscribe((rtp) => {
        counter ??= this.#counterFor(t.mid ?? String(this.#counters.size), t.kind);
        counter.add(rtp.header.sequenceNumber, rtp.header.marker, rtp.payload);
        if (t.kind !== 'video' || counter.counts().keyframes > 0) return;
        const now = performance.now();
        if (now - lastPli < PLI_INTERVAL_MS) return;
        lastPli = now;
        void t.receiver.sendRtcpPLI(rtp.header.ssrc).catch(() => undefined);
      });
    });
  }

  #counterFor(mid: string, kind: string): RtpCounter {
    const known = this.#counters.get(mid);
    if (known) return known;
    const counter = new RtpCounter(kind === 'audio' ? 'audio' : 'video');
    this.#counters.set(mid, counter);
    return counter;
  }

  #watch(channel: RTCDataChannel): void {
    this.#channel = channel;
    // simple-peer ends its link when the channel closes: the other side is gone.
    channel.stateChanged.subscribe((state) => {
      if (state === 'closed' && this.#channel === channel) this.#finish('data channel closed');
    });
  }

  /** Sends an offer or answer, then the candidates gathered before it. */
  #describe(description: SimpleSignal): void {
    this.#emit(description);
    this.#described = true;
    for (const c of this.#earlyCandidates.splice(0)) this.#emit(c);
  }

  #emit(signal: SimpleSignal): void {
    if (!this.#closed) this.events.signal(envelope(this.id, signal));
  }

  #run(task: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(async () => {
        if (!this.#closed) await task();
      })
      .catch((e: unknown) => this.#finish(`negotiation: ${e instanceof Error ? e.message : e}`));
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    void this.close();
    this.events.closed(reason);
  }
}
