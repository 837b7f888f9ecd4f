// The broadcast service signaling talks to: one HlsSession per room on air.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { buildFfmpegPlan, type EncodeOptions, type FfmpegPlan } from './ffmpegArgs.ts';
import { launchFfmpeg, type FfmpegLauncher } from './ffmpegProcess.ts';
import { HlsSession, type EncodeSettings, type RestartReason } from './hlsSession.ts';
import { isRoomId } from './names.ts';
import { PortPool, type PortRange } from './ports.ts';
import type { PlainConsumerSource } from './sources.ts';
import { TypedEmitter } from './typedEmitter.ts';
import type { GatewayLog } from './types.ts';

export interface HlsGatewayOptions extends EncodeSettings {
  /** Public root: broadcast `r` is written to `<outDir>/r/index.m3u8`. Created if missing. */
  outDir: string;
  /** Scratch space for FFmpeg's own output (default `<outDir>/.work`, same filesystem). */
  workDir?: string;
  /** Segments listed in the public playlist (default 6). */
  windowSize?: number;
  /** Local UDP ports FFmpeg receives RTP on (default 51000-51999). */
  rtpPorts?: PortRange;
  /** How long a stopped broadcast's files stay for viewers finishing up, ms (default 60000). */
  retainEndedMs?: number;
  /** SIGINT-to-SIGKILL grace when stopping FFmpeg, ms (default 3000). */
  stopTimeoutMs?: number;
  /** Replaces the FFmpeg argument builder (default buildFfmpegPlan). */
  planFfmpeg?: (options: EncodeOptions) => FfmpegPlan;
  /** Replaces how FFmpeg is started (default: fluent-ffmpeg). */
  launch?: FfmpegLauncher;
  log?: GatewayLog;
}

export interface BroadcastSourcesSpec {
  /** The video to show; none: black frames. */
  videoProducerId?: string;
  /** The audio to mix; none: silence. */
  audioProducerIds: readonly string[];
}

export type EndReason = 'stopped' | 'failed' | 'closed';

export interface HlsGatewayEvents {
  /** A broadcast is over: stop(), close(), or FFmpeg kept failing. Its playlist has ENDLIST. */
  ended: (roomId: string, reason: EndReason) => void;
  /** FFmpeg was restarted; the playlist continues after an EXT-X-DISCONTINUITY. */
  restarted: (roomId: string, reason: RestartReason) => void;
}

// The default log when the host passes none: the one place this package writes to the console.
/* eslint-disable no-console */
const consoleLog: GatewayLog = {
  info: (msg, f) => console.info(msg, f ?? ''),
  warn: (msg, f) => console.warn(msg, f ?? ''),
  error: (msg, f) => console.error(msg, f ?? ''),
};
/* eslint-enable no-console */

/**
 * Broadcasts rooms as HLS. It is told what to broadcast (producer ids in an SfuRoom) and knows
 * nothing of rooms' peers or roles. State is per instance, nothing process-global.
 */
export class HlsGateway {
  private readonly sessions = new Map<string, HlsSession>();
  /** Pending removal of a finished broadcast's files, by room. */
  private readonly purges = new Map<string, { timer: NodeJS.Timeout; run: () => Promise<void> }>();
  private readonly events: TypedEmitter<HlsGatewayEvents>;
  private readonly ports: PortPool;
  private readonly log: GatewayLog;
  private readonly endReasons = new Map<HlsSession, EndReason>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: HlsGatewayOptions) {
    this.log = options.log ?? consoleLog;
    this.ports = new PortPool(options.rtpPorts);
    this.events = new TypedEmitter<HlsGatewayEvents>((event, error) =>
      this.log.error('hls gateway listener threw', { event, error: String(error) }),
    );
    process.on('exit', this.killOnExit);
  }

  /**
   * Last resort when the process exits without close() (an uncaught exception, process.exit):
   * FFmpeg is not our process group's child in any way the kernel would clean up, and with
   * real-time generated inputs it would otherwise run on alone. Synchronous, as 'exit' requires.
   */
  private readonly killOnExit = (): void => {
    for (const session of this.sessions.values()) {
      const pid = session.ffmpegPid;
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };

  on<E extends keyof HlsGatewayEvents>(event: E, listener: HlsGatewayEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof HlsGatewayEvents>(event: E, listener: HlsGatewayEvents[E]): void {
    this.events.off(event, listener);
  }

  /**
   * Puts a room on air. Resolves once FFmpeg is running (the first segment follows about a
   * segment and a keyframe later: see `isLive`). Rejects if the room is already on air, the id
   * is not a valid directory name, or a producer cannot be consumed.
   */
  async start(
    roomId: string,
    room: PlainConsumerSource,
    spec: BroadcastSourcesSpec,
  ): Promise<void> {
    if (this.closing) throw new Error('hls gateway is closed');
    if (!isRoomId(roomId)) throw new Error(`bad room id for a broadcast: ${roomId}`);
    if (this.sessions.has(roomId)) throw new Error(`room ${roomId} is already on air`);
    const prefix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const workRoot = this.options.workDir ?? path.join(this.options.outDir, '.work');
    const session: HlsSession = new HlsSession({
      roomId,
      room,
      ...spec,
      publicDir: path.join(this.options.outDir, roomId),
      workDir: path.join(workRoot, `${roomId}-${prefix}`),
      prefix,
      ports: this.ports,
      encode: this.encodeSettings(),
      windowSize: this.options.windowSize ?? 6,
      planFfmpeg: this.options.planFfmpeg ?? buildFfmpegPlan,
      launch: this.options.launch ?? launchFfmpeg,
      log: this.log,
      stopTimeoutMs: this.options.stopTimeoutMs,
      onRestarted: (reason) => this.events.emit('restarted', roomId, reason),
      onEnded: (reason) => this.onSessionEnded(roomId, session, reason),
    });
    this.sessions.set(roomId, session);
    try {
      await this.purgeNow(roomId);
      await session.start();
    } catch (error) {
      if (this.sessions.get(roomId) === session) this.sessions.delete(roomId);
      throw error;
    }
  }

  /** Follows another video producer (e.g. the new active speaker); undefined shows black. */
  async setVideoProducer(roomId: string, producerId: string | undefined): Promise<void> {
    await this.session(roomId).setVideoProducer(producerId);
  }

  /** Mixes another set of audio producers (someone joined, left or unmuted). */
  async setAudioProducers(roomId: string, producerIds: readonly string[]): Promise<void> {
    await this.session(roomId).setAudioProducers(producerIds);
  }

  /** Takes a room off air: ENDLIST, FFmpeg stopped. No-op if it is not on air. */
  async stop(roomId: string): Promise<void> {
    await this.sessions.get(roomId)?.stop();
  }

  /** On air, and at least one segment published. */
  isLive(roomId: string): boolean {
    const session = this.sessions.get(roomId);
    return !!session && !session.ended && session.segmentCount > 0;
  }

  /** Seconds since the newest segment was published; undefined when not on air or none yet. */
  secondsSinceNewestSegment(roomId: string): number | undefined {
    const at = this.sessions.get(roomId)?.newestSegmentAt;
    return at === undefined ? undefined : (Date.now() - at) / 1000;
  }

  /** Pid of a broadcast's current FFmpeg (for metrics and tests). */
  ffmpegPid(roomId: string): number | undefined {
    return this.sessions.get(roomId)?.ffmpegPid;
  }

  /** Rooms on air. */
  rooms(): string[] {
    return [...this.sessions.keys()];
  }

  /** Idempotent: stops every broadcast (no FFmpeg survives it) and removes their files. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    process.off('exit', this.killOnExit);
    const sessions = [...this.sessions.values()];
    for (const s of sessions) this.endReasons.set(s, 'closed');
    await Promise.allSettled(sessions.map((s) => s.stop()));
    await Promise.allSettled([...this.purges.keys()].map((roomId) => this.purgeNow(roomId)));
  }

  private session(roomId: string): HlsSession {
    const session = this.sessions.get(roomId);
    if (!session) throw new Error(`room ${roomId} is not on air`);
    return session;
  }

  private encodeSettings(): EncodeSettings {
    const { segmentSeconds, fps, width, height, videoKbps, audioKbps, listSize, ladder } =
      this.options;
    return { segmentSeconds, fps, width, height, videoKbps, audioKbps, listSize, ladder };
  }

  private onSessionEnded(roomId: string, session: HlsSession, reason: 'stopped' | 'failed'): void {
    if (this.sessions.get(roomId) === session) this.sessions.delete(roomId);
    const final = this.endReasons.get(session) ?? reason;
    this.endReasons.delete(session);
    this.schedulePurge(roomId, session);
    this.events.emit('ended', roomId, final);
  }

  /** Viewers may still be playing the end: the files go after `retainEndedMs`. */
  private schedulePurge(roomId: string, session: HlsSession): void {
    const run = async (): Promise<void> => {
      this.purges.delete(roomId);
      await session.purge();
    };
    const delay = this.closing ? 0 : (this.options.retainEndedMs ?? 60_000);
    const timer = setTimeout(() => {
      run().catch((error: unknown) => this.log.warn('hls purge failed', { roomId, error }));
    }, delay);
    timer.unref();
    this.purges
      .get(roomId)
      ?.run()
      .catch(() => undefined);
    this.purges.set(roomId, { timer, run });
  }

  private async purgeNow(roomId: string): Promise<void> {
    const pending = this.purges.get(roomId);
    if (!pending) return;
    clearTimeout(pending.timer);
    await pending.run();
  }
}
