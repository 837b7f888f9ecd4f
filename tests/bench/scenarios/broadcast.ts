// Broadcast: CPU of the gateway's FFmpeg per 720p broadcast, and how many run in real time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HlsGateway } from '@parley/hls-gateway';
import type { SfuRoom } from '@parley/sfu';
import { watchPlaylist, type HlsWatch } from '../lib/hlsWatch.ts';
import {
  HD_CLIP,
  SMOKE_CLIP,
  prepareClip,
  startClipSource,
  type ClipSource,
} from '../lib/media.ts';
import { cpuSeconds } from '../lib/proc.ts';
import { startSfu } from '../lib/sfuHarness.ts';
import { round, sleep } from '../lib/stats.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const FULL = {
  maxBroadcasts: 4,
  settleMs: 4000,
  windowMs: 12_000,
  clip: HD_CLIP,
  out: { width: 1280, height: 720, fps: 30, videoKbps: 2500 },
};
const SMOKE = {
  maxBroadcasts: 1,
  settleMs: 1000,
  windowMs: 3000,
  clip: SMOKE_CLIP,
  out: { width: 640, height: 360, fps: 15, videoKbps: 600 },
};

interface Step {
  broadcasts: number;
  /** FFmpeg CPU per broadcast, in cores (1.0 = a whole core). */
  coresPerBroadcast: number;
  /** Media seconds published per wall second, the slowest broadcast (1.0 = real time). */
  speed: number;
  maxSegmentGapS: number;
  /** From `gateway.start()` to the first published segment, the newest broadcast. */
  firstSegmentS: number;
  realTime: boolean;
}

interface Live {
  roomId: string;
  source: ClipSource;
}

export async function untilLive(
  gateway: HlsGateway,
  roomId: string,
  deadlineMs = 30_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!gateway.isLive(roomId)) {
    if (Date.now() > end) throw new Error(`${roomId} did not go live`);
    await sleep(100);
  }
}

/**
 * FFmpeg CPU over a window, and each broadcast's media playlist watched meanwhile (`playlist`:
 * `index.m3u8`, or with the ladder the main rendition's `hi.m3u8`).
 */
export async function measure(
  gateway: HlsGateway,
  outDir: string,
  live: readonly { roomId: string }[],
  windowMs: number,
  playlist = 'index.m3u8',
) {
  const pids = live.map((l) => gateway.ffmpegPid(l.roomId) ?? -1);
  const cpu0 = pids.map(cpuSeconds);
  const watches: HlsWatch[] = live.map((l) => watchPlaylist(path.join(outDir, l.roomId, playlist)));
  const t0 = performance.now();
  await sleep(windowMs);
  const seconds = (performance.now() - t0) / 1000;
  for (const w of watches) w.stop();
  const same = live.every((l, i) => gateway.ffmpegPid(l.roomId) === pids[i]);
  const cpu = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - (cpu0[i] as number), 0);
  return { seconds, cpu, watches, restarted: !same };
}

async function stepOnce(
  gateway: HlsGateway,
  outDir: string,
  live: Live[],
  plan: typeof FULL,
  firstSegmentS: number,
): Promise<Step> {
  await sleep(plan.settleMs);
  const m = await measure(gateway, outDir, live, plan.windowMs);
  // Segments are whole seconds: judge speed on what a window can hold, not on phase.
  const speed = Math.min(...m.watches.map((w) => w.mediaSeconds / m.seconds));
  const gap = Math.max(...m.watches.map((w) => w.maxGapMs)) / 1000;
  return {
    broadcasts: live.length,
    coresPerBroadcast: round(m.cpu / m.seconds / live.length, 3),
    speed: round(speed, 3),
    maxSegmentGapS: round(gap),
    firstSegmentS: round(firstSegmentS),
    realTime: !m.restarted && speed >= 0.9 && gap <= 2.5,
  };
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const plan = smoke ? SMOKE : FULL;
  const clip = prepareClip(plan.clip);
  const harness = await startSfu({ min: 54000, max: 54499 });
  const outDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-hls-'));
  const gateway = new HlsGateway({
    outDir,
    segmentSeconds: 1,
    ...plan.out,
    rtpPorts: { min: 54500, max: 54999 },
    log: quiet,
  });
  const live: Live[] = [];
  const steps: Step[] = [];
  try {
    for (let k = 1; k <= plan.maxBroadcasts; k++) {
      const roomId = `bench-bcast-${k}`;
      const room: SfuRoom = await harness.sfu.createRoom(roomId);
      const source = await startClipSource(room, clip, 6_000_000 + k * 10);
      live.push({ roomId, source });
      const t0 = performance.now();
      await gateway.start(roomId, room, {
        videoProducerId: source.videoProducerId,
        audioProducerIds: [source.audioProducerId],
      });
      await untilLive(gateway, roomId);
      const step = await stepOnce(gateway, outDir, live, plan, (performance.now() - t0) / 1000);
      steps.push(step);
      log(
        `  ${k} broadcast(s): ${(step.coresPerBroadcast * 100).toFixed(0)} % of a core each, speed ${step.speed}, max gap ${step.maxSegmentGapS} s`,
      );
      if (!step.realTime) break;
    }
  } finally {
    await gateway.close();
    for (const l of live) await l.source.stop();
    await harness.sfu.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  return { figures: figures(steps, plan), details: { output: plan.out, steps }, notes: [] };
}

function figures(steps: Step[], plan: typeof FULL): Figure[] {
  const first = steps[0];
  const sustained = steps.filter((s) => s.realTime).at(-1)?.broadcasts ?? 0;
  const capped = steps.at(-1)?.realTime && steps.length === plan.maxBroadcasts;
  return [
    {
      key: 'cores_per_broadcast',
      label: `gateway FFmpeg CPU per ${plan.out.height}p${plan.out.fps} broadcast (one on air)`,
      value: round((first?.coresPerBroadcast ?? Number.NaN) * 100, 1),
      unit: '% of a core',
      target: { op: '<=', value: 40 },
    },
    {
      key: 'broadcasts_real_time',
      label: `broadcasts kept in real time on this machine${capped ? ' (at least: the largest step tried)' : ''}`,
      value: sustained,
      unit: 'broadcasts',
    },
    {
      key: 'first_segment_s',
      label: 'on air -> first segment published (1 s segments)',
      value: first?.firstSegmentS ?? Number.NaN,
      unit: 's',
    },
    {
      key: 'max_segment_gap_s',
      label: 'largest gap between new segments (one on air)',
      value: first?.maxSegmentGapS ?? Number.NaN,
      unit: 's',
    },
  ];
}

export const broadcast: Scenario = {
  name: 'broadcast',
  title: 'Broadcast (HLS gateway)',
  description: [
    "The real path: a mediasoup worker, a publisher streaming the same pre-encoded 720p30 VP8 (~2.5 Mbit/s) + Opus clip as the SFU scenario (stream copy: the source costs almost nothing), and `HlsGateway` with the server's defaults (1280x720, 30 fps, 2500 kbit/s H.264 `veryfast`/`zerolatency`, AAC, 1 s fMP4 segments). The gateway's FFmpeg consumes through PlainTransports and decodes VP8, scales, encodes H.264.",
    "Broadcasts are added one at a time (each its own room, source and FFmpeg). At each step, after 4 s settling, a 12 s window measures the FFmpeg processes' CPU (`/proc/<pid>/stat`) and watches each public playlist: media seconds published per wall second (speed), the largest gap between new segments. Also timed: `gateway.start()` to the first published segment. A step is real time while speed >= 0.9, no gap > 2.5 s and no FFmpeg restart.",
  ].join('\n\n'),
  target: '<= 40 % of a core per 720p broadcast',
  anchor:
    'Standard HLS 6-10 s glass-to-glass with 2 s segments; Apple LL-HLS 1-2 s (as quoted in the issue; not re-checked offline).',
  needs: ['ffmpeg'],
  analysis: [
    'On a quiet machine (load average ~2.4 at start): 38.7 % of a core per 720p30 broadcast, under the 40 % target, and 4 broadcasts stayed in real time together. With other sessions running Chromium suites on the same 2 cores it measured 41 % and the fourth broadcast fell to 0.75x: there is little headroom.',
    '`perf record -g` of one gateway FFmpeg for 8 s: libx264 57 % of its samples, kernel 17 % (UDP receive, thread wake-ups, segment writes), libavcodec 15 % (VP8 decode + AAC), swscale absent (720p in, 720p out: the scale is a pass-through). The cost is the H.264 encode.',
    'Levers, all in `hls-gateway/src/ffmpegArgs.ts` (not changed here; the owner should choose): `-preset superfast` (roughly a third less x264 time, slightly larger output at equal quality), or `ultrafast` (about half, but no CABAC: visibly worse at 2.5 Mbit/s); a 720p **25** fps or 540p output ladder for large rooms; `-x264-params threads=2:sliced-threads=1` keeps zerolatency latency while spreading one broadcast over both cores (no CPU saved, only headroom). Latency: the first segment is out ~2-3 s after going on air; glass to glass, measured end to end in browsers by the `glass` scenario below, is ~2.1 s with the hls.js settings of the app. The 360p rendition for viewers on slow links (issue 20) is a setting, `HLS_LADDER`, off by default: its cost (about 1.4x this, 56 % of a core) is in the next section.',
  ].join('\n\n'),
  run: ({ smoke, log }) => run(smoke, log),
};
