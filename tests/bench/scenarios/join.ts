// Join latency in Chromium: click Join -> first decoded remote frame, with its milestones
// (WebSocket open, `joined`, ICE connected, DTLS connected), for a 2nd peer joining a mesh
// room and a 5th peer joining a room that is already on the SFU.

import os from 'node:os';
import type { Browser } from 'playwright-core';
import { startAppServer, type AppServer } from '../lib/appServer.ts';
import { Browsers, joinedPage, openRoomPage, type RoomPage } from '../lib/browser.ts';
import {
  firstFrame,
  joinProbeScript,
  joinTimes,
  readMarks,
  remoteAt,
  resetProbe,
  waitForFirstFrame,
  type JoinMarks,
  type JoinTimes,
} from '../lib/joinProbe.ts';
import { machineCpuMeter, untilIdle } from '../lib/proc.ts';
import { round, sleep, summarize } from '../lib/stats.ts';
import { waitFor } from '../../e2e/support/wait.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

interface Mode {
  /** Result key: `mesh`, `sfu`, or a variant of one. */
  key: string;
  path: 'mesh' | 'sfu';
  label: string;
  /** Every page's camera (see BenchPageOptions.capture). */
  capture: 'small' | 'hd';
  /** Peers already in the room when the measured peer joins. */
  present: number;
  /** The server's MESH_MAX_PEERS for this mode. */
  meshMaxPeers: number;
  /** A variant that explains another mode's figure: reported without the targets. */
  diagnostic?: true;
}

const MODES: Record<'full' | 'smoke', Mode[]> = {
  full: [
    { key: 'mesh', path: 'mesh', label: 'mesh, 2nd peer', capture: 'small', present: 1, meshMaxPeers: 4 }, // prettier-ignore
    { key: 'sfu', path: 'sfu', label: 'SFU, 5th peer', capture: 'small', present: 4, meshMaxPeers: 3 }, // prettier-ignore
    // The same SFU path with three pages instead of five on the two cores: what the chain
    // costs when the joiner's first frame does not queue behind four other browsers.
    { key: 'sfu3', path: 'sfu', label: 'SFU, 3rd peer (3 pages)', capture: 'small', present: 2, meshMaxPeers: 1, diagnostic: true }, // prettier-ignore
    // The app's own camera default (720p30, so a start at ~300 kbit/s on a fresh link): two
    // pages only, so it fits on the two cores.
    { key: 'meshHd', path: 'mesh', label: 'mesh, 2nd peer, 720p30 cameras', capture: 'hd', present: 1, meshMaxPeers: 4 }, // prettier-ignore
  ],
  // Smoke: the same paths with fewer pages (a 2-peer room already on the SFU).
  smoke: [
    { key: 'mesh', path: 'mesh', label: 'mesh, 2nd peer', capture: 'small', present: 1, meshMaxPeers: 4 }, // prettier-ignore
    { key: 'sfu', path: 'sfu', label: 'SFU, 3rd peer', capture: 'small', present: 2, meshMaxPeers: 1 }, // prettier-ignore
  ],
};
const RUNS = { full: 25, smoke: 2 };
/** Quiet time before each measured join, after the previous one has left. */
const SETTLE_MS = { full: 1500, smoke: 300 };

/** What one measured join recorded: the joiner's page and the pages already in the call. */
interface Join {
  joiner: JoinMarks;
  present: JoinMarks[];
}

interface Milestone {
  key: string;
  label: string;
  /** ms after the Join submit; NaN when not seen. */
  of(j: Join): number;
}

const fromTimes = (key: keyof JoinTimes, label: string): Milestone => ({
  key,
  label,
  of: (j) => joinTimes(j.joiner)[key],
});
/** The first time the joiner's signaling log shows `message`. */
const sent = (key: string, message: string, label = `\`${message}\``): Milestone => ({
  key,
  label,
  of: (j) => remoteAt(j.joiner, j.joiner, message),
});
/** The earliest time a page already in the call logs `message` (on the joiner's clock). */
const atPeer = (key: string, message: string, label: string): Milestone => ({
  key,
  label,
  of: (j) => Math.min(...j.present.map((p) => remoteAt(j.joiner, p, message)).filter(Number.isFinite)), // prettier-ignore
});

/** DTLS `connected` of the other peer's newest connection (its link to the joiner). */
const dtlsAtPeer: Milestone = {
  key: 'dtlsAtPeer',
  label: 'DTLS connected at the other peer',
  of: (j) => {
    const t0 = j.joiner.timeOrigin + (j.joiner.submit ?? Number.NaN);
    const times = j.present.map((p) => {
      const pc = p.pcs.at(-1);
      return pc?.dtls === undefined ? Number.NaN : p.timeOrigin + pc.dtls - t0;
    });
    return Math.max(...times.filter((t) => t > 0));
  },
};

const START = [
  fromTimes('wsOpen', 'WebSocket open'),
  fromTimes('welcome', '`welcome` (hello reply)'),
  fromTimes('joined', '`joined` (join reply)'),
];
const END = [
  fromTimes('iceChecking', 'ICE checking'),
  fromTimes('ice', 'ICE connected'),
  fromTimes('dtls', 'DTLS connected'),
  fromTimes('frameReceived', "first frame's last packet received"),
  fromTimes('firstFrame', 'first remote frame presented'),
];
/** The milestones in order, per mode (ms after the Join submit). */
const MILESTONES: Record<Mode['path'], Milestone[]> = {
  mesh: [
    ...START,
    fromTimes('pcCreated', 'RTCPeerConnection created'),
    sent('offerSent', '-> signal offer', 'offer sent'),
    atPeer('offerAtPeer', '<- signal offer', 'offer at the other peer'),
    atPeer('answerFromPeer', '-> signal answer', 'answer sent by the other peer'),
    sent('answerReceived', '<- signal answer', 'answer received'),
    fromTimes('negotiated', 'offer/answer applied'),
    ...END.slice(0, 3),
    dtlsAtPeer,
    ...END.slice(3),
  ],
  sfu: [
    ...START,
    // The receive transport comes with `joined` and the Device was loaded before the click.
    fromTimes('pcCreated', 'receive transport created'),
    sent('consumeAsked', '-> sfu-consume', '`sfu-consume` sent'),
    sent('consumerReply', '<- sfu-consumer video', 'first video consumer created (server reply)'),
    sent('connectSent', '-> sfu-connect', '`sfu-connect` sent (DTLS parameters)'),
    fromTimes('negotiated', 'consumer SDP applied'),
    ...END,
  ],
};

type Run = Record<string, number>;

/** The first frame's receiver counters: how much arrived before one frame could be shown. */
function firstFrameCounters(j: Join): Run {
  const f = firstFrame(j.joiner).inbound;
  return {
    packetsByFirstFrame: f?.packetsReceived ?? Number.NaN,
    kbByFirstFrame: f ? round(f.bytesReceived / 1024, 1) : Number.NaN,
    plisByFirstFrame: f?.pliCount ?? Number.NaN,
  };
}

interface ModeResult {
  mode: Mode;
  runs: Run[];
  /** The signaling messages of the median run, as the joiner saw them. */
  medianTimeline: { message: string; ms: number }[];
  loadAverage: number;
  /** Share of both cores busy over the measured joins (everything on the machine). */
  machineBusy: number;
}

async function untilAdmitted(app: AppServer, roomId: string, count: number): Promise<void> {
  // Closing a context races the page's best-effort `leave` (pagehide): when the socket closes
  // first, the server holds the seat for its resume window (30 s), as for a dropped network.
  const timeoutMs = 45_000;
  await waitFor(
    `${count} admitted in the room`,
    async () => (await app.status(roomId)).admitted === count,
    { timeoutMs },
  );
}

function timeline(m: JoinMarks): { message: string; ms: number }[] {
  const t0 = m.submit ?? 0;
  return m.messages.map(({ at, message }) => ({ message, ms: round(at - t0, 1) }));
}

/** One measured join: a fresh context on the pre-join screen, click, first frame, leave. */
async function measureOnce(
  browser: Browser,
  app: AppServer,
  roomId: string,
  present: RoomPage[],
  mode: Mode,
  settleMs: number,
): Promise<Join> {
  const room = await openRoomPage(browser, app.url, roomId, {
    name: 'Joiner',
    label: 'joiner',
    capture: mode.capture,
    initScripts: [joinProbeScript],
  });
  try {
    await sleep(settleMs);
    await Promise.all(present.map((p) => resetProbe(p.page)));
    await room.join.click();
    const joiner = await waitForFirstFrame(room.page);
    return { joiner, present: await Promise.all(present.map((p) => readMarks(p.page))) };
  } finally {
    await room.context.close();
    await untilAdmitted(app, roomId, present.length);
  }
}

async function runMode(mode: Mode, smoke: boolean, log: (l: string) => void): Promise<ModeResult> {
  const app = await startAppServer({ sfu: mode.path === 'sfu', meshMaxPeers: mode.meshMaxPeers });
  // One Chromium per participant (see Browsers); each join is a fresh context in the joiner's.
  const browsers = new Browsers();
  const present: RoomPage[] = [];
  try {
    const joinerBrowser = await browsers.launch();
    const { id } = await app.createRoom();
    for (let i = 0; i < mode.present; i++) {
      const name = `Peer ${i + 1}`;
      present.push(
        await joinedPage(await browsers.launch(), app.url, id, {
          name,
          capture: mode.capture,
          initScripts: [joinProbeScript],
        }),
      );
    }
    const status = await app.status(id);
    if (status.mode !== mode.path) throw new Error(`room is ${status.mode}, wanted ${mode.path}`);
    const loadAverage = os.loadavg()[0] ?? 0;
    const settle = smoke ? SETTLE_MS.smoke : SETTLE_MS.full;
    // One unmeasured join first: the server's and the browser's first use of each path.
    await measureOnce(joinerBrowser, app, id, present, mode, settle);
    const joins: Join[] = [];
    const runs: Run[] = [];
    const cpu = machineCpuMeter();
    for (let i = 0; i < (smoke ? RUNS.smoke : RUNS.full); i++) {
      const j = await measureOnce(joinerBrowser, app, id, present, mode, settle);
      joins.push(j);
      const times = MILESTONES[mode.path].map((m) => [m.key, round(m.of(j), 1)]);
      runs.push({ ...Object.fromEntries(times), ...firstFrameCounters(j) });
      log(`  ${mode.label} #${i + 1}: first frame ${Math.round(runs.at(-1)!.firstFrame!)} ms`);
    }
    const order = runs.map((r, i) => [r.firstFrame!, i] as const).sort((a, b) => a[0] - b[0]);
    const median = joins[order[Math.floor((order.length - 1) / 2)]![1]]!;
    return {
      mode,
      runs,
      medianTimeline: timeline(median.joiner),
      loadAverage: round(loadAverage),
      machineBusy: round(cpu.stop(), 2),
    };
  } finally {
    await browsers.close();
    await app.close();
  }
}

function counterRows(r: ModeResult) {
  return ['packetsByFirstFrame', 'kbByFirstFrame', 'plisByFirstFrame'].map((key) => {
    const s = summarize(r.runs.map((run) => run[key] ?? Number.NaN).filter(Number.isFinite));
    return { counter: key, p50: s.p50, p95: s.p95, runs: s.count };
  });
}

function phaseRows(r: ModeResult) {
  return MILESTONES[r.mode.path].map(({ key, label }) => {
    const s = summarize(r.runs.map((run) => run[key] ?? Number.NaN).filter(Number.isFinite));
    return { milestone: label, p50Ms: round(s.p50, 1), p95Ms: round(s.p95, 1), runs: s.count };
  });
}

function figures(results: ModeResult[]): Figure[] {
  return results.flatMap((r) => {
    const of = (key: string) => summarize(r.runs.map((x) => x[key] ?? Number.NaN));
    const [frame, dtls, joined] = [of('firstFrame'), of('dtls'), of('joined')];
    const k = r.mode.key;
    const target = (value: number): Pick<Figure, 'target'> =>
      r.mode.diagnostic ? {} : { target: { op: '<=', value } };
    return [
      {
        key: `${k}_first_frame_p50`,
        label: `${r.mode.label}: Join -> first remote frame, p50`,
        value: round(frame.p50),
        unit: 'ms',
        ...target(250),
      },
      {
        key: `${k}_first_frame_p95`,
        label: `${r.mode.label}: Join -> first remote frame, p95`,
        value: round(frame.p95),
        unit: 'ms',
        ...target(500),
      },
      {
        key: `${k}_joined_p50`,
        label: `${r.mode.label}: Join -> \`joined\`, p50`,
        value: round(joined.p50, 1),
        unit: 'ms',
      },
      {
        key: `${k}_dtls_p50`,
        label: `${r.mode.label}: Join -> DTLS connected, p50`,
        value: round(dtls.p50, 1),
        unit: 'ms',
      },
    ] satisfies Figure[];
  });
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const results: ModeResult[] = [];
  for (const mode of smoke ? MODES.smoke : MODES.full) {
    if (!smoke) log(`  (machine ${Math.round((await untilIdle()) * 100)} % busy before the mode)`);
    log(`  ${mode.label}: ${mode.present} peer(s) in the room, MESH_MAX_PEERS=${mode.meshMaxPeers}`); // prettier-ignore
    results.push(await runMode(mode, smoke, log));
  }
  const details: Record<string, unknown> = {};
  for (const r of results) {
    details[r.mode.key] = {
      milestones: phaseRows(r),
      firstFrameReceiver: counterRows(r),
      medianRunSignaling: r.medianTimeline,
    };
  }
  details.raw = {
    runs: Object.fromEntries(results.map((r) => [r.mode.key, r.runs])),
  };
  details.conditions = results.map((r) => ({
    mode: r.mode.label,
    pages: r.mode.present + 1,
    loadAverageAtStart: r.loadAverage,
    machineCpuBusy: r.machineBusy,
  }));
  return { figures: figures(results), details, notes: [] };
}

export const join: Scenario = {
  name: 'join',
  title: 'Join latency (Chromium)',
  description: [
    'The real server (signaling + one mediasoup worker on 127.0.0.1, `tests/bench/lib/appServer.ts`) serving the built app, and headless Chromium (`playwright-core`, fake camera and microphone), one browser per participant: pages of one browser share its fake camera, which stalls for all of them while some are busy. Rooms are created over `POST /api/rooms` with the waiting room off and opened at `/r/<id>`.',
    "**mesh**: 1 peer is in the room (`MESH_MAX_PEERS=4`) and a 2nd joins. **SFU**: 4 peers are in a room with `MESH_MAX_PEERS=3`, so it is already on the SFU, and a 5th joins. Both with the small camera profile (320x180, 15 fps) the e2e suites use so that five participants fit on two cores. **SFU, 3rd peer (3 pages)**: the SFU case with 2 peers in a room with `MESH_MAX_PEERS=1`, reported without the targets: what the same chain costs with less load on the two cores. **mesh, 720p30**: the mesh case again with the app's default camera (1280x720, 30 fps) on both pages. Before each mode the scenario waits (up to 30 s) until the machine is under 25 % busy. Each measured join is a fresh browser context that waits on the pre-join screen (camera preview running, name typed), clicks **Join**, and leaves (context closed) once it has presented a remote frame; the next starts when the server counts the room back to its size. One unmeasured join first, then 25 measured per mode. `conditions` gives the load average at the start of each mode and the share of both cores busy (`/proc/stat`) during its measured joins: every page and the server share the two cores, where real participants each bring their own machine.",
    "Instrumented from outside the app: a Playwright init script (`tests/bench/lib/joinProbe.ts`) on every page subclasses `WebSocket` and `RTCPeerConnection` and stamps `performance.now()` at the form submit, socket open, every signaling message in and out (`welcome`, `joined`, SDP and candidates, `sfu-*` requests), each connection's offer/answer applied (`signalingState` back to `stable`), ICE `checking` and `connected`, `connectionState` `connected` (DTLS), and the first `requestVideoFrameCallback` of a remote tile `<video>` (a decoded frame handed to the compositor; its metadata's `receiveTime` is when that frame's last packet arrived). ICE and DTLS are those of the connection that delivered that frame (SFU: the receive transport). The pages already in the call are probed too (their clocks aligned through `performance.timeOrigin`), which shows the other side of the mesh offer/answer. Milestones are cumulative ms after the click, p50/p95 over the runs, each milestone on its own (so they need not add up in order).",
  ].join('\n\n'),
  target: 'Join -> first remote frame p50 <= 250 ms, p95 <= 500 ms',
  anchor:
    'LiveKit Cloud connect p50 ~490-560 ms (as quoted in the issue; over the internet to a cloud region, where this is loopback, so not like for like; not re-checked offline).',
  analysis: [
    '**The figures move with the machine.** Four runs of the final code (2026-11-30) gave mesh p50 229 / 244 / 268 / 256 ms, mesh at 720p30 p50 228 / 289 / 298 / 305 ms, SFU (5th peer) p50 366 / 376 / 572 / 636 ms, and SFU with three pages p50 210 / 300 / 204 ms. In the slow SFU runs every step was slower alike, the WebSocket open and `welcome` too (p50 25-34 ms against 17); in the slow mesh runs (whose code did not change) the steps inside the browsers, creating the offer and answering it, took a third to a half longer. The machine was idle before each mode (the scenario now waits for that): this is a shared virtual machine, and five browsers on two cores sit at the edge of saturation (82-90 % busy), where a little less CPU means a lot more queueing. The tables are the last run; the ranges are what to trust.',
    "**Mesh meets the target on quiet runs** (p50 ~210-245 ms; 256-268 ms on the slow ones; p95 ~260-330 ms, always within 500). Where it goes (p50): signaling ~20-30 ms (socket open, `welcome`, `joined`); simple-peer builds the connection and its offer ~45 ms; the other peer takes ~35 ms to answer; offer/answer applied and ICE + DTLS on loopback take another ~35 ms; then ~85 ms pass between the sender's DTLS `connected` and the last packet of the first frame (a 2-3 KB VP8 keyframe): the sender's encoder starts on its next captured frame (15 fps here, so up to 67 ms) and sends a keyframe; decode and paint ~10-30 ms. **At 720p30** the first frame used to wait ~210 ms after DTLS, because libwebrtc starts a link at ~300 kbit/s and drops or shrinks the first 720p frames; the app now starts video senders at 1 Mbit/s (`x-google-start-bitrate` on mesh links, `videoGoogleStartBitrate` on SFU producers), which took p50 from 343 to 210-230 ms on quiet runs (up to 305 ms on the slow ones, where the 320x180 mesh join slowed alike).",
    "**SFU (5th peer) meets p95 on a good run (459 ms) but misses p50 on every run (366-636 ms).** Fixed this session, in the order of the chain: (1) the mediasoup Device is loaded on the pre-join screen from `GET /api/sfu/capabilities` (every router of a server has the same capabilities; `device.load()` opens a throw-away `RTCPeerConnection`, ~140 ms that used to come after `joined`); (2) the server opens the joiner's receive transport with its admission and sends it in `joined` (one round trip less); (3) the server lists video producers first, so the first consumer negotiated is a picture; (4) consumers asked for before the receive transport has started ICE are created running (mediasoup sends nothing until DTLS is up and then asks the publisher for a keyframe), which removes the resume round trip that took ~140 ms under load; (5) the transport `connect` no longer holds the SDP until the server answers (DTLS needs ICE, which needs that SDP, so the server has the parameters long before); (6) the joiner produces only once it receives (or after 1 s), so its own encoder and producers do not compete with its first picture. Together: p50 586 -> 366-376 ms and p95 976 -> 459-581 ms on comparable runs (the two slow runs: 572-636 / 811-1,150 ms).",
    "**What is left is the rig, not a step we can remove.** With the same code and two pages in the room instead of four (`SFU, 3rd peer (3 pages)`, reported without a target), the same chain takes p50 204-210 ms and p95 308-319 ms, within both targets, on the runs where five pages took 376 / 581 and 636 / 1,150 ms: the three-page figure stays put while the five-page one swings with the machine. Step by step (p50, five pages vs three): `joined` 73 vs 38 ms, the first consumer's reply 54 vs 28 ms after the request, SDP and ICE 63 vs 44 ms, DTLS 238 vs 151 ms after the click, and the keyframe 104 vs 40 ms after DTLS: the publisher's page, starved of CPU, encodes it late. Every step doubles with the load: the two cores were 82-83 % busy during the five-page joins, with five Chromium instances, the server and the worker sharing them, where real participants each bring their own machine. Tried and dropped: asking the publishers for a keyframe as soon as the joiner sends `sfu-connect` (through another peer's running consumer), so that one is in flight when DTLS comes up. It made p95 1.2-1.6 s: when that keyframe landed before DTLS, the consumer's own request came within 300 ms of it, which libwebrtc ignores (its minimum interval between keyframes), and mediasoup only asks again after a second.",
    "**Anchor**: LiveKit Cloud's ~490-560 ms connect includes internet round trips to a cloud region; these runs are on loopback, with every participant sharing two cores, so neither side is like for like. Instrumenting from outside showed one test artifact, fixed here: with all participants as pages of one Chromium, the fake camera (one capture service per browser) stopped delivering frames to every page for 0.6-1 s whenever several were busy; each participant now has its own browser.",
  ].join('\n\n'),
  needs: ['chromium'],
  run: ({ smoke, log }) => run(smoke, log),
};
