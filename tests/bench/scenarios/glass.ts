// Broadcast glass-to-glass: a clock drawn into the host's camera in one Chromium page, read
// back from the viewer page's HLS <video> in another, through the whole real path (WebRTC to
// the SFU, PlainTransport to FFmpeg, 1 s HLS segments, hls.js).

import type { Browser } from 'playwright-core';
import type { HlsConfig } from '@parley/signaling';
import { goLive as pressGoLive } from '../../e2e/support/call.ts';
import { videoState } from '../../e2e/support/watch.ts';
import { waitFor } from '../../e2e/support/wait.ts';
import { startAppServer, type AppServer } from '../lib/appServer.ts';
import { Browsers, joinCall, newBenchPage, openRoomPage, withArg } from '../lib/browser.ts';
import {
  clockCameraScript,
  startClockReader,
  stopClockReader,
  type ClockSample,
  type ClockSource,
} from '../lib/pixelClock.ts';
import { percentile, round, sleep, summarize } from '../lib/stats.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

interface Plan {
  source: ClockSource;
  hls: HlsConfig;
  /** After the viewer plays: hls.js settles at its live sync distance. */
  warmupMs: number;
  windowMs: number;
}

const FULL: Plan = {
  source: { width: 1280, height: 720, fps: 30 },
  // The server's defaults (signaling/src/config/media.ts): what production broadcasts.
  hls: { segmentSeconds: 1, width: 1280, height: 720, fps: 30, videoKbps: 2500 },
  warmupMs: 10_000,
  windowMs: 60_000,
};
const SMOKE: Plan = {
  source: { width: 640, height: 360, fps: 15 },
  hls: { segmentSeconds: 1, width: 640, height: 360, fps: 15, videoKbps: 600 },
  warmupMs: 2_000,
  windowMs: 5_000,
};

interface Measured {
  samples: ClockSample[];
  bad: number;
  onAirToFirstFrameMs: number;
}

async function goLive(browser: Browser, app: AppServer, roomId: string, hostKey: string, plan: Plan) {
  const host = await openRoomPage(browser, app.url, roomId, {
    name: 'Clock',
    label: 'clock-host',
    hostKey,
    initScripts: [withArg(clockCameraScript, plan.source)],
  });
  await joinCall(host);
  await pressGoLive(host.page);
  await host.page.getByRole('status').filter({ hasText: 'On air' }).waitFor({ timeout: 30_000 });
  return host;
} // prettier-ignore

/** `watchUrl`: the host's viewer link (`/watch/<broadcastId>`, not the room's id). */
async function watch(browser: Browser, watchUrl: string, plan: Plan) {
  const onAir = Date.now();
  const viewer = await newBenchPage(browser, { label: 'viewer' });
  try {
    await viewer.page.goto(watchUrl);
    await waitFor(
      'the viewer to play',
      async () => {
        const v = await videoState(viewer.page);
        return v.totalVideoFrames > 0 && v.currentTime > 0 && !v.paused;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const onAirToFirstFrameMs = Date.now() - onAir;
    await sleep(plan.warmupMs);
    await startClockReader(viewer.page);
    await sleep(plan.windowMs);
    return { ...(await stopClockReader(viewer.page)), onAirToFirstFrameMs } satisfies Measured;
  } finally {
    await viewer.context.close();
  }
}

/** The median latency of each second of the window: shows a drift or a jump over time. */
function perSecond(samples: ClockSample[]): number[] {
  const t0 = samples[0]?.at ?? 0;
  const buckets: number[][] = [];
  for (const s of samples) (buckets[Math.floor((s.at - t0) / 1000)] ??= []).push(s.latencyMs);
  return [...buckets].map((b) => (b ? percentile(b, 50) : Number.NaN));
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const plan = smoke ? SMOKE : FULL;
  const app = await startAppServer({ sfu: true, hls: plan.hls });
  // The host's and the viewer's own browsers, as for real people (see Browsers).
  const browsers = new Browsers();
  let m: Measured;
  try {
    const { id, hostKey } = await app.createRoom();
    const host = await goLive(await browsers.launch(), app, id, hostKey, plan);
    log('  on air; the viewer opens /watch/<id>');
    const watchUrl = (await host.page.locator('a.watch-link').getAttribute('href')) ?? '';
    m = await watch(await browsers.launch(), watchUrl, plan);
    await host.context.close();
  } finally {
    await browsers.close();
    await app.close();
  }
  if (m.samples.length === 0) throw new Error(`no readable clock frame (${m.bad} unreadable)`);
  const glass = summarize(m.samples.map((s) => s.latencyMs));
  const ahead = summarize(m.samples.map((s) => s.aheadS * 1000));
  // latency - buffer ahead = the age of the newest media in the player's buffer (independent of
  // where the playhead is): lowest right after a segment lands, so its p5 is the camera ->
  // buffered delay of the pipeline; the buffer ahead is the player's hold-back.
  const age = m.samples.map((s) => s.latencyMs - s.aheadS * 1000);
  log(`  glass-to-glass p50 ${glass.p50} ms, p95 ${glass.p95} ms (${m.samples.length} frames)`);
  const figures: Figure[] = [
    { key: 'glass_p50_ms', label: 'glass-to-glass latency, p50', value: glass.p50, unit: 'ms', target: { op: '<=', value: 4000 } },
    { key: 'glass_p95_ms', label: 'glass-to-glass latency, p95', value: glass.p95, unit: 'ms', target: { op: '<=', value: 4000 } },
    { key: 'arrival_age_ms', label: 'camera -> segment buffered in the player (age of the newest buffered frame, p5)', value: round(percentile(age, 5)), unit: 'ms' },
    { key: 'ahead_p50_ms', label: "the player's hold-back: media buffered ahead of the playhead, p50", value: round(ahead.p50), unit: 'ms' },
    { key: 'on_air_first_frame_ms', label: 'on air -> first frame on a viewer opened then', value: m.onAirToFirstFrameMs, unit: 'ms' },
  ]; // prettier-ignore
  const readable = m.samples.length / (m.samples.length + m.bad);
  return {
    figures,
    details: {
      output: plan.hls,
      frames: [
        {
          read: m.samples.length,
          unreadable: m.bad,
          glassMinMs: Math.min(...m.samples.map((s) => s.latencyMs)),
          glassMaxMs: glass.max,
          aheadP5Ms: round(
            percentile(
              m.samples.map((s) => s.aheadS * 1000),
              5,
            ),
          ),
          aheadP95Ms: round(ahead.p95),
          ageP50Ms: round(percentile(age, 50)),
        },
      ],
      raw: { latencyPerSecond: perSecond(m.samples) },
    },
    notes:
      readable < 0.9
        ? [`Only ${(readable * 100).toFixed(0)} % of frames had a readable clock.`]
        : [],
  };
}

export const glass: Scenario = {
  name: 'glass',
  title: 'Broadcast glass-to-glass latency (Chromium)',
  description: [
    "The real server with the SFU and the HLS gateway at the server's defaults (1 s fMP4 segments, 1280x720, 30 fps, 2500 kbit/s H.264), headless Chromium (the host and the viewer each in a browser of their own). The host's page (`/r/<id>`, host key in localStorage, room created over the REST API) gets a canvas for a camera (`tests/bench/lib/pixelClock.ts`, an init script replacing `getUserMedia`): `Date.now()` drawn every 10 ms as 32 black/white cells across the top of a 1280x720 picture, with its complement below, and a tone for a microphone. The host joins and clicks **Go live**.",
    "A viewer page opens `/watch/<id>` (the app's hls.js player). After it plays and 10 s to settle, for 60 s every frame the `<video>` presents (`requestVideoFrameCallback`) has its code strip drawn onto a small canvas and decoded; latency = `Date.now()` then minus the clock in the frame (one machine, one clock). Frames whose rows do not complement each other are dropped, not misread. Each sample also records the media buffered ahead of the playhead (`video.buffered`), which splits the latency into the player's hold-back and everything before it (capture, WebRTC, SFU, FFmpeg, segmenting, playlist polling, download).",
  ].join('\n\n'),
  target: '<= 4 s with 1 s segments',
  anchor:
    'Standard HLS 6-10 s glass-to-glass with 2 s segments; Apple LL-HLS 1-2 s (as quoted in the issue; not re-checked offline).',
  analysis: [
    '**Meets the target: ~2.1 s glass to glass** on a quiet machine (p50 2,077 ms, p95 2,091 ms over 1,800 frames, every frame readable), between Apple LL-HLS (1-2 s) and standard HLS (6-10 s). Playback runs at real time, so within a run the latency is flat (`raw.latencyPerSecond`); it differs between runs with where the player settled: p50 2.08, 2.28 and 2.32 s in three full runs. In one of them, with other work loading the machine, the latency did not stay flat: p95 3,330 ms against p50 2,284 ms, i.e. it rose by about a second for part of the window (a stall that playback did not catch up).',
    'Where the 2.1 s goes: the newest frame the player has buffered is ~1.1 s old when a segment lands (p5 of its age: capture, WebRTC to the SFU, PlainTransport to FFmpeg, VP8 decode + x264 `zerolatency` encode, the rest of the 1 s segment, the playlist rewrite, hls.js polling the playlist about once per target duration and fetching the segment), and a segment holds 1 s of media, so its first frame is ~2.1 s old when shown. hls.js (`liveSyncDurationCount: 2` in `app/src/watch/hlsJsPlayer.ts`) keeps the playhead two target durations behind the live edge, which here leaves almost nothing in hand: media buffered ahead of the playhead p5 46 ms, p95 944 ms. A segment that is late by more than that stalls the picture (the 3.3 s run).',
    'Levers (not in tests/bench): partial segments (LL-HLS `EXT-X-PART` of ~250 ms from the gateway, `lowLatencyMode` in hls.js) would cut both the segment wait and the polling, towards ~1 s; or 0.5 s segments with `liveSyncDurationCount: 3`. In the other direction, `liveSyncDurationCount: 3` buys a 1 s cushion against stalls for 1 s more latency (~3.1 s, still under the target).',
  ].join('\n\n'),
  needs: ['chromium', 'ffmpeg'],
  run: ({ smoke, log }) => run(smoke, log),
};
