// Starts entries/server.ts in a child process (raising its open-files limit first) and talks
// to it over JSON lines.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), '../entries/server.ts');

export interface ServerStats {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
  /** Event-loop delay since the previous stats call (the first includes startup). */
  loopDelay: { p50Ms?: number; p99Ms: number; maxMs: number };
  gc: boolean;
}

export interface ServerProcess {
  url: string;
  pid: number;
  stats(): Promise<ServerStats>;
  /** Closes stdin (the server shuts down) and waits for the exit; SIGKILL after 10 s. */
  stop(): Promise<void>;
}

type Line = Record<string, unknown> & { event: string };

export interface ServerProcessOptions {
  /** Where the server's SQLite directory goes (default: the OS temp dir, on disk here). */
  dataRoot?: string;
  openFiles?: number;
  /** argon2 hashes at once (HASH_CONCURRENCY); default: the server's default. */
  hashConcurrency?: number;
}

export async function startServerProcess(
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const { dataRoot, openFiles = 65_536, hashConcurrency } = options;
  // The shell raises the soft (and, as root, hard) limit; `exec` keeps the pid the node pid.
  const command =
    `ulimit -n ${openFiles} 2>/dev/null || ulimit -n $(ulimit -Hn); ` +
    `exec node --expose-gc --import tsx "${ENTRY}"`;
  const env = {
    ...process.env,
    ...(dataRoot ? { PARLEY_BENCH_DATA_DIR: dataRoot } : {}),
    ...(hashConcurrency ? { PARLEY_BENCH_HASH_CONCURRENCY: String(hashConcurrency) } : {}),
  };
  const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting: ((line: Line) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    waiting.shift()?.(JSON.parse(text) as Line);
  });
  const next = (): Promise<Line> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      void exited.then(() => reject(new Error('bench server exited')));
    });
  const ready = await withTimeout(next(), 30_000, 'bench server did not start');
  return {
    url: String(ready.url),
    pid: Number(ready.pid),
    async stats() {
      const answer = next();
      child.stdin!.write('{"cmd":"stats"}\n');
      return (await withTimeout(answer, 30_000, 'no stats')) as unknown as ServerStats;
    },
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
