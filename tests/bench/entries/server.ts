// A Parley signaling server in its own process, so that its memory and CPU are measured
// without the load generator's. Started by lib/serverProcess.ts with `--expose-gc`.
//
// stdout: one JSON line `{"event":"ready","url","pid"}`, then one line per command answered.
// stdin: JSON lines `{"cmd":"stats"}` (full GC, then memory and CPU); EOF stops the server.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { quietLog, startServer } from '@parley/signaling';
import { LOOPBACK_LIMITS } from '../../integration/support/server.ts';

const gc = (globalThis as { gc?: () => void }).gc;
// How long callbacks waited for the event loop since the previous `stats` (ms).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

function reply(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function stats(): Record<string, unknown> {
  // Twice: the first pass may only finish weak callbacks that free more in the second.
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  const loopDelay = {
    p50Ms: loop.percentile(50) / 1e6,
    p99Ms: loop.percentile(99) / 1e6,
    maxMs: loop.max / 1e6,
  };
  loop.reset();
  return { event: 'stats', memory, cpu: process.cpuUsage(), loopDelay, gc: gc !== undefined };
}

/** PARLEY_BENCH_HASH_CONCURRENCY sets HASH_CONCURRENCY (the argon2 scenario compares two). */
function hashLimits(): { concurrency: number; queueMax: number } {
  const concurrency = Number(process.env.PARLEY_BENCH_HASH_CONCURRENCY);
  const { hash } = LOOPBACK_LIMITS;
  return Number.isInteger(concurrency) && concurrency > 0 ? { ...hash, concurrency } : hash;
}

async function main(): Promise<void> {
  // PARLEY_BENCH_DATA_DIR puts SQLite elsewhere (e.g. /dev/shm) to separate disk from CPU.
  const root = process.env.PARLEY_BENCH_DATA_DIR || tmpdir();
  const dataDir = mkdtempSync(path.join(root, 'parley-bench-server-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    staticDir: undefined,
    stunUrls: [],
    turn: undefined,
    sfu: undefined,
    hls: undefined,
    resumeWindowMs: 0,
    // Idle sockets must stay open for the whole measurement (the default closes them at 15 s).
    joinTimeoutMs: 3_600_000,
    // The load generator is one address with thousands of sockets (issue #14's limits are off).
    limits: { ...LOOPBACK_LIMITS, hash: hashLimits() },
    log: quietLog,
  });
  reply({ event: 'ready', url: server.url, pid: process.pid });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { cmd } = JSON.parse(line) as { cmd?: string };
    if (cmd === 'stats') reply(stats());
    else reply({ event: 'error', message: `unknown command ${String(cmd)}` });
  });
  lines.on('close', () => {
    void server.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

void main();
