// argon2 under a flood: what a burst of password-protected room creations does to the rest of
// the server, with the hashing queue (HASH_CONCURRENCY, issue #14) and without it.

import { availableParallelism } from 'node:os';
import { startServerProcess } from '../lib/serverProcess.ts';
import { round, sleep, summarize } from '../lib/stats.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

const FULL = { hashes: 200, rounds: 3, probeMs: 20 };
const SMOKE = { hashes: 8, rounds: 1, probeMs: 20 };
/** "Unbounded": more than libuv's 4 pool threads, so the pool alone limits it, as before #14. */
const UNBOUNDED = 64;

interface Round {
  concurrency: number;
  floodS: number;
  hashesPerS: number;
  /** The server's event-loop delay during the flood (its own monitorEventLoopDelay). */
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** `GET /healthz` latency from outside, one after another during the flood. */
  healthP50Ms: number;
  healthP99Ms: number;
  refused: number;
}

/** Probes /healthz back to back (with a short pause) until `until` settles. */
async function probe(url: string, pauseMs: number, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    samples.push(performance.now() - t0);
    await sleep(pauseMs);
  }
  return samples;
}

async function createRoom(url: string, i: number): Promise<number> {
  const res = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: `room password ${i}`, settings: { waitingRoom: false } }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function measure(concurrency: number, plan: typeof FULL): Promise<Round> {
  const server = await startServerProcess({ hashConcurrency: concurrency });
  try {
    await createRoom(server.url, -1); // warm: the first hash pays for loading the module
    await sleep(300);
    await server.stats(); // resets the event-loop histogram
    const t0 = performance.now();
    const flood = Promise.all(
      Array.from({ length: plan.hashes }, (_, i) => createRoom(server.url, i)),
    );
    const health = await probe(server.url, plan.probeMs, flood);
    const statuses = await flood;
    const floodS = (performance.now() - t0) / 1000;
    const { loopDelay } = await server.stats();
    const h = summarize(health);
    return {
      concurrency,
      floodS: round(floodS),
      hashesPerS: round(plan.hashes / floodS, 1),
      loopP50Ms: round(loopDelay.p50Ms ?? Number.NaN),
      loopP99Ms: round(loopDelay.p99Ms),
      loopMaxMs: round(loopDelay.maxMs),
      healthP50Ms: round(h.p50),
      healthP99Ms: round(h.p99),
      refused: statuses.filter((s) => s !== 201).length,
    };
  } finally {
    await server.stop();
  }
}

const median = (values: number[]): number => summarize(values).p50;
const spread = (values: number[]): string =>
  `${round(Math.min(...values))}-${round(Math.max(...values))}`;

async function run({ smoke, log }: { smoke: boolean; log: (l: string) => void }) {
  const plan = smoke ? SMOKE : FULL;
  const bounded = Math.max(1, Math.floor(availableParallelism() / 2));
  const rounds: Round[] = [];
  // Alternating, so a change in the machine's other load falls on both alike.
  for (let r = 0; r < plan.rounds; r++) {
    for (const concurrency of [bounded, UNBOUNDED]) {
      const result = await measure(concurrency, plan);
      log(`  round ${r + 1}, concurrency ${concurrency}: ${JSON.stringify(result)}`);
      rounds.push(result);
    }
  }
  const of = (c: number) => rounds.filter((x) => x.concurrency === c);
  const figures: Figure[] = [];
  for (const [name, c] of [
    ['bounded', bounded],
    ['unbounded', UNBOUNDED],
  ] as const) {
    const rs = of(c);
    const target = name === 'bounded' ? { op: '<=' as const, value: 50 } : undefined;
    figures.push(
      { key: `loop_p99_ms_${name}`, label: `event-loop delay p99, ${name} (concurrency ${c})`, value: median(rs.map((x) => x.loopP99Ms)), unit: 'ms', ...(target ? { target } : {}) }, // prettier-ignore
      { key: `loop_max_ms_${name}`, label: `event-loop delay max, ${name}`, value: median(rs.map((x) => x.loopMaxMs)), unit: 'ms' }, // prettier-ignore
      { key: `health_p99_ms_${name}`, label: `GET /healthz p99 during the flood, ${name}`, value: median(rs.map((x) => x.healthP99Ms)), unit: 'ms' }, // prettier-ignore
      { key: `hashes_per_s_${name}`, label: `room creations with a password per second, ${name}`, value: median(rs.map((x) => x.hashesPerS)), unit: '/s' }, // prettier-ignore
    );
  }
  const notes = [bounded, UNBOUNDED].map((c) => {
    const rs = of(c);
    return (
      `concurrency ${c}: event-loop p99 ${spread(rs.map((x) => x.loopP99Ms))} ms, max ` +
      `${spread(rs.map((x) => x.loopMaxMs))} ms, /healthz p99 ${spread(rs.map((x) => x.healthP99Ms))} ms, ` +
      `${spread(rs.map((x) => x.hashesPerS))} hashes/s over ${rs.length} round(s) (min-max)`
    );
  });
  const output: ScenarioOutput = { figures, details: { plan, bounded, rounds }, notes };
  return output;
}

export const argon2: Scenario = {
  name: 'argon2',
  title: 'argon2 under a flood of password-protected room creations',
  description:
    'The signaling server runs in its own process (`tests/bench/entries/server.ts`, per-address limits lifted). The bench fires ' +
    `${FULL.hashes} \`POST /api/rooms\` with a password at once (each one argon2id hash, 19 MiB, 2 passes) and, meanwhile, ` +
    '`GET /healthz` one after another. The server reports its own event-loop delay (`monitorEventLoopDelay`, reset just ' +
    'before the flood). Two settings, alternating, a fresh server each: `HASH_CONCURRENCY` at its default (half the cores) ' +
    `and ${UNBOUNDED} (more than libuv's 4 pool threads: the pool alone bounds it, as before issue #14). ${FULL.rounds} rounds each; ` +
    'figures are medians, notes give the spread.',
  target: '<= 50 ms event-loop delay p99 during the flood with the bound',
  anchor:
    'Without the bound: the same flood on the same machine (the second half of each figure pair). OWASP sizes argon2id at ' +
    '19 MiB / 2 passes for about 50 ms a hash on one core.',
  run,
};
