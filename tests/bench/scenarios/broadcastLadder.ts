// The broadcast ladder (issue 20): FFmpeg CPU of one broadcast with its 360p rendition, against
// the same broadcast without it, measured in alternation on the same machine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HlsGateway } from '@parley/hls-gateway';
import { HD_CLIP, SMOKE_CLIP, prepareClip, startClipSource } from '../lib/media.ts';
import { startSfu } from '../lib/sfuHarness.ts';
import { percentile, round, sleep } from '../lib/stats.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';
import { measure, untilLive } from './broadcast.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const FULL = {
  rounds: 5,
  settleMs: 4000,
  windowMs: 12_000,
  clip: HD_CLIP,
  out: { width: 1280, height: 720, fps: 30, videoKbps: 2500 },
};
const SMOKE = {
  rounds: 1,
  settleMs: 1000,
  windowMs: 3000,
  clip: SMOKE_CLIP,
  out: { width: 854, height: 480, fps: 15, videoKbps: 600 },
};

interface Sample {
  round: number;
  ladder: boolean;
  /** FFmpeg CPU, cores (1.0 = a whole core). */
  cores: number;
  /** Media seconds of the main rendition published per wall second. */
  speed: number;
  maxSegmentGapS: number;
  realTime: boolean;
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const plan = smoke ? SMOKE : FULL;
  const clip = prepareClip(plan.clip);
  const harness = await startSfu({ min: 54000, max: 54499 });
  const outDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-ladder-'));
  const samples: Sample[] = [];
  try {
    for (let r = 1; r <= plan.rounds; r++) {
      // Alternating which goes first, so a drift in the machine's load falls on both alike.
      const order = r % 2 === 1 ? [false, true] : [true, false];
      for (const ladder of order) {
        const roomId = `bench-ladder-${r}-${ladder ? 'on' : 'off'}`;
        const room = await harness.sfu.createRoom(roomId);
        const source = await startClipSource(room, clip, 6_100_000 + r * 10 + (ladder ? 1 : 0));
        const gateway = new HlsGateway({
          outDir,
          workDir: path.join(outDir, `.work-${roomId}`),
          segmentSeconds: 1,
          ...plan.out,
          ladder,
          rtpPorts: { min: 54500, max: 54999 },
          log: quiet,
        });
        try {
          await gateway.start(roomId, room, {
            videoProducerId: source.videoProducerId,
            audioProducerIds: [source.audioProducerId],
          });
          await untilLive(gateway, roomId);
          await sleep(plan.settleMs);
          const playlist = ladder ? 'hi.m3u8' : 'index.m3u8';
          const m = await measure(gateway, outDir, [{ roomId }], plan.windowMs, playlist);
          const [watch] = m.watches;
          const speed = (watch?.mediaSeconds ?? 0) / m.seconds;
          const gap = (watch?.maxGapMs ?? Number.POSITIVE_INFINITY) / 1000;
          const sample: Sample = {
            round: r,
            ladder,
            cores: round(m.cpu / m.seconds, 3),
            speed: round(speed, 3),
            maxSegmentGapS: round(gap),
            realTime: !m.restarted && speed >= 0.9 && gap <= 2.5,
          };
          samples.push(sample);
          log(
            `  round ${r}, ladder ${ladder ? 'on ' : 'off'}: ${(sample.cores * 100).toFixed(1)} % of a core, speed ${sample.speed}`,
          );
        } finally {
          await gateway.close();
          await source.stop();
          room.close();
        }
      }
    }
  } finally {
    await harness.sfu.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  return { figures: figures(samples, plan), details: { output: plan.out, samples }, notes: [] };
}

const median = (values: readonly number[]): number => percentile(values, 50);

/** The range over the rounds, in percent of a core. */
function spread(values: number[]): string {
  const pct = values.map((v) => round(v * 100, 1));
  return `${Math.min(...pct)}-${Math.max(...pct)} over ${values.length} runs`;
}

function figures(samples: Sample[], plan: typeof FULL): Figure[] {
  const on = samples.filter((s) => s.ladder);
  const off = samples.filter((s) => !s.ladder);
  const ratios = on.map((s) => s.cores / (off.find((o) => o.round === s.round)?.cores ?? NaN));
  const name = `${plan.out.height}p${plan.out.fps}`;
  return [
    {
      key: 'cores_ladder',
      label: `gateway FFmpeg CPU per broadcast with the ladder (${name} + 360p), median (${spread(on.map((s) => s.cores))})`,
      value: round(median(on.map((s) => s.cores)) * 100, 1),
      unit: '% of a core',
      target: { op: '<=', value: 40 },
    },
    {
      key: 'cores_single',
      label: `anchor: the same broadcast without the ladder (${name} only), median (${spread(off.map((s) => s.cores))})`,
      value: round(median(off.map((s) => s.cores)) * 100, 1),
      unit: '% of a core',
    },
    {
      key: 'ladder_ratio',
      label: `ladder / without, same round, median (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
      value: round(median(ratios), 2),
      unit: 'x',
    },
    {
      key: 'ladder_real_time',
      label: 'ladder runs that kept real time (speed >= 0.9, no gap > 2.5 s, no restart)',
      value: on.filter((s) => s.realTime).length,
      unit: `of ${on.length}`,
    },
  ];
}

export const broadcastLadder: Scenario = {
  name: 'broadcast-ladder',
  title: 'Broadcast ladder (HLS_LADDER=on)',
  description: [
    "The `broadcast` scenario's path (a mediasoup worker, the pre-encoded 720p30 VP8 + Opus clip as a stream-copy publisher, `HlsGateway` with the server's defaults), one broadcast at a time. With the ladder, the gateway's one FFmpeg decodes once, splits the picture, and encodes it twice with x264 `veryfast`/`zerolatency`: 1280x720 at 2500 kbit/s and 640x360 at 800 kbit/s (AAC 128 and 96 kbit/s), each into its own HLS output, under a master playlist.",
    "Each round measures one broadcast without the ladder and one with it (alternating which goes first), each after 4 s settling over a 12 s window: the FFmpeg process's CPU (`/proc/<pid>/stat`), and the main rendition's playlist (speed, largest gap).",
  ].join('\n\n'),
  target: '<= 40 % of a core per broadcast (the broadcast budget)',
  anchor:
    'The same broadcast without the ladder, measured in the same round (ladder / without). Standard HLS ladders run one encode per rung; the cheaper alternative, a single 720p encode, is the anchor.',
  needs: ['ffmpeg'],
  analysis: [
    "Measured while the machine was far from quiet (other sessions' Chromium suites: 1-minute load average 8-24 on the 2 cores), so each figure's range over the 5 rounds is wide; the ratio of the two broadcasts in the same round is the steadier number. The ladder costs about 1.4x a single 720p30 broadcast (median 1.42, 1.13-1.75): 56 % of a core against 37 % here, over the 40 % budget per broadcast. A bare FFmpeg on the same machine, encoding the clip file in real time with the same x264 settings and no RTP (3 runs each, CPU seconds per 12 s of media): 720p alone 4.9-5.4 (about 42 % of a core), with the 360p rung 6.8-7.1 (about 57 %), a ratio of 1.36 (1.31-1.41), close to the gateway's.",
    'So the ladder is a server setting, `HLS_LADDER`, **off by default**: with it on, a broadcast no longer fits its budget, and by CPU arithmetic alone (not measured) two cores hold about 3 laddered broadcasts where they hold 5 single ones. An operator whose viewers are on slow links turns it on knowing the price.',
    'Cheaper variants tried with the bare FFmpeg (same 3 rounds): the 360p rung at `-preset superfast` 6.3-6.4 CPU s (1.27x a single broadcast), still over budget and a worse picture at 800 kbit/s; `-threads 1` on the 360p encoder changed nothing measurable (6.6-6.9). Not adopted. The larger lever stays the one the `broadcast` section names: `-preset superfast` for the 720p rung too would bring the whole ladder near the budget.',
  ].join('\n\n'),
  run: ({ smoke, log }) => run(smoke, log),
};
