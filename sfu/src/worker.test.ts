// Smoke test of the real mediasoup worker binary built by scripts/build-mediasoup-worker.mjs:
// it spawns, serves a WebRtcServer on loopback, routes our codecs and shuts down cleanly.

import { beforeAll, describe, expect, it } from 'vitest';
import { ensureMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { configureWorkerBinary } from './workerBinary.ts';
import { MEDIA_CODECS } from './mediaCodecs.ts';

type Mediasoup = typeof import('mediasoup');
type Socket = { ip: string; port: number };

// A range of its own, away from other tests' defaults; the worker picks a free port in it.
const RTC_PORTS = { rtcMinPort: 47000, rtcMaxPort: 47999 };

// Cached: instant. Not cached: this builds the worker (~6 minutes on 2 cores).
const BUILD_TIMEOUT_MS = 20 * 60_000;

let mediasoup: Mediasoup;

beforeAll(async () => {
  configureWorkerBinary(await ensureMediasoupWorker());
  // Only now: mediasoup reads MEDIASOUP_WORKER_BIN once, when the module is first loaded.
  mediasoup = await import('mediasoup');
}, BUILD_TIMEOUT_MS);

/** Resolves once the worker's OS process is gone (signal 0 probes without killing). */
async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`worker process ${pid} still alive after ${timeoutMs} ms`);
}

describe('mediasoup worker binary', () => {
  it('serves a WebRtcServer on loopback and routes Opus, VP8 and H264', async () => {
    const worker = await mediasoup.createWorker({ logLevel: 'warn', ...RTC_PORTS });
    const diedErrors: Error[] = [];
    worker.on('died', (error) => diedErrors.push(error));
    let observerClosed = false;
    worker.observer.once('close', () => {
      observerClosed = true;
    });

    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ip: '127.0.0.1' },
        { protocol: 'tcp', ip: '127.0.0.1' },
      ],
    });
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const transport = await router.createWebRtcTransport({
      webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
    });

    const mimeTypes = router.rtpCapabilities.codecs?.map((codec) => codec.mimeType) ?? [];
    expect(mimeTypes).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']));

    // Every candidate is on loopback, on a port the shared WebRtcServer owns.
    // mediasoup 3.12 types dump() as `any`; this is the shape of its listen sockets.
    const dump = (await webRtcServer.dump()) as Record<'udpSockets' | 'tcpServers', Socket[]>;
    const serverPorts = [...dump.udpSockets, ...dump.tcpServers].map((socket) => socket.port);
    expect(transport.iceCandidates.length).toBe(2);
    for (const candidate of transport.iceCandidates) {
      expect(candidate.ip).toBe('127.0.0.1');
      expect(serverPorts).toContain(candidate.port);
      expect(candidate.port).toBeGreaterThanOrEqual(RTC_PORTS.rtcMinPort);
      expect(candidate.port).toBeLessThanOrEqual(RTC_PORTS.rtcMaxPort);
    }

    worker.close();
    expect(worker.closed).toBe(true);
    expect(worker.died).toBe(false);
    expect(observerClosed).toBe(true);
    expect([webRtcServer.closed, router.closed, transport.closed]).toEqual([true, true, true]);
    await waitForExit(worker.pid);
    expect(diedErrors).toEqual([]);
  });

  it("emits 'died' when the worker process is killed from outside", async () => {
    const worker = await mediasoup.createWorker({ logLevel: 'none', ...RTC_PORTS });
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const died = new Promise<Error>((resolve) => worker.once('died', resolve));

    process.kill(worker.pid, 'SIGKILL');

    const error = await died;
    expect(error.message).toContain('SIGKILL');
    expect(worker.died).toBe(true);
    expect(worker.closed).toBe(true);
    expect(router.closed).toBe(true);
  });
});
