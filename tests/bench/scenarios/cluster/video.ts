// Failover as a person sees it (issue 13, failure 1): two Chromium pages in a call through
// HAProxy, the node holding the room is SIGKILLed, and the clock runs until each page decodes
// the other's camera again on a new track (the call rebuilt on the room's new node). The
// floor measured in the same round is the moment the room has a new owner in Redis: nobody
// can be served before it, and it cannot come before the dead node's lease ends.
// One browser, two pages, so the figure is Parley's path and not a starved machine's (the
// six-page e2e test, tests/e2e/cluster.test.ts, is the correctness check).

import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import {
  DEFAULT_PG_BIN_DIR,
  startCluster,
  type LocalCluster,
} from '../../../../deploy/local/index.ts';
import { KEYS } from '../../../../signaling/src/cluster/keys.ts';
import { buildApp } from '../../../e2e/support/appBuild.ts';
import { expectTilesLive, tileStats } from '../../../e2e/support/call.ts';
import { cameraTracks, selfIds, timeRecovery } from '../../../e2e/support/cluster.ts';
import { waitFor } from '../../../e2e/support/wait.ts';
import { joinedPage, launchChromium, type RoomPage } from '../../lib/browser.ts';
import { untilIdle } from '../../lib/proc.ts';
import { round, summarize } from '../../lib/stats.ts';
import { createRoom } from '../../lib/wsClient.ts';
import type { Figure, Scenario, ScenarioOutput } from '../../types.ts';

/** A call of two pages in each mode: MESH_MAX_PEERS 1 puts two people on the SFU. */
export const VARIANTS = [
  { via: 'mesh', meshMaxPeers: 4 },
  { via: 'sfu', meshMaxPeers: 1 },
] as const;
export type Via = (typeof VARIANTS)[number]['via'];

/** A correctness bound per round, not a target (the target is p95 <= 10 s). */
const ROUND_DEADLINE_MS = 60_000;
/** Clear of the e2e cluster (62000) and startCluster's default (50000); the rig's (61000)
 * is stopped before this runs. */
const SFU_PORT_BASE = 61_000;

export interface VideoRound {
  via: Via;
  killed: string;
  newOwner: string;
  /** Kill -> the room held by a live node in Redis (the floor), ms. */
  claimedMs: number;
  /** Kill -> each page decoding the other again, ms (the round's deadline if it never did). */
  pagesMs: number[];
  /** Why the call did not come back within the deadline; absent when it did. */
  failed?: string;
}

async function startVideoCluster(meshMaxPeers: number): Promise<LocalCluster> {
  return startCluster({
    nodes: 2,
    staticDir: buildApp('debug'),
    sfuPortBase: SFU_PORT_BASE,
    nodeStartTimeoutMs: 180_000,
    env: { MESH_MAX_PEERS: String(meshMaxPeers), STUN_URLS: '' },
  });
}

/** Polls Redis until `roomId` is held by a node other than `dead`; ms since `since`. */
async function timeClaim(admin: Redis, roomId: string, dead: string, since: number) {
  for (;;) {
    const owner = await admin.get(KEYS.room(roomId));
    if (owner && owner !== dead) return { owner, ms: round(performance.now() - since) };
    if (performance.now() - since > ROUND_DEADLINE_MS) throw new Error('room never re-claimed');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function everyoneLive(pages: Page[], via: Via): Promise<void> {
  const ids = (await selfIds(pages)) as string[];
  await Promise.all(
    pages.map((p, i) =>
      expectTilesLive(
        p,
        ids.filter((_, j) => j !== i),
        via,
        ROUND_DEADLINE_MS,
      ),
    ),
  );
}

/** What each node printed last, who holds the room, and what each page shows. */
async function explain(
  cluster: LocalCluster,
  admin: Redis,
  roomId: string,
  pages: Page[],
  log: (line: string) => void,
): Promise<void> {
  log(`  room held by ${(await admin.get(KEYS.room(roomId))) ?? 'nobody'}`);
  for (const node of cluster.nodes) {
    log(`  --- ${node.id} (${node.running ? 'running' : 'stopped'}), last output:`);
    log(node.logs().split('\n').slice(-25).join('\n'));
  }
  for (const [i, page] of pages.entries()) {
    log(`  page ${i}: ${JSON.stringify(await tileStats(page).catch(String))}`);
  }
}

/** `kills` rounds on one call of two pages; the killed node is restarted between rounds. */
export async function measureVideoFailover(
  variant: (typeof VARIANTS)[number],
  kills: number,
  log: (line: string) => void,
): Promise<VideoRound[]> {
  const cluster = await startVideoCluster(variant.meshMaxPeers);
  const admin = new Redis(cluster.redis.url);
  let browser: Browser | undefined;
  const rounds: VideoRound[] = [];
  try {
    browser = await launchChromium();
    const room = await createRoom(cluster.url);
    const joined: RoomPage[] = [];
    for (const name of ['Ada', 'Grace']) {
      joined.push(await joinedPage(browser, cluster.url, room.id, { name }));
    }
    const pages = joined.map((j) => j.page);
    await everyoneLive(pages, variant.via);
    for (let i = 0; i < kills; i++) {
      await untilIdle(0.6, 15_000);
      const owner = await admin.get(KEYS.room(room.id));
      const victim = cluster.nodes.find((n) => n.id === owner);
      if (!victim) throw new Error(`room ${room.id} is held by ${owner ?? 'nobody'}`);
      const before = new Map(await Promise.all(pages.map(async (p) => [p, await cameraTracks(p)] as const))); // prettier-ignore
      const killedAt = performance.now();
      const wallAt = Date.now();
      await victim.kill('SIGKILL');
      const claim = timeClaim(admin, room.id, victim.id, killedAt);
      let recovered;
      try {
        recovered = await timeRecovery([{ name: variant.via, pages }], before, wallAt, ROUND_DEADLINE_MS); // prettier-ignore
      } catch (error) {
        // A call that did not come back counts, at the deadline, and ends this call's rounds.
        log(`  ${variant.via}: killed ${victim.id}: ${String(error)}`);
        await explain(cluster, admin, room.id, pages, log);
        const claimed = await claim.catch(() => ({ owner: 'none', ms: ROUND_DEADLINE_MS }));
        const pagesMs = pages.map(() => ROUND_DEADLINE_MS);
        rounds.push({ via: variant.via, killed: victim.id, newOwner: claimed.owner, claimedMs: claimed.ms, pagesMs, failed: String(error) }); // prettier-ignore
        break;
      }
      const claimed = await claim;
      const r: VideoRound = {
        via: variant.via,
        killed: victim.id,
        newOwner: claimed.owner,
        claimedMs: claimed.ms,
        pagesMs: recovered.sort((a, b) => a.page - b.page).map((x) => x.ms),
      };
      rounds.push(r);
      log(`  ${variant.via}: killed ${r.killed}, claimed by ${r.newOwner} at ${r.claimedMs} ms, video again ${r.pagesMs.join(' / ')} ms`); // prettier-ignore
      // The call settles on the new node (the mode it should have), and the killed node comes
      // back for the next round to move the room onto.
      await everyoneLive(pages, variant.via);
      await victim.start();
      await waitFor('the restarted node in the registry', async () => {
        return (await admin.zscore(KEYS.nodes, victim.id)) !== null;
      });
    }
    return rounds;
  } finally {
    await browser?.close();
    admin.disconnect();
    await cluster.stop();
  }
}

interface Plan {
  runs: number;
  kills: number;
  variants: readonly (typeof VARIANTS)[number][];
}

const FULL: Plan = { runs: 2, kills: 6, variants: VARIANTS };
const SMOKE: Plan = { runs: 1, kills: 1, variants: VARIANTS.filter((v) => v.via === 'sfu') };

function figuresOf(rounds: VideoRound[], runs: number): Figure[] {
  return VARIANTS.flatMap(({ via }) => {
    const mine = rounds.filter((r) => r.via === via);
    if (mine.length === 0) return [];
    const pages = summarize(mine.flatMap((r) => r.pagesMs));
    const claimed = summarize(mine.map((r) => r.claimedMs));
    const media = summarize(mine.flatMap((r) => r.pagesMs.map((ms) => ms - r.claimedMs)));
    const of = `${via} call of 2, ${mine.length} kills over ${runs} run(s)`;
    const ms = (key: string, label: string, value: number, target?: number): Figure => ({
      key: `${via}_${key}`,
      label: `${label} (${of})`,
      value: round(value),
      unit: 'ms',
      ...(target === undefined ? {} : { target: { op: '<=', value: target } }),
    });
    return [
      ms('video_again_p50_ms', 'kill -> video decoding again, p50', pages.p50),
      ms('video_again_p95_ms', 'kill -> video decoding again, p95', pages.p95, 10_000),
      ms('claimed_p50_ms', 'floor: kill -> room held by a live node, p50', claimed.p50),
      ms('after_claim_p95_ms', 'claim -> video decoding again, p95', media.p95),
    ];
  });
}

export const failoverVideo: Scenario = {
  name: 'failover-video',
  title: 'Failover in the browser (kill -> video again)',
  description: [
    "Real processes on loopback: `startCluster` (deploy/local) with 2 Parley nodes behind HAProxy, serving the debug build of the app; one Chromium, two pages (320x180 fake camera) in one room opened at HAProxy's URL. Each round SIGKILLs the node that holds the room (read from Redis) and times, from just before the kill, (a) the room being held by the other node in Redis (polled every 20 ms: the floor, which the dead node's 3 s lease decides) and (b) each page decoding the other's camera again on a track it did not have before the kill (`window.__parley.tiles()`, polled every 100 ms). The call must then be live again in its mode, and the killed node is restarted for the next round to move the room back onto.",
    'Two calls: a mesh (server default `MESH_MAX_PEERS` 4) and an SFU call (`MESH_MAX_PEERS` 1, so two people are on the SFU: a failover reopens it straight on the SFU, as a meeting of five or more does). 6 kills each per run, 2 runs, each run on a fresh cluster.',
  ].join('\n'),
  target: 'kill -> video decoding again, p95 <= 10 s (issue 13)',
  anchor:
    "The room's re-claim in the same round (kill -> held by a live node): the part no client can shorten. The signaling-only failover is the `cluster` scenario's.",
  analysis: [
    "**Met with a wide margin: p95 4.6 s (mesh) and 5.0 s (SFU) over 12 kills each**, per run 4.60 / 4.61 s and 4.99 / 4.99 s, with other engineers' tests on the same 2 cores (1-minute load average 9.7 at the start, up to 20). Most of it is the floor: the room is re-claimed 2.3-3.2 s after the kill (p50 2.7 s), because the dead node's lease (`NODE_LEASE_MS`, 3 s) runs from its last renewal, made every second. From the re-claim to video, p95 1.6 s (mesh) and 2.0 s (SFU): the app's first reconnect (it waits 250-500 ms), the join with its stored seat, then ICE, DTLS and the first keyframe.",
    '**The SFU call reopens straight on the SFU.** A meeting that comes back with more seats than a mesh holds opens its SFU at the first return (rooms/roomMedia.ts `reopenedWith`); before that, it came back as a mesh and switched at the fifth return, so everyone negotiated twice. The six-page e2e test (tests/e2e/cluster.test.ts, seven Chromium pages on 2 cores) measured its five-person SFU room at 16-25 s before the change.',
    "**Under heavier load it is slower, and once a call did not come back.** An aborted run at a load average of 42 had an SFU round at 9.9 / 12.1 s. One earlier run (before a failed round was counted rather than ending the run) had an SFU call in which neither page decoded again within 60 s, in its third round; 22 SFU rounds since, on this code, all came back. The scenario now counts such a round at the deadline and prints the nodes' last output and the pages' tiles, so the next one says why.",
    '**Not changed: the lease.** A shorter node lease would lower the floor, at the price of moving rooms off a node that paused (a GC or a starved core) for a second or two; at 3 s the failover target is met with 5 s to spare.',
  ].join('\n\n'),
  needs: ['chromium', 'redis-server', 'haproxy', path.join(DEFAULT_PG_BIN_DIR, 'initdb')],
  async run({ smoke, log }): Promise<ScenarioOutput> {
    const plan = smoke ? SMOKE : FULL;
    const rounds: (VideoRound & { run: number })[] = [];
    for (let run = 1; run <= plan.runs; run++) {
      for (const variant of plan.variants) {
        log(`failover-video: run ${run} of ${plan.runs}, ${variant.via} call`);
        const got = await measureVideoFailover(variant, plan.kills, log);
        rounds.push(...got.map((r) => ({ run, ...r })));
      }
    }
    const perRun = Array.from({ length: plan.runs }, (_, i) => i + 1).flatMap((run) =>
      plan.variants.map(({ via }) => {
        const mine = rounds.filter((r) => r.run === run && r.via === via);
        const s = summarize(mine.flatMap((r) => r.pagesMs));
        return { run, via, kills: mine.length, p50Ms: round(s.p50), p95Ms: round(s.p95), maxMs: round(s.max) }; // prettier-ignore
      }),
    );
    return {
      figures: figuresOf(rounds, plan.runs),
      details: {
        runs: perRun,
        rounds: rounds.map((r) => ({ ...r, pagesMs: r.pagesMs.join(' / ') })),
      },
      notes: [
        ...perRun.map(
          (r) => `Run ${r.run}, ${r.via}: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, worst ${r.maxMs} ms over ${r.kills} kills.`, // prettier-ignore
        ),
        `Calls that did not come back within ${ROUND_DEADLINE_MS / 1000} s (counted at that time; the call's remaining rounds are skipped): ${rounds.filter((r) => r.failed).length}.`, // prettier-ignore
        ...rounds.flatMap((r) => (r.failed ? [`Run ${r.run}, ${r.via}, killed ${r.killed}: ${r.failed}`] : [])), // prettier-ignore
      ],
    };
  },
};
