// The worker pool over real mediasoup workers: spreading rooms, options, a worker killed from
// outside (its rooms close and say so, the pool replaces it) and an idempotent close.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { SfuError } from './errors.ts';
import { Sfu } from './sfu.ts';
import { memoryLog } from './testMedia.ts';
import { configureWorkerBinary } from './workerBinary.ts';

const BUILD_TIMEOUT_MS = 20 * 60_000;
const RTC_PORTS = { rtcMinPort: 45500, rtcMaxPort: 45899 };

/** Whether both UDP and TCP can bind the port on loopback right now. */
async function bindable(port: number): Promise<boolean> {
  const udp = await new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
  if (!udp) return false;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port free for both UDP and TCP, outside the RTC range: a fixed one was sometimes taken by
 * another test file's sockets (the ephemeral range covers it) when the unit tests ran together.
 */
async function freePortBase(): Promise<number> {
  for (let port = 46_000; port < 46_500; port += 7) if (await bindable(port)) return port;
  throw new Error('no port free for UDP and TCP in 46000-46500');
}

const started: Sfu[] = [];

beforeAll(async () => {
  configureWorkerBinary(await ensureMediasoupWorker());
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(started.map((sfu) => sfu.close()));
});

async function start(options: Parameters<typeof Sfu.start>[0]): Promise<Sfu> {
  const sfu = await Sfu.start(options);
  started.push(sfu);
  return sfu;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Sfu', () => {
  it('rejects options that cannot work, naming them', async () => {
    await expect(Sfu.start({ workers: 0 })).rejects.toThrow(/workers/);
    await expect(Sfu.start({ rtcMinPort: 5000, rtcMaxPort: 4000 })).rejects.toThrow(/port range/);
  });

  it('listens on webRtcPortBase + i when a base is given', async () => {
    const base = await freePortBase();
    const sfu = await start({
      workers: 1,
      webRtcPortBase: base,
      ...RTC_PORTS,
      log: memoryLog(),
    });
    const room = await sfu.createRoom('fixed');
    const transport = await room.createTransport('p', 'recv');
    expect(transport.iceCandidates.map((c) => c.port)).toEqual([base, base]);
    // Known before any room: what clients load their Device from ahead of joining.
    expect(sfu.rtpCapabilities).toEqual(room.rtpCapabilities);
    expect(JSON.stringify(sfu.rtpCapabilities)).toBe(JSON.stringify(room.rtpCapabilities));
  });

  it('replaces a killed worker; its rooms close and emit worker-died', async () => {
    const log = memoryLog();
    const sfu = await start({ workers: 2, ...RTC_PORTS, log });
    const [a, b] = [await sfu.createRoom('a'), await sfu.createRoom('b')];
    expect(new Set([a.workerPid, b.workerPid]).size).toBe(2); // least loaded: one each
    await expect(sfu.createRoom('a')).rejects.toMatchObject({ code: 'REJECTED' });
    const before = sfu.workerPids();
    expect(before.sort()).toEqual([a.workerPid, b.workerPid].sort());

    let diedEvents = 0;
    a.on('worker-died', () => diedEvents++);
    b.on('worker-died', () => diedEvents++);
    process.kill(a.workerPid, 'SIGKILL');

    await vi.waitFor(() => expect(diedEvents).toBe(1), { timeout: 5000 });
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
    expect(sfu.roomCount).toBe(1);
    await expect(a.createTransport('p', 'send')).rejects.toMatchObject({ code: 'CLOSED' });
    expect(log.lines).toContain('mediasoup worker died');

    await vi.waitFor(
      () => {
        const pids = sfu.workerPids();
        expect(pids).toHaveLength(2);
        expect(pids).not.toContain(a.workerPid);
      },
      { timeout: 10_000 },
    );
    const again = await sfu.createRoom('a');
    expect(sfu.workerPids()).toContain(again.workerPid);
    expect(again.workerPid).not.toBe(b.workerPid); // the fresh worker is the least loaded
    const transport = await again.createTransport('p', 'send');
    expect(transport.iceCandidates[0]?.port).toBeGreaterThanOrEqual(RTC_PORTS.rtcMinPort);
    expect(diedEvents).toBe(1);
  });

  it('kills a worker that stops answering: a request waiting on it fails, and it is replaced', async () => {
    const log = memoryLog();
    const watchdog = { intervalMs: 100, timeoutMs: 1_000 };
    const sfu = await start({ workers: 1, ...RTC_PORTS, watchdog, log });
    const room = await sfu.createRoom('hung');
    const pid = room.workerPid;
    let died = false;
    room.on('worker-died', () => (died = true));

    // SIGSTOP: the process lives on but answers nothing, as a deadlocked worker would.
    process.kill(pid, 'SIGSTOP');
    const pending = room.createTransport('p', 'recv').then(
      () => 'answered',
      (error: unknown) => error,
    );
    // Without the watchdog this request would wait for ever (mediasoup sets no deadline).
    await expect(pending).resolves.toMatchObject({ code: 'CLOSED' });
    expect(died).toBe(true);
    expect(log.lines).toContain('mediasoup worker stopped answering: killing it');
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 5000 });
    await vi.waitFor(() => expect(sfu.workerPids()).toHaveLength(1), { timeout: 10_000 });
    expect(sfu.workerPids()).not.toContain(pid);
    const again = await sfu.createRoom('hung');
    await expect(again.createTransport('p', 'recv')).resolves.toHaveProperty('id');
  });

  it('leaves a busy worker alone: a slow answer is still an answer', async () => {
    const log = memoryLog();
    const sfu = await start({
      workers: 1,
      ...RTC_PORTS,
      watchdog: { intervalMs: 50, timeoutMs: 1_500 },
      log,
    });
    const room = await sfu.createRoom('busy');
    const pid = room.workerPid;
    // Stopped for half the deadline, three times: late answers, never none.
    for (let i = 0; i < 3; i += 1) {
      process.kill(pid, 'SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 700));
      process.kill(pid, 'SIGCONT');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(isAlive(pid)).toBe(true);
    expect(sfu.workerPids()).toEqual([pid]);
    expect(log.lines).not.toContain('mediasoup worker stopped answering: killing it');
    await expect(room.createTransport('p', 'recv')).resolves.toHaveProperty('id');
  });

  it('close() is idempotent, closes every room and ends the worker processes', async () => {
    const sfu = await start({ workers: 2, ...RTC_PORTS, log: memoryLog() });
    const room = await sfu.createRoom('r');
    const pids = sfu.workerPids();

    await Promise.all([sfu.close(), sfu.close()]);
    await sfu.close();
    expect(room.closed).toBe(true);
    expect(sfu.roomCount).toBe(0);
    expect(sfu.workerPids()).toEqual([]);
    const error = await sfu.createRoom('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfuError);
    expect((error as SfuError).code).toBe('CLOSED');
    await vi.waitFor(() => expect(pids.filter(isAlive)).toEqual([]), { timeout: 5000 });
  });
});
