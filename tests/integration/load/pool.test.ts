// Bots spread over bot processes (tests/load/pool.ts) against the real server and a real
// mediasoup worker: media flows across processes, reports come back in join order, and a
// bot process that dies or overruns its limit fails the pool instead of hanging it.

import { afterEach, describe, expect, it } from 'vitest';
import { ProcessPool, defaultProcesses } from '../../load/pool.ts';
import { eventually } from '../support/client.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const servers: TestServer[] = [];
const pools: ProcessPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function pool(processes: number, limitMs?: number): Promise<ProcessPool> {
  const p = await ProcessPool.start({ processes, ...(limitMs ? { limitMs } : {}) });
  pools.push(p);
  return p;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('bots in bot processes', () => {
  it('one per 30 bots by default', () => {
    expect([0, 1, 30, 31, 100].map(defaultProcesses)).toEqual([1, 1, 1, 2, 4]);
  });

  it('a publisher in one process reaches subscribers in two; reports in join order', async () => {
    const server = await startTestServer({
      sfu: {
        workers: 1,
        listenIp: '127.0.0.1',
        announcedIp: undefined,
        webRtcPortBase: 0,
        // 56500-56999: no other suite uses it.
        rtcMinPort: 56500,
        rtcMaxPort: 56999,
      },
      meshMaxPeers: 1,
    });
    servers.push(server);
    const { id } = await server.createRoom({ settings: { waitingRoom: false } });
    const bots = await pool(2);
    const spec = (name: string, publish: ('audio' | 'video')[]) => ({
      url: server.url,
      roomId: id,
      name,
      publish,
    });
    await bots.join(spec('bot-pub-0', ['audio', 'video']));
    await bots.published();
    for (const name of ['bot-sub-0', 'bot-sub-1', 'bot-sub-2']) await bots.join(spec(name, []));
    await eventually(
      async () => (await bots.flowing()).filter((b) => b.flowing >= 2).length === 3,
      20_000,
    );
    const reports = await bots.snapshot();
    expect(reports.map((r) => r.name)).toEqual([
      'bot-pub-0',
      'bot-sub-0',
      'bot-sub-1',
      'bot-sub-2',
    ]);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(await bots.cpuSeconds()).toHaveLength(2);
    // Linux: each process counts the kernel's drops at its own sockets (none expected here).
    const drops = await bots.udpDrops();
    expect(drops).toHaveLength(2);
    for (const d of drops) expect(d).toBeGreaterThanOrEqual(0);
    const pids = bots.pids;
    await bots.close();
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a bot process that dies fails the pool, and close still ends the others', async () => {
    const bots = await pool(2);
    const [first, second] = bots.pids;
    if (first === undefined || second === undefined) throw new Error('no pids');
    process.kill(second, 'SIGKILL');
    let failure: unknown;
    await eventually(() =>
      bots.snapshot().then(
        () => false,
        (e: unknown) => ((failure = e), true),
      ),
    );
    expect(String(failure)).toMatch(/bot process 1 exited \(SIGKILL\)/);
    await bots.close();
    expect(alive(first)).toBe(false);
  });

  it('kills a bot process past its time limit', async () => {
    // Longer than a bot process takes to start on a loaded machine (up to ~5 s seen).
    const bots = await pool(1, 8_000);
    const [pid] = bots.pids;
    await eventually(() => pid !== undefined && !alive(pid), 15_000);
    await expect(bots.snapshot()).rejects.toThrow(/over its limit of 8000 ms/);
  }, 30_000);
});
