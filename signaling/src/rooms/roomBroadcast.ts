import type { HlsGateway } from '@parley/hls-gateway';
import type { PeerId, ServerMessage } from '@parley/protocol';
import type { ProducerSummary, SfuRoom } from '@parley/sfu';
import type { Log } from '../telemetry/log.ts';
import type { MediaJobBudget, MediaJobLease } from './mediaJobs.ts';

/** What a broadcast needs to know about its room. */
export interface BroadcastRoom {
  readonly id: string;
  sfuRoom(): SfuRoom | undefined;
  activeSpeaker(): PeerId | null;
  hostIds(): PeerId[];
  broadcast(message: ServerMessage): void;
}

/**
 * Every FFmpeg input change restarts it (a seam for viewers), so source changes are gathered
 * for this long first: a burst of producers at the start, or speakers talking over each other.
 */
const SOURCE_DEBOUNCE_MS = 1500;

/** Which camera or screen goes on air: a shared screen, else the speaker, else a host. */
export function pickVideo(
  producers: ProducerSummary[],
  speaker: PeerId | null,
  hosts: PeerId[],
): string | undefined {
  const video = producers.filter((p) => p.kind === 'video');
  const screen = video.find((p) => p.source === 'screen');
  const cameraOf = (peerId: string | null): ProducerSummary | undefined =>
    video.find((p) => p.source === 'camera' && p.peerId === peerId);
  const chosen =
    screen ??
    cameraOf(speaker) ??
    hosts.map(cameraOf).find((p) => p !== undefined) ??
    video.find((p) => p.source === 'camera');
  return chosen?.producerId;
}

/** One room's HLS broadcast: starts and stops the gateway, and keeps its sources current. */
export class RoomBroadcast {
  #live = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #sources = { video: undefined as string | undefined, audio: [] as string[] };
  /** Its place in the node's media-job budget, held from start to the end however it ends. */
  #lease: MediaJobLease | undefined;

  constructor(
    private readonly room: BroadcastRoom,
    private readonly gateway: HlsGateway | undefined,
    /** The room's log (it carries the `roomId`). */
    private readonly log: Log,
    /** FFmpeg processes per node and per account; none: unlimited. */
    private readonly jobs?: MediaJobBudget,
  ) {}

  get live(): boolean {
    return this.#live;
  }

  get available(): boolean {
    return this.gateway !== undefined;
  }

  /** On air: the camera or screen in the picture, and whose; undefined otherwise. */
  showing(): { peerId: string; source: 'camera' | 'screen' } | undefined {
    const video = this.#sources.video;
    if (!this.#live || video === undefined) return undefined;
    const producer = this.room
      .sfuRoom()
      ?.producers()
      .find((p) => p.producerId === video);
    if (producer?.source !== 'camera' && producer?.source !== 'screen') return undefined;
    return { peerId: producer.peerId, source: producer.source };
  }

  /**
   * Takes the broadcast's place in the media-job budget, paid by `account` (`u:<userId>` or
   * `g:<guestId>`), before anything moves; a spent budget throws LIMIT_REACHED. Kept until the
   * broadcast ends; `unreserve()` gives it back if it never starts.
   */
  reserve(account: string | undefined): void {
    if (this.#live) return;
    this.#lease ??= this.jobs?.acquire('broadcast', account);
  }

  unreserve(): void {
    if (!this.#live) this.#release();
  }

  /** Puts the room on air; its SFU side must be up. */
  async start(): Promise<void> {
    const sfuRoom = this.room.sfuRoom();
    if (!this.gateway || !sfuRoom || this.#live || this.#closed) return;
    this.#sources = this.#pick(sfuRoom);
    // Reserved by goLive; a restart on a rebuilt SFU keeps the lease it has.
    this.#lease ??= this.jobs?.acquire('broadcast', undefined);
    try {
      await this.gateway.start(this.room.id, sfuRoom, {
        audioProducerIds: this.#sources.audio,
        ...(this.#sources.video ? { videoProducerId: this.#sources.video } : {}),
      });
    } catch (error) {
      this.#release();
      throw error;
    }
    this.#live = true;
    this.room.broadcast({ type: 'broadcast-state', live: true });
    this.log.info('broadcast started', { video: this.#sources.video !== undefined });
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    if (!this.#live) return;
    this.#live = false;
    try {
      await this.gateway?.stop(this.room.id);
    } finally {
      this.#release();
    }
    this.room.broadcast({ type: 'broadcast-state', live: false });
    this.log.info('broadcast stopped');
  }

  /** The room closed: nothing starts again; call `stop()` to go off air. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /** The gateway gave up (FFmpeg kept failing): the room is off air, and everyone is told. */
  ended(reason: string): void {
    if (!this.#live || reason === 'stopped') return;
    this.#live = false;
    clearTimeout(this.#timer);
    this.#release();
    this.room.broadcast({ type: 'broadcast-state', live: false, error: `broadcast ${reason}` });
    this.log.warn('broadcast ended on its own', { reason });
  }

  /** Producers or the speaker changed: follow them, after the debounce. */
  sourcesChanged(): void {
    if (!this.#live || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#apply().catch((e: unknown) => this.#failed(e));
    }, SOURCE_DEBOUNCE_MS);
    this.#timer.unref();
  }

  /** The SFU side was rebuilt on another worker: carry on from the new router. */
  async rebuilt(): Promise<void> {
    if (!this.#live || !this.gateway) return;
    await this.gateway.stop(this.room.id).catch((e: unknown) => this.#failed(e));
    this.#live = false;
    await this.start();
  }

  async #apply(): Promise<void> {
    const sfuRoom = this.room.sfuRoom();
    if (!this.#live || !this.gateway || !sfuRoom) return;
    const next = this.#pick(sfuRoom);
    if (next.video !== this.#sources.video) {
      await this.gateway.setVideoProducer(this.room.id, next.video);
    }
    if (next.audio.join() !== this.#sources.audio.join()) {
      await this.gateway.setAudioProducers(this.room.id, next.audio);
    }
    this.#sources = next;
  }

  #pick(sfuRoom: SfuRoom): { video: string | undefined; audio: string[] } {
    // What a host muted is paused on the server (hostMute.ts): left out of the mix and the
    // picture, not a silent input the mixer would wait on or a frozen frame.
    const producers = sfuRoom.producers().filter((p) => !sfuRoom.isPaused(p.producerId));
    const video = pickVideo(producers, this.room.activeSpeaker(), this.room.hostIds());
    const audio = producers
      .filter((p) => p.kind === 'audio')
      .map((p) => p.producerId)
      .sort();
    return { video, audio };
  }

  #release(): void {
    this.#lease?.release();
    this.#lease = undefined;
  }

  #failed(error: unknown): void {
    this.log.error('broadcast source change failed', { error: String(error) });
  }
}
