// A real Sfu (mediasoup worker processes) in the bench process, plus a hook on mediasoup's
// observer API that keeps every consumer so its worker-side stats can be read.

import type { types } from 'mediasoup';
import { Sfu, configureWorkerBinary } from '@parley/sfu';
import { collectConsumers } from '@parley/sfu/testing';
import { ensureMediasoupWorker } from '../../../scripts/build-mediasoup-worker.mjs';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface SfuHarness {
  sfu: Sfu;
  consumers: Map<string, types.Consumer>;
}

let observed: Map<string, types.Consumer> | undefined;

export async function startSfu(ports: { min: number; max: number }): Promise<SfuHarness> {
  configureWorkerBinary(await ensureMediasoupWorker());
  const mediasoup = await import('mediasoup');
  // One observer hook per process: a second would see every consumer twice.
  observed ??= collectConsumers(mediasoup);
  const sfu = await Sfu.start({
    workers: 1,
    rtcMinPort: ports.min,
    rtcMaxPort: ports.max,
    log: quiet,
  });
  return { sfu, consumers: observed };
}

/** RTP packets the worker has sent through these consumers so far (its own counters). */
export async function packetsSent(consumers: Iterable<types.Consumer>): Promise<number> {
  const stats = await Promise.all(
    [...consumers].filter((c) => !c.closed).map((c) => c.getStats().catch(() => [])),
  );
  let total = 0;
  for (const list of stats) {
    for (const s of list) if (s.type === 'outbound-rtp') total += s.packetCount;
  }
  return total;
}

/** Total CPU seconds of the Sfu's worker processes (getrusage via the worker). */
export async function workerCpuSeconds(sfu: Sfu): Promise<number> {
  const usage = await sfu.resourceUsage();
  return usage.reduce((sum, u) => sum + u.cpuSeconds, 0);
}
