import type {
  PeerId,
  RecordingLayout,
  RoomMode,
  ServerMessage,
  SfuState,
  SfuTransport,
} from '@parley/protocol';
import type { Sfu, SfuRoom } from '@parley/sfu';
import type { HlsGateway } from '@parley/hls-gateway';
import { ERROR_CODES } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { Log } from '../telemetry/log.ts';
import type { JoinerReceive } from './peer.ts';
import { RoomBroadcast } from './roomBroadcast.ts';
import { RoomRecording } from './roomRecording.ts';
import type { MediaJobBudget } from './mediaJobs.ts';
import type { Recordings } from '../recording/recordings.ts';

/** What RoomMedia needs from its room: membership and fan-out, nothing else. */
export interface RoomHandle {
  readonly id: string;
  size(): number;
  hostIds(): PeerId[];
  /** An admitted peer's display name (the recording draws it under their tile). */
  nameOf(peerId: PeerId): string;
  broadcast(message: ServerMessage, except?: PeerId): void;
  sendTo(peerId: PeerId, message: ServerMessage): void;
  /** Runs a task in the room's serial queue (timers use it to rejoin the room's order). */
  enqueue(task: () => void | Promise<void>): void;
}

export interface RoomMediaOptions {
  sfu: Sfu | undefined;
  /** The HLS gateway; undefined: rooms cannot go on air. */
  gateway?: HlsGateway | undefined;
  meshMaxPeers: number;
  downgradeHoldMs: number;
  downgradeGraceMs: number;
  /** The room's log (it carries the `roomId`). */
  log: Log;
  /** Observes every completed switch (metrics, tests). */
  onSwitch?: (mode: RoomMode, ms: number) => void;
  /** The node's media-job budget (broadcasts and recordings); none: unlimited. */
  jobs?: MediaJobBudget | undefined;
  /** The node's recordings; undefined: rooms cannot be recorded (RECORDING=off, no SFU). */
  recordings?: Recordings | undefined;
  /** SFU_MAX_CONSUMERS_PER_PEER: a joiner's consumers made with its admission stay within it. */
  maxConsumersPerPeer?: number | undefined;
  /**
   * A walkie-talkie team: on an audio-only router from the first admission on, never a mesh,
   * never on air, and its members never consume one another (they hear channels, see
   * `walkie/team.ts`): no producer is listed or announced to them.
   */
  team?: boolean;
}

/**
 * Decides and performs a room's topology: mesh while small, SFU above `meshMaxPeers`, back to
 * mesh after the room has stayed small for the hold time. All methods run inside the room's
 * queue, so a switch never interleaves with a join, a leave or another switch.
 */
export class RoomMedia {
  mode: RoomMode = 'mesh';
  activeSpeaker: PeerId | null = null;
  #sfuRoom: SfuRoom | undefined;
  #holdTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Seats the room reopened with, until its first admission (see `reopenedWith`). */
  #returning = 0;
  readonly broadcast: RoomBroadcast;
  readonly recording: RoomRecording;

  constructor(
    private readonly room: RoomHandle,
    private readonly options: RoomMediaOptions,
  ) {
    this.broadcast = new RoomBroadcast(
      {
        id: room.id,
        sfuRoom: () => this.sfuRoom,
        activeSpeaker: () => this.activeSpeaker,
        hostIds: () => room.hostIds(),
        broadcast: (m) => room.broadcast(m),
      },
      options.sfu ? options.gateway : undefined,
      options.log,
      options.jobs,
    );
    this.recording = new RoomRecording(
      {
        id: room.id,
        sfuRoom: () => this.sfuRoom,
        nameOf: (peerId) => room.nameOf(peerId),
        activeSpeaker: () => this.activeSpeaker,
        broadcast: (m) => room.broadcast(m),
      },
      options.sfu && !options.team ? options.recordings : undefined,
      options.log,
      options.jobs,
    );
  }

  get live(): boolean {
    return this.broadcast.live;
  }

  /** On air or recording: the room stays on the SFU, whatever its size. */
  get held(): boolean {
    return this.broadcast.live || this.recording.since !== undefined;
  }

  /**
   * Starts recording (issue 18): the room is held on the SFU (a mesh room switches first)
   * until it stops. `account` pays for it in the media-job budget.
   */
  async startRecording(account: string | undefined, layout: RecordingLayout): Promise<void> {
    if (!this.recording.available) {
      throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'this server cannot record');
    }
    if (this.recording.since !== undefined) return;
    this.#clearHold();
    if (this.mode === 'mesh') await this.#upgrade();
    await this.recording.start(account, layout);
  }

  async stopRecording(): Promise<void> {
    await this.recording.stop('stopped');
    await this.reconcile();
  }

  /**
   * On air: the room is held in the SFU (a mesh room switches first) while it lasts. `account`
   * pays for the broadcast in the media-job budget.
   */
  async goLive(account?: string): Promise<void> {
    if (!this.broadcast.available || this.options.team) {
      throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'this server cannot broadcast');
    }
    this.broadcast.reserve(account); // before anything moves: a refusal changes nothing
    this.#clearHold();
    try {
      if (this.mode === 'mesh') await this.#upgrade();
      await this.broadcast.start();
    } finally {
      this.broadcast.unreserve(); // only if it did not go on air
    }
  }

  async stopLive(): Promise<void> {
    await this.broadcast.stop();
    await this.reconcile();
  }

  /** The SFU side while it is up (in SFU mode, and during the grace after a downgrade). */
  get sfuRoom(): SfuRoom | undefined {
    return this.#sfuRoom && !this.#sfuRoom.closed ? this.#sfuRoom : undefined;
  }

  state(): SfuState | undefined {
    const sfuRoom = this.sfuRoom;
    if (this.mode !== 'sfu' || !sfuRoom) return undefined;
    return {
      routerRtpCapabilities: sfuRoom.rtpCapabilities,
      // Video first: a joiner consumes in this order over one socket, and a picture is what
      // tells people they are in (audio follows a few ms later).
      producers: (this.options.team ? [] : sfuRoom.producers())
        .map(asProducer)
        .sort((a, b) => Number(a.kind === 'audio') - Number(b.kind === 'audio')),
    };
  }

  /**
   * The SFU side of a peer being admitted into a room on the SFU, sent with its `joined`: its
   * receive transport and, when its `join` said what it can receive, its consumers of what is
   * there (video first; the first `receive.videos` videos running, the others paused). That
   * saves the joiner the round trips before its first picture. The receive transport is the
   * warm one the joiner connected on the pre-join screen when it names one (ws/warmup.ts): on
   * a connected transport the consumers that should run are made paused with `resume`, since
   * what the server sends before the browser has set them up would be lost. Undefined in a mesh
   * room or when no transport can be had; a consumer that cannot be made is left to `sfu-consume`.
   */
  async openForJoiner(
    peerId: PeerId,
    receive: JoinerReceive | undefined,
  ): Promise<Pick<SfuState, 'recvTransport' | 'consumers'> | undefined> {
    const sfuRoom = this.sfuRoom;
    if (this.mode !== 'sfu' || !sfuRoom) return undefined;
    const opened = await this.#recvTransportFor(sfuRoom, peerId, receive);
    if (!opened) return undefined;
    const { recvTransport, connected } = opened;
    if (!receive || this.options.team) return { recvTransport };
    const others = (this.state()?.producers ?? []).filter((p) => p.peerId !== peerId);
    let videos = 0;
    const made = await Promise.allSettled(
      others.slice(0, this.options.maxConsumersPerPeer ?? others.length).map((p) => {
        const paused = p.kind === 'video' && videos++ >= receive.videos;
        const resume = connected && !paused;
        return sfuRoom
          .consume(peerId, p.producerId, receive.rtpCapabilities, paused || resume)
          .then((c) => ({
            ...c,
            peerId: c.peerId as PeerId,
            paused: paused || resume,
            ...(resume ? { resume } : {}),
          }));
      }),
    );
    const consumers = made.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = made.find((r) => r.status === 'rejected');
    if (failed) {
      this.options.log.warn("could not make some of a joiner's consumers", {
        peerId,
        failed: made.length - consumers.length,
        error: String(failed.reason),
      });
    }
    return { recvTransport, consumers };
  }

  /** The joiner's warm transport when it has one that is still open, else a new one. */
  async #recvTransportFor(
    sfuRoom: SfuRoom,
    peerId: PeerId,
    receive: JoinerReceive | undefined,
  ): Promise<{ recvTransport: SfuTransport; connected: boolean } | undefined> {
    const warm = receive?.warm;
    if (warm) {
      try {
        const adopted = sfuRoom.adoptWarmTransport(warm.owner, peerId, warm.transportId);
        return { recvTransport: adopted.transport, connected: adopted.connected };
      } catch (error) {
        // Closed meanwhile (the SFU side was rebuilt): a new one, as without.
        this.options.log.info('warm transport gone', { peerId, error: String(error) });
      }
    }
    try {
      return { recvTransport: await sfuRoom.createTransport(peerId, 'recv'), connected: false };
    } catch (error) {
      this.options.log.warn('could not open a joiner recv transport', {
        peerId,
        error: String(error),
      });
      return undefined;
    }
  }

  /**
   * The room reopened holding `seats` seats of a meeting that ran elsewhere (its node died or
   * restarted). When more come back than a mesh holds, the first admission opens the SFU at
   * once: a mesh the fifth return would tear down costs every peer a second negotiation, the
   * slowest part of a failover. The downgrade hold still applies if fewer come back.
   */
  reopenedWith(seats: number): void {
    this.#returning = seats;
  }

  /**
   * Call after every admission or removal. `newcomer` (just admitted, not yet told) learns the
   * mode from its `joined` reply instead of a `room-mode` push.
   */
  async reconcile(newcomer?: PeerId): Promise<void> {
    const size = this.room.size();
    if (this.#closed) return;
    if (size === 0) return this.release();
    const returning = this.#returning;
    this.#returning = 0;
    const meshMax = this.options.team ? 0 : this.options.meshMaxPeers;
    if (size > meshMax || returning > meshMax) {
      if (this.mode === 'mesh' && this.options.sfu) await this.#upgrade(newcomer);
      if (size > meshMax) return this.#clearHold();
    }
    if (this.mode === 'sfu' && !this.held && size <= meshMax - 1) {
      this.#armHold();
    } else {
      this.#clearHold();
    }
  }

  /** A peer left: its transports (and so its producers and consumers) go with it. */
  removePeer(peerId: PeerId): void {
    this.sfuRoom?.removePeer(peerId);
    if (this.activeSpeaker === peerId) this.#setActiveSpeaker(null);
  }

  closeScreenProducers(peerId: PeerId): void {
    const sfuRoom = this.sfuRoom;
    if (!sfuRoom) return;
    for (const p of sfuRoom.producers()) {
      if (p.peerId === peerId && (p.source === 'screen' || p.source === 'screen-audio')) {
        sfuRoom.closeProducer(peerId, p.producerId);
      }
    }
  }

  /**
   * Nobody is admitted (people may still be waiting): off air, SFU side closed, timers stopped,
   * back to the mesh. The next admission builds what it needs again.
   */
  release(): void {
    // Not awaited: the room's queue must not wait on FFmpeg; a failure is logged.
    this.broadcast
      .stop()
      .catch((e: unknown) => this.options.log.error('broadcast stop failed', { error: String(e) }));
    // The meeting ended: so does its recording (files finalized before the router closes).
    this.recording
      .stop('ended')
      .catch((e: unknown) => this.options.log.error('recording stop failed', { error: String(e) }));
    this.#clearHold();
    clearTimeout(this.#graceTimer);
    this.#sfuRoom?.close();
    this.#sfuRoom = undefined;
    this.mode = 'mesh';
  }

  /** The room closed: released for good; nothing reopens (a late upgrade closes what it built). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.broadcast.close();
    this.recording.close();
    this.release();
  }

  async #upgrade(newcomer?: PeerId): Promise<void> {
    const started = performance.now();
    clearTimeout(this.#graceTimer);
    await this.#ensureSfuRoom();
    this.mode = 'sfu';
    const sfu = this.state();
    this.room.broadcast({ type: 'room-mode', mode: 'sfu', ...(sfu ? { sfu } : {}) }, newcomer);
    this.options.log.info('room switched', { mode: 'sfu', peers: this.room.size() });
    this.options.onSwitch?.('sfu', performance.now() - started);
  }

  #downgrade(): void {
    if (this.#closed || this.mode !== 'sfu' || this.held) return;
    if (this.room.size() > this.options.meshMaxPeers - 1) return;
    this.mode = 'mesh';
    this.room.broadcast({ type: 'room-mode', mode: 'mesh' });
    this.options.log.info('room switched', { mode: 'mesh', peers: this.room.size() });
    this.options.onSwitch?.('mesh', 0);
    // Clients move their tiles to the mesh as those streams decode; the SFU keeps feeding
    // them until then (make before break), and is closed after the grace.
    this.#graceTimer = setTimeout(
      () => this.room.enqueue(() => this.#closeSfuIfMesh()),
      this.options.downgradeGraceMs,
    );
    this.#graceTimer.unref();
  }

  #closeSfuIfMesh(): void {
    if (this.mode !== 'mesh') return;
    this.#sfuRoom?.close();
    this.#sfuRoom = undefined;
  }

  async #ensureSfuRoom(): Promise<void> {
    if (this.sfuRoom || !this.options.sfu) return;
    const sfuRoom = await this.options.sfu.createRoom(this.room.id, {
      audioOnly: this.options.team === true,
    });
    if (this.#closed) {
      // The room closed while the router was being made: it must not outlive the room.
      sfuRoom.close();
      throw new ProtocolError(ERROR_CODES.INTERNAL, 'the room closed');
    }
    this.#wire(sfuRoom);
    this.#sfuRoom = sfuRoom;
  }

  /** Turns SFU events into messages; every handler ignores a room that was replaced. */
  #wire(sfuRoom: SfuRoom): void {
    const current = (): boolean => this.#sfuRoom === sfuRoom;
    sfuRoom.on('producer-added', (p) => {
      if (!current() || this.options.team) return;
      const producer = asProducer(p);
      this.room.broadcast({ type: 'sfu-producer-added', producer }, producer.peerId);
      this.broadcast.sourcesChanged();
      this.recording.tracksChanged();
    });
    sfuRoom.on('producer-closed', (p) => {
      if (!current() || this.options.team) return;
      const { producerId, peerId } = asProducer(p);
      this.room.broadcast({ type: 'sfu-producer-closed', producerId, peerId }, peerId);
      this.broadcast.sourcesChanged();
      this.recording.tracksChanged();
    });
    sfuRoom.on('consumer-closed', (peerId, consumerId) => {
      if (current())
        this.room.sendTo(peerId as PeerId, { type: 'sfu-consumer-closed', consumerId });
    });
    sfuRoom.on('consumer-lowered', (peerId, consumerId, lowered) => {
      if (current())
        this.room.sendTo(peerId as PeerId, { type: 'sfu-consumer-lowered', consumerId, lowered });
    });
    sfuRoom.on('active-speaker', (peerId) => {
      if (!current()) return;
      this.#setActiveSpeaker(peerId as PeerId | null);
      this.broadcast.sourcesChanged();
      this.recording.speakerChanged(peerId as PeerId | null);
    });
    sfuRoom.on('worker-died', () => {
      if (current()) this.room.enqueue(() => this.#rebuild(sfuRoom));
    });
  }

  /** The worker under the room died: a new router elsewhere, and every peer reconnects to it. */
  async #rebuild(dead: SfuRoom): Promise<void> {
    if (this.#sfuRoom !== dead || this.#closed) return;
    this.#sfuRoom = undefined;
    if (this.mode !== 'sfu') return;
    await this.#ensureSfuRoom();
    const sfu = this.state();
    if (sfu) this.room.broadcast({ type: 'sfu-restart', sfu });
    await this.broadcast.rebuilt();
    await this.recording.rebuilt();
    this.options.log.warn('sfu room rebuilt after a worker died');
  }

  #setActiveSpeaker(peerId: PeerId | null): void {
    if (this.activeSpeaker === peerId) return;
    this.activeSpeaker = peerId;
    this.room.broadcast({ type: 'active-speaker', peerId });
  }

  #armHold(): void {
    if (this.#holdTimer) return;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      this.room.enqueue(() => this.#downgrade());
    }, this.options.downgradeHoldMs);
    this.#holdTimer.unref();
  }

  #clearHold(): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
  }
}

function asProducer(p: {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: SfuState['producers'][number]['source'];
}): SfuState['producers'][number] {
  return { producerId: p.producerId, peerId: p.peerId as PeerId, kind: p.kind, source: p.source };
}
