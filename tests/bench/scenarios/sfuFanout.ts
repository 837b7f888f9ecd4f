// SFU fan-out: worker CPU per forwarded packet as one publisher is consumed N times.

import type { PlainConsumer, SfuRoom } from '@parley/sfu';
import { HD_CLIP, SMOKE_CLIP, prepareClip, startClipSource } from '../lib/media.ts';
import { cpuMeter } from '../lib/proc.ts';
import { packetsSent, startSfu, workerCpuSeconds, type SfuHarness } from '../lib/sfuHarness.ts';
import { round, sleep } from '../lib/stats.ts';
import { openUdpSink, type UdpSink } from '../lib/udpSink.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

interface Step {
  consumers: number;
  usPerPacket: number;
  /** (worker CPU rate - its rate with no consumer) / forwarded packet rate. */
  marginalUsPerPacket: number;
  packetsPerSecond: number;
  workerCores: number;
  /** Share of the forwarded packets the sinks received (the bench process is the limit here). */
  sinkReceived: number;
  sourceMbps: number;
  sourceCores: number;
}

const FULL = { levels: [10, 50, 100, 200], warmupMs: 3000, windowMs: 15_000, clip: HD_CLIP };
const SMOKE = { levels: [2, 4], warmupMs: 1500, windowMs: 2000, clip: SMOKE_CLIP };

interface Rig {
  harness: SfuHarness;
  room: SfuRoom;
  video: string;
  audio: string;
  sourcePid: number;
  rtp: UdpSink;
  rtcp: UdpSink;
  consumers: PlainConsumer[];
}

async function addConsumers(rig: Rig, total: number): Promise<void> {
  while (rig.consumers.length < total * 2) {
    for (const producerId of [rig.video, rig.audio]) {
      rig.consumers.push(
        await rig.room.createPlainConsumer({
          producerId,
          port: rig.rtp.port,
          rtcpPort: rig.rtcp.port,
        }),
      );
    }
  }
}

async function measure(rig: Rig, windowMs: number) {
  const { sfu, consumers } = rig.harness;
  const [cpu0, sent0, sink0, bytes0] = [
    await workerCpuSeconds(sfu),
    await packetsSent(consumers.values()),
    rig.rtp.packets,
    rig.rtp.bytes,
  ];
  const source = cpuMeter(rig.sourcePid);
  const t0 = performance.now();
  await sleep(windowMs);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await workerCpuSeconds(sfu)) - cpu0;
  const sent = (await packetsSent(consumers.values())) - sent0;
  const received = rig.rtp.packets - sink0;
  const bytes = rig.rtp.bytes - bytes0;
  return { seconds, cpu, sent, received, bytes, sourceCores: source.stop().cores };
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const plan = smoke ? SMOKE : FULL;
  const clip = prepareClip(plan.clip);
  const harness = await startSfu({ min: 52000, max: 53999 });
  const [rtp, rtcp] = [await openUdpSink(), await openUdpSink()];
  const room = await harness.sfu.createRoom('bench-fanout');
  const source = await startClipSource(room, clip, 5_000_000);
  const rig: Rig = {
    harness,
    room,
    video: source.videoProducerId,
    audio: source.audioProducerId,
    sourcePid: source.pid,
    rtp,
    rtcp,
    consumers: [],
  };
  try {
    await sleep(plan.warmupMs);
    const idle = await measure(rig, Math.min(plan.windowMs, 5000));
    const idleCoreRate = idle.cpu / idle.seconds;
    log(`  sfu idle (publisher only): ${(idleCoreRate * 100).toFixed(1)} % of a core`);
    const steps: Step[] = [];
    for (const n of plan.levels) {
      await addConsumers(rig, n);
      await sleep(plan.warmupMs);
      const m = await measure(rig, plan.windowMs);
      const pps = m.sent / m.seconds;
      steps.push({
        consumers: n,
        usPerPacket: round((m.cpu / m.sent) * 1e6),
        marginalUsPerPacket: round(((m.cpu / m.seconds - idleCoreRate) / pps) * 1e6),
        packetsPerSecond: Math.round(pps),
        workerCores: round(m.cpu / m.seconds, 3),
        sinkReceived: round(m.received / m.sent, 4),
        // Per consumer (video + audio): what one subscriber receives.
        sourceMbps: round((m.bytes * 8) / m.seconds / n / 1e6),
        sourceCores: round(m.sourceCores, 3),
      });
      log(
        `  N=${n}: ${steps.at(-1)?.usPerPacket} us/packet, ${Math.round(pps)} packets/s, worker ${(m.cpu / m.seconds).toFixed(2)} cores`,
      );
    }
    return {
      figures: figures(steps),
      details: { idleWorkerCores: round(idleCoreRate, 4), steps },
      notes: notes(steps),
    };
  } finally {
    await source.stop();
    await harness.sfu.close();
    await rtp.close();
    await rtcp.close();
  }
}

function figures(steps: Step[]): Figure[] {
  const top = steps.at(-1);
  const out: Figure[] = steps.map((s) => ({
    key: `us_per_packet_n${s.consumers}`,
    label: `worker CPU per forwarded packet, N = ${s.consumers}`,
    value: s.usPerPacket,
    unit: 'us',
    ...(s === top ? { target: { op: '<=' as const, value: 10 } } : {}),
  }));
  if (top) {
    out.push({
      key: 'marginal_us_per_packet',
      label: `marginal CPU per packet (minus ingest), N = ${top.consumers}`,
      value: top.marginalUsPerPacket,
      unit: 'us',
    });
    out.push({
      key: 'packets_per_second_top',
      label: `packets forwarded per second, N = ${top.consumers}`,
      value: top.packetsPerSecond,
      unit: 'pkt/s',
    });
    out.push({
      key: 'subscriber_mbps',
      label: 'media per subscriber (video + audio, at the sink)',
      value: top.sourceMbps,
      unit: 'Mbit/s',
    });
  }
  return out;
}

function notes(steps: Step[]): string[] {
  const out: string[] = [];
  const lossy = steps.filter((s) => s.sinkReceived < 0.99);
  if (lossy.length) {
    out.push(
      `The sinks (Node, in the bench process) missed packets at N = ${lossy.map((s) => s.consumers).join(', ')}: forwarded counts come from the worker's own consumer stats, so the figure is unaffected.`,
    );
  }
  return out;
}

export const sfuFanout: Scenario = {
  name: 'sfu',
  title: 'SFU fan-out',
  description: [
    "One mediasoup worker (`Sfu.start({ workers: 1 })`, the project's worker build). A publisher is an FFmpeg process streaming a pre-encoded clip with `-c copy` (720p30 VP8 at ~2.5 Mbit/s with temporal noise so the encoder needs the bitrate, plus 64 kbit/s Opus) as RTP into two comedia PlainTransport producers (`SfuRoom.createPlainProducer`). Pre-encoding keeps the encoder's CPU out of the 2-core box.",
    'N subscribers (10, 50, 100, 200) are each a video and an audio `SfuRoom.createPlainConsumer` sending plain RTP to two local UDP sinks opened by the bench process. **Plain, not WebRTC**: no SRTP encryption or ICE/DTLS per subscriber, so a browser subscriber costs the worker more (SRTP is roughly AES-CTR + HMAC-SHA1 per packet).',
    'Per step: 3 s warm-up, then 15 s measured. Worker CPU from `Sfu.resourceUsage()` (getrusage of the worker), forwarded packets from the worker\'s own consumer stats (`outbound-rtp.packetCount`); figure = CPU seconds / packets. "Marginal" subtracts the worker\'s CPU with the publisher and no subscriber.',
  ].join('\n\n'),
  target: '<= 10 us of worker CPU per forwarded packet',
  anchor:
    'SRS ~6.7 us, mediasoup docs ~11 us, LiveKit ~26 us per packet per core (as quoted in the issue; the primary sources were not re-checked from this offline machine).',
  needs: ['ffmpeg'],
  analysis: [
    "Meets the target: about 5 us of worker CPU per forwarded packet from N = 50 up, below the mediasoup docs' ~11 us and near SRS's ~6.7 us. N = 10 costs more per packet because the fixed work (receiving the publisher, RTCP, timers) is shared by fewer packets; the marginal figure subtracts it.",
    'At N = 200 the worker forwarded ~58k packets/s on ~0.3 of a core: a worker (one core) would saturate near 200k packets/s, roughly 700 subscribers of this 2.5 Mbit/s stream (extrapolated, not measured).',
    'Caveat: plain RTP. WebRTC subscribers add SRTP encryption (AES-CM + HMAC-SHA1) per packet and per-transport ICE/DTLS state; expect a higher figure for browsers. The browser scenarios will show by how much.',
  ].join('\n\n'),
  run: ({ smoke, log }) => run(smoke, log),
};
