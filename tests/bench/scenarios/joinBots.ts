// Join latency with bots (issue #15): ONE Chromium page clicks Join in a room whose other
// members are load bots (tests/load/, in a process of their own), so the figure is Parley's
// path rather than four other browsers on the same two cores. Click -> first decoded remote
// frame with join.ts's milestones, next to the floor measured in the same run (two
// RTCPeerConnections in one page, the bots' capture size: lib/rtcFloor.ts).

import os from 'node:os';
import type { Browser } from 'playwright-core';
import { startAppServer, type AppServer } from '../lib/appServer.ts';
import { startBotRoom, type BotRoom } from '../lib/botRoom.ts';
import { Browsers, openRoomPage } from '../lib/browser.ts';
import {
  firstFrame,
  joinProbeScript,
  joinTimes,
  remoteAt,
  waitForFirstFrame,
  type JoinMarks,
  type JoinTimes,
} from '../lib/joinProbe.ts';
import { cpuMeter, machineCpuMeter, untilIdle } from '../lib/proc.ts';
import { openRtcFloor, type FloorTimes, type RtcFloor } from '../lib/rtcFloor.ts';
import { round, sleep, summarize } from '../lib/stats.ts';
import { DEFAULT_CLIP } from '../../load/clip.ts';
import { waitFor } from '../../e2e/support/wait.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

interface Mode {
  key: string;
  path: 'mesh' | 'sfu';
  label: string;
  /** Bots in the room when the page joins (every one publishes the load clip). */
  bots: number;
  meshMaxPeers: number;
  /** Whether the bots consume each other's media (and the joiner's). */
  subscribe: boolean;
  /** Bots (the first ones) that send video; the others send audio only. Default: all. */
  videoPublishers?: number;
  /** A variant that explains another mode's figure: reported without the targets. */
  diagnostic?: true;
}

const MODES: Record<'full' | 'smoke', Mode[]> = {
  full: [
    // A mesh of 2: the page initiates the link to the bot (the newer peer does), the bot answers.
    { key: 'mesh2', path: 'mesh', label: 'mesh, 2nd person (1 bot)', bots: 1, meshMaxPeers: 4, subscribe: true }, // prettier-ignore
    // A 5-person meeting: everyone sees everyone (16 consumers among the bots, cheap).
    { key: 'sfu5', path: 'sfu', label: 'SFU, 5th person (4 bots)', bots: 4, meshMaxPeers: 1, subscribe: true }, // prettier-ignore
    // 19 publishers that consume nothing: their CPU stays at packetizing and SRTP (~3 % of a
    // core each), and the joiner's path is the same (its consumers, its transport).
    { key: 'sfu20', path: 'sfu', label: 'SFU, 20th person (19 bots)', bots: 19, meshMaxPeers: 1, subscribe: false }, // prettier-ignore
    // The same room with 4 of the 19 bots sending video: how much of the 20th person's wait is
    // the number of videos that start at once (see the analysis).
    { key: 'sfu20v4', path: 'sfu', label: 'SFU, 20th person, 4 of 19 bots with video', bots: 19, meshMaxPeers: 1, subscribe: false, videoPublishers: 4, diagnostic: true }, // prettier-ignore
  ],
  smoke: [
    { key: 'mesh2', path: 'mesh', label: 'mesh, 2nd person (1 bot)', bots: 1, meshMaxPeers: 4, subscribe: true }, // prettier-ignore
    { key: 'sfu3', path: 'sfu', label: 'SFU, 3rd person (2 bots)', bots: 2, meshMaxPeers: 1, subscribe: false }, // prettier-ignore
  ],
};
/** Smoke: one join per path, so the e2e smoke stays under 20 s. */
const RUNS = { full: 25, smoke: 1 };
/** Quiet time on the pre-join screen before each click, after the previous joiner left. */
const SETTLE_MS = { full: 1500, smoke: 200 };
/** The floor sends the fake camera at the size the joiner decodes: the bots' clip. */
const FLOOR_SIZE = { width: DEFAULT_CLIP.width, height: DEFAULT_CLIP.height, fps: DEFAULT_CLIP.fps }; // prettier-ignore

interface Milestone {
  key: string;
  label: string;
  /** ms after the Join submit; NaN when not seen. */
  of(m: JoinMarks): number;
}

const fromTimes = (key: keyof JoinTimes, label: string): Milestone => ({
  key,
  label,
  of: (m) => joinTimes(m)[key],
});
const sent = (key: string, message: string, label: string): Milestone => ({
  key,
  label,
  of: (m) => remoteAt(m, m, message),
});

const START = [
  fromTimes('wsOpen', 'WebSocket open'),
  fromTimes('welcome', '`welcome` (hello reply)'),
  sent('joinSent', '-> join', '`join` sent'),
  fromTimes('joined', '`joined` (join reply)'),
];
const END = [
  fromTimes('iceChecking', 'ICE checking'),
  fromTimes('ice', 'ICE connected'),
  fromTimes('dtls', 'DTLS connected'),
  fromTimes('frameReceived', "first frame's last packet received"),
  fromTimes('firstFrame', 'first remote frame presented'),
];
/** join.ts's milestones, in order, per path (the bots' side of the mesh is not probed). */
const MILESTONES: Record<Mode['path'], Milestone[]> = {
  mesh: [
    ...START,
    fromTimes('pcCreated', 'RTCPeerConnection created'),
    sent('offerSent', '-> signal offer', 'offer sent'),
    sent('answerReceived', '<- signal answer', 'answer received (from the bot)'),
    fromTimes('negotiated', 'offer/answer applied'),
    ...END,
  ],
  sfu: [
    ...START,
    fromTimes('pcCreated', 'receive transport created'),
    sent('consumeAsked', '-> sfu-consume', '`sfu-consume` sent'),
    sent('consumerReply', '<- sfu-consumer video', 'first video consumer created (server reply)'),
    sent('connectSent', '-> sfu-connect', '`sfu-connect` sent (DTLS parameters)'),
    fromTimes('negotiated', 'consumer SDP applied'),
    ...END,
  ],
};

const FLOOR_MILESTONES: [keyof FloorTimes, string][] = [
  ['negotiated', 'offer/answer applied'],
  ['iceChecking', 'ICE checking'],
  ['ice', 'ICE connected'],
  ['dtls', 'DTLS connected'],
  ['frameReceived', "first frame's last packet received"],
  ['firstFrame', 'first remote frame presented'],
];

type Run = Record<string, number>;

interface ModeResult {
  mode: Mode;
  joins: Run[];
  floors: FloorTimes[];
  medianTimeline: { message: string; ms: number }[];
  loadAverage: number;
  machineBusy: number;
  botCores: number;
  botErrors: string[];
}

function joinRun(m: JoinMarks, path: Mode['path']): Run {
  const times = MILESTONES[path].map((s) => [s.key, round(s.of(m), 1)]);
  const inbound = firstFrame(m).inbound;
  return {
    click: 0,
    ...Object.fromEntries(times),
    packetsByFirstFrame: inbound?.packetsReceived ?? Number.NaN,
    plisByFirstFrame: inbound?.pliCount ?? Number.NaN,
  };
}

/** One measured join: a fresh context on the pre-join screen, click, first frame, leave. */
async function joinOnce(
  browser: Browser,
  app: AppServer,
  roomId: string,
  bots: number,
  settleMs: number,
): Promise<JoinMarks> {
  const room = await openRoomPage(browser, app.url, roomId, {
    name: 'Joiner',
    label: 'joiner',
    // The app's own camera (720p30): one page, so it fits; the joiner publishes once it
    // receives (or after 1 s), so its encoder starts after the figure in any case.
    capture: 'hd',
    initScripts: [joinProbeScript],
  });
  try {
    await sleep(settleMs);
    await room.join.click();
    return await waitForFirstFrame(room.page);
  } finally {
    await room.context.close();
    // A socket closed before the page's `leave` keeps its seat for the resume window (30 s).
    await waitFor(
      `${bots} admitted in the room`,
      async () => (await app.status(roomId)).admitted === bots,
      { timeoutMs: 45_000 },
    );
  }
}

function timeline(m: JoinMarks): { message: string; ms: number }[] {
  const t0 = m.submit ?? 0;
  return m.messages.map(({ at, message }) => ({ message, ms: round(at - t0, 1) }));
}

/** What a mode runs on: the server, the room with its bots, the Chromium and its floor page. */
interface Stage {
  app: AppServer;
  roomId: string;
  bots: BotRoom;
  browser: Browser;
  floor: RtcFloor;
  /** The floor page, the bots (they leave), the server: the reverse of the making. */
  close(): Promise<void>;
}

/** Sets a mode's stage up; on a failure, closes what it had made. */
async function setUp(mode: Mode, browser: Browser): Promise<Stage> {
  const made: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    // Idempotent: a smoke's stages are closed after their mode and again if one failed.
    for (const part of made.splice(0).reverse()) await part();
  };
  try {
    const app = await startAppServer({ sfu: mode.path === 'sfu', meshMaxPeers: mode.meshMaxPeers }); // prettier-ignore
    made.push(() => app.close());
    const { id } = await app.createRoom();
    const bots = await startBotRoom({
      url: app.url,
      roomId: id,
      count: mode.bots,
      sfu: mode.path === 'sfu',
      subscribe: mode.subscribe,
      ...(mode.videoPublishers !== undefined ? { videoPublishers: mode.videoPublishers } : {}),
    });
    made.push(() => bots.close());
    const floor = await openRtcFloor(browser, app.url, FLOOR_SIZE);
    made.push(() => floor.close());
    const status = await app.status(id);
    if (status.mode !== mode.path) throw new Error(`room is ${status.mode}, wanted ${mode.path}`);
    return { app, roomId: id, bots, browser, floor, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Smoke: every mode's stage at once (a smoke's figures say nothing about speed). */
async function setUpAll(modes: Mode[], browser: Browser): Promise<Stage[]> {
  const settled = await Promise.allSettled(modes.map((m) => setUp(m, browser)));
  const failed = settled.find((r) => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<Stage>).value);
  for (const r of settled) if (r.status === 'fulfilled') await r.value.close();
  throw failed.reason;
}

async function measure(
  stage: Stage,
  mode: Mode,
  smoke: boolean,
  log: (l: string) => void,
): Promise<ModeResult> {
  const { app, roomId, bots, browser, floor } = stage;
  const settle = smoke ? SETTLE_MS.smoke : SETTLE_MS.full;
  if (!smoke) {
    // First use of each path (the server's, the browser's) is not measured.
    await floor.measure();
    await joinOnce(browser, app, roomId, mode.bots, settle);
  }
  const loadAverage = os.loadavg()[0] ?? 0;
  const [machine, botCpu] = [machineCpuMeter(), cpuMeter(bots.pid)];
  const joins: Run[] = [];
  const marks: JoinMarks[] = [];
  const floors: FloorTimes[] = [];
  // Floor and join alternate, so both see the same machine.
  for (let i = 0; i < (smoke ? RUNS.smoke : RUNS.full); i++) {
    floors.push(await floor.measure());
    marks.push(await joinOnce(browser, app, roomId, mode.bots, settle));
    joins.push(joinRun(marks.at(-1)!, mode.path));
    log(`  ${mode.label} #${i + 1}: first frame ${joins.at(-1)!.firstFrame} ms, floor ${round(floors.at(-1)!.firstFrame, 1)} ms`); // prettier-ignore
  }
  const order = joins.map((r, i) => [r.firstFrame!, i] as const).sort((a, b) => a[0] - b[0]);
  const median = marks[order[Math.floor((order.length - 1) / 2)]![1]]!;
  return {
    mode,
    joins,
    floors,
    medianTimeline: timeline(median),
    loadAverage: round(loadAverage),
    machineBusy: round(machine.stop(), 2),
    botCores: round(botCpu.stop().cores, 2),
    botErrors: await bots.errors(),
  };
}

const p = (xs: number[]) => summarize(xs.filter(Number.isFinite));

function milestoneRows(r: ModeResult) {
  return MILESTONES[r.mode.path].map(({ key, label }) => {
    const s = p(r.joins.map((run) => run[key] ?? Number.NaN));
    return { milestone: label, p50Ms: round(s.p50, 1), p95Ms: round(s.p95, 1), runs: s.count };
  });
}

function floorRows(r: ModeResult) {
  return FLOOR_MILESTONES.map(([key, label]) => {
    const s = p(r.floors.map((f) => f[key]));
    return { milestone: label, p50Ms: round(s.p50, 1), p95Ms: round(s.p95, 1), runs: s.count };
  });
}

/** The stretches of the chain, each p50 over the runs of its own difference. */
function stretchRows(r: ModeResult) {
  const span = (label: string, from: string, to: string, floorOf?: (f: FloorTimes) => number) => {
    const s = p(r.joins.map((run) => (run[to] ?? Number.NaN) - (run[from] ?? Number.NaN)));
    const f = floorOf ? p(r.floors.map(floorOf)) : undefined;
    return {
      stretch: label,
      p50Ms: round(s.p50, 1),
      p95Ms: round(s.p95, 1),
      floorP50Ms: f ? round(f.p50, 1) : '',
    };
  };
  return [
    span('click -> `joined`', 'click', 'joined'),
    span(
      '`joined` -> SDP applied (consumer; mesh: offer/answer)',
      'joined',
      'negotiated',
      (f) => f.negotiated,
    ),
    span('SDP applied -> ICE connected', 'negotiated', 'ice', (f) => f.ice - f.negotiated),
    span('ICE -> DTLS connected', 'ice', 'dtls', (f) => f.dtls - f.ice),
    span("DTLS -> first frame's last packet", 'dtls', 'frameReceived', (f) => f.frameReceived - f.dtls), // prettier-ignore
    span('last packet -> frame presented', 'frameReceived', 'firstFrame', (f) => f.firstFrame - f.frameReceived), // prettier-ignore
  ];
}

function figures(results: ModeResult[]): Figure[] {
  return results.flatMap((r) => {
    const join = p(r.joins.map((x) => x.firstFrame!));
    const floor = p(r.floors.map((f) => f.firstFrame));
    const ms = (key: string, label: string, value: number, target?: number): Figure => ({
      key: `${r.mode.key}_${key}`,
      label: `${r.mode.label}: ${label}`,
      value: round(value, 1),
      unit: 'ms',
      ...(target === undefined || r.mode.diagnostic ? {} : { target: { op: '<=', value: target } }),
    });
    const ratio = (key: string, label: string, value: number): Figure => ({
      key: `${r.mode.key}_${key}`,
      label: `${r.mode.label}: ${label}`,
      value: round(value, 2),
      unit: 'x',
      ...(r.mode.diagnostic ? {} : { target: { op: '<=' as const, value: 1.2 } }),
    });
    return [
      ms('first_frame_p50', 'Join -> first remote frame, p50', join.p50, 250),
      ms('first_frame_p95', 'Join -> first remote frame, p95', join.p95, 500),
      ratio('ratio_p50', 'join / floor, p50', join.p50 / floor.p50),
      ratio('ratio_p95', 'join / floor, p95', join.p95 / floor.p95),
      ms('floor_p50', 'floor (2 RTCPeerConnections, one page), p50', floor.p50),
      ms('floor_p95', 'floor, p95', floor.p95),
      ms('joined_p50', 'Join -> `joined`, p50', p(r.joins.map((x) => x.joined!)).p50),
      ms('dtls_p50', 'Join -> DTLS connected, p50', p(r.joins.map((x) => x.dtls!)).p50),
    ];
  });
}

function notes(results: ModeResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.botErrors.length) out.push(`${r.mode.label}: the bots reported ${r.botErrors.length} error(s), first: ${r.botErrors[0]}`); // prettier-ignore
    const sizes = new Set(r.floors.map((f) => `${f.width}x${f.height}`));
    if (sizes.size > 1 || !sizes.has(`${FLOOR_SIZE.width}x${FLOOR_SIZE.height}`)) {
      out.push(`${r.mode.label}: the floor's first decoded frames were ${[...sizes].join(', ')} (camera ${FLOOR_SIZE.width}x${FLOOR_SIZE.height}).`); // prettier-ignore
    }
  }
  return out;
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const results: ModeResult[] = [];
  const modes = smoke ? MODES.smoke : MODES.full;
  // One Chromium for every join and floor: they take turns, so they never share its fake
  // camera at the same time (see Browsers).
  const browsers = new Browsers();
  let early: Stage[] = [];
  try {
    const browser = await browsers.launch();
    if (smoke) early = await setUpAll(modes, browser);
    for (const [i, mode] of modes.entries()) {
      if (!smoke) log(`  (machine ${Math.round((await untilIdle()) * 100)} % busy before the mode)`); // prettier-ignore
      log(`  ${mode.label}: MESH_MAX_PEERS=${mode.meshMaxPeers}, bots subscribe: ${mode.subscribe}`); // prettier-ignore
      // A full run sets each mode up after the last one's bots left: they would load the cores.
      const stage = early[i] ?? (await setUp(mode, browser));
      try {
        results.push(await measure(stage, mode, smoke, log));
      } finally {
        await stage.close();
      }
    }
  } finally {
    await Promise.all(early.map((s) => s.close()));
    await browsers.close();
  }
  const details: Record<string, unknown> = {};
  for (const r of results) {
    details[r.mode.key] = {
      stretches: stretchRows(r),
      milestones: milestoneRows(r),
      floor: floorRows(r),
      medianRunSignaling: r.medianTimeline,
    };
  }
  details.conditions = results.map((r) => ({
    mode: r.mode.label,
    loadAverageAtStart: r.loadAverage,
    machineCpuBusy: r.machineBusy,
    botProcessCores: r.botCores,
  }));
  details.raw = {
    joins: Object.fromEntries(results.map((r) => [r.mode.key, r.joins])),
    floors: Object.fromEntries(results.map((r) => [r.mode.key, r.floors])),
  };
  return { figures: figures(results), details, notes: notes(results) };
}

export const joinBots: Scenario = {
  name: 'join-bots',
  title: 'Join latency with bots (one Chromium)',
  description: [
    "The real server (signaling + one mediasoup worker on 127.0.0.1, `tests/bench/lib/appServer.ts`) serving the built app, ONE headless Chromium that joins, and load bots (`tests/load/Bot.ts`, werift) as the room's other members, in a child process of their own (`tests/bench/lib/botRoom.ts`) so their CPU does not delay the server's event loop. Every bot publishes the load clip (VP8 640x360 ~500 kbit/s at 30 fps, pre-encoded, plus Opus); a bot answers a keyframe request by restarting its clip at its keyframe at once.",
    "**mesh, 2nd person**: 1 bot in a room with `MESH_MAX_PEERS=4` and no SFU; the page (the newer peer) initiates the link and the bot answers (simple-peer's protocol, `tests/load/MeshLink.ts`). **SFU, 5th person**: 4 bots in a room with `MESH_MAX_PEERS=1` (on the SFU before the page comes), the bots consuming each other. **SFU, 20th person**: 19 bots that consume nothing (`subscribe: false`, so the bots' process stays near 0.2 of a core; the joiner's path is the same). **SFU, 20th person, 4 of 19 bots with video** (reported without the targets): the same room where 15 bots send audio only, which shows what the number of videos starting at once costs. The joiner uses the app's default camera (720p30); one Chromium serves every join and floor, in turn. Each measured join is a fresh browser context on the pre-join screen (camera preview running, name typed) that clicks **Join** and leaves once it has presented a remote frame; the next waits until the server counts the bots alone again. One unmeasured join and floor first, then 25 of each per mode, alternating. `--smoke`: a mesh room with 1 bot and an SFU room with 2, one join each.",
    "**Floor, in the same run**: two RTCPeerConnections in one page of the joiner's Chromium (the two take turns, so they never share its fake camera at once), the fake camera captured at the bots' 640x360 (30 fps) sent from one to the other, from `new RTCPeerConnection` (camera already running) to the receiving `<video>`'s first `requestVideoFrameCallback` (`tests/bench/lib/rtcFloor.ts`). Each join is reported as a ratio to it (p50 to p50, p95 to p95).",
    "The joiner is instrumented as in the `join` scenario (`tests/bench/lib/joinProbe.ts`): milestones are ms after the click, p50/p95 over the runs; `stretches` are the p50/p95 of each run's difference between two milestones, next to the floor's own stretch. `conditions` gives the load average at each mode's start, the share of both cores busy during its measured joins, and the bots' process CPU.",
  ].join('\n\n'),
  target:
    'Join -> first remote frame p50 <= 250 ms and p95 <= 500 ms; join within 1.2x the floor measured in the same run',
  anchor:
    'The floor in the same run (2 RTCPeerConnections in one page, same capture size), and the `join` scenario, where the other members are Chromium pages on the same two cores.',
  needs: ['chromium', 'ffmpeg'],
  analysis: [
    "**Issue #15, 2026-12-06: a receive transport warmed on the pre-join screen.** The pre-join screen now opens the signaling socket, and in a room on the SFU asks for a receive transport (`sfu-warm`) with one data channel of an idle server-side channel, which makes Chromium run ICE and DTLS while the person looks at the preview (the bench waits 1.5 s there, as before); Join names it and the server makes it the joiner's receive transport, its consumers held until the page has set them up (`resume`). The joiner produces once its first video packets arrive, no longer once its receive transport is connected (a warm one is connected before Join). **The run above (08:12-08:23 UTC, load average 7-9 from the bots and the page)** gave mesh p50 393 ms (3.57x its floor), 5th person 417 ms (2.71x), 20th 1,009 ms (6.81x), the 4-video room 574 ms (3.92x); click -> `joined` fell to 11-32 ms p50 (the socket is open). **A/B, back to back on the same machine, app/ without the warm path (12 joins per mode, 08:26-08:33):** mesh 382 ms (3.50x), 5th 386 ms (3.46x), 20th 906 ms (6.83x), 4-video room 601 ms (4.14x). Against each run's own floor the 5th person's join went from 3.46x to 2.71x (-22 %), the 4-video room from 4.14x to 3.92x, and the mesh and the 20th person did not move: at 20 the page's own work per video (SDP sections, receivers, tiles) is what is left, as below. The targets (250 ms, 1.2x) are still missed everywhere. In the SFU modes the `stretches` and the DTLS milestone above describe the warm transport's connection before the click (hence negative): the probe records each RTCPeerConnection's first negotiation only, and a renegotiation on a warm transport is not stamped yet. Earlier paragraphs describe the code before this change.",
    "**On a quiet machine (2026-12-05 15:53-16:05 UTC, the table above), after the consumers came with `joined`.** Mesh, 2nd person p50 403 / p95 478 ms (floor 114: 3.6x); SFU, 5th person p50 358 / p95 431 ms (floor 113: 3.2x); SFU, 20th person p50 716 / p95 854 ms (floor 157: 4.6x); the 20-person room with 4 videos p50 436 ms. p95 <= 500 ms now holds for the mesh, the 5th person and the 4-video room; p50 <= 250 ms and the 1.2x ratio hold nowhere. The same scenario at 13:14 UTC (before; load 1.6 at its start) gave mesh 340, 5th 297, 20th 1,018 / 1,442 ms: the machine's conditions moved between the two runs (the mesh join, which no change touched, is 19 % slower; the bots now send transport-cc feedback, and the worker's SRTP moved to OpenSSL), so the change is measured by an A/B below, not by comparing the runs.",
    "**A/B of the change (same machine, bots and worker, back to back, 10 joins each, app/ of `560f700` against this one):** 5th person p50 361 -> 367 ms, p95 426 -> 427 (no change); 20th person p50 995 -> 698 ms, p95 1,396 -> 805 (-30 % / -42 %). What changed (`SfuReceive` in `protocol/src/sfu.ts`): the page's `join` carries the preloaded Device's receive capabilities and its first page's size, and the admission makes its consumers beside the receive transport it already opened (`RoomMedia.openForJoiner`): the first page's videos and every audio running, the other videos paused. So no `sfu-consume` round trip waits behind the page's work after `joined`, and at 20 people only 15 videos start at once instead of 19 (the four off the page wait for their tile). A variant that negotiated the first page's videos alone before the rest was slower at 20 (705 against 576 ms p50, 8 joins each) and was reverted.",
    "**Where the 5th person's time goes now (p50, floor in brackets):** click -> `joined` 39 ms; `joined` -> consumer SDP applied 151 (the floor's whole offer/answer: 40), most of it mediasoup-client's SDP work and the call screen's first render on the same main thread; SDP applied -> ICE connected 108 (5); ICE -> DTLS 16 (3); the first frame's last packet arrives before the page even sees DTLS connected (the bots' keyframe is sent at once); last packet -> presented 37 (8). Server-side stamps in a diagnostic run (mediasoup `icestatechange`, `dtlsstatechange`, consumer `trace` events, on the page's clock via `timeOrigin`) put the receive transport's creation at +22-52 ms after the click, the **first ICE check from Chromium at the server +216-490 ms**, 130-170 ms after the page applied the SDP, DTLS 5-30 ms after that and the first keyframe out 3 ms after DTLS. The page's own ICE and DTLS stamps are main-thread events, delayed by long animation frames of 55-107 ms after each `setLocalDescription` (tiles and their `<video>` elements; the scripts in them take 18-32 ms, the rest is rendering). A throw-away RTCPeerConnection gathering candidates on the pre-join screen (to warm the network list) did not move the first check measurably (5 joins each) and was not kept. **Chromium's own ICE log** (`--enable-logging=stderr --vmodule=*/p2p/*=2,*/pc/*=1`, 2026-12-05, smoke joins on a busy machine) says where those 130-170 ms go: once the answer is applied, the receive transport's connection cannot ping before it has a local UDP candidate, and the candidate waits on two hops out of the renderer. Every new RTCPeerConnection first asks the browser process whether the page may see host addresses (`FilteringNetworkManager checking permission status`: 8 ms on an idle page, 85-317 ms during a join), then the network service creates the UDP socket (`socket_udp.cc Local address`: 6-10 ms idle, 85-240 ms during a join). From the candidate on, Chromium is fast: first STUN check out at once, answered in 3 ms, DTLS done 8-12 ms later. The floor's two connections make the same hops on an idle page, which is most of the distance between the two. `iceCandidatePoolSize` (gathering at construction) was tried and dropped: in a plain two-connection page the answering side does not take its pooled session (a second allocation starts at its answer, seen in the log), and the browser is the answering side of every mediasoup receive transport. What is left to try is not in the join path at all: a receive transport opened and connected while the person looks at the pre-join screen (the server would hold a transport for a socket that has not joined, which needs its own limit), so that `joined` only adds consumers to a connected transport.",
    "**SFU, 20th person.** With 15 videos starting at once, `joined` -> consumer SDP applied is 263 ms and SDP applied -> ICE connected 303 ms (page stamps, main thread); the 4-video room takes 197 and 134. The remaining distance to 250 ms is the page's work per video (one SDP section, one receiver, one tile and `<video>` each) on the same two cores as the server and 19 bots.",
    "**Mesh, 2nd person: the gap is the bot's side, which is the rig.** ICE -> DTLS takes p50 103 ms against 4 in the floor: werift runs DTLS in JavaScript (`elliptic`, `tweetnacl`), and builds the link's RTCPeerConnection when the offer arrives. Until a bot answers like a browser, the mesh figure here says little about Parley; the `join` scenario's Chromium-to-Chromium mesh is the one to read.",
    '**Every join: click -> `join` sent is 18-25 ms p50** (WebSocket open, `hello`, `welcome`), because `CallController.join` opens the socket on the click. Opening it on the pre-join screen would remove that, but the server closes a socket that has not joined within JOIN_TIMEOUT_MS (15 s), longer than people look at a preview: not done.',
  ].join('\n\n'),
  run: ({ smoke, log }) => run(smoke, log),
};
