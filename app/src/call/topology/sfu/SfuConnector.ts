import type { MediaSource, ProducerInfo, SfuState } from '@parley/protocol';
import { SfuSession } from './SfuSession.ts';
import type { SfuIce, SfuTrack } from './SfuSession.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';
import { tileKey, tileSourceOf } from '../RemoteMedia.ts';
import type { SendPlan } from '../../quality/sendPlan.ts';
import { log } from '../../../log.ts';
import { background } from '../../../util/background.ts';

export interface SfuConnectorEvents {
  track(t: SfuTrack): void;
  trackGone(consumerId: string): void;
  /** A line for the status bar, or null when all is well. */
  status(text: string | null): void;
  /** Retries are used up: leave and join the room again. */
  giveUp(reason: string): void;
}

/** How a tile is shown, as its component measures it. */
export interface TileSeen {
  visible: boolean;
  width: number;
}

/** How long the dead session of a rebuilt SFU side keeps its (frozen) tracks open. */
const OLD_SESSION_LINGER_MS = 10_000;

/**
 * Joining a room already on the SFU, we produce once we receive (or after this long): the
 * first picture of the room comes before our own encoder and producers load the CPU and the
 * worker. The others see us that much later; we see them first, which is what joining is.
 */
const PRODUCE_AFTER_RECEIVING_MS = 1_000;

/** Backoff before each retry; after the last, give up (rejoin the room). */
const RETRY_DELAYS_MS = [1_000, 3_000];

/** Simulcast layer for a tile of this rendered width (CSS px). */
export function layerForWidth(width: number): number {
  if (width < 240) return 0;
  if (width < 640) return 1;
  return 2;
}

/**
 * Keeps our side of the SFU alive: opens an SfuSession, produces our tracks (the ones we
 * already have), consumes everyone else's, retries a failed session with backoff, rebuilds
 * on `sfu-restart`, and keeps each video consumer paused or resumed, and at the right
 * simulcast layer, for how its tile is shown.
 */
export class SfuConnector {
  private session: SfuSession | null = null;
  /** Every producer in the room as far as we know (snapshot + pushes), for (re)consuming. */
  private readonly producers = new Map<string, ProducerInfo>();
  private caps: SfuState['routerRtpCapabilities'] = {};
  /** What the server made with our admission (receive transport, consumers): first session only. */
  private joiner: Pick<SfuState, 'recvTransport' | 'consumers'> = {};
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private docHidden = document.visibilityState === 'hidden';
  /** How much of our camera we send (the video fallback's plan), kept for a new session. */
  private sendPlan: SendPlan = 'full';
  /** Our video consumers the SFU sends a lower layer than asked, to fit our downlink. */
  private readonly lowered = new Set<string>();
  private readonly onVisibility = () => {
    this.docHidden = document.visibilityState === 'hidden';
    this.applyTiles();
  };

  constructor(
    private readonly rpc: RequestChannel,
    private readonly selfId: string,
    private readonly ice: SfuIce,
    private readonly events: SfuConnectorEvents,
    /** The tracks we send right now, each with its source. */
    private readonly localTracks: () => [MediaStreamTrack, MediaSource][],
    private readonly tileSeen: (key: string) => TileSeen | undefined,
    /** Others' camera video comes to us (false: audio only, camera consumers stay paused). */
    private receiveVideo = true,
  ) {
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  get active(): boolean {
    return this.session !== null;
  }

  /** Opens the SFU side (room went to SFU, or we joined it there). */
  open(state: SfuState): void {
    this.producers.clear();
    this.lowered.clear();
    for (const p of state.producers) this.producers.set(p.producerId, p);
    this.caps = state.routerRtpCapabilities;
    const { recvTransport, consumers } = state;
    this.joiner = {
      ...(recvTransport ? { recvTransport } : {}),
      ...(consumers ? { consumers } : {}),
    };
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    background(this.connect(false), 'sfu: connecting');
  }

  /** The server rebuilt the room's SFU side (its worker died): start over, no retries used. */
  restart(state: SfuState): void {
    this.session?.abandon(OLD_SESSION_LINGER_MS);
    this.session = null;
    this.open(state);
  }

  /** Closes everything on our side (the room went back to the mesh). Idempotent. */
  close(): void {
    clearTimeout(this.retryTimer);
    this.session?.close();
    this.session = null;
  }

  dispose(): void {
    this.close();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Audio only (false) or back: pauses or resumes every camera video consumer. */
  setReceiveVideo(on: boolean): void {
    this.receiveVideo = on;
    this.applyTiles();
  }

  /** Applies a send plan to our camera producer now and to the ones of later sessions. */
  setSendPlan(plan: SendPlan): void {
    this.sendPlan = plan;
    if (this.session) background(this.session.setSendPlan(plan), 'sfu: sizing the video');
  }

  /** The stats of our send transport (none before we send). */
  sendStats(): Promise<RTCStatsReport[]> {
    return this.session?.sendStats() ?? Promise.resolve([]);
  }

  /** Fresh TURN credentials for our transports. */
  updateIceServers(iceServers: RTCIceServer[]): void {
    this.session?.updateIceServers(iceServers);
  }

  /** Runs the ICE-failure recovery on our transports (see SfuSession.restartIce). */
  restartIce(): void {
    this.session?.restartIce();
  }

  /**
   * After a resume: the producers in the room now. Ones we missed are consumed, ones that
   * went away meanwhile are dropped; transports, producers and consumers stay as they are.
   */
  reconcile(state: SfuState): void {
    const now = new Set(state.producers.map((p) => p.producerId));
    for (const id of [...this.producers.keys()]) if (!now.has(id)) this.onProducerClosed(id);
    for (const p of state.producers) if (!this.producers.has(p.producerId)) this.onProducerAdded(p);
  }

  onProducerAdded(p: ProducerInfo): void {
    this.producers.set(p.producerId, p);
    if (this.session) background(this.session.consume(p), 'sfu: consuming a producer');
  }

  onProducerClosed(producerId: string): void {
    this.producers.delete(producerId);
    this.session?.onProducerClosed(producerId);
  }

  onConsumerClosed(consumerId: string): void {
    this.session?.onConsumerClosed(consumerId);
  }

  /** The SFU lowered (or restored) the layer of one of our video consumers to fit our downlink. */
  onConsumerLowered(consumerId: string, lowered: boolean): void {
    if (lowered) this.lowered.add(consumerId);
    else this.lowered.delete(consumerId);
  }

  /** The SFU sends us a smaller picture of this person's camera than its tile asked for. */
  cameraLowered(peerId: string): boolean {
    if (this.lowered.size === 0) return false;
    return (this.session?.videoConsumers() ?? []).some(
      (t) => t.peerId === peerId && t.source === 'camera' && this.lowered.has(t.consumerId),
    );
  }

  dropPeer(peerId: string): void {
    this.session?.dropPeer(peerId);
  }

  peerLeft(peerId: string): void {
    for (const [id, p] of this.producers) if (p.peerId === peerId) this.producers.delete(id);
    this.dropPeer(peerId);
  }

  /** Produces one more of our tracks (a screen share); errors go to the caller. */
  async produce(track: MediaStreamTrack, source: MediaSource): Promise<void> {
    await this.session?.produce(track, source);
  }

  async closeProducer(source: MediaSource): Promise<void> {
    await this.session?.closeProducer(source);
  }

  async replaceTrack(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    await this.session?.replaceTrack(source, track);
  }

  /** Re-applies pause and layer to every video consumer from how its tile is shown. */
  applyTiles(): void {
    const session = this.session;
    if (!session) return;
    for (const t of session.videoConsumers()) {
      const seen = this.tileSeen(tileKey(t.peerId, tileSourceOf(t.source)));
      const paused = this.shouldPause(t);
      if (paused === undefined) continue;
      session.setPaused(t.consumerId, paused).catch(warn);
      if (!paused && seen) session.setLayer(t.consumerId, layerForWidth(seen.width)).catch(warn);
    }
  }

  /**
   * Paused when the page is hidden, the tile is off screen, or (a camera) in audio only. Undefined while its tile has not
   * reported yet (it is being drawn, or it was never on screen): the consumer stays as the
   * server made it, so a joiner's first videos are not paused and resumed on the way in.
   */
  private shouldPause(t: SfuTrack): boolean | undefined {
    if (t.kind !== 'video') return false;
    if (this.docHidden) return true;
    if (!this.receiveVideo && t.source === 'camera') return true;
    const seen = this.tileSeen(tileKey(t.peerId, tileSourceOf(t.source)));
    return seen ? !seen.visible : undefined;
  }

  private async connect(retry: boolean): Promise<void> {
    // A session still open (a re-upgrade during the downgrade grace) must not leave its
    // producers behind on the server: the others would consume us twice.
    this.session?.close(true);
    this.events.status(retry ? 'Reconnecting…' : 'Switching to the media server…');
    const session = new SfuSession(this.rpc, this.selfId, this.ice, {
      track: (t) => {
        this.events.track(t);
        this.applyTiles();
      },
      paused: (t) => this.shouldPause(t),
      trackGone: (id) => this.events.trackGone(id),
      failed: (reason) => this.onFailed(session, reason),
      restarting: (active) => {
        if (this.session === session) this.events.status(active ? 'Reconnecting…' : null);
      },
    });
    this.session = session;
    try {
      const producers = [...this.producers.values()];
      const joiner = this.joiner;
      this.joiner = {};
      await session.start({ routerRtpCapabilities: this.caps, producers, ...joiner });
      // A switch from the mesh has nothing to receive yet: everyone produces at once.
      const others = producers.some((p) => p.kind === 'video' && p.peerId !== this.selfId);
      if (others) await session.receiving(PRODUCE_AFTER_RECEIVING_MS);
      for (const [track, source] of this.localTracks()) {
        if (track.readyState === 'live') await session.produce(track, source);
      }
      // A device switched while the producers were being made: they send the new tracks.
      for (const [track, source] of this.localTracks()) await session.replaceTrack(source, track);
      if (this.sendPlan !== 'full') await session.setSendPlan(this.sendPlan);
      if (this.session === session) this.events.status(null);
    } catch (err) {
      this.onFailed(session, String(err));
    }
  }

  private onFailed(session: SfuSession, reason: string): void {
    if (this.session !== session || session.isClosed) return;
    log.warn('sfu: session failed:', reason);
    session.close(true);
    const delay = RETRY_DELAYS_MS[this.attempt];
    this.attempt += 1;
    if (delay === undefined) {
      this.session = null;
      this.events.giveUp(reason);
      return;
    }
    this.events.status('Reconnecting…');
    this.retryTimer = setTimeout(() => background(this.connect(true), 'sfu: reconnecting'), delay);
  }
}

function warn(err: unknown): void {
  log.warn('sfu: request failed', err);
}
