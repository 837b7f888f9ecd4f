// One load run: N publisher bots and M subscriber bots in one room for a while, then a
// report (per bot and in total: bitrate, loss, join times; the server's CPU when its
// /metrics can be read). Used by the CLI (cli.ts) and the tests.

import { Bot } from './Bot.ts';
import type { BotReport } from './Bot.ts';
import { DEFAULT_CLIP, loadClip } from './clip.ts';
import type { Kind } from './peer.ts';
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
  /** Bots' names start with this (a host bot admits exactly these). Default `bot`. */
  namePrefix?: string;
  /** Bots joining at once. Default 4. */
  concurrency?: number;
  /** Bearer token for the server's /metrics (METRICS_TOKEN), for its CPU figure. */
  metricsToken?: string;
  /**
   * The server runs in this process (the CLI's local one): its process CPU is the bots' too,
   * so only the SFU workers' CPU is counted. Default false.
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

export async function runLoad(o: LoadOptions, log: (line: string) => void = () => undefined) {
  const prefix = o.namePrefix ?? 'bot';
  const room = o.roomId ? { id: o.roomId, hostKey: o.hostKey } : await createRoom(o.url);
  const publish: Kind[] = o.audioOnly ? ['audio'] : ['audio', 'video'];
  const clip = o.publishers > 0 ? loadClip(DEFAULT_CLIP) : undefined;
  const total = o.publishers + o.subscribers;
  const bots: Bot[] = [];
  const make = (i: number) => {
    const publisher = i < o.publishers;
    const name = `${prefix}-${publisher ? 'pub' : 'sub'}-${publisher ? i : i - o.publishers}`;
    return new Bot({
      url: o.url,
      roomId: room.id,
      name,
      ...(i === 0 && room.hostKey ? { hostKey: room.hostKey, admitPrefix: prefix } : {}),
      ...(o.password ? { password: o.password } : {}),
      publish: publisher ? publish : [],
      ...(clip ? { clip } : {}),
      ...(o.maxVideo !== undefined ? { maxVideo: o.maxVideo } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
  };
  const join = async (i: number) => {
    const bot = make(i);
    bots.push(bot);
    await bot.join();
  };
  const concurrency = o.concurrency ?? 4;
  try {
    // The host first (it admits the others when the room has a waiting room), then the other
    // publishers; subscribers join once those publish (when the room is on the SFU by then),
    // so their join times are a newcomer's in a running meeting, not the publishers' start.
    if (total > 0) await join(0);
    await pool(Math.max(0, o.publishers - 1), concurrency, (k) => join(k + 1));
    await withDeadline(Promise.all(bots.map((b) => b.published)), o.timeoutMs ?? 20_000);
    const first = bots.length;
    await pool(total - first, concurrency, (k) => join(first + k));
    log(`${bots.length} bots in room ${room.id}; waiting for media to flow`);
    // The window measures the steady state: it starts once every bot receives what it should
    // (or after the timeout; the report then names who does not).
    await waitFor(
      () => bots.every((b) => b.flowing >= expectedConsumers(o, b.snapshot())),
      o.timeoutMs ?? 20_000,
    );
    log(`measuring for ${o.durationS} s`);
    const cpu0 = await serverCpuSeconds(o.url, o.metricsToken, o.serverSharesProcess);
    const t0 = Date.now();
    const before = bots.map((b) => b.snapshot());
    await new Promise((resolve) => setTimeout(resolve, o.durationS * 1000));
    const after = bots.map((b) => b.snapshot());
    const windowMs = Date.now() - t0;
    const cpu1 = await serverCpuSeconds(o.url, o.metricsToken, o.serverSharesProcess);
    const serverCpuS = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
    const serverCpuScope = o.serverSharesProcess ? 'SFU workers' : 'signaling + SFU workers';
    return {
      roomId: room.id,
      windowMs,
      before,
      after,
      serverCpuS,
      serverCpuScope,
    } satisfies LoadResult;
  } finally {
    await Promise.all(bots.map((b) => b.close()));
  }
}

/** How many consumers a bot should end up with: the other publishers' producers it takes. */
export function expectedConsumers(o: LoadOptions, bot: BotReport): number {
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

/** Polls `check` every 100 ms until it holds or `ms` passed. */
async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}
