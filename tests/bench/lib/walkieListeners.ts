// Walkie-talkie listener bots for the capacity bench (issue #16), spread over child processes
// (walkieListenersChild.ts): each listener joins a team and listens to 1-4 of its channels.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'walkieListenersChild.ts');

export interface ListenersConfig {
  url: string;
  teamId: string;
  /** The team's channel ids, in order. */
  channels: string[];
}

/**
 * Listener `i` hears 1 + (i mod 4) channels, from channel i mod 4 on (wrapping): every count
 * from 1 to 4 equally often, every channel equally loaded (2.5 channels a listener on average).
 */
export function channelsOf(i: number, channels: readonly string[]): string[] {
  const n = channels.length;
  return Array.from({ length: 1 + (i % n) }, (_, k) => channels[(i + k) % n] as string);
}

export interface Counts {
  packets: number;
  lost: number;
  expected: number;
  /** Channel consumers that received nothing yet. */
  silent: number;
}

type Line = { event: string } & Record<string, unknown>;

class Child {
  readonly #waiting: ((line: Line) => void)[] = [];
  /** Lines that came before anyone waited for them (a process's start, while another's is awaited). */
  readonly #early: Line[] = [];
  readonly #exited: Promise<void>;
  pid = 0;

  constructor(readonly proc: ChildProcess) {
    this.#exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    if (!proc.stdout) throw new Error('no stdout');
    createInterface({ input: proc.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#early.push(line);
    });
  }

  next(what: string, timeoutMs: number): Promise<Line> {
    const early = this.#early.shift();
    if (early) {
      if (early.event === 'failed') return Promise.reject(new Error(`listeners failed: ${String(early.error)}`)); // prettier-ignore
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`listeners: no ${what} in time`)), timeoutMs);
      this.#waiting.push((line) => {
        clearTimeout(timer);
        if (line.event === 'failed') reject(new Error(`listeners failed: ${String(line.error)}`));
        else resolve(line);
      });
      void this.#exited.then(() => reject(new Error('a listeners process exited')));
    });
  }

  send(msg: Record<string, unknown>): void {
    this.proc.stdin?.write(`${JSON.stringify(msg)}\n`);
  }

  async close(): Promise<void> {
    this.proc.stdin?.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

export class ListenerPool {
  #count = 0;

  private constructor(private readonly children: Child[]) {}

  static async start(config: ListenersConfig, processes: number): Promise<ListenerPool> {
    const children = Array.from({ length: processes }, () => {
      const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      return new Child(proc);
    });
    const pool = new ListenerPool(children);
    try {
      for (const c of children) c.pid = Number((await c.next('start', 60_000)).pid);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  get count(): number {
    return this.#count;
  }

  /** Adds listeners up to `total`, round-robin over the processes; returns their consumer ids. */
  async grow(total: number): Promise<string[]> {
    const byChild = this.children.map(() => [] as number[]);
    for (let i = this.#count; i < total; i++) byChild[i % byChild.length]?.push(i);
    this.#count = Math.max(this.#count, total);
    const replies = await Promise.all(
      this.children.map((c, k) => {
        const reply = c.next('added', 120_000);
        c.send({ cmd: 'add', indexes: byChild[k] });
        return reply;
      }),
    );
    return replies.flatMap((r) => r.consumerIds as string[]);
  }

  async counts(): Promise<Counts> {
    const all = await Promise.all(
      this.children.map((c) => {
        const reply = c.next('counts', 10_000);
        c.send({ cmd: 'counts' });
        return reply;
      }),
    );
    const sum = (k: keyof Counts) => all.reduce((s, r) => s + Number(r[k]), 0);
    return { packets: sum('packets'), lost: sum('lost'), expected: sum('expected'), silent: sum('silent') }; // prettier-ignore
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.close()));
  }
}
