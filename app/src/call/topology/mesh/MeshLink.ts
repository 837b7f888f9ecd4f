import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { SignalData, SimplePeerInstance } from 'simple-peer/simplepeer.min.js';
import { START_BITRATE_KBPS, withVideoStartBitrate } from '../sdp.ts';
import { applySendPlan } from '../../quality/sendPlan.ts';
import type { SendPlan } from '../../quality/sendPlan.ts';
import { log } from '../../../log.ts';

/**
 * What travels in a protocol `signal` message between two browsers: simple-peer's payload
 * tagged with the id of the link it belongs to, so a rebuilt link never eats the stale
 * candidates of the one it replaces.
 */
// A type alias (not an interface) so it is assignable to the protocol's Record payload.
export type SignalEnvelope = {
  link: string;
  signal: SignalData;
};

export function readEnvelope(data: Record<string, unknown>): SignalEnvelope | null {
  const { link, signal } = data;
  if (typeof link !== 'string' || typeof signal !== 'object' || signal === null) return null;
  return { link, signal: signal as SignalData };
}

export interface LinkEvents {
  signal(envelope: SignalEnvelope): void;
  /** A remote stream arrived (the camera one, and a second one while the peer shares a screen). */
  stream(stream: MediaStream): void;
  connected(): void;
  /** The link is gone for good (failed or closed by the other side); not fired by destroy(). */
  closed(reason: string): void;
}

export interface LinkOptions {
  id: string;
  initiator: boolean;
  /** The session's local stream (when it has tracks) and a screen stream while sharing. */
  streams: MediaStream[];
  /** ICE servers and transport policy (`relay` when the deployment hides addresses). */
  config: RTCConfiguration;
}

/**
 * ICE `disconnected` often heals by itself (a lost packet burst); after this long it is
 * treated as failed, so the link is rebuilt instead of waiting for the browser's own verdict.
 */
const DISCONNECTED_GRACE_MS = 5_000;

export interface LinkCounters {
  framesDecoded: number;
  audioBytesReceived: number;
  /** The received audio's total energy (grows while the remote microphone carries sound). */
  audioEnergy: number;
  /** Our candidate's type in the selected pair; null before one is selected. */
  candidateType: string | null;
}

/** One simple-peer connection to one remote peer. */
export class MeshLink {
  readonly id: string;
  readonly initiator: boolean;
  private readonly peer: SimplePeerInstance;
  private destroyed = false;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  isConnected = false;

  constructor(opts: LinkOptions, events: LinkEvents) {
    this.id = opts.id;
    this.initiator = opts.initiator;
    this.peer = new SimplePeer({
      initiator: opts.initiator,
      streams: opts.streams,
      trickle: true,
      config: opts.config,
      // Ask for both kinds even when we send neither: a receive-only peer still sees others.
      offerOptions: { offerToReceiveAudio: true, offerToReceiveVideo: true },
      // Chromium starts a link at ~300 kbit/s, too little for 720p: it would drop the first
      // frames and send a tiny downscaled one. Starting higher shows the first frame sooner.
      sdpTransform: (sdp) => withVideoStartBitrate(sdp, START_BITRATE_KBPS),
    });
    this.peer.on('signal', (signal) => events.signal({ link: this.id, signal }));
    this.peer.on('stream', (stream) => events.stream(stream));
    this.peer.on('connect', () => {
      this.isConnected = true;
      events.connected();
    });
    this.peer.on('error', (err) => this.finish(events, err.code ?? err.message));
    this.peer.on('close', () => this.finish(events, 'closed'));
    // simple-peer ends the link itself on ICE `failed`; `disconnected` only gets a deadline.
    const pc = this.peer._pc;
    pc.addEventListener('iceconnectionstatechange', () => {
      clearTimeout(this.disconnectedTimer);
      if (pc.iceConnectionState !== 'disconnected') return;
      this.disconnectedTimer = setTimeout(
        () => this.finish(events, 'ice-disconnected'),
        DISCONNECTED_GRACE_MS,
      );
    });
    this.events = events;
  }

  private readonly events: LinkEvents;

  /** Ends the link as an ICE failure would (fires `closed`): the recovery path, on demand. */
  fail(reason: string): void {
    this.finish(this.events, reason);
  }

  /** New ICE servers (fresh TURN credentials) for any later gathering of this connection. */
  setIceServers(iceServers: RTCIceServer[]): void {
    if (this.destroyed) return;
    try {
      const pc = this.peer._pc;
      pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
    } catch (err) {
      log.warn('mesh: could not apply new ICE servers', err);
    }
  }

  signal(data: SignalData): void {
    if (!this.destroyed) this.peer.signal(data);
  }

  replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack, stream: MediaStream): void {
    if (!this.destroyed) this.peer.replaceTrack(old, next, stream);
  }

  addTrack(track: MediaStreamTrack, stream: MediaStream): void {
    if (!this.destroyed) this.peer.addTrack(track, stream);
  }

  addStream(stream: MediaStream): void {
    if (!this.destroyed) this.peer.addStream(stream);
  }

  removeStream(stream: MediaStream): void {
    if (!this.destroyed) this.peer.removeStream(stream);
  }

  /** Sizes what the sender of `track` (our camera) puts on this link; none yet: nothing to do. */
  async setSendPlan(plan: SendPlan, track: MediaStreamTrack): Promise<void> {
    if (this.destroyed) return;
    const sender = this.peer._pc.getSenders().find((s) => s.track === track);
    if (sender) await applySendPlan(sender, plan);
  }

  /** The whole connection's stats (what the other side reports back of our media). */
  allStats(): Promise<RTCStatsReport> {
    return this.peer._pc.getStats();
  }

  /** The stats of the receiver of one remote track (RTCPeerConnection.getStats(selector)). */
  statsFor(track: MediaStreamTrack): Promise<RTCStatsReport> {
    return this.peer._pc.getStats(track);
  }

  /**
   * Inbound media counters, and the type of our candidate in the selected pair (`host`,
   * `srflx`, `relay`: proves a relay-only call really is relayed), for the debug hook.
   */
  async inboundStats(): Promise<LinkCounters> {
    const out: LinkCounters = {
      framesDecoded: 0,
      audioBytesReceived: 0,
      audioEnergy: 0,
      candidateType: null,
    };
    if (this.destroyed) return out;
    const report = await this.peer._pc.getStats();
    let pairId: string | undefined;
    report.forEach((s: { type: string; kind?: string } & Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        pairId = s.selectedCandidatePairId;
      }
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') out.framesDecoded += Number(s.framesDecoded ?? 0);
      if (s.kind === 'audio') {
        out.audioBytesReceived += Number(s.bytesReceived ?? 0);
        out.audioEnergy += Number(s.totalAudioEnergy ?? 0);
      }
    });
    const pair = pairId === undefined ? undefined : report.get(pairId);
    const local = pair ? report.get(String(pair.localCandidateId)) : undefined;
    out.candidateType = local ? String(local.candidateType) : null;
    return out;
  }

  /** Idempotent; does not fire `closed`. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.disconnectedTimer);
    this.isConnected = false;
    this.peer.destroy();
  }

  private finish(events: LinkEvents, reason: string): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.disconnectedTimer);
    this.isConnected = false;
    this.peer.destroy();
    events.closed(reason);
  }
}
