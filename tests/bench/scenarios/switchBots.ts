// The live switch seen by one Chromium page whose other participants are load bots
// (tests/load/): how long the page's remote tiles stall while the room moves from the mesh to
// the SFU and back. The `switch` scenario measures the same with a browser per participant,
// where four Chromiums on two cores make most of the figure; here the page shares the cores
// only with the server and the bots, so the figure is Parley's path.

import type { Page } from 'playwright-core';
import { selfId, tileStats } from '../../e2e/support/call.ts';
import { waitFor } from '../../e2e/support/wait.ts';
import { startAppServer, type AppServer } from '../lib/appServer.ts';
import { startBotRoom, type BotRoom } from '../lib/botRoom.ts';
import { Browsers, joinedPage } from '../lib/browser.ts';
import { machineCpuMeter } from '../lib/proc.ts';
import { round, sleep, summarize } from '../lib/stats.ts';
import { settled, startSampling, stopSampling, type Sampled } from '../lib/switchSampling.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

/** Up to 3 on the mesh, the 4th moves the room to the SFU; back at 2 after a 1 s hold. */
const SERVER = { meshMaxPeers: 3, sfuDowngradeHoldS: 1, sfuDowngradeGraceS: 5 };
const CYCLES = { full: 22, smoke: 1 };
/** Kept sampling after a switch completes, so a stall right after the swap is seen. */
const TAIL_MS = 1000;
/** How long the steady call (the floor) is sampled. */
const STEADY_MS = { full: 10_000, smoke: 1_000 };

type Direction = 'up' | 'down';

interface Switch {
  direction: Direction;
  /** Longest stall of any bot tile on the page (decode counters), ms. */
  gapMs: number;
  /** The same from presented frames (requestVideoFrameCallback), ms. */
  presentedGapMs: number;
  /** Trigger (the bot's join sent / it left) -> the page on the new path, old one closed, ms. */
  switchMs: number;
  blankSamples: number;
  /** Share of both cores busy from trigger to done. */
  machineBusy: number;
}

/** The peer ids of the page's remote camera tiles now. */
async function tilePeers(page: Page): Promise<string[]> {
  return (await tileStats(page)).filter((t) => t.source === 'camera').map((t) => t.peerId);
}

/**
 * One bot, in a process of its own (botRoom.ts): a bot's packetizing and SRTP run in
 * JavaScript, and bots sharing the server's event loop (or each other's) stalled their own
 * mesh sending while another bot set up its SFU side: the rig's stall, not Parley's. The
 * process starts (seconds of CPU: Node, tsx, the clip) before any measurement; the bot joins
 * on `botJoins`.
 */
async function spawnBot(app: AppServer, roomId: string, bots: Set<BotRoom>): Promise<BotRoom> {
  const bot = await startBotRoom({
    url: app.url,
    roomId,
    count: 1,
    sfu: false,
    subscribe: true,
    onCommand: true,
  });
  bots.add(bot);
  return bot;
}

/** The bot joins; resolves with its peer id (the tile that appeared on the page). */
async function botJoins(page: Page, bot: BotRoom): Promise<string> {
  const before = await tilePeers(page);
  await bot.join();
  return waitFor("the bot's tile on the page", async () =>
    (await tilePeers(page)).find((id) => !before.includes(id)),
  );
}

async function botLeaves(bots: Set<BotRoom>, bot: BotRoom): Promise<void> {
  bots.delete(bot);
  await bot.close();
}

/**
 * One cycle with the page and one bot staying: a second bot joins (a mesh of 3), a third
 * joins (up: the page's two bot tiles measured), the third leaves, the second leaves (down:
 * the staying bot's tile measured).
 */
async function oneCycle(
  app: AppServer,
  roomId: string,
  page: Page,
  bots: Set<BotRoom>,
): Promise<[Switch, Switch]> {
  const second = await spawnBot(app, roomId, bots);
  const secondId = await botJoins(page, second);
  await settled([page], 'mesh', 2, 20);
  const third = await spawnBot(app, roomId, bots);
  await startSampling([page], 2);
  const t0 = performance.now();
  const upCpu = machineCpuMeter();
  const thirdId = await botJoins(page, third);
  await settled([page], 'sfu', 0, 20);
  const upMs = performance.now() - t0;
  const upBusy = upCpu.stop();
  await sleep(TAIL_MS);
  const up = await stopSampling([page], [thirdId]);

  await botLeaves(bots, third);
  await waitFor('the third bot to be gone', async () => (await app.status(roomId)).admitted === 3);
  await startSampling([page], 1);
  const t1 = performance.now();
  const downCpu = machineCpuMeter();
  await botLeaves(bots, second);
  await settled([page], 'mesh', 1, 20);
  const downMs = performance.now() - t1;
  const downBusy = downCpu.stop();
  await sleep(TAIL_MS);
  const down = await stopSampling([page], [secondId]);
  return [
    { direction: 'up', switchMs: round(upMs), machineBusy: round(upBusy, 2), ...up },
    { direction: 'down', switchMs: round(downMs), machineBusy: round(downBusy, 2), ...down },
  ];
}

const NAME = { up: 'mesh -> SFU', down: 'SFU -> mesh' };

function figures(switches: Switch[], steady: Sampled): Figure[] {
  const of = (d: Direction) => switches.filter((s) => s.direction === d);
  return (['up', 'down'] as const).flatMap((d) => {
    const gap = summarize(of(d).map((s) => s.gapMs));
    const presented = summarize(of(d).map((s) => s.presentedGapMs));
    return [
      { key: `${d}_gap_p50`, label: `${NAME[d]}: longest tile stall per switch, p50`, value: gap.p50, unit: 'ms' },
      { key: `${d}_gap_p95`, label: `${NAME[d]}: longest tile stall per switch, p95 (${gap.count} switches)`, value: gap.p95, unit: 'ms', target: { op: '<=', value: 300 } },
      { key: `${d}_gap_p95_floor_ratio`, label: `${NAME[d]}: stall p95 / a steady call's longest stall (same sampler, same run)`, value: round(gap.p95 / Math.max(1, steady.gapMs)), unit: 'x' },
      { key: `${d}_presented_gap_p95`, label: `${NAME[d]}: longest gap between presented frames, p95`, value: presented.p95, unit: 'ms' },
      { key: `${d}_blank_samples`, label: `${NAME[d]}: samples with a blank tile (all switches)`, value: of(d).reduce((n, s) => n + s.blankSamples, 0), unit: 'samples' },
    ] satisfies Figure[];
  }); // prettier-ignore
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const app = await startAppServer({ sfu: true, ...SERVER });
  const browsers = new Browsers();
  const switches: Switch[] = [];
  let steady: Sampled;
  const bots = new Set<BotRoom>();
  try {
    const { id, hostKey } = await app.createRoom();
    const { page } = await joinedPage(await browsers.launch(), app.url, id, {
      name: 'Ada',
      hostKey,
    });
    await botJoins(page, await spawnBot(app, id, bots));
    await settled([page], 'mesh', 1, 20);
    // The floor: the same sampling of the same tile on a steady mesh call.
    await startSampling([page], 1);
    await sleep(smoke ? STEADY_MS.smoke : STEADY_MS.full);
    steady = await stopSampling([page], []);
    log(`  steady call: longest stall ${steady.gapMs} ms, presented ${steady.presentedGapMs} ms`);
    for (let i = 0; i < (smoke ? CYCLES.smoke : CYCLES.full); i++) {
      // Past the grace the router is closed: each upgrade starts the SFU side from scratch.
      if (i > 0) await sleep(SERVER.sfuDowngradeGraceS * 1000 + 500);
      const [up, down] = await oneCycle(app, id, page, bots);
      switches.push(up, down);
      log(`  #${i + 1}: up ${up.gapMs} ms (${up.switchMs} ms to switch), down ${down.gapMs} ms (${down.switchMs} ms)`); // prettier-ignore
    }
    if ((await selfId(page)).length === 0) throw new Error('the page left the call');
  } finally {
    await Promise.all([...bots].map((b) => b.close()));
    await browsers.close();
    await app.close();
  }
  const switchTime = (d: Direction) =>
    summarize(switches.filter((s) => s.direction === d).map((s) => s.switchMs));
  const busy = (d: Direction) =>
    summarize(switches.filter((s) => s.direction === d).map((s) => s.machineBusy));
  return {
    figures: [
      ...figures(switches, steady),
      { key: 'steady_gap_ms', label: `floor: a steady mesh call's longest tile stall (${(smoke ? STEADY_MS.smoke : STEADY_MS.full) / 1000} s, same sampler)`, value: steady.gapMs, unit: 'ms' },
      { key: 'steady_presented_gap_ms', label: 'floor: longest gap between presented frames', value: steady.presentedGapMs, unit: 'ms' },
    ], // prettier-ignore
    details: {
      summary: (['up', 'down'] as const).map((d) => ({
        direction: NAME[d],
        switchP50Ms: switchTime(d).p50,
        switchP95Ms: switchTime(d).p95,
        machineBusyP50: busy(d).p50,
      })),
      steady,
      raw: { switches },
    },
    notes: [],
  };
}

export const switchBots: Scenario = {
  name: 'switch-bots',
  title: 'Mesh <-> SFU switch, one Chromium and bots',
  description: [
    "The real server with one mediasoup worker on 127.0.0.1 and `MESH_MAX_PEERS=3`, `SFU_DOWNGRADE_HOLD_S=1`, `SFU_DOWNGRADE_GRACE_S=5`. One headless Chromium page (the fake camera at 320x180, 15 fps) is the measured participant; every other participant is a load bot (`tests/load/`, werift in the bench process) sending the load clip (VP8 640x360 30 fps + Opus) and following the switch as the app does, each bot in a Node process of its own (`tests/bench/lib/botRoom.ts`): bots in the server's process, or sharing one, stalled their own mesh sending while another set up its SFU side.",
    "The page and one bot stay in the call. A cycle: a second bot joins (a mesh of 3); a third joins and the room moves to the SFU (**up**, the page's tiles of the first two bots measured); the third leaves; the second leaves and after the 1 s hold the room moves back (**down**, the staying bot's tile measured). A switch is done when the page reports the new mode with the old path closed; sampling goes on 1 s past that. Between cycles the 5 s grace passes, so each upgrade builds the SFU side from scratch. 22 cycles.",
    "Sampled on the page: `tests/e2e/support/gapSampler.ts` every 50 ms (the decoded-frame count behind each bot tile's `<video>`, blank tiles) and `tests/bench/lib/frameGaps.ts` (every presented frame). Figure per switch: the longest stall of any measured tile; p50/p95 over switches. **Floor**, in the same run before the cycles: the same sampling of the same tile over 10 s of a steady mesh call; each p95 is also given as a ratio to it.",
  ].join('\n\n'),
  target: 'p95 <= 300 ms longest tile stall per switch, both ways',
  anchor:
    "The floor in the same run (a steady call read by the same sampler). Jitsi's P2P <-> bridge switch: users report lost audio and blank shares (no figure published).",
  analysis: [
    "**Both ways meet the target on a quiet machine, in two runs** (2026-12-05 16:05 UTC, the table above: mesh -> SFU p50 58 / p95 146 ms, SFU -> mesh p50 50 / p95 53 ms, no blank sample; and 13:24 UTC, below). The spread over the two runs of 22 cycles each: mesh -> SFU p95 146-196 ms, SFU -> mesh p95 52-53 ms. The first run (13:24 UTC, 22 cycles, load average 2.5-2.7): mesh -> SFU p50 54 / p95 196 ms, SFU -> mesh p50 50 / p95 52 ms, against a steady call's 50 ms read by the same sampler (ratios 3.9x and 1.0x); no blank sample in 44 switches. The page went from the trigger (the third bot's `join` sent) to the SFU with its mesh links closed in p50 1.65 s, and back in 1.14 s. The `switch` scenario measured 341 ms p95 for the same path with four Chromiums on the two cores: most of that was the rig.",
    "**Why each bot has a process of its own, started before the measurement.** With the bots in the bench process (where the server runs) the page's SFU tiles stopped decoding for over a second after the swap; with each bot in a process started on the join, the mesh tiles froze for seconds while the new process started (Node, tsx and the clip take 3-5 s of CPU, traced with `__parley.tiles()` every 20 ms). Now the process starts first and the bot joins on a command (`startBotRoom({ onCommand: true })`, `BotRoom.join()`).",
  ].join('\n\n'),
  needs: ['chromium', 'ffmpeg'],
  run: ({ smoke, log }) => run(smoke, log),
};
