import type { types } from 'mediasoup';
import type { CreateRoomOptions, SfuLog, SfuOptions } from './api.ts';
import { SfuError } from './errors.ts';
import { AUDIO_ONLY_CODECS, MEDIA_CODECS } from './mediaCodecs.ts';
import { resolveSfuOptions, type ResolvedSfuOptions } from './options.ts';
import { SfuRoom } from './sfuRoom.ts';
import { watchWorker } from './watchdog.ts';
import { configureWorkerBinary } from './workerBinary.ts';

type Mediasoup = typeof import('mediasoup');

/** One mediasoup worker process, its WebRtcServer and the rooms whose routers it runs. */
interface WorkerSlot {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  rooms: Set<SfuRoom>;
  /** Rooms being opened on it right now: counted as load so concurrent opens spread out. */
  opening: number;
}

const MAX_RETRY_DELAY_MS = 10_000;

/**
 * The worker pool: one mediasoup worker per core, each with a WebRtcServer (one UDP and one
 * TCP port for all of its transports), and a router per room on the least-loaded worker.
 * A worker that dies is replaced at once; its rooms close and emit 'worker-died'. A worker
 * that stops answering is killed, and so replaced the same way (watchdog.ts).
 */
export class Sfu {
  private readonly slots: (WorkerSlot | undefined)[] = [];
  private readonly rooms = new Map<string, SfuRoom>();
  private readonly replacements = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly log: SfuLog;
  private closing: Promise<void> | undefined;
  private routerCaps: Record<string, unknown> = {};

  private constructor(
    private readonly mediasoup: Mediasoup,
    private readonly options: ResolvedSfuOptions,
  ) {
    this.log = options.log;
  }

  /** Starts `options.workers` workers (default: one per core); rejects if any cannot start. */
  static async start(options: SfuOptions = {}): Promise<Sfu> {
    const resolved = resolveSfuOptions(options);
    // mediasoup reads MEDIASOUP_WORKER_BIN once, when first loaded: set it, then load it.
    configureWorkerBinary();
    const mediasoup = await import('mediasoup');
    const sfu = new Sfu(mediasoup, resolved);
    try {
      await Promise.all(
        Array.from({ length: resolved.workers }, (_, index) => sfu.startSlot(index)),
      );
      await sfu.readRouterCapabilities();
    } catch (error) {
      await sfu.close();
      throw error;
    }
    return sfu;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Every router's RTP capabilities: they follow from the one codec list, so they are the same
   * for every room. Clients load their mediasoup Device from these before they join.
   */
  get rtpCapabilities(): Record<string, unknown> {
    return this.routerCaps;
  }

  /** Opens a throw-away router once to read the capabilities all routers will have. */
  private async readRouterCapabilities(): Promise<void> {
    const slot = this.liveSlots()[0];
    if (!slot) return;
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    this.routerCaps = router.rtpCapabilities as unknown as Record<string, unknown>;
    router.close();
  }

  /** Open rooms (routers) across all workers. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /** Pids of the live workers, in slot order. */
  workerPids(): number[] {
    return this.liveSlots().map((slot) => slot.worker.pid);
  }

  /** CPU time and peak memory of each live worker (mediasoup's getrusage of the process). */
  async resourceUsage(): Promise<{ pid: number; cpuSeconds: number; maxRssBytes: number }[]> {
    return Promise.all(
      this.liveSlots().map(async ({ worker }) => {
        const ru = await worker.getResourceUsage();
        // ru_utime/ru_stime are in ms, ru_maxrss in KiB (Linux getrusage).
        const cpuSeconds = (ru.ru_utime + ru.ru_stime) / 1000;
        return { pid: worker.pid, cpuSeconds, maxRssBytes: ru.ru_maxrss * 1024 };
      }),
    );
  }

  /**
   * Opens a router for `roomId` on the least-loaded live worker. One room per id at a time.
   * An `audioOnly` room's capabilities are the Opus part of `rtpCapabilities`.
   */
  async createRoom(roomId: string, options: CreateRoomOptions = {}): Promise<SfuRoom> {
    this.assertOpen();
    if (this.rooms.has(roomId)) throw new SfuError('REJECTED', `room ${roomId} is already open`);
    const slot = await this.leastLoadedSlot();
    slot.opening += 1;
    let room: SfuRoom;
    try {
      room = await this.openRoom(
        slot,
        roomId,
        options.audioOnly ? AUDIO_ONLY_CODECS : MEDIA_CODECS,
      );
    } finally {
      slot.opening -= 1;
    }
    // Re-check what may have changed while we awaited the worker.
    if (this.closed || this.rooms.has(roomId) || room.closed) {
      room.close();
      throw new SfuError(this.closed || room.closed ? 'CLOSED' : 'REJECTED', `room ${roomId}`);
    }
    slot.rooms.add(room);
    this.rooms.set(roomId, room);
    return room;
  }

  private async openRoom(
    slot: WorkerSlot,
    roomId: string,
    mediaCodecs: types.RtpCodecCapability[],
  ): Promise<SfuRoom> {
    const router = await slot.worker.createRouter({ mediaCodecs });
    try {
      return await SfuRoom.create({
        roomId,
        worker: slot.worker,
        router,
        webRtcServer: slot.webRtcServer,
        log: this.log,
        onClose: (closed) => this.forgetRoom(slot, closed),
      });
    } catch (error) {
      router.close();
      throw error;
    }
  }

  /** Idempotent: closes every room, then every worker. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const room of [...this.rooms.values()]) room.close();
    // A replacement finishing now sees `closed` and closes its own worker.
    await Promise.allSettled([...this.replacements]);
    for (const slot of this.liveSlots()) slot.worker.close();
    this.slots.length = 0;
  }

  private async startSlot(index: number): Promise<void> {
    const { rtcMinPort, rtcMaxPort, listenIp, announcedIp, webRtcPortBase } = this.options;
    const worker = await this.mediasoup.createWorker({ logLevel: 'warn', rtcMinPort, rtcMaxPort });
    worker.on('died', (error) => this.onWorkerDied(index, worker, error));
    const port = webRtcPortBase > 0 ? webRtcPortBase + index : undefined;
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: listenIp, announcedIp, port },
          { protocol: 'tcp', ip: listenIp, announcedIp, port },
        ],
      });
    } catch (error) {
      worker.close();
      throw error;
    }
    if (this.closed || worker.closed) {
      worker.close();
      return;
    }
    this.slots[index] = { index, worker, webRtcServer, rooms: new Set(), opening: 0 };
    this.log.info('mediasoup worker started', { index, pid: worker.pid, port: port ?? 'any' });
    watchWorker(worker, this.options.watchdog, (waitedMs) =>
      this.killHung(index, worker, waitedMs),
    );
  }

  /** A worker that stopped answering dies like a crashed one: see watchdog.ts. */
  private killHung(index: number, worker: types.Worker, waitedMs: number): void {
    this.log.error('mediasoup worker stopped answering: killing it', {
      index,
      pid: worker.pid,
      waitedMs,
    });
    try {
      process.kill(worker.pid, 'SIGKILL');
    } catch {
      // Already gone: its 'died' is on its way.
    }
  }

  private onWorkerDied(index: number, worker: types.Worker, error: Error): void {
    this.log.error('mediasoup worker died', { index, pid: worker.pid, error: error.message });
    // Its rooms have already closed themselves (their routers' 'workerclose') and emitted
    // 'worker-died'. A worker that died while starting is startSlot's failure to report.
    if (this.slots[index]?.worker !== worker) return;
    this.slots[index] = undefined;
    if (!this.closed) this.replace(index, 1);
  }

  private replace(index: number, attempt: number): void {
    const replacement: Promise<void> = this.startSlot(index)
      .catch((error: unknown) => {
        const delay = Math.min(1000 * attempt, MAX_RETRY_DELAY_MS);
        this.log.error('could not replace mediasoup worker', {
          index,
          attempt,
          retryInMs: delay,
          error: String(error),
        });
        if (this.closed) return;
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.replace(index, attempt + 1);
        }, delay);
        this.retryTimers.add(timer);
      })
      .finally(() => this.replacements.delete(replacement));
    this.replacements.add(replacement);
  }

  private liveSlots(): WorkerSlot[] {
    return this.slots.filter((slot): slot is WorkerSlot => !!slot && !slot.worker.closed);
  }

  private async leastLoadedSlot(): Promise<WorkerSlot> {
    let live = this.liveSlots();
    if (live.length === 0 && this.replacements.size > 0) {
      await Promise.allSettled([...this.replacements]);
      this.assertOpen();
      live = this.liveSlots();
    }
    const load = (slot: WorkerSlot): number => slot.rooms.size + slot.opening;
    const best = live.reduce<WorkerSlot | undefined>(
      (min, slot) => (min && load(min) <= load(slot) ? min : slot),
      undefined,
    );
    if (!best) throw new SfuError('CLOSED', 'no live mediasoup worker');
    return best;
  }

  private forgetRoom(slot: WorkerSlot, room: SfuRoom): void {
    slot.rooms.delete(room);
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }

  private assertOpen(): void {
    if (this.closed) throw new SfuError('CLOSED', 'sfu is closed');
  }
}
