// Turns a load run's bot snapshots into figures (per participant and in total) and a verdict.
// Pure: the CLI prints it, tests check it.

import type { BotReport, ConsumerReport } from './Bot.ts';
import type { LoadResult } from './run.ts';

export interface ParticipantRow {
  name: string;
  role: string;
  /** `join` sent -> `joined` (admission included), ms. */
  joinMs: number | undefined;
  /** `join` sent -> first RTP of its first and of its last consumer, ms. */
  firstMediaMs: number | undefined;
  allMediaMs: number | undefined;
  /** `join` sent -> first keyframe of every video consumer (the slowest), ms. */
  keyframeMs: number | undefined;
  consumers: number;
  /** Received over the window, kbit/s (RTP payload). */
  rxKbps: number;
  /** Lost / expected over the window, percent. */
  lossPct: number;
  /** Video frames and audio packets sent over the window (publishers). */
  txFrames: number | undefined;
  txAudio: number | undefined;
  errors: string[];
}

export interface Summary {
  rows: ParticipantRow[];
  totalRxKbps: number;
  lossPct: number;
  /** Over the participants that have one. */
  joinMs: { p50: number; p95: number } | undefined;
  keyframeMs: { p50: number; p95: number } | undefined;
  /** Server CPU over the window, percent of one core, and what it covers. */
  serverCpuPct: number | undefined;
  serverCpuScope: string;
  /**
   * The bots' own CPU over the window: in total and their busiest process, percent of one
   * core. A process near 100 % (or a total near the machine's cores) means the bots, not the
   * server, were the limit.
   */
  botCpu: { processes: number; totalPct: number; maxProcessPct: number };
  /** Packets dropped at the bots' own UDP sockets over the window (the bots fell behind). */
  botUdpDrops: number | undefined;
  failures: string[];
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

const since = (start: number, at: number | undefined) =>
  at === undefined ? undefined : at - start;

function maxOf(values: (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
  return Math.max(...(values as number[]));
}

function rowOf(before: BotReport | undefined, after: BotReport, windowMs: number): ParticipantRow {
  const earlier = new Map<string, ConsumerReport>(
    (before?.consumers ?? []).map((c) => [c.consumerId, c]),
  );
  let bytes = 0;
  let lost = 0;
  let expected = 0;
  for (const c of after.consumers) {
    const b = earlier.get(c.consumerId)?.counts;
    bytes += c.counts.bytes - (b?.bytes ?? 0);
    lost += c.counts.lost - (b?.lost ?? 0);
    expected += c.counts.expected - (b?.expected ?? 0);
  }
  const start = after.joinStartedAt;
  const firsts = after.consumers.map((c) => since(start, c.counts.firstPacketAt));
  const known = firsts.filter((v) => v !== undefined);
  const video = after.consumers.filter((c) => c.kind === 'video');
  return {
    name: after.name,
    role: after.role ?? '-',
    joinMs: since(start, after.joinedAt),
    firstMediaMs: known.length > 0 ? Math.min(...known) : undefined,
    allMediaMs: maxOf(firsts),
    keyframeMs: maxOf(video.map((c) => since(start, c.counts.firstKeyframeAt))),
    consumers: after.consumers.length,
    rxKbps: windowMs > 0 ? (bytes * 8) / windowMs : 0,
    lossPct: expected > 0 ? (100 * Math.max(0, lost)) / expected : 0,
    txFrames: after.sent ? after.sent.videoFrames - (before?.sent?.videoFrames ?? 0) : undefined,
    txAudio: after.sent ? after.sent.audioPackets - (before?.sent?.audioPackets ?? 0) : undefined,
    errors: after.errors,
  };
}

export interface Expectations {
  /** Each bot should receive this many consumers (the others' producers it subscribes to). */
  consumersPerBot: (bot: BotReport) => number;
  /** Above this loss (percent) a run fails. */
  maxLossPct: number;
}

export function summarize(result: LoadResult, expect: Expectations): Summary {
  // Matched by name: bots from several processes come back in join order, but a bot that
  // joined late may be missing from `before`.
  const before = new Map(result.before.map((b) => [b.name, b]));
  const rows = result.after.map((a) => rowOf(before.get(a.name), a, result.windowMs));
  const failures: string[] = [];
  result.after.forEach((bot, i) => {
    const row = rows[i];
    if (!row) return;
    for (const e of bot.errors) failures.push(`${bot.name}: ${e}`);
    const want = expect.consumersPerBot(bot);
    const flowing = bot.consumers.filter((c) => c.counts.packets > 0).length;
    if (flowing < want) failures.push(`${bot.name}: media from ${flowing} of ${want} consumers`);
    const noKey = bot.consumers.filter((c) => c.kind === 'video' && c.counts.keyframes === 0);
    if (noKey.length > 0) failures.push(`${bot.name}: ${noKey.length} video without a keyframe`);
    if (row.lossPct > expect.maxLossPct) {
      failures.push(`${bot.name}: ${row.lossPct.toFixed(2)} % loss`);
    }
  });
  const all = { lost: 0, expected: 0 };
  for (const a of result.after) {
    for (const c of a.consumers) {
      const b = before.get(a.name)?.consumers.find((x) => x.consumerId === c.consumerId)?.counts;
      all.lost += c.counts.lost - (b?.lost ?? 0);
      all.expected += c.counts.expected - (b?.expected ?? 0);
    }
  }
  const joins = rows.map((r) => r.joinMs).filter((v) => v !== undefined);
  const keys = rows.map((r) => r.keyframeMs).filter((v) => v !== undefined);
  const pctOf = (cpuS: number) => (result.windowMs > 0 ? (100 * cpuS * 1000) / result.windowMs : 0);
  const spread = (v: number[]) =>
    v.length > 0 ? { p50: percentile(v, 50), p95: percentile(v, 95) } : undefined;
  return {
    rows,
    totalRxKbps: rows.reduce((s, r) => s + r.rxKbps, 0),
    lossPct: all.expected > 0 ? (100 * Math.max(0, all.lost)) / all.expected : 0,
    joinMs: spread(joins),
    keyframeMs: spread(keys),
    serverCpuScope: result.serverCpuScope,
    serverCpuPct:
      result.serverCpuS === undefined
        ? undefined
        : (100 * result.serverCpuS * 1000) / result.windowMs,
    botCpu: {
      processes: result.botCpuS.length,
      totalPct: pctOf(result.botCpuS.reduce((a, b) => a + b, 0)),
      maxProcessPct: pctOf(Math.max(0, ...result.botCpuS)),
    },
    botUdpDrops: result.botUdpDrops,
    failures,
  };
}

const ms = (v: number | undefined) => (v === undefined ? '-' : String(Math.round(v)));

/** The report as text lines (a table per participant, then totals and failures). */
export function formatSummary(s: Summary): string[] {
  const head = [
    'participant',
    'role',
    'join',
    'media',
    'all',
    'keyfr',
    'cons',
    'rx kbps',
    'loss %',
    'tx fr',
    'tx au',
  ];
  const table = [
    head,
    ...s.rows.map((r) => [
      r.name,
      r.role,
      ms(r.joinMs),
      ms(r.firstMediaMs),
      ms(r.allMediaMs),
      ms(r.keyframeMs),
      String(r.consumers),
      r.rxKbps.toFixed(0),
      r.lossPct.toFixed(2),
      r.txFrames === undefined ? '-' : String(r.txFrames),
      r.txAudio === undefined ? '-' : String(r.txAudio),
    ]),
  ];
  const widths = head.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  '));
  lines.push(
    '',
    `total received: ${s.totalRxKbps.toFixed(0)} kbit/s, loss ${s.lossPct.toFixed(2)} %`,
    `join (ms, join sent -> joined): ${s.joinMs ? `p50 ${ms(s.joinMs.p50)}, p95 ${ms(s.joinMs.p95)}` : '-'}`,
    `first keyframe of every video (ms after join sent): ${s.keyframeMs ? `p50 ${ms(s.keyframeMs.p50)}, p95 ${ms(s.keyframeMs.p95)}` : '-'}`,
    `server CPU (${s.serverCpuScope}): ${s.serverCpuPct === undefined ? 'unknown (/metrics not readable)' : `${s.serverCpuPct.toFixed(1)} % of one core`}`,
    `bots' CPU (${s.botCpu.processes} process${s.botCpu.processes === 1 ? '' : 'es'}): ${s.botCpu.totalPct.toFixed(1)} % of one core, busiest process ${s.botCpu.maxProcessPct.toFixed(1)} %`,
    `dropped at the bots' own sockets (receive buffer full): ${s.botUdpDrops ?? 'unknown'} packets`,
  );
  if (s.failures.length > 0) lines.push('', 'FAILED:', ...s.failures.map((f) => `  ${f}`));
  return lines;
}
