// Bots spread over child processes (issue #15): one Node process gives its bots one core,
// about 70 receiving bots (docs/load.md), so a larger run forks K bot processes (child.ts),
// hands each new bot to the next one in turn and sums their reports and CPU.
//
// fork(), not worker_threads: each bot process's CPU is its own `process.cpuUsage()` (Node 20
// has no per-thread CPU), which a benchmark needs to tell the bots' limit from the server's;
// a process can be killed from outside at any moment (a thread only between JS turns), and a
// crash in one (werift's socket handlers throw on odd packets) ends only its bots.

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BotReport } from './Bot.ts';
import type { BotGroup, BotSpec } from './botGroup.ts';
import { DEFAULT_CLIP, loadClip } from './clip.ts';

type PoolCall =
  | { op: 'join'; spec: BotSpec }
  | { op: 'published' | 'flowing' | 'snapshot' | 'cpu' | 'drops' | 'close' };

/** A request from the pool to a bot process (`id` pairs it with its reply). */
export type PoolRequest = { id: number } & PoolCall;

/** A bot process's reply; id 0 is its "ready" once started. */
export type PoolReply = { id: number } & (
  { ok: true; value: unknown } | { ok: false; error: string }
);

/** Bots per process by default: ~30 receiving bots use about half of a core (docs/load.md). */
export const BOTS_PER_PROCESS = 30;

/** Enough processes for `bots` at BOTS_PER_PROCESS each (at least one). */
export function defaultProcesses(bots: number): number {
  return Math.max(1, Math.ceil(bots / BOTS_PER_PROCESS));
}

export interface PoolOptions {
  processes: number;
  /** A bot process still running after this long is killed (and the pool fails). Default 10 min. */
  limitMs?: number;
  /** Heap limit of each bot process, MB (`--max-old-space-size`). Default 2048. */
  heapMb?: number;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
// tsx by its file URL: the bot processes load TypeScript whatever the caller's cwd.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function isReply(m: unknown): m is PoolReply {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (
    typeof r.id === 'number' && (r.ok === true || (r.ok === false && typeof r.error === 'string'))
  );
}

/** One bot process: requests out, replies matched by id, failure when it ends unasked. */
class BotProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextId = 1;
  #ended: Error | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;

  constructor(
    readonly index: number,
    o: Required<Omit<PoolOptions, 'processes'>>,
  ) {
    this.#child = fork(CHILD, [], {
      execArgv: ['--import', TSX, `--max-old-space-size=${o.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const limit = setTimeout(() => this.kill(`over its limit of ${o.limitMs} ms`), o.limitMs);
    limit.unref();
    this.ready = new Promise((resolve, reject) =>
      this.#pending.set(0, { resolve: () => resolve(), reject }),
    );
    this.#child.on('message', (m: unknown) => {
      if (!isReply(m)) return this.kill(`sent a malformed message`);
      const waiter = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.ok) waiter?.resolve(m.value);
      else waiter?.reject(new Error(`bot process ${index}: ${m.error}`));
    });
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code, signal) => {
        clearTimeout(limit);
        this.#end(`exited (${signal ?? `code ${code}`})`);
        resolve();
      }),
    );
    this.#child.on('error', (e) => this.kill(e.message));
  }

  call<T>(req: PoolCall): Promise<T> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message: PoolRequest = { ...req, id };
      this.#child.send(message, (e) => {
        if (e) this.#end(`unreachable: ${e.message}`);
      });
    });
  }

  /** Ends the process now (SIGKILL); pending requests fail with `why`. */
  kill(why: string): void {
    this.#end(why);
    if (this.#child.exitCode === null && this.#child.signalCode === null)
      this.#child.kill('SIGKILL');
  }

  #end(why: string): void {
    this.#ended ??= new Error(`bot process ${this.index} ${why}`);
    for (const w of this.#pending.values()) w.reject(this.#ended);
    this.#pending.clear();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }
}

export class ProcessPool implements BotGroup {
  readonly #procs: BotProcess[];
  readonly #order = new Map<string, number>();
  #next = 0;
  #closed: Promise<void> | undefined;
  readonly #onExit = () => {
    for (const p of this.#procs) p.kill('stopped: the parent process exits');
  };

  private constructor(procs: BotProcess[]) {
    this.#procs = procs;
    process.once('exit', this.#onExit);
  }

  /** Forks the bot processes and waits until each has started. */
  static async start(o: PoolOptions): Promise<ProcessPool> {
    if (!Number.isInteger(o.processes) || o.processes < 1)
      throw new Error('a process pool needs at least one process');
    // The clip is made once here, not by K processes racing to write the same cache file.
    loadClip(DEFAULT_CLIP);
    const options = { limitMs: o.limitMs ?? 600_000, heapMb: o.heapMb ?? 2048 };
    const procs = Array.from({ length: o.processes }, (_, i) => new BotProcess(i, options));
    const pool = new ProcessPool(procs);
    try {
      await Promise.all(procs.map((p) => p.ready));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** The bot processes' ids (tests check they are gone after close). */
  get pids(): number[] {
    return this.#procs.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  }

  join(spec: BotSpec): Promise<void> {
    const proc = this.#procs[this.#next++ % this.#procs.length];
    if (!proc) return Promise.reject(new Error('no bot process'));
    this.#order.set(spec.name, this.#order.size);
    return proc.call({ op: 'join', spec });
  }

  async published(): Promise<void> {
    await this.#all('published');
  }

  async flowing(): Promise<{ name: string; flowing: number }[]> {
    return (await this.#all<{ name: string; flowing: number }[]>('flowing')).flat();
  }

  async snapshot(): Promise<BotReport[]> {
    const reports = (await this.#all<BotReport[]>('snapshot')).flat();
    const at = (r: BotReport) => this.#order.get(r.name) ?? Infinity;
    return reports.sort((a, b) => at(a) - at(b));
  }

  async cpuSeconds(): Promise<number[]> {
    return (await this.#all<number[]>('cpu')).flat();
  }

  async udpDrops(): Promise<(number | undefined)[]> {
    return (await this.#all<(number | undefined)[]>('drops')).flat();
  }

  /** Closes every bot, then ends the processes (killed if they do not exit within 15 s). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.all(
        this.#procs.map(async (p) => {
          const timer = setTimeout(() => p.kill('did not exit after close'), 15_000);
          if (!p.ended) await p.call({ op: 'close' }).catch(() => undefined);
          await p.exited;
          clearTimeout(timer);
        }),
      );
      process.off('exit', this.#onExit);
    })();
    return this.#closed;
  }

  #all<T>(op: 'published' | 'flowing' | 'snapshot' | 'cpu' | 'drops'): Promise<T[]> {
    return Promise.all(this.#procs.map((p) => p.call<T>({ op })));
  }
}
