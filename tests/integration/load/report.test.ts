import { describe, expect, it } from 'vitest';
import { formatSummary, percentile, summarize } from '../../load/report.ts';
import { cpuSecondsOf } from '../../load/serverCpu.ts';
import { expectedConsumers } from '../../load/run.ts';
import type { BotReport } from '../../load/Bot.ts';
import type { RtpCounts } from '../../load/rtpCounter.ts';

const counts = (o: Partial<RtpCounts>): RtpCounts => ({
  packets: 0,
  bytes: 0,
  frames: 0,
  keyframes: 0,
  lost: 0,
  expected: 0,
  firstPacketAt: undefined,
  firstKeyframeAt: undefined,
  ...o,
});

function bot(name: string, consumers: BotReport['consumers'], errors: string[] = []): BotReport {
  return {
    name,
    peerId: `id-${name}`,
    role: 'guest',
    joinedMode: 'sfu',
    joinStartedAt: 1000,
    joinedAt: 1100,
    consumers,
    sent: undefined,
    errors,
  };
}

describe('a load run in figures', () => {
  it('gives bitrate and loss over the window, join and keyframe times, and failures', () => {
    const video = (bytes: number, lost: number, expected: number, key?: number) => ({
      consumerId: 'v',
      producerPeerId: 'p',
      kind: 'video' as const,
      counts: counts({
        packets: expected - lost,
        bytes,
        lost,
        expected,
        keyframes: key ? 1 : 0,
        firstPacketAt: 1300,
        ...(key ? { firstKeyframeAt: key } : {}),
      }),
    });
    const result = {
      roomId: 'r',
      windowMs: 2000,
      before: [bot('bot-sub-0', [video(1000, 0, 100, 1400)]), bot('bot-sub-1', [])],
      after: [bot('bot-sub-0', [video(251_000, 2, 300, 1400)]), bot('bot-sub-1', [], ['boom'])],
      serverCpuS: 0.5,
      serverCpuScope: 'SFU workers' as const,
      botCpuS: [0.2, 1.2],
      botUdpDrops: 7,
    };
    const s = summarize(result, { consumersPerBot: () => 1, maxLossPct: 0.5 });
    expect(s.rows[0]).toMatchObject({
      joinMs: 100,
      firstMediaMs: 300,
      keyframeMs: 400,
      rxKbps: 1000,
    });
    expect(s.rows[0]?.lossPct).toBeCloseTo(1);
    expect(s.serverCpuPct).toBeCloseTo(25);
    expect(s.botCpu.processes).toBe(2);
    expect(s.botCpu.totalPct).toBeCloseTo(70);
    expect(s.botCpu.maxProcessPct).toBeCloseTo(60);
    expect(formatSummary(s).join('\n')).toContain(
      "bots' own sockets (receive buffer full): 7 packets",
    );
    expect(s.failures).toEqual([
      'bot-sub-0: 1.00 % loss',
      'bot-sub-1: boom',
      'bot-sub-1: media from 0 of 1 consumers',
    ]);
    expect(formatSummary(s).join('\n')).toContain('FAILED:');
  });

  it("pairs the window's start and end by bot name (bot processes answer in any order)", () => {
    const audio = (packets: number) => ({
      consumerId: 'a',
      producerPeerId: 'p',
      kind: 'audio' as const,
      counts: counts({ packets, expected: packets, bytes: packets * 100, firstPacketAt: 1200 }),
    });
    const s = summarize(
      {
        roomId: 'r',
        windowMs: 1000,
        before: [bot('bot-sub-1', [audio(50)]), bot('bot-sub-0', [audio(10)])],
        after: [bot('bot-sub-0', [audio(60)]), bot('bot-sub-1', [audio(100)])],
        serverCpuS: undefined,
        serverCpuScope: 'signaling + SFU workers',
        botCpuS: [],
      },
      { consumersPerBot: () => 1, maxLossPct: 1 },
    );
    // 50 packets of 100 bytes in 1 s each: 40 kbit/s.
    expect(s.rows.map((r) => r.rxKbps)).toEqual([40, 40]);
    expect(s.botCpu).toEqual({ processes: 0, totalPct: 0, maxProcessPct: 0 });
  });

  it.each([
    [{ publishers: 3, audioOnly: false }, 'bot-pub-0', 4],
    [{ publishers: 3, audioOnly: false }, 'bot-sub-0', 6],
    [{ publishers: 3, audioOnly: true }, 'bot-sub-0', 3],
    [{ publishers: 12, audioOnly: false, maxVideo: 9 }, 'bot-sub-0', 21],
  ])('%o: %s expects %i consumers', (o, name, n) => {
    const options = { url: '', subscribers: 1, durationS: 1, ...o };
    expect(expectedConsumers(options, bot(name, []))).toBe(n);
  });

  it('takes percentiles by rank and sums the CPU series of /metrics', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    const text = [
      '# HELP parley_process_cpu_seconds_total Total user and system CPU time',
      'parley_process_cpu_seconds_total 1.5',
      'parley_sfu_worker_cpu_seconds{pid="12"} 2.25',
      'parley_process_resident_memory_bytes 99',
    ].join('\n');
    expect(cpuSecondsOf(text)).toBeCloseTo(3.75);
    expect(cpuSecondsOf(text, true)).toBeCloseTo(2.25);
  });
});
