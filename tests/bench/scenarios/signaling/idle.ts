// Memory per idle WebSocket: N sockets that completed `hello` and then sit there (the server
// pings them every 15 s; `ws` answers). Server memory is read after a full GC, before and after.

import { openFilesLimit, rssBytes } from '../../lib/proc.ts';
import { startServerProcess } from '../../lib/serverProcess.ts';
import { sleep } from '../../lib/stats.ts';
import { LoadClient, pool } from '../../lib/wsClient.ts';

export interface IdleResult {
  connections: number;
  rssBytesPerConnection: number;
  heapBytesPerConnection: number;
  /** heapUsed + external + arrayBuffers: what JS objects and Buffers hold. */
  jsBytesPerConnection: number;
  baseline: { rssBytes: number; heapUsedBytes: number };
  openSeconds: number;
  limitedBy?: string;
}

function jsBytes(m: NodeJS.MemoryUsage): number {
  return m.heapUsed + m.external;
}

/** How many sockets this process may open, leaving headroom for everything else. */
function feasibleConnections(wanted: number): { n: number; limitedBy?: string } {
  const limit = openFilesLimit() - 200;
  return limit >= wanted ? { n: wanted } : { n: limit, limitedBy: `ulimit -n ${limit + 200}` };
}

export async function measureIdle(wanted: number, log: (l: string) => void): Promise<IdleResult> {
  const { n, limitedBy } = feasibleConnections(wanted);
  const server = await startServerProcess();
  const clients: LoadClient[] = [];
  try {
    await sleep(500);
    const before = await server.stats();
    const rss0 = rssBytes(server.pid);
    const t0 = performance.now();
    await pool(n, 200, async () => {
      clients.push(await LoadClient.ready(server.url));
    });
    const openSeconds = (performance.now() - t0) / 1000;
    log(`  ${n} idle sockets open in ${openSeconds.toFixed(1)} s`);
    // Let allocation settle (socket buffers, lazy V8 structures) before the GC'd reading.
    await sleep(2000);
    const after = await server.stats();
    const rss1 = rssBytes(server.pid);
    return {
      connections: n,
      rssBytesPerConnection: (rss1 - rss0) / n,
      heapBytesPerConnection: (after.memory.heapUsed - before.memory.heapUsed) / n,
      jsBytesPerConnection: (jsBytes(after.memory) - jsBytes(before.memory)) / n,
      baseline: { rssBytes: rss0, heapUsedBytes: before.memory.heapUsed },
      openSeconds,
      ...(limitedBy ? { limitedBy } : {}),
    };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}
