// A set of bots a load run drives, wherever they run: in this process (`LocalBots`) or spread
// over child processes (`ProcessPool`, pool.ts). run.ts and the benchmarks only see this.

import './socketBuffers.ts';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Bot } from './Bot.ts';
import type { BotOptions, BotReport } from './Bot.ts';
import { DEFAULT_CLIP, loadClip } from './clip.ts';
import type { Clip } from './clip.ts';

/** A bot's options as data (no clip: a publisher sends the default clip). */
export type BotSpec = Omit<BotOptions, 'clip'>;

export interface BotGroup {
  /** Creates the bot and joins it; resolves once it is admitted. */
  join(spec: BotSpec): Promise<void>;
  /** Resolves once every publisher's producers exist; rejects if one failed to publish. */
  published(): Promise<void>;
  /** Per bot: consumers that received at least one packet. */
  flowing(): Promise<{ name: string; flowing: number }[]>;
  /** Every bot's report, in join order. */
  snapshot(): Promise<BotReport[]>;
  /** CPU seconds used so far by each process the bots run in. */
  cpuSeconds(): Promise<number[]>;
  /**
   * Per process: packets the kernel dropped so far at its open UDP sockets (receive buffer
   * full: the bots fell behind), or undefined off Linux.
   */
  udpDrops(): Promise<(number | undefined)[]>;
  /** Closes every bot (and process). Idempotent. */
  close(): Promise<void>;
}

/** The bots in this process: one core at most (about 70 receiving bots, docs/load.md). */
export class LocalBots implements BotGroup {
  readonly #bots: Bot[] = [];
  #clip: Clip | undefined;

  async join(spec: BotSpec): Promise<void> {
    if (spec.publish.length > 0) this.#clip ??= loadClip(DEFAULT_CLIP);
    const bot = new Bot({ ...spec, ...(this.#clip ? { clip: this.#clip } : {}) });
    this.#bots.push(bot);
    await bot.join();
  }

  async published(): Promise<void> {
    await Promise.all(this.#bots.map((b) => b.published));
  }

  flowing(): Promise<{ name: string; flowing: number }[]> {
    return Promise.resolve(this.#bots.map((b) => ({ name: b.report.name, flowing: b.flowing })));
  }

  snapshot(): Promise<BotReport[]> {
    return Promise.resolve(this.#bots.map((b) => b.snapshot()));
  }

  cpuSeconds(): Promise<number[]> {
    const u = process.cpuUsage();
    return Promise.resolve([(u.user + u.system) / 1e6]);
  }

  udpDrops(): Promise<(number | undefined)[]> {
    return Promise.resolve([udpDropsOfThisProcess()]);
  }

  async close(): Promise<void> {
    await Promise.all(this.#bots.map((b) => b.close()));
  }
}

/** The `drops` column of /proc/net/udp{,6} summed over this process's sockets (Linux). */
export function udpDropsOfThisProcess(): number | undefined {
  if (!existsSync('/proc/self/fd') || !existsSync('/proc/net/udp')) return undefined;
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing (and the listing's own fd): not a socket of ours
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  let drops = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6'].filter((f) => existsSync(f))) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
      const cols = line.trim().split(/\s+/);
      if (cols.length > 12 && inodes.has(cols[9] ?? '')) drops += Number(cols[12]);
    }
  }
  return drops;
}
