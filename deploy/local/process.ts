import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { Socket } from 'node:net';

/** How many of a service's last output lines are kept (for a test's failure message). */
const TAIL_LINES = 400;
/** How many of them an error of its own quotes. */
const QUOTED_LINES = 40;

export interface ServiceProcessOptions {
  /** Shown in errors: "redis-server", "postgres", ... */
  name: string;
  command: string;
  args: string[];
  spawn?: Pick<SpawnOptions, 'cwd' | 'env' | 'uid' | 'gid'>;
  /** Signal for a clean stop (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Escalate to SIGKILL after this long (default 10 s). */
  stopTimeoutMs?: number;
  /** Sent when the parent exits without stopping us (default SIGKILL). */
  exitSignal?: NodeJS.Signals;
}

/**
 * A long-running service started as a direct child: its output is kept for error messages,
 * and it is killed on `stop()` and when the parent process exits, so a crashed or
 * interrupted test never leaves a Redis or PostgreSQL behind. Even a parent killed with
 * SIGKILL, which runs no exit hook (a test runner's timeout does that), takes the service
 * along: see {@link startWatchdog}.
 */
export class ServiceProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly exited: Promise<void>;
  private exitStatus: string | undefined;

  constructor(private readonly options: ServiceProcessOptions) {
    this.name = options.name;
    this.child = spawn(options.command, options.args, {
      ...options.spawn,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // One splitter per stream, so a partial stdout line never merges with stderr's.
    this.child.stdout?.on('data', this.lineSplitter());
    this.child.stderr?.on('data', this.lineSplitter());
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.exitStatus = `failed to start: ${error.message}`;
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
    const exitSignal = options.exitSignal ?? 'SIGKILL';
    const forget = onParentExit(() => this.child.kill(exitSignal));
    const watchdog = this.child.pid ? startWatchdog(this.child.pid, exitSignal) : undefined;
    void this.exited.then(() => {
      forget();
      // Gone before the service's pid can be reused by an unrelated process.
      watchdog?.kill('SIGKILL');
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while running; else how it ended. */
  get exitReason(): string | undefined {
    return this.exitStatus;
  }

  /** Resolves once the process has exited, however it ended (see {@link exitReason}). */
  waitForExit(): Promise<void> {
    return this.exited;
  }

  /** The last lines the service printed, for error messages. */
  logs(): string {
    return this.tail.join('\n');
  }

  /** An error naming the service, with what it printed last. */
  failure(message: string): Error {
    const status = this.exitStatus ? ` (${this.exitStatus})` : '';
    return new Error(
      `${this.name}: ${message}${status}\n--- last output ---\n${this.tail.slice(-QUOTED_LINES).join('\n')}`,
    );
  }

  /** Sends a signal (e.g. SIGUSR2 to reload HAProxy); false if the process is gone. */
  signal(signal: NodeJS.Signals): boolean {
    return this.exitStatus === undefined && this.child.kill(signal);
  }

  /** Stops the service and waits for it to exit; idempotent. */
  async stop(): Promise<void> {
    if (this.exitStatus !== undefined) return;
    this.child.kill(this.options.stopSignal ?? 'SIGTERM');
    const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const escalate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, escalate]);
    clearTimeout(timer);
    await this.exited;
  }

  /**
   * Polls `check` until it returns true or the deadline passes; fails at once if the process
   * exits meanwhile. Errors quote the service's last output.
   */
  async waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      if (this.exitStatus !== undefined) throw this.failure(`stopped before ${what}`);
      try {
        if (await check()) return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        const detail = lastError ? ` (last error: ${lastError})` : '';
        throw this.failure(`not ${what} within ${timeoutMs} ms${detail}`);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), this.exited]);
    }
  }

  private lineSplitter(): (chunk: Buffer) => void {
    let pending = '';
    return (chunk) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
      }
    };
  }
}

/**
 * A shell that waits for end-of-file on a pipe only we hold, then sends `signal` to `pid`.
 * The kernel closes our end however we die, so the service never outlives us; Node has no
 * PR_SET_PDEATHSIG. Unreferenced: it never keeps the parent's event loop alive.
 */
function startWatchdog(pid: number, signal: NodeJS.Signals): ChildProcess {
  const script = 'read _ignored; kill -s "$1" "$2" 2>/dev/null';
  const name = signal.replace(/^SIG/, '');
  const watchdog = spawn('sh', ['-c', script, 'parley-watchdog', name, String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.once('error', (error) => {
    process.stderr.write(`deploy/local: no watchdog for pid ${pid}: ${error.message}\n`);
  });
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
}

const exitCleanups = new Set<() => void>();
let hooksInstalled = false;

/**
 * Runs `cleanup` (synchronous) when the parent process exits, or dies of SIGINT, SIGTERM or
 * SIGHUP without a handler of its own. Returns a function that cancels it.
 */
export function onParentExit(cleanup: () => void): () => void {
  installHooks();
  exitCleanups.add(cleanup);
  return () => {
    exitCleanups.delete(cleanup);
  };
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', runExitCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, function onSignal() {
      // An application with its own handler (e.g. `npm run cluster`) stops us itself, or
      // exits and so runs the 'exit' hook. Alone, we keep the default: die by the signal.
      if (process.listenerCount(signal) > 1) return;
      runExitCleanups();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
  }
}

function runExitCleanups(): void {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch (error) {
      // The process is going away: report, and still run the other clean-ups.
      process.stderr.write(`deploy/local: clean-up at exit failed: ${String(error)}\n`);
    }
  }
  exitCleanups.clear();
}
