// One load run: N publisher bots and M subscriber bots in one room for a while, then a
// report (per bot and in total: bitrate, loss, join times; the server's CPU when its
// /metrics can be read; the bots' own CPU). The bots run in bot processes (pool.ts) or in this
// one. Used by the CLI (cli.ts), the benchmarks and the tests.

import type { BotReport } from './Bot.ts';
import { LocalBots } from './botGroup.ts';
import type { BotGroup, BotSpec } from './botGroup.ts';
import type { Kind } from './peer.ts';
import { ProcessPool, defaultProcesses } from './pool.ts';
import { serverCpuSeconds } from './serverCpu.ts';

export interface LoadOptions {
  url: string;
  /** An existing room; default: a new one (`POST /api/rooms`, waiting room off). */
  roomId?: string;
  /** The room's host key: the first bot is then host and admits the others. */
  hostKey?: string;
  password?: string;
  publishers: number;
  subscribers: number;
  durationS: number;
  /** Publishers send Opus only. Default false (VP8 + Opus). */
  audioOnly?: boolean;
  /** Video consumers per bot at most (9 for a 3x3 grid). Default: every one. */
  maxVideo?: number;
  /** Simulcast layers publishers send to the SFU (Bot's `videoLayers`). Default 1. */
  videoLayers?: number;
  /** Bots' names start with this (a host bot admits exactly these). Default `bot`. */
  namePrefix?: string;
  /** Bots joining at once. Default 4. */
  concurrency?: number;
  /** Bearer token for the server's /metrics (METRICS_TOKEN), for its CPU figure. */
  metricsToken?: string;
  /**
   * Bot processes (pool.ts); 0 runs the bots in this process. Default: one per 30 bots
   * (`defaultProcesses`).
   */
  processes?: number;
  /**
   * The server runs in this process (the CLI's local one): with the bots in this process too
   * (`processes: 0`) its process CPU is theirs as well, so only the SFU workers' is counted.
   * Default false.
   */
  serverSharesProcess?: boolean;
  timeoutMs?: number;
}

export interface LoadResult {
  roomId: string;
  /** The measured window, ms: from all bots in to the end. */
  windowMs: number;
  /** Bot reports at the start and the end of the window. */
  before: BotReport[];
  after: BotReport[];
  /** Server CPU seconds (signaling process + SFU workers) over the window, when readable. */
  serverCpuS: number | undefined;
  /** What `serverCpuS` covers. */
  serverCpuScope: 'signaling + SFU workers' | 'SFU workers';
  /** CPU seconds over the window of each process the bots ran in. */
  botCpuS: number[];
  /**
   * Packets the kernel dropped at the bots' UDP sockets over the window (their receive buffers
   * were full: loss the bots caused, not the server); undefined off Linux.
   */
  botUdpDrops?: number | undefined;
}

async function createRoom(url: string): Promise<{ id: string; hostKey: string }> {
  const res = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ settings: { waitingRoom: false } }),
  });
  if (res.status !== 201) throw new Error(`POST /api/rooms: HTTP ${res.status}`);
  return (await res.json()) as { id: string; hostKey: string };
}

/**
 * Runs `task(i)` for i in 0..count-1 with at most `concurrency` in flight, in order. After a
 * failure no new task starts; it rejects with the first error once those in flight settled
 * (so every bot created is in the list the caller closes).
 */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < count && !failure) {
      try {
        await task(next++);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure) throw failure.error;
}

/** Starts the bots' group: this process (`processes: 0`) or a pool of bot processes. */
async function startGroup(o: LoadOptions): Promise<BotGroup> {
  const processes = o.processes ?? defaultProcesses(o.publishers + o.subscribers);
  if (processes === 0) return new LocalBots();
  // Joins at `concurrency`, the wait for media, the window: a process past this is stuck.
  const limitMs = 120_000 + o.durationS * 1000 + (o.publishers + o.subscribers) * 2_000;
  return ProcessPool.start({ processes, limitMs });
}

export async function runLoad(
  o: LoadOptions,
  log: (line: string) => void = () => undefined,
): Promise<LoadResult> {
  const prefix = o.namePrefix ?? 'bot';
  const room = o.roomId ? { id: o.roomId, hostKey: o.hostKey } : await createRoom(o.url);
  const publish: Kind[] = o.audioOnly ? ['audio'] : ['audio', 'video'];
  const total = o.publishers + o.subscribers;
  const spec = (i: number): BotSpec => {
    const publisher = i < o.publishers;
    const name = `${prefix}-${publisher ? 'pub' : 'sub'}-${publisher ? i : i - o.publishers}`;
    return {
      url: o.url,
      roomId: room.id,
      name,
      ...(i === 0 && room.hostKey ? { hostKey: room.hostKey, admitPrefix: prefix } : {}),
      ...(o.password ? { password: o.password } : {}),
      publish: publisher ? publish : [],
      ...(o.maxVideo !== undefined ? { maxVideo: o.maxVideo } : {}),
      ...(o.videoLayers !== undefined ? { videoLayers: o.videoLayers } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    };
  };
  const group = await startGroup(o);
  const join = (i: number) => group.join(spec(i));
  const concurrency = o.concurrency ?? 4;
  const timeoutMs = o.timeoutMs ?? 20_000;
  try {
    // The host first (it admits the others when the room has a waiting room), then the other
    // publishers; subscribers join once those publish (when the room is on the SFU by then),
    // so their join times are a newcomer's in a running meeting, not the publishers' start.
    if (total > 0) await join(0);
    await pool(Math.max(0, o.publishers - 1), concurrency, (k) => join(k + 1));
    await withDeadline(group.published(), timeoutMs);
    const first = Math.min(total, Math.max(1, o.publishers));
    await pool(total - first, concurrency, (k) => join(first + k));
    log(`${total} bots in room ${room.id}; waiting for media to flow`);
    // The window measures the steady state: it starts once every bot receives what it should
    // (or after the timeout; the report then names who does not).
    await waitFor(
      async () => (await group.flowing()).every((b) => b.flowing >= expectedConsumers(o, b)),
      timeoutMs,
    );
    log(`measuring for ${o.durationS} s`);
    const serverShared = o.serverSharesProcess === true && group instanceof LocalBots;
    const cpu0 = await serverCpuSeconds(o.url, o.metricsToken, serverShared);
    const bots0 = await group.cpuSeconds();
    const drops0 = await group.udpDrops();
    const t0 = Date.now();
    const before = await group.snapshot();
    await new Promise((resolve) => setTimeout(resolve, o.durationS * 1000));
    const after = await group.snapshot();
    const windowMs = Date.now() - t0;
    const bots1 = await group.cpuSeconds();
    const drops1 = await group.udpDrops();
    const cpu1 = await serverCpuSeconds(o.url, o.metricsToken, serverShared);
    return {
      roomId: room.id,
      windowMs,
      before,
      after,
      serverCpuS: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
      serverCpuScope: serverShared ? 'SFU workers' : 'signaling + SFU workers',
      botCpuS: bots1.map((c, i) => c - (bots0[i] ?? 0)),
      botUdpDrops: dropsOver(drops0, drops1),
    };
  } finally {
    await group.close();
  }
}

function dropsOver(a: (number | undefined)[], b: (number | undefined)[]): number | undefined {
  let total = 0;
  for (const [i, end] of b.entries()) {
    const start = a[i];
    if (end === undefined || start === undefined) return undefined;
    // A socket closed in the window takes its count along: never below zero.
    total += Math.max(0, end - start);
  }
  return total;
}

/** How many consumers a bot should end up with: the other publishers' producers it takes. */
export function expectedConsumers(o: LoadOptions, bot: { name: string }): number {
  const others = o.publishers - (bot.name.includes('-pub-') ? 1 : 0);
  const video = o.audioOnly ? 0 : Math.min(others, o.maxVideo ?? Infinity);
  return others + video;
}

/** Resolves when `p` does or after `ms` (whichever first); rejects only if `p` does. */
async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Polls `check` every 250 ms until it holds or `ms` passed. */
async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
}
