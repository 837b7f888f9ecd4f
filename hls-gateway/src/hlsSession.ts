// One broadcast: its consumers, its FFmpeg runs and its public playlist.

import fs from 'node:fs/promises';
import path from 'node:path';
import { renditionsFor, type EncodeOptions, type FfmpegPlan } from './ffmpegArgs.ts';
import type { FfmpegExit, FfmpegLauncher, FfmpegProcess } from './ffmpegProcess.ts';
import { renderMasterPlaylist } from './m3u8.ts';
import { PlaylistWriter, PUBLIC_PLAYLIST, writeAtomically } from './playlistWriter.ts';
import { codecsOf, type Rendition } from './renditions.ts';
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
  /** One per rendition, in the renditions' order. */
  followers: RunFollower[];
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
  private readonly renditions: Rendition[];
  /** One public media playlist per rendition, in the same order. */
  private readonly writers: PlaylistWriter[];
  private masterWritten = false;
  private readonly sources: BroadcastSources;
  private run: Run | undefined;
  private runCount = 0;
  private failedRuns = 0;
  private queue: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private isEnded = false;

  constructor(private readonly options: HlsSessionOptions) {
    this.renditions = renditionsFor(options.encode);
    const ladder = this.renditions.length > 1;
    // Without the ladder, index.m3u8 is the one media playlist, as before issue 20.
    this.writers = this.renditions.map(
      (r) =>
        new PlaylistWriter({
          dir: options.publicDir,
          prefix: ladder ? `${options.prefix}-${r.name}` : options.prefix,
          playlist: ladder ? `${r.name}.m3u8` : PUBLIC_PLAYLIST,
          segmentSeconds: options.encode.segmentSeconds ?? 1,
          windowSize: options.windowSize,
        }),
    );
    this.sources = new BroadcastSources(options.room, options.ports, (change, producerId) =>
      this.onSourceChange(change, producerId),
    );
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /**
   * Segments every viewer can play: the fewest any rendition has published, and none until the
   * master playlist (with the ladder) is out.
   */
  get segmentCount(): number {
    if (this.writers.length > 1 && !this.masterWritten) return 0;
    return Math.min(...this.writers.map((w) => w.segmentCount));
  }

  /** Wall-clock ms when the main rendition's newest segment was published. */
  get newestSegmentAt(): number | undefined {
    return this.writers[0]?.newestSegmentAt;
  }

  /** Deletes every file the broadcast published. For after it ended. */
  async purge(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.purge()));
    if (this.writers.length > 1) {
      await fs.rm(path.join(this.options.publicDir, PUBLIC_PLAYLIST), { force: true });
    }
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
    const dirs = this.renditions.map((r) => path.join(dir, r.subdir));
    await Promise.all(dirs.map((d) => fs.mkdir(d, { recursive: true })));
    for (const writer of this.writers) writer.beginRun();
    const process = this.options.launch(plan, dir);
    const followers = this.writers.map(
      (writer, i) =>
        new RunFollower({
          workDir: dirs[i] ?? dir,
          writer,
          onSegment: () => this.onSegment(run),
          onError: (error) =>
            this.options.log.warn('hls segment not published', {
              roomId: this.options.roomId,
              error: String(error),
            }),
        }),
    );
    // FFmpeg drops video until a keyframe: ask until the run's first segment is out.
    const keyframes = setInterval(() => this.requestKeyFrame(), KEYFRAME_RETRY_MS);
    const run: Run = { index, process, followers, dir, keyframes };
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
    if (this.writers.length > 1 && !this.masterWritten) this.writeMasterOnce();
  }

  /**
   * The master playlist goes out once every rendition has a segment, so a player that reads it
   * finds each media playlist it names. Its content never changes during the broadcast.
   */
  private writeMasterOnce(): void {
    if (this.writers.some((w) => w.segmentCount === 0)) return;
    this.masterWritten = true;
    const fps = this.options.encode.fps ?? 30;
    const text = renderMasterPlaylist(
      this.renditions.map((r) => ({
        uri: `${r.name}.m3u8`,
        // The encoder's cap (maxrate), plus AAC and about 5 % of fMP4 framing.
        bandwidth: (r.videoKbps + r.audioKbps) * 1000 * 1.05,
        width: r.width,
        height: r.height,
        fps,
        codecs: codecsOf(r),
      })),
    );
    const file = path.join(this.options.publicDir, PUBLIC_PLAYLIST);
    writeAtomically(file, text, this.options.prefix).catch((error: unknown) => {
      this.masterWritten = false;
      this.options.log.warn('hls master playlist not written', {
        roomId: this.options.roomId,
        error: String(error),
      });
    });
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
    await Promise.all(run.followers.map((f) => f.drain()));
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
      if (run.followers.every((f) => f.taken === 0)) this.failedRuns += 1;
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
      await Promise.all(this.writers.map((w) => w.end()));
      await fs.rm(this.options.workDir, { recursive: true, force: true });
      this.options.onEnded(reason);
    }
  }
}
