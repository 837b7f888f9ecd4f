// Many machines (issue 13): the cluster's figures on real processes. Each run starts its own
// cluster (deploy/local's startCluster: Redis, PostgreSQL, HAProxy, 3 Parley nodes) and its
// own Redis for the registry part; the figures are the median over the runs, with the range
// of every run in the table.

import path from 'node:path';
import { DEFAULT_PG_BIN_DIR } from '../../../../deploy/local/index.ts';
import type { Figure, Scenario, ScenarioOutput } from '../../types.ts';
import { round, summarize } from '../../lib/stats.ts';
import { measureFailover, type FailoverResult } from './failover.ts';
import { measureJoinPaths, type JoinPathResult } from './joinPath.ts';
import { afterNodeDeath, afterRoomsClosed, type Census, type DeathResult } from './orphans.ts';
import { measurePlacement, type PlacementResult } from './placement.ts';
import { measureRegistry, type RegistryPlan, type RegistryResult } from './registry.ts';
import { startRig } from './rig.ts';

interface Plan {
  runs: number;
  nodes: number;
  joinSamples: number;
  registry: RegistryPlan;
  placementRooms: number;
  closedRooms: number;
  kills: number;
  deathRooms: number;
}

const FULL: Plan = {
  runs: 3,
  nodes: 3,
  joinSamples: 200,
  registry: { samples: 5_000, warmUp: 500, renewRooms: 20, renewRoomsBusy: 300 },
  placementRooms: 1_000,
  closedRooms: 100,
  kills: 10,
  deathRooms: 12,
};
const SMOKE: Plan = {
  runs: 1,
  nodes: 3,
  joinSamples: 3,
  registry: { samples: 50, warmUp: 10, renewRooms: 5, renewRoomsBusy: 20 },
  placementRooms: 12,
  closedRooms: 5,
  kills: 1,
  deathRooms: 4,
};

interface Run {
  join: JoinPathResult;
  registry: RegistryResult;
  placement: PlacementResult;
  closed: Census;
  failover: FailoverResult;
  death: DeathResult;
}

async function oneRun(plan: Plan, log: (line: string) => void): Promise<Run> {
  log('cluster: registry operations (own redis-server)');
  const registry = await measureRegistry(plan.registry, log);
  log(`cluster: starting ${plan.nodes} nodes behind HAProxy`);
  const rig = await startRig(plan.nodes);
  try {
    log('cluster: join through HAProxy vs straight to the owner');
    const join = await measureJoinPaths(rig, plan.joinSamples, log);
    log('cluster: placement balance');
    const placement = await measurePlacement(rig, plan.placementRooms, log);
    log('cluster: keys after rooms closed');
    const closed = await afterRoomsClosed(rig, plan.closedRooms);
    log('cluster: failover');
    const failover = await measureFailover(rig, plan.kills, log);
    log('cluster: keys after a node died');
    const death = await afterNodeDeath(rig, plan.deathRooms);
    return { join, registry, placement, closed, failover, death };
  } finally {
    await rig.stop();
  }
}

const op = (r: Run, name: string) => r.registry.rows.find((row) => row.op === name);

/** Each run's headline numbers: the spread table. */
function runRow(r: Run, i: number) {
  return {
    run: i + 1,
    joinDirectP50Ms: round(r.join.paths.direct.p50, 1),
    joinHaproxyP50Ms: round(r.join.paths.haproxy.p50, 1),
    addedP50Ms: round(r.join.addedP50Ms, 1),
    addedP95Ms: round(r.join.addedP95Ms, 1),
    getP99Ms: op(r, 'GET (floor)')?.p99Ms ?? Number.NaN,
    claimP99Ms: op(r, 'claim')?.p99Ms ?? Number.NaN,
    lookupP99Ms: op(r, 'lookup')?.p99Ms ?? Number.NaN,
    renewP99Ms: op(r, 'renew')?.p99Ms ?? Number.NaN,
    placement: r.placement.nodes.map((n) => n.rooms).join(' / '),
    spreadPct: r.placement.spreadPct,
    failoverP50Ms: round(r.failover.guestMs.p50),
    failoverP95Ms: round(r.failover.guestMs.p95),
    orphansClosed: r.closed.orphanKeys,
    orphansDeath: r.death.afterLeases.orphanKeys,
  };
}

type RunRow = ReturnType<typeof runRow>;
type NumericKey = { [K in keyof RunRow]: RunRow[K] extends number ? K : never }[keyof RunRow];

const median = (values: number[]): number => summarize(values).p50;

export const cluster: Scenario = {
  name: 'cluster',
  title: 'Cluster (many machines)',
  description: [
    'Real processes on loopback: `startCluster` (deploy/local) runs redis-server, PostgreSQL, HAProxy (`leastconn`, health check every 300 ms) and 3 Parley nodes (`signaling/src/main.ts` with `REDIS_URL`/`DATABASE_URL`, API only, one SFU worker each). The bench process is the client, speaking the protocol over `ws` to `/ws?room=<id>` as the app does. Each run starts a fresh cluster; the figures are the median over the runs (`runs` table: every run).',
    '1. **Join through the load balancer vs straight to the owner**: a resident peer holds a room on its owner; fresh probes time socket open -> `hello` -> `join` -> `joined` (then leave) on three paths, interleaved in random order, 200 each: straight to the owner, through HAProxy (which lands on the owner or on a node that splices the socket through: with 3 idle nodes, 2 times in 3), and straight to a non-owner (the splice alone). Added = HAProxy minus direct, at the same percentile.',
    "2. **Registry operations**: `NodeRegistry` and `RoomClaims` on a node's own Redis client (`connectRedis`) against a separate redis-server, 5,000 of each, interleaved: claim (Lua), lookup (owner, then the owner's record, as `route` does), renew (record + 20 rooms in one pipeline; 300 in the detail table), release. Floor: a plain GET on the same client in the same loop; ratio = op p99 / GET p99.",
    '3. **Placement balance**: 1,000 rooms created with `POST /api/rooms` through HAProxy, then one guest each opens `/ws?room=` through HAProxy and joins (16 at a time), which places the room; guests stay until all are placed. Counts are read from Redis (`parley:room:<id>`); spread = the largest |count - mean| / mean.',
    "4. **Failover (signaling path)**: two guests in a room, joined through HAProxy; the room's owner is SIGKILLed; each guest reconnects through HAProxy with the app's backoff (`retryDelay`: 250-500 ms, then doubling) and joins again. Time from the kill to each guest's `joined`, 10 kills per run (the killed node is restarted between rounds). Browser video after a kill is the `failover-video` scenario's.",
    '5. **Orphaned keys**: every `parley:*` key, and every member of the node indexes, is checked against the running nodes and the rooms that still have a guest: after 100 rooms were created, joined and left; and after the node holding the most of 12 occupied rooms was SIGKILLed and its leases ran out.',
  ].join('\n'),
  target:
    '<= 50 ms added by the load balancer at p50; registry p99 <= 2 ms; placement within +-10 %; failover p95 <= 10 s; 0 orphaned keys',
  anchor:
    'A plain Redis GET round trip in the same run (registry); the direct join in the same run (load balancer). The issue quotes no external figure.',
  analysis: [
    '**The machine was busy.** Other engineers ran browser e2e tests on the same 2 cores throughout (1-minute load average 23-35 before and during most of the run, 4 at its end); run 2 fell in the worst of it, which is why its Redis and join figures are 10-20 times runs 1 and 3. A first attempt at this run lost its second cluster to a node that did not answer `/healthz` within 60 s (load ~35); start-up may now take 3 minutes, and a failed run costs only itself.',
    '**Load balancer: met by a wide margin.** HAProxy plus the splice add p50 2.8 / 7.1 / 2.9 ms (p95 5.3 / 16.3 / 7.1 ms) to a join of 4.6-8.6 ms straight to the owner. Straight to a non-owner costs about the same as through HAProxy: the extra hop is mostly the node that splices (2 joins in 3 land on a non-owner), not HAProxy.',
    "**Registry: claim and lookup meet p99 <= 2 ms; renew is at the edge.** On the quieter runs (GET floor p99 0.40 / 0.43 ms) claim p99 is 0.22 / 0.30 ms, lookup (2 GETs) 0.38 / 0.61 ms, renew 1.71 / 2.20 ms (about 4-5 GETs: a MULTI and a pipeline of 20 `EVAL`s, each sending its Lua text). In run 2 every operation was 1-3 times a GET whose own p99 was 7.3 ms: the machine, not Redis. A node holding 300 rooms renews in one pipeline of 300 `EVAL`s, p99 9.7-243 ms; `defineCommand`/`EVALSHA` would stop resending the script 300 times a second (not changed here: signaling/ is not this change's).",
    '**Placement: met.** 1,000 rooms through the real path (REST, then the upgrade through HAProxy) landed 330/332/338, 333/332/335 and 327/337/336: 0.5-1.9 % from the mean.',
    "**Failover (signaling path): p50 2.97 s, p95 3.17 s over 30 kills (60 guests), all on the first reconnect.** The floor is the dead owner's node lease (`NODE_LEASE_MS`, 3 s, counted from its last renewal): until it ends nobody may take the room. The nodes measured here include b160e13, which holds an upgrade while the dead owner's lease lasts; the aborted first attempt ran 10 kills on the code before it, where the node answered 502 and the guests sat out the app's backoff: p50 3.34 s, p95 5.86 s, 3-4 attempts each. No split room in any round. Kill -> video decoding again in a browser is the `failover-video` scenario's figure; the 10 s target applies to it, and this is the signaling part of it.",
    "**Orphaned keys after rooms closed: not met, 3-8 room keys** two seconds after the last guest of 100 rooms left, each `held by <live node>, nobody in it`; after every guest of the node-death part left, 0. Likely cause (not verified, signaling/ is not this change's): a renewal that listed a room just before it closed runs its `RENEW` script after the close's compare-and-delete, and `RENEW` re-creates a missing key (meant for a Redis restart). Such a key is never renewed again and expires within `ROOM_LEASE_MS` (6 s), so it is transient, but until then it counts in its node's load. **After a node's death: 0 orphaned keys** once its leases ended (its record and room keys were gone 5.9-6.0 s after the kill); what remains is `parley:epoch`, the live nodes' records, the two indexes and the rooms that still had a guest. The indexes kept members naming dead nodes until the next placement listed the nodes; after it, one stale `parley:room-counts` member remained in every run, naming the node killed in the last failover round: taking a room over from a dead owner runs `ZINCRBY -1` for it (the `CLAIM` script), which re-adds a member that listing had already pruned from both indexes. It is a member, not a key, and a restarted node with the same id overwrites it.",
  ].join('\n\n'),
  needs: ['redis-server', 'haproxy', path.join(DEFAULT_PG_BIN_DIR, 'initdb')],
  async run({ smoke, log }): Promise<ScenarioOutput> {
    const plan = smoke ? SMOKE : FULL;
    const runs: Run[] = [];
    const failures: string[] = [];
    for (let i = 0; i < plan.runs; i++) {
      log(`cluster: run ${i + 1} of ${plan.runs}`);
      try {
        runs.push(await oneRun(plan, log));
      } catch (error) {
        // One run lost to the shared machine (a node not starting in time) costs that run only.
        if (smoke) throw error;
        failures.push(`run ${i + 1}: ${String(error).split('\n')[0]}`);
        log(`  run ${i + 1} failed: ${String(error)}`);
      }
    }
    if (runs.length === 0) throw new Error(`every run failed: ${failures.join('; ')}`);
    const rows = runs.map(runRow);
    const last = runs.at(-1) as Run;
    return {
      figures: figures(rows, runs),
      details: {
        runs: rows,
        joinPaths: joinTable(last),
        registry: last.registry.rows,
        placement: last.placement.nodes,
        failover: runs.flatMap(
          (r, i) =>
          r.failover.rounds.map((x) => ({ run: i + 1, ...x, guestsMs: x.guestsMs.join(' / '), attempts: x.attempts.join(' / ') })), // prettier-ignore
        ),
        keysAfterRoomsClosed: last.closed.keys,
        keysAfterNodeDeath: last.death.afterLeases.keys,
        keysAfterNextPlacement: last.death.afterNextPlacement.keys,
        raw: runs,
      },
      notes: [...notes(rows, runs), ...failures.map((f) => `Failed and left out: ${f}`)],
    };
  },
};

function joinTable(r: Run) {
  return Object.entries(r.join.paths).map(([path, s]) => ({
    path,
    p50Ms: round(s.p50, 1),
    p95Ms: round(s.p95, 1),
    p99Ms: round(s.p99, 1),
    samples: s.count,
  }));
}

function figures(rows: RunRow[], runs: Run[]): Figure[] {
  const m = (key: NumericKey): number => round(median(rows.map((r) => r[key])), 2);
  const n = rows.length;
  const of = n > 1 ? ` (median of ${n} runs)` : '';
  const guests = runs.flatMap((r) => r.failover.rounds.flatMap((x) => x.guestsMs));
  const kills = runs.reduce((sum, r) => sum + r.failover.rounds.length, 0);
  const pooled = summarize(guests);
  const ms = (key: string, label: string, value: number, target?: number): Figure => ({
    key,
    label,
    value,
    unit: 'ms',
    ...(target === undefined ? {} : { target: { op: '<=', value: target } }),
  });
  return [
    ms('join_direct_p50_ms', `join straight to the owner, p50${of}`, m('joinDirectP50Ms')),
    ms('join_haproxy_p50_ms', `join through HAProxy, p50${of}`, m('joinHaproxyP50Ms')),
    ms('join_added_p50_ms', `added by the load balancer (and splice), p50${of}`, m('addedP50Ms'), 50), // prettier-ignore
    ms('join_added_p95_ms', `added by the load balancer (and splice), p95${of}`, m('addedP95Ms')),
    ms('registry_get_p99_ms', `floor: plain Redis GET, p99${of}`, m('getP99Ms')),
    ms('registry_claim_p99_ms', `registry claim, p99${of}`, m('claimP99Ms'), 2),
    ms('registry_lookup_p99_ms', `registry lookup, p99${of}`, m('lookupP99Ms'), 2),
    ms(
      'registry_renew_p99_ms',
      `registry renew (record + ${runs[0]?.registry.renewRooms ?? '?'} rooms), p99${of}`,
      m('renewP99Ms'),
      2,
    ),
    {
      key: 'placement_spread_pct',
      label: `placement: largest deviation from the mean over 3 nodes${of}`,
      value: m('spreadPct'),
      unit: '%',
      target: { op: '<=', value: 10 },
    },
    ms('failover_p50_ms', `failover, signaling path: kill -> joined again, p50 (${guests.length} guests, ${kills} kills)`, round(pooled.p50)), // prettier-ignore
    ms('failover_p95_ms', `failover, signaling path: kill -> joined again, p95 (${guests.length} guests, ${kills} kills)`, round(pooled.p95), 10_000), // prettier-ignore
    {
      key: 'orphan_keys_rooms_closed',
      label: 'orphaned keys after rooms created, joined and left (worst run)',
      value: Math.max(...rows.map((r) => r.orphansClosed)),
      unit: 'keys',
      target: { op: '<=', value: 0 },
    },
    {
      key: 'orphan_keys_node_death',
      label: "orphaned keys after a node's death, once its leases ended (worst run)",
      value: Math.max(...rows.map((r) => r.orphansDeath)),
      unit: 'keys',
      target: { op: '<=', value: 0 },
    },
  ];
}

function notes(rows: RunRow[], runs: Run[]): string[] {
  const range = (key: NumericKey, unit: string): string => {
    const v = rows.map((r) => r[key]);
    return `${Math.min(...v)}-${Math.max(...v)} ${unit}`;
  };
  const out = [
    `Spread over ${rows.length} run(s): added p50 ${range('addedP50Ms', 'ms')}, direct join p50 ${range('joinDirectP50Ms', 'ms')}; claim p99 ${range('claimP99Ms', 'ms')}, lookup p99 ${range('lookupP99Ms', 'ms')}, renew p99 ${range('renewP99Ms', 'ms')}, GET p99 ${range('getP99Ms', 'ms')}; placement spread ${range('spreadPct', '%')}; failover p50 ${range('failoverP50Ms', 'ms')}, p95 ${range('failoverP95Ms', 'ms')}.`,
    'Failover here is the signaling path only (kill -> a protocol client joined again on another node). Kill -> video decoding again in a browser is measured by the `failover-video` scenario.',
  ];
  const failed = runs.reduce((s, r) => s + r.join.failed, 0);
  if (failed) out.push(`${failed} probe join(s) failed and are not in the join figures.`);
  const unplaced = runs.reduce((s, r) => s + r.placement.unplaced, 0);
  if (unplaced) out.push(`${unplaced} room(s) had no owner in Redis after their guest joined.`);
  const splits = runs.reduce((s, r) => s + r.failover.splitRooms, 0);
  out.push(`Split rooms after failover (guests of one room on different nodes): ${splits}.`);
  const stale = runs.flatMap((r) => r.death.afterLeases.staleMembers);
  const staleAfter = runs.flatMap((r) => r.death.afterNextPlacement.staleMembers);
  out.push(
    `After a node's death: its keys were gone ${runs.map((r) => `${r.death.keysGoneMs} ms`).join(' / ')} after the kill; index members still naming it until the next placement: ${stale.length ? stale.join(', ') : 'none'}; after that placement: ${staleAfter.length ? staleAfter.join(', ') : 'none'}.`,
  );
  return out;
}
