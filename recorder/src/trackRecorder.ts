// One recorded track: a paused plain consumer on its own leased port pair, and one FFmpeg at a
// time copying its RTP into `<producerId>-<n>.mkv`. An FFmpeg that dies is replaced (a new
// part), a bounded number of times a minute.

import fs from 'node:fs/promises';
import path from 'node:path';
import {
  buildSdp,
  sdpStreamOf,
  launchFfmpeg,
  type FfmpegExit,
  type FfmpegLauncher,
  type FfmpegProcess,
  type GatewayLog,
  type PlainConsumerSource,
  type PortPool,
} from '@parley/hls-gateway';
import type { PlainConsumer } from '@parley/sfu';
import { SAFE_ID, type RecordedPart, type TrackKind } from './manifest.ts';
import { buildRecordPlan, parseStartLine } from './recordArgs.ts';

export interface TrackRecorderOptions {
  producerId: string;
  kind: TrackKind;
  /** The recording directory; the part files and a scratch SDP go here. */
  dir: string;
  source: PlainConsumerSource;
  ports: PortPool;
  log: GatewayLog;
  /** FFmpeg binary (default: FFMPEG_PATH, else `ffmpeg` on PATH). */
  ffmpegPath?: string;
  /** Starts FFmpeg (default launchFfmpeg); tests may wrap it. */
  launch?: FfmpegLauncher;
  /** Restarts within a minute before the track gives up (default 5). */
  maxRestartsPerMinute?: number;
  /** SIGINT-to-SIGKILL grace when stopping FFmpeg, ms (default 3000). */
  stopTimeoutMs?: number;
  /** Parts recorded earlier for this producer: appended to, their numbers not reused. */
  parts?: RecordedPart[];
  /** A part began or ended: the manifest should be written. */
  onChange: () => void;
  /** FFmpeg kept dying; the track is no longer recorded. */
  onFailed: (reason: string) => void;
}

interface Run {
  process: FfmpegProcess;
  file: string;
  part: RecordedPart | undefined;
  keyframes: NodeJS.Timeout | undefined;
}

const KEYFRAME_RETRY_MS = 500;
const RESTART_WINDOW_MS = 60_000;
/** A short pause before a restart, so a crash loop does not spin. */
const RESTART_DELAY_MS = 100;

export class TrackRecorder {
  /** Parts in order; the last one is open while FFmpeg runs. */
  readonly parts: RecordedPart[];
  private run: Run | undefined;
  private runCount: number;
  private restarts: number[] = [];
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: TrackRecorderOptions,
    private readonly consumer: PlainConsumer,
    private readonly port: number,
    private readonly sdpPath: string,
  ) {
    this.parts = options.parts ?? [];
    this.runCount = Math.max(
      0,
      ...this.parts.map((p) => Number(/-(\d+)\.mkv$/.exec(p.file)?.[1] ?? 0)),
    );
  }

  /** Opens the consumer and the first FFmpeg; rejects (having cleaned up) if that fails. */
  static async start(options: TrackRecorderOptions): Promise<TrackRecorder> {
    const { producerId, ports, source } = options;
    if (!SAFE_ID.test(producerId)) throw new Error(`recorder: unusable producer id ${producerId}`);
    const [port] = await ports.lease(1);
    if (port === undefined) throw new Error('recorder: no port');
    let consumer: PlainConsumer | undefined;
    let recorder: TrackRecorder | undefined;
    try {
      consumer = await source.createPlainConsumer({ producerId, port, paused: true });
      if (consumer.kind !== options.kind) {
        throw new Error(
          `recorder: producer ${producerId} is ${consumer.kind}, not ${options.kind}`,
        );
      }
      const sdpPath = path.join(options.dir, `${producerId}.sdp`);
      await fs.writeFile(sdpPath, sdpOf(consumer, port));
      recorder = new TrackRecorder(options, consumer, port, sdpPath);
      await recorder.begin();
      return recorder;
    } catch (error) {
      // stop() ends a spawned FFmpeg too, closes the consumer and releases the port.
      if (recorder) await recorder.stop();
      else {
        consumer?.close();
        ports.release([port]);
      }
      throw error;
    }
  }

  get producerId(): string {
    return this.options.producerId;
  }

  /** Pid of the running FFmpeg (tests kill it to prove restarts). */
  get pid(): number | undefined {
    return this.run?.process.pid;
  }

  /** Finalizes the current part (SIGINT, SIGKILL after the grace) and releases everything. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Runs `promise` in the background; a failure is logged, never dropped. */
  private logged(promise: Promise<unknown>, what: string): void {
    promise.catch((error: unknown) => {
      this.options.log.error(`recorder: ${what} failed`, {
        producerId: this.options.producerId,
        error: String(error),
      });
    });
  }

  private async begin(): Promise<void> {
    this.consumer.on('closed', () => {
      // The producer is gone: finish the file now rather than when the room says so.
      if (!this.stopped) this.logged(this.stop(), 'stop after the producer closed');
    });
    this.consumer.on('producer-resumed', () => this.requestKeyFrame());
    await this.startRun();
    await this.consumer.resume();
    this.requestKeyFrame();
  }

  private async startRun(): Promise<void> {
    this.runCount += 1;
    const file = `${this.options.producerId}-${this.runCount}.mkv`;
    const plan = buildRecordPlan({ sdpPath: this.sdpPath, output: file });
    const launch = this.options.launch ?? launchFfmpeg;
    // Lines arrive after spawn, by when `run` exists.
    const ffmpeg = launch(plan, this.options.dir, {
      onStderrLine: (line) => this.onStderrLine(run, line),
      ...(this.options.ffmpegPath ? { ffmpegPath: this.options.ffmpegPath } : {}),
    });
    const run: Run = { process: ffmpeg, file, part: undefined, keyframes: undefined };
    this.run = run;
    // FFmpeg's probe (and a video file's first frame) waits for a keyframe: ask until it starts.
    if (this.options.kind === 'video') {
      run.keyframes = setInterval(() => this.requestKeyFrame(), KEYFRAME_RETRY_MS);
    }
    run.process.exited.then(
      (exit) => this.onExit(run, exit),
      (error: unknown) =>
        this.options.log.error('recorder: ffmpeg wait failed', { error: String(error) }),
    );
    await run.process.started;
  }

  private onStderrLine(run: Run, line: string): void {
    if (run.part) return;
    const startedAt = parseStartLine(line);
    if (startedAt === undefined) return;
    clearInterval(run.keyframes);
    run.part = { file: run.file, startedAt, endedAt: null };
    this.parts.push(run.part);
    this.options.onChange();
  }

  private onExit(run: Run, exit: FfmpegExit): void {
    clearInterval(run.keyframes);
    if (run.part) {
      run.part.endedAt = Date.now();
      this.options.onChange();
    }
    if (this.run === run) this.run = undefined;
    if (exit.requested || this.stopped) return;
    const stderr = exit.stderr.trim().split('\n').slice(-5).join(' | ');
    const { producerId } = this.options;
    this.options.log.warn('recorder: ffmpeg exited unexpectedly', {
      producerId,
      error: exit.error,
      stderr,
    });
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= (this.options.maxRestartsPerMinute ?? 5)) {
      const reason = `ffmpeg died ${this.restarts.length + 1} times within a minute`;
      this.options.log.error('recorder: track gives up', { producerId, reason });
      this.logged(
        this.stop().then(() => this.options.onFailed(reason)),
        'stop of a track that gave up',
      );
      return;
    }
    this.restarts.push(now);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.startRun().catch((error: unknown) => {
        this.options.log.error('recorder: restart failed', { producerId, error: String(error) });
        this.logged(
          this.stop().then(() => this.options.onFailed(String(error))),
          'stop after a failed restart',
        );
      });
    }, RESTART_DELAY_MS);
  }

  private requestKeyFrame(): void {
    if (this.options.kind !== 'video' || this.consumer.closed) return;
    this.consumer.requestKeyFrame().catch((error: unknown) => {
      this.options.log.warn('recorder: keyframe request failed', { error: String(error) });
    });
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const run = this.run;
    if (run) {
      clearInterval(run.keyframes);
      await run.process.stop(this.options.stopTimeoutMs ?? 3000);
    }
    this.consumer.close();
    this.options.ports.release([this.port]);
    await fs.rm(this.sdpPath, { force: true });
  }
}

/** The SDP of the one stream FFmpeg receives on `port`. */
function sdpOf(consumer: PlainConsumer, port: number): string {
  return buildSdp({ streams: [sdpStreamOf(consumer.stream, port)] });
}
