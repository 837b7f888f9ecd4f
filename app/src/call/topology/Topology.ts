import type {
  ClientMessage,
  MediaSource,
  RoomMode,
  ServerMessageOf,
  SfuState,
} from '@parley/protocol';
import { Mesh } from './mesh/Mesh.ts';
import type { PeerStats } from './mesh/Mesh.ts';
import { RemoteMedia } from './RemoteMedia.ts';
import type { TileSource, TrackInfo, Via } from './RemoteMedia.ts';
import { SfuConnector } from './sfu/SfuConnector.ts';
import type { TileSeen } from './sfu/SfuConnector.ts';
import type { RequestChannel } from '../session/RequestChannel.ts';
import { Switcher } from './Switcher.ts';
import { isNote, readNote } from './relayNotes.ts';
import type { RelayNote } from './relayNotes.ts';
import { SpeakerDetector } from './SpeakerDetector.ts';
import { inboundOf } from './rtcStats.ts';
import type { IceCredentials } from '../session/IceCredentials.ts';
import type { OutboundLink } from '../quality/QualityMonitor.ts';
import { SFU_LINK, SendPlans } from './sendPlans.ts';
import type { SendPlan } from '../quality/sendPlan.ts';
import { log } from '../../log.ts';
import { background } from '../../util/background.ts';

export interface TopologyEvents {
  /** Some tile shows another stream now. */
  changed(): void;
  linkState(peerId: string, connected: boolean): void;
  /** The status line ("Switching to the media server…"), or null. */
  status(text: string | null): void;
  speaker(peerId: string | null): void;
  /** The SFU side could not be (re)built: leave and rejoin. */
  giveUp(reason: string): void;
  /** A mesh link could not be recovered after a few attempts: the user has to rejoin. */
  unrecoverable(reason: string): void;
}

export interface TopologyOptions {
  selfId: string;
  ice: IceCredentials;
  send(msg: ClientMessage): boolean;
  rpc: RequestChannel;
  localStream(): MediaStream | undefined;
  /** Audio only (no camera video sent or received), as the call starts. */
  audioOnly(): boolean;
}

type SfuPush = ServerMessageOf<
  | 'sfu-producer-added'
  | 'sfu-producer-closed'
  | 'sfu-consumer-closed'
  | 'sfu-consumer-lowered'
  | 'sfu-restart'
>;
/** The server messages that only concern the media paths. */
export type MediaMessage = SfuPush | ServerMessageOf<'signal' | 'active-speaker'>;

const SPEAKER_SAMPLE_MS = 400;

/**
 * The room's media paths for one membership (one `joined`): the mesh of peer links, our
 * side of the SFU, and the live switch between them. Tiles ask it which stream to show.
 */
export class Topology {
  private readonly mesh: Mesh;
  private readonly sfu: SfuConnector;
  private readonly remote: RemoteMedia;
  private readonly switcher: Switcher;
  /** Peers that were here when we joined: we initiate mesh links to them, in either mode. */
  private readonly initiateTo = new Set<string>();
  private readonly peers = new Set<string>();
  private readonly seen = new Map<string, TileSeen>();
  private readonly speaker = new SpeakerDetector();
  private readonly speakerTimer: ReturnType<typeof setInterval>;
  private speakerNow: string | null = null;
  private screen: MediaStream | null = null;
  private mode: RoomMode;
  private closed = false;
  /** Peers whose mesh link failed and is being rebuilt ("Reconnecting…" meanwhile). */
  private readonly recovering = new Set<string>();
  private sfuStatus: string | null = null;
  private readonly plans: SendPlans;
  private readonly stopIce: () => void;

  constructor(
    private readonly opts: TopologyOptions,
    private readonly events: TopologyEvents,
    joined: { mode: RoomMode; sfu?: SfuState; peers: string[] },
  ) {
    this.mode = joined.mode;
    this.plans = new SendPlans(opts.audioOnly());
    this.mesh = new Mesh(
      {
        signal: (to, data) => this.sendSignal(to, data),
        stream: (peerId, s, stats) => this.remote.addMeshStream(peerId, s, stats),
        gone: (peerId) => this.remote.meshGone(peerId),
        linkState: (peerId, up) => {
          if (up) this.setRecovering(peerId, false);
          if (up) this.applyMeshPlan(peerId);
          events.linkState(peerId, up);
        },
        built: (peerId) => {
          if (this.screen) this.note(peerId, { ctl: 'screen', stream: this.screen.id });
          if (!this.plans.receivesVideo) this.note(peerId, { ctl: 'video', send: false });
        },
        lost: (peerId) => this.setRecovering(peerId, true),
        gaveUp: (peerId) => events.unrecoverable(`the link to ${peerId} did not come back`),
      },
      () => this.localStreams(),
      opts.ice,
    );
    this.remote = new RemoteMedia(
      { changed: () => events.changed(), peerOn: (p, via) => this.switcher.localOn(p, via) },
      (key) => this.seen.get(key)?.visible ?? false,
    );
    this.switcher = new Switcher({
      tell: (peerId, via) => this.note(peerId, { ctl: 'swapped', via }),
      closeMeshLink: (peerId) => this.mesh.retire(peerId),
      dropConsumers: (peerId) => this.sfu.dropPeer(peerId),
      closeSfu: () => this.closeSfu(),
      peers: () => [...this.peers],
    });
    this.sfu = new SfuConnector(
      opts.rpc,
      opts.selfId,
      opts.ice,
      {
        track: (t) => this.remote.addSfuTrack(t),
        trackGone: (id) => this.remote.sfuGone(id),
        status: (text) => {
          this.sfuStatus = text;
          this.showStatus();
        },
        giveUp: (reason) => events.giveUp(reason),
      },
      () => this.localTracks(),
      (key) => this.seen.get(key),
      this.plans.receivesVideo,
    );
    this.sfu.setSendPlan(this.plans.forSfu());
    this.speakerTimer = setInterval(
      () => background(this.sampleSpeaker(), 'speaker sampling'),
      SPEAKER_SAMPLE_MS,
    );
    this.stopIce = opts.ice.onChange((servers) => {
      this.mesh.setIceServers(servers);
      this.sfu.updateIceServers(servers);
    });
    this.begin(joined);
  }

  /**
   * After a resume (same membership, the socket came back): links and transports stay. Peers
   * that left meanwhile go, new ones come as usual (their offers were held for us), a link
   * that failed while we could not signal is built again, a mode change is followed.
   */
  reconcile(joined: { mode: RoomMode; sfu?: SfuState; peers: string[] }): void {
    const now = new Set(joined.peers);
    for (const peerId of [...this.peers]) if (!now.has(peerId)) this.peerLeft(peerId);
    for (const peerId of joined.peers) if (!this.peers.has(peerId)) this.peerJoined(peerId);
    this.onRoomMode(joined.mode, joined.sfu);
    if (this.mode === 'mesh') {
      for (const peerId of this.initiateTo) {
        if (!this.mesh.hasLink(peerId)) this.mesh.connectTo(peerId);
      }
    } else if (joined.sfu) {
      this.sfu.reconcile(joined.sfu);
    }
  }

  /** Forces the ICE-failure recovery: SFU transports restart ICE, mesh links are rebuilt. */
  failIce(peerId?: string): void {
    if (this.mode === 'sfu' && this.sfu.active) this.sfu.restartIce();
    else this.mesh.failLinks(peerId);
  }

  private setRecovering(peerId: string, on: boolean): void {
    if (on) this.recovering.add(peerId);
    else this.recovering.delete(peerId);
    this.showStatus();
  }

  private showStatus(): void {
    this.events.status(this.recovering.size > 0 ? 'Reconnecting…' : this.sfuStatus);
  }

  private begin(joined: { mode: RoomMode; sfu?: SfuState; peers: string[] }): void {
    this.remote.setTarget(joined.mode);
    this.switcher.setTarget(joined.mode);
    this.mesh.setAccepting(joined.mode === 'mesh');
    for (const peerId of joined.peers) {
      this.peers.add(peerId);
      this.initiateTo.add(peerId);
      this.remote.addPeer(peerId);
      if (joined.mode === 'mesh') this.mesh.connectTo(peerId);
    }
    if (joined.mode === 'sfu') this.openSfu(joined.sfu);
  }

  get roomMode(): RoomMode {
    return this.mode;
  }

  // ---------- server messages ----------

  onRoomMode(mode: RoomMode, sfu: SfuState | undefined): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.remote.setTarget(mode);
    this.switcher.setTarget(mode);
    this.mesh.setAccepting(mode === 'mesh');
    if (mode === 'sfu') {
      this.recovering.clear();
      this.openSfu(sfu);
      return;
    }
    this.sfuStatus = 'Switching to direct connections…';
    this.showStatus();
    for (const peerId of this.initiateTo) {
      if (this.peers.has(peerId) && !this.mesh.hasLink(peerId)) this.mesh.connectTo(peerId);
    }
  }

  onMedia(msg: MediaMessage): void {
    if (msg.type === 'signal') this.onSignal(msg.from, msg.data);
    else if (msg.type === 'active-speaker') this.onActiveSpeaker(msg.peerId);
    else this.onSfuPush(msg);
  }

  onSfuPush(msg: SfuPush): void {
    switch (msg.type) {
      case 'sfu-producer-added':
        return this.sfu.onProducerAdded(msg.producer);
      case 'sfu-producer-closed':
        return this.sfu.onProducerClosed(msg.producerId);
      case 'sfu-consumer-closed':
        return this.sfu.onConsumerClosed(msg.consumerId);
      case 'sfu-consumer-lowered':
        return this.sfu.onConsumerLowered(msg.consumerId, msg.lowered);
      case 'sfu-restart':
        return this.sfu.restart(msg.sfu);
    }
  }

  onActiveSpeaker(peerId: string | null): void {
    if (this.mode === 'sfu') this.setSpeaker(peerId);
  }

  onSignal(from: string, data: Record<string, unknown>): void {
    if (!isNote(data)) {
      this.mesh.onSignal(from, data);
      return;
    }
    const note = readNote(data);
    if (note?.ctl === 'swapped') this.switcher.remoteOn(from, note.via);
    else if (note?.ctl === 'screen') this.remote.setScreenStream(from, note.stream);
    else if (note?.ctl === 'video') this.onVideoWanted(from, note.send);
  }

  peerJoined(peerId: string): void {
    // The newcomer initiates the mesh link (if any); we wait for its offer.
    this.peers.add(peerId);
    this.remote.addPeer(peerId);
  }

  peerLeft(peerId: string): void {
    if (this.recovering.has(peerId)) this.setRecovering(peerId, false);
    this.peers.delete(peerId);
    this.initiateTo.delete(peerId);
    this.mesh.removePeer(peerId);
    this.remote.removePeer(peerId);
    this.sfu.peerLeft(peerId);
    this.switcher.peerLeft(peerId);
    this.plans.peerLeft(peerId);
    for (const key of [...this.seen.keys()])
      if (key.startsWith(`${peerId}/`)) this.seen.delete(key);
  }

  // ---------- our media ----------

  /**
   * Sends a screen share on every path in use, with its sound when the capture has one (the
   * mesh sends the whole stream; the SFU a `screen-audio` producer); an SFU refusal
   * (FORBIDDEN) rejects.
   */
  async startScreen(stream: MediaStream): Promise<void> {
    this.screen = stream;
    for (const peerId of this.peers) this.note(peerId, { ctl: 'screen', stream: stream.id });
    this.mesh.addStream(stream);
    const track = stream.getVideoTracks()[0];
    const sound = stream.getAudioTracks()[0];
    if (track && this.sfu.active) await this.sfu.produce(track, 'screen');
    if (sound && this.sfu.active) await this.sfu.produce(sound, 'screen-audio');
  }

  async stopScreen(): Promise<void> {
    const stream = this.screen;
    if (!stream) return;
    this.screen = null;
    this.mesh.removeStream(stream);
    for (const peerId of this.peers) this.note(peerId, { ctl: 'screen', stream: null });
    await this.sfu.closeProducer('screen');
    await this.sfu.closeProducer('screen-audio');
  }

  /** Another device's track on every path in use: replaceTrack, never a renegotiation. */
  async replaceTrack(old: MediaStreamTrack | undefined, next: MediaStreamTrack): Promise<void> {
    this.mesh.replaceTrack(old, next);
    const source: MediaSource = next.kind === 'audio' ? 'mic' : 'camera';
    await this.sfu
      .replaceTrack(source, next)
      .catch((err: unknown) => log.warn('sfu: replacing a track failed', err));
  }

  // ---------- tiles ----------

  stream(peerId: string, source: TileSource): MediaStream | undefined {
    return this.remote.stream(peerId, source);
  }

  via(peerId: string, source: TileSource): Via | undefined {
    return this.remote.via(peerId, source);
  }

  /** A tile reports how it is shown (IntersectionObserver, ResizeObserver, paging). */
  tileSeen(key: string, seen: TileSeen | null): void {
    if (seen) this.seen.set(key, seen);
    else this.seen.delete(key);
    this.sfu.applyTiles();
  }

  lookup(track: MediaStreamTrack): TrackInfo | undefined {
    return this.remote.lookup(track);
  }

  /** The SFU sends us a smaller picture of this person's camera than its tile asked for. */
  cameraLowered(peerId: string): boolean {
    return this.mode === 'sfu' && this.sfu.cameraLowered(peerId);
  }

  /** The stats of every link we send on: mesh links (by peer id), and the SFU's (`sfu`). */
  async sendStats(): Promise<OutboundLink[]> {
    const [mesh, sfu] = await Promise.all([this.mesh.sendStats(), this.sfu.sendStats()]);
    return [
      ...mesh.map(({ peerId, report }) => ({ link: peerId, report, sfu: false })),
      ...sfu.map((report) => ({ link: SFU_LINK, report, sfu: true })),
    ];
  }

  /**
   * How much of our camera a link carries (the quality monitor's plan for it): kept, so a
   * rebuilt mesh link or a new SFU session starts with it.
   */
  setSendPlan(link: string, plan: SendPlan): void {
    this.plans.setMonitored(link, plan);
    if (link === SFU_LINK) this.sfu.setSendPlan(this.plans.forSfu());
    else this.applyMeshPlan(link, true);
  }

  /**
   * Audio only (or back). Others' camera video stops coming to us: on the SFU our video
   * consumers pause; on the mesh each peer is asked to stop sending it on our link (a `video`
   * note, sent again with every new link). Ours stops going out on every path (a camera that
   * is merely off still sends a black frame now and then). Screen shares are not touched.
   */
  setAudioOnly(on: boolean): void {
    const receiving = this.plans.receivesVideo;
    if (!this.plans.setAudioOnly(on)) return;
    this.applyReceiving(receiving);
    for (const peerId of this.peers) this.applyMeshPlan(peerId, true);
    this.sfu.setSendPlan(this.plans.forSfu());
  }

  /**
   * Others' camera video stops coming to us, or comes again, because our downlink cannot
   * carry it (the quality monitor's decision), the same way as for audio only.
   */
  setIncomingVideo(on: boolean): void {
    const receiving = this.plans.receivesVideo;
    if (this.plans.setIncomingPaused(!on)) this.applyReceiving(receiving);
  }

  private applyReceiving(was: boolean): void {
    const on = this.plans.receivesVideo;
    if (on === was) return;
    this.sfu.setReceiveVideo(on);
    for (const peerId of this.peers) this.note(peerId, { ctl: 'video', send: on });
  }

  private onVideoWanted(peerId: string, send: boolean): void {
    this.plans.setWanted(peerId, send);
    this.applyMeshPlan(peerId, true);
  }

  /** A link that connects only needs its plan when it is not `full`; a change applies it. */
  private applyMeshPlan(peerId: string, changed = false): void {
    const plan = this.plans.forMesh(peerId);
    const camera = this.opts.localStream()?.getVideoTracks()[0];
    if (camera && (changed || plan !== 'full')) this.mesh.setSendPlan(peerId, plan, camera);
  }

  /** The stats of the receivers of one person's camera tile (its audio and its video). */
  async tileStats(peerId: string): Promise<RTCStatsReport[]> {
    const tracks = this.remote.stream(peerId, 'camera')?.getTracks() ?? [];
    const infos = tracks.map((t) => this.remote.lookup(t)).filter((i) => i !== undefined);
    return Promise.all(infos.map((i) => i.stats()));
  }

  /** Whether a tile is on screen as the page last reported it. */
  tileVisible(key: string): boolean {
    return this.seen.get(key)?.visible ?? false;
  }

  meshStats(): Promise<PeerStats[]> {
    return this.mesh.stats();
  }

  get meshLinkCount(): number {
    return this.mesh.connectedCount;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopIce();
    clearInterval(this.speakerTimer);
    this.switcher.close();
    this.mesh.close();
    this.sfu.dispose();
    this.remote.close();
  }

  // ---------- internals ----------

  private openSfu(state: SfuState | undefined): void {
    if (!state) {
      log.warn('room is in SFU mode but the server sent no SFU state');
      return;
    }
    this.sfu.open(state);
  }

  private closeSfu(): void {
    if (this.mode !== 'mesh') return;
    this.sfu.close();
    this.sfuStatus = null;
    this.showStatus();
  }

  private localStreams(): MediaStream[] {
    const local = this.opts.localStream();
    return [...(local ? [local] : []), ...(this.screen ? [this.screen] : [])];
  }

  private localTracks(): [MediaStreamTrack, MediaSource][] {
    const local = this.opts.localStream();
    const out: [MediaStreamTrack, MediaSource][] = [];
    const mic = local?.getAudioTracks()[0];
    const camera = local?.getVideoTracks()[0];
    const screen = this.screen?.getVideoTracks()[0];
    const sound = this.screen?.getAudioTracks()[0];
    if (mic) out.push([mic, 'mic']);
    if (camera) out.push([camera, 'camera']);
    if (screen) out.push([screen, 'screen']);
    if (sound) out.push([sound, 'screen-audio']);
    return out;
  }

  private note(peerId: string, note: RelayNote): void {
    this.sendSignal(peerId, note);
  }

  private sendSignal(to: string, data: Record<string, unknown>): void {
    this.opts.send({ type: 'signal', to: to as PeerIdOf, data });
  }

  private async sampleSpeaker(): Promise<void> {
    if (this.mode !== 'mesh') return;
    const levels = new Map<string, number>();
    for (const peerId of this.peers) {
      const track = this.remote.stream(peerId, 'camera')?.getAudioTracks()[0];
      const report = track && (await this.remote.lookup(track)?.stats());
      if (report) levels.set(peerId, inboundOf(report).audioLevel);
    }
    if (this.mode === 'mesh') this.setSpeaker(this.speaker.sample(levels));
  }

  private setSpeaker(peerId: string | null): void {
    if (peerId === this.speakerNow) return;
    this.speakerNow = peerId;
    this.events.speaker(peerId);
  }
}

type PeerIdOf = Extract<ClientMessage, { type: 'signal' }>['to'];
