// One FFmpeg process, run through fluent-ffmpeg, with the stop rules the gateway needs:
// SIGINT (FFmpeg finishes its segment and playlist), SIGKILL when that takes too long.

import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegPlan } from './ffmpegArgs.ts';

export interface FfmpegExit {
  /** True when we asked it to stop (stop() or kill()). */
  requested: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** fluent-ffmpeg's error message, if it reported one (includes FFmpeg's last error line). */
  error?: string;
  /** Last lines FFmpeg wrote to stderr. */
  stderr: string;
}

/** Extras for callers that read FFmpeg's log as it runs (the recorder, the compositor). */
export interface FfmpegProcessOptions {
  /** Called with each stderr line as FFmpeg writes it (e.g. `-progress pipe:2` output). */
  onStderrLine?: (line: string) => void;
  /** FFmpeg binary (default: FFMPEG_PATH, else `ffmpeg` on PATH). */
  ffmpegPath?: string;
}

/** Starts FFmpeg for a plan; the gateway's tests swap this to inject faults. */
export type FfmpegLauncher = (
  plan: FfmpegPlan,
  cwd: string,
  options?: FfmpegProcessOptions,
) => FfmpegProcess;

export const launchFfmpeg: FfmpegLauncher = (plan, cwd, options) =>
  new FfmpegProcess(plan, cwd, options);

export class FfmpegProcess {
  /** Resolves once the process has exited (or failed to start) and stderr is drained. */
  readonly exited: Promise<FfmpegExit>;
  private readonly command: ffmpeg.FfmpegCommand;
  private child: { pid?: number; kill(signal: NodeJS.Signals): boolean } | undefined;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private requested = false;
  private done = false;
  /** A signal asked for before the process existed, delivered on spawn. */
  private pendingSignal: NodeJS.Signals | undefined;
  private startedResolve: (() => void) | undefined;
  /** Resolves when the process has been spawned (or has failed to). */
  readonly started: Promise<void>;

  constructor(plan: FfmpegPlan, cwd: string, options: FfmpegProcessOptions = {}) {
    this.started = new Promise((resolve) => (this.startedResolve = resolve));
    this.command = ffmpeg({ cwd, stdoutLines: 40 });
    if (options.ffmpegPath) this.command.setFfmpegPath(options.ffmpegPath);
    const { onStderrLine } = options;
    if (onStderrLine) this.command.on('stderr', (line: string) => onStderrLine(line));
    for (const input of plan.inputs) {
      this.command.input(input.source);
      // Spread, not an array: fluent-ffmpeg splits a lone "-opt value" string at its space.
      if (input.options.length > 0) this.command.inputOptions(...input.options);
    }
    this.command.outputOptions(...plan.outputOptions).output(plan.output);
    // fluent-ffmpeg writes each output's options before its target, whichever was set first.
    for (const more of plan.moreOutputs ?? []) {
      this.command.output(more.output).outputOptions(...more.options);
    }
    this.exited = new Promise((resolve) => {
      const finish = (error: Error | undefined, stderr: unknown): void => {
        this.done = true;
        this.startedResolve?.();
        resolve({
          requested: this.requested,
          code: this.exitCode,
          signal: this.exitSignal,
          ...(error ? { error: error.message } : {}),
          stderr: typeof stderr === 'string' ? stderr.slice(-4000) : '',
        });
      };
      this.command.on('start', () => this.onSpawn());
      this.command.on('end', (_stdout: unknown, stderr: unknown) => finish(undefined, stderr));
      this.command.on('error', (error: Error, _stdout: unknown, stderr: unknown) =>
        finish(error, stderr),
      );
    });
    this.command.run();
  }

  /** Process id once spawned. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /**
   * Asks FFmpeg to finish (SIGINT: it closes the current segment and writes its playlist), and
   * SIGKILLs it if it has not exited after `timeoutMs` (default 3000). Resolves on exit.
   */
  async stop(timeoutMs = 3000): Promise<FfmpegExit> {
    this.requested = true;
    this.signal('SIGINT');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL now; resolves on exit. */
  kill(): Promise<FfmpegExit> {
    this.requested = true;
    this.signal('SIGKILL');
    return this.exited;
  }

  private onSpawn(): void {
    // fluent-ffmpeg sets ffmpegProc just before it emits 'start'.
    const proc = (
      this.command as unknown as { ffmpegProc?: import('node:child_process').ChildProcess }
    ).ffmpegProc;
    if (proc) {
      this.child = proc;
      proc.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
      });
    }
    this.startedResolve?.();
    if (this.pendingSignal) this.signal(this.pendingSignal);
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.done) return;
    if (!this.child) {
      // Not spawned yet (fluent-ffmpeg checks capabilities first): deliver on spawn.
      if (this.pendingSignal !== 'SIGKILL') this.pendingSignal = signal;
      return;
    }
    // Returns false if it has already exited; 'exited' settles on its own then.
    this.child.kill(signal);
  }
}
