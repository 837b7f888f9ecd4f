// One broadcast: its consumers, its FFmpeg runs and its public playlist.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { EncodeOptions, FfmpegPlan } from './ffmpegArgs.ts';
import type { FfmpegExit, FfmpegLauncher, FfmpegProcess } from './ffmpegProcess.ts';
import { PlaylistWriter } from './playlistWriter.ts';
import type { PortPool } from './ports.ts';
import { RunFollower } from './runFollower.ts';
import { buildSdp } from './sdp.ts';
import { BroadcastSources, type PlainConsumerSource, type SourceChange } from './sources.ts';
import type { GatewayLog } from './types.ts';

/** Why FFmpeg was restarted (the playlist has an EXT-X-DISCONTINUITY there). */
export type RestartReason = 'crash' | 'video-changed' | 'audio-changed' | SourceChange;

export type EncodeSettings = Omit<
  EncodeOptions,
  'sdpPath' | 'rtpVideo' | 'rtpAudioCount' | 'workDir'
>;

export interface HlsSessionOptions {
  roomId: string;
  room: PlainConsumerSource;
  videoProducerId?: string;
  audioProducerIds: readonly string[];
  /** Public directory of this broadcast (`<outDir>/<roomId>`). */
  publicDir: string;
  /** Private scratch directory; FFmpeg runs in subdirectories of it. Removed on stop. */
  workDir: string;
  /** Unique per broadcast: segment names start with it. */
  prefix: string;
  ports: PortPool;
  encode: EncodeSettings;
  windowSize: number;
  planFfmpeg: (options: EncodeOptions) => FfmpegPlan;
  launch: FfmpegLauncher;
  log: GatewayLog;
  onRestarted: (reason: RestartReason) => void;
  onEnded: (reason: 'stopped' | 'failed') => void;
  /** Runs in a row that die without a segment before the session gives up (default 5). */
  maxFailedRuns?: number;
  /** SIGINT-to-SIGKILL grace when stopping FFmpeg, ms (default 3000). */
  stopTimeoutMs?: number;
}

interface Run {
  index: number;
  process: FfmpegProcess;
  follower: RunFollower;
  dir: string;
  keyframes: NodeJS.Timeout;
}

const KEYFRAME_RETRY_MS = 500;
const MAX_RESTART_DELAY_MS = 2000;

/**
 * Runs FFmpeg over the broadcast's RTP streams and keeps the playlist going across runs. A new
 * run starts when FFmpeg exits on its own (at once; backing off up to 2 s while runs keep dying
 * before their first segment) and when the sources change: FFmpeg's RTP demuxer cannot follow
 * a new SSRC with a new timestamp base, so a swap is a short, clean seam (SIGINT, which closes
 * the current segment, then a new run with a discontinuity) rather than a corrupt one.
 *
 * Every mutation goes through one queue, so a crash restart and a source change never race.
 */
export class HlsSession {
  readonly writer: PlaylistWriter;
  private readonly sources: BroadcastSources;
  private run: Run | undefined;
  private runCount = 0;
  private failedRuns = 0;
  private queue: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private isEnded = false;

  constructor(private readonly options: HlsSessionOptions) {
    this.writer = new PlaylistWriter({
      dir: options.publicDir,
      prefix: options.prefix,
      segmentSeconds: options.encode.segmentSeconds ?? 1,
      windowSize: options.windowSize,
    });
    this.sources = new BroadcastSources(options.room, options.ports, (change, producerId) =>
      this.onSourceChange(change, producerId),
    );
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Pid of the current FFmpeg, if one is running. */
  get ffmpegPid(): number | undefined {
    return this.run?.process.pid;
  }

  get videoProducerId(): string | undefined {
    return this.sources.videoProducerId;
  }

  /** Opens the consumers and the first run. Rejects (and cleans up) if that fails. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      try {
        await this.sources.setVideo(this.options.videoProducerId);
        await this.sources.setAudio(this.options.audioProducerIds);
        await this.startRun();
      } catch (error) {
        await this.shutdown('failed', false);
        throw error;
      }
    });
  }

  /** Follows another video producer (or none: black frames). */
  setVideoProducer(producerId: string | undefined): Promise<void> {
    return this.replaceRun('video-changed', () => this.sources.setVideo(producerId));
  }

  /** Mixes another set of audio producers. */
  setAudioProducers(producerIds: readonly string[]): Promise<void> {
    return this.replaceRun('audio-changed', () => this.sources.setAudio(producerIds));
  }

  /** Ends the playlist (EXT-X-ENDLIST) and stops FFmpeg cleanly. Idempotent. */
  stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    return this.enqueue(() => this.shutdown('stopped', true));
  }

  /** Runs `task` after the queued steps; a failure is logged here and also rejects the result. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const result = this.queue.then(task);
    this.queue = result.catch((error: unknown) => this.logStepFailure(error));
    return result;
  }

  /** `enqueue` for a step nobody waits on (a timer, an FFmpeg exit): its failure is only logged. */
  private enqueueDetached(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => this.logStepFailure(error));
  }

  private logStepFailure(error: unknown): void {
    this.options.log.error('hls session step failed', {
      roomId: this.options.roomId,
      error: String(error),
    });
  }

  private replaceRun(reason: RestartReason, change: () => Promise<void>): Promise<void> {
    return this.enqueue(() => this.swapRun(reason, change));
  }

  private async swapRun(reason: RestartReason, change: () => Promise<void>): Promise<void> {
    if (this.stopping || this.isEnded) return;
    await change();
    await this.endRun(true);
    await this.startRun();
    this.options.onRestarted(reason);
  }

  private onSourceChange(change: SourceChange, producerId: string): void {
    if (this.stopping || this.isEnded) return;
    this.options.log.info('hls source changed', {
      roomId: this.options.roomId,
      change,
      producerId,
    });
    this.enqueueDetached(() => this.swapRun(change, async () => undefined));
  }

  private async startRun(): Promise<void> {
    if (this.stopping || this.isEnded) return;
    this.runCount += 1;
    const index = this.runCount;
    const dir = path.join(this.options.workDir, `run-${index}`);
    await fs.mkdir(dir, { recursive: true });
    const streams = this.sources.streams();
    const sdpPath = path.join(dir, 'input.sdp');
    if (streams.length > 0) await fs.writeFile(sdpPath, buildSdp({ streams }));
    const plan = this.options.planFfmpeg({
      ...this.options.encode,
      sdpPath,
      rtpVideo: streams[0]?.kind === 'video',
      rtpAudioCount: streams.filter((s) => s.kind === 'audio').length,
      workDir: dir,
    });
    this.writer.beginRun();
    const process = this.options.launch(plan, dir);
    const follower = new RunFollower({
      workDir: dir,
      writer: this.writer,
      onSegment: () => this.onSegment(run),
      onError: (error) =>
        this.options.log.warn('hls segment not published', {
          roomId: this.options.roomId,
          error: String(error),
        }),
    });
    // FFmpeg drops video until a keyframe: ask until the run's first segment is out.
    const keyframes = setInterval(() => this.requestKeyFrame(), KEYFRAME_RETRY_MS);
    const run: Run = { index, process, follower, dir, keyframes };
    this.run = run;
    // `exited` only resolves; what onRunExit does next goes through the queue.
    process.exited.then(
      (exit) => this.onRunExit(run, exit),
      (error: unknown) => this.logStepFailure(error),
    );
    await process.started;
    await this.sources.resume();
    this.requestKeyFrame();
  }

  private requestKeyFrame(): void {
    this.sources
      .requestKeyFrame()
      .catch((error: unknown) =>
        this.options.log.warn('keyframe request failed', { error: String(error) }),
      );
  }

  private onSegment(run: Run): void {
    clearInterval(run.keyframes);
    this.failedRuns = 0;
  }

  /** Stops the current run (SIGINT, or SIGKILL) and publishes what it finished. */
  private async endRun(graceful: boolean): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    clearInterval(run.keyframes);
    const timeout = this.options.stopTimeoutMs ?? 3000;
    await (graceful ? run.process.stop(timeout) : run.process.kill());
    await this.cleanUpRun(run);
  }

  private async cleanUpRun(run: Run): Promise<void> {
    clearInterval(run.keyframes);
    await run.follower.drain();
    await fs.rm(run.dir, { recursive: true, force: true });
  }

  private onRunExit(run: Run, exit: FfmpegExit): void {
    if (exit.requested || this.run !== run || this.stopping) return;
    this.run = undefined;
    const { roomId } = this.options;
    const stderr = exit.stderr.trim().split('\n').slice(-5).join(' | ');
    this.options.log.warn('ffmpeg exited unexpectedly', { roomId, ...exit, stderr });
    this.enqueueDetached(async () => {
      await this.cleanUpRun(run);
      if (run.follower.taken === 0) this.failedRuns += 1;
      if (this.failedRuns >= (this.options.maxFailedRuns ?? 5)) {
        this.options.log.error('ffmpeg keeps failing; broadcast ends', { roomId });
        await this.shutdown('failed', false);
        return;
      }
      this.scheduleRestart();
    });
  }

  /** At once after a run that made segments; backing off to 2 s while runs keep failing. */
  private scheduleRestart(): void {
    const n = this.failedRuns;
    const delay = n === 0 ? 0 : Math.min(250 * 2 ** (n - 1), MAX_RESTART_DELAY_MS);
    this.restartTimer = setTimeout(() => {
      this.enqueueDetached(async () => {
        if (this.run || this.stopping || this.isEnded) return;
        await this.startRun();
        this.options.onRestarted('crash');
      });
    }, delay);
  }

  private async shutdown(reason: 'stopped' | 'failed', graceful: boolean): Promise<void> {
    if (this.isEnded) return;
    this.isEnded = true;
    clearTimeout(this.restartTimer);
    try {
      await this.endRun(graceful);
    } finally {
      this.sources.close();
      await this.writer.end();
      await fs.rm(this.options.workDir, { recursive: true, force: true });
      this.options.onEnded(reason);
    }
  }
}
