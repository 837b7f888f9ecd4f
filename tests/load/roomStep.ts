// One measured load run in the figures a benchmark step needs (the `meeting` and `audio-only`
// scenarios step a room's size with it): loss, the server's CPU, the bots' own CPU (to tell
// whose limit a step hit) and the packets the bots received.

import os from 'node:os';
import { DEFAULT_CLIP } from './clip.ts';
import { summarize } from './report.ts';
import { expectedConsumers, runLoad } from './run.ts';
import type { LoadOptions, LoadResult } from './run.ts';

export interface RoomStep {
  participants: number;
  publishers: number;
  /** Lost / expected at the bots over the window, percent. */
  lossPct: number;
  /** What failed (a bot's error, a consumer without media or keyframe); empty when none. */
  failures: string[];
  /** Signaling + SFU workers over the window, in cores; undefined when /metrics was unreadable. */
  serverCores: number | undefined;
  /** The bots' processes over the window, in cores: in total and the busiest one. */
  botCores: number;
  botMaxProcessCores: number;
  botProcesses: number;
  /**
   * Video frames per second the publishers sent (their mean). Below the clip's 30, the bots'
   * processes fell behind: starved of CPU, by themselves or by other work on the machine.
   */
  publisherFps: number | undefined;
  /** Opus packets per second the publishers sent (their mean); the clip sends 50. */
  publisherAudioRate: number | undefined;
  /** Packets lost at the bots over the window, and how many of them their own sockets dropped. */
  lostPackets: number;
  botSocketDrops: number | undefined;
  /** RTP packets the bots received per second (what the SFU forwarded, less what was lost). */
  packetsPerSecond: number;
  /** Server CPU per received packet, us. */
  usPerPacket: number | undefined;
  /** 1-minute load average at the end of the window (the machine is shared). */
  loadAverage: number;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function packetsOf(result: LoadResult): { packets: number; lost: number } {
  const before = new Map(result.before.map((b) => [b.name, b]));
  let packets = 0;
  let lost = 0;
  for (const a of result.after) {
    const b = before.get(a.name);
    for (const c of a.consumers) {
      const start = b?.consumers.find((x) => x.consumerId === c.consumerId)?.counts;
      packets += c.counts.packets - (start?.packets ?? 0);
      lost += c.counts.lost - (start?.lost ?? 0);
    }
  }
  return { packets, lost: Math.max(0, lost) };
}

/** Mean per second over the publishers that sent any (frames, or audio packets). */
function meanRate(counts: (number | undefined)[], seconds: number): number | undefined {
  const sent = counts.flatMap((c) => (c ? [c] : []));
  if (sent.length === 0 || seconds <= 0) return undefined;
  return round(sent.reduce((a, b) => a + b, 0) / sent.length / seconds, 1);
}

/** Opus packets a publisher bot sends per second (20 ms frames). */
const AUDIO_RATE = 50;

/** Runs one load run (a new room on `o.url`) and reduces it to a step's figures. */
export async function measureRoom(o: LoadOptions, log?: (line: string) => void): Promise<RoomStep> {
  const result = await runLoad(o, log);
  const summary = summarize(result, {
    consumersPerBot: (bot) => expectedConsumers(o, bot),
    // Loss is a figure here, not a failure: the steps decide what is too much.
    maxLossPct: Infinity,
  });
  const seconds = result.windowMs / 1000;
  const { packets, lost } = packetsOf(result);
  const serverCores =
    summary.serverCpuPct === undefined ? undefined : round(summary.serverCpuPct / 100, 3);
  return {
    participants: o.publishers + o.subscribers,
    publishers: o.publishers,
    lossPct: round(summary.lossPct, 3),
    failures: summary.failures,
    serverCores,
    botCores: round(summary.botCpu.totalPct / 100, 3),
    botMaxProcessCores: round(summary.botCpu.maxProcessPct / 100, 3),
    botProcesses: summary.botCpu.processes,
    publisherFps: meanRate(
      summary.rows.map((r) => r.txFrames),
      seconds,
    ),
    publisherAudioRate: meanRate(
      summary.rows.map((r) => r.txAudio),
      seconds,
    ),
    lostPackets: lost,
    botSocketDrops: result.botUdpDrops,
    packetsPerSecond: Math.round(packets / seconds),
    usPerPacket:
      result.serverCpuS === undefined || packets === 0
        ? undefined
        : round((result.serverCpuS / packets) * 1e6),
    loadAverage: round(os.loadavg()[0] ?? 0),
  };
}

/**
 * Why the bots, not the server, limited a step, or undefined: their publishers sent under 90 %
 * of the clip's frame rate or audio packet rate (starved, whoever took the CPU), their own sockets dropped half of
 * the packets lost or more, one bot process near a full core, or the bots and the server
 * together near every core of the machine.
 */
export function botsSaturated(
  step: RoomStep,
  cores = os.availableParallelism(),
): string | undefined {
  if (step.publisherFps !== undefined && step.publisherFps < 0.9 * DEFAULT_CLIP.fps)
    return `the publisher bots sent ${step.publisherFps} of the clip's ${DEFAULT_CLIP.fps} frames/s`;
  if (step.publisherAudioRate !== undefined && step.publisherAudioRate < 0.9 * AUDIO_RATE)
    return `the publisher bots sent ${step.publisherAudioRate} of ${AUDIO_RATE} audio packets/s`;
  const drops = step.botSocketDrops ?? 0;
  if (step.lostPackets > 0 && drops >= step.lostPackets / 2)
    return `the bots' own sockets dropped ${drops} of the ${step.lostPackets} packets lost (receive buffers full)`;
  if (step.botMaxProcessCores >= 0.85)
    return `a bot process used ${step.botMaxProcessCores} of a core`;
  if (step.botCores + (step.serverCores ?? 0) >= 0.9 * cores)
    return `bots (${step.botCores} cores) and server (${step.serverCores} cores) filled the ${cores} cores`;
  return undefined;
}
