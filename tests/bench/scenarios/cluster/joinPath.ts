// Join through the load balancer vs straight to the room's owner. A resident peer holds the
// room on its owner; fresh probes then time socket open -> hello -> join -> `joined` on three
// paths, interleaved in a random order so drift on the shared machine hits each alike:
//   direct: to the owner's own port;
//   haproxy: through HAProxy, which (leastconn) lands on the owner or on a node that splices
//            the socket through to it: what a browser does;
//   other node: straight to a node that is not the owner, which must splice: the hop alone.
// Each probe leaves once joined (a dropped socket would keep its seat for the resume window).

import { round, summarize, type Summary } from '../../lib/stats.ts';
import { joinVia, newRoom, nodeById, ownerOf, type Rig } from './rig.ts';

export type JoinPath = 'direct' | 'haproxy' | 'other node';

export interface JoinPathResult {
  samplesPerPath: number;
  owner: string;
  paths: Record<JoinPath, Summary>;
  /** HAProxy minus direct at the same percentile, ms. */
  addedP50Ms: number;
  addedP95Ms: number;
  failed: number;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function measureJoinPaths(
  rig: Rig,
  samplesPerPath: number,
  log: (line: string) => void,
): Promise<JoinPathResult> {
  const { cluster, admin } = rig;
  const roomId = await newRoom(cluster.url);
  // The resident goes straight to a node (not through HAProxy), so HAProxy's leastconn sees
  // every node idle and spreads the probes as it would spread a new meeting's guests.
  const resident = await joinVia(cluster.nodes[0]!.url, roomId, 'resident');
  const owner = await ownerOf(admin, roomId);
  if (!owner) throw new Error(`room ${roomId} has no owner after a join`);
  const other = cluster.nodes.find((n) => n.id !== owner);
  if (!other) throw new Error('join paths need at least two nodes');
  const urls: Record<JoinPath, string> = {
    direct: nodeById(cluster, owner).url,
    haproxy: cluster.url,
    'other node': other.url,
  };
  const samples: Record<JoinPath, number[]> = { direct: [], haproxy: [], 'other node': [] };
  let failed = 0;
  try {
    // One warm-up each: the first join of a process compiles its handlers.
    for (const path of Object.keys(urls) as JoinPath[]) {
      const warm = await joinVia(urls[path], roomId, 'warm-up');
      await warm.client.leave();
    }
    for (let i = 0; i < samplesPerPath; i++) {
      for (const path of shuffled(Object.keys(urls) as JoinPath[])) {
        const t0 = performance.now();
        try {
          const probe = await joinVia(urls[path], roomId, `probe-${i}`);
          samples[path].push(performance.now() - t0);
          await probe.client.leave();
        } catch (error) {
          failed += 1;
          log(`  join via ${path} failed: ${String(error)}`);
        }
      }
    }
  } finally {
    await resident.client.leave();
  }
  const paths = {
    direct: summarize(samples.direct),
    haproxy: summarize(samples.haproxy),
    'other node': summarize(samples['other node']),
  };
  log(
    `  join p50 direct ${paths.direct.p50.toFixed(1)} ms, via HAProxy ${paths.haproxy.p50.toFixed(1)} ms, via another node ${paths['other node'].p50.toFixed(1)} ms`,
  );
  return {
    samplesPerPath,
    owner,
    paths,
    addedP50Ms: round(paths.haproxy.p50 - paths.direct.p50),
    addedP95Ms: round(paths.haproxy.p95 - paths.direct.p95),
    failed,
  };
}
