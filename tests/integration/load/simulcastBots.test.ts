// A simulcast publisher bot against the real server and a real mediasoup worker: the producer
// gets three layers, and a subscriber bot's `sfu-layers` (mediasoup's setPreferredLayers)
// changes the picture size it receives, read from the VP8 keyframe header. On a mesh link the
// same bot sends one picture, 640x360.

import type { types } from 'mediasoup';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configureWorkerBinary } from '@parley/sfu';
import { Bot } from '../../load/Bot.ts';
import { simulcastClip } from '../../load/clip.ts';
import { eventually } from '../support/client.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

// A fresh clone has no cached clip: FFmpeg takes ~20 s of CPU for the three layers, more on a
// busy machine, which must not count against a test's 30 s.
beforeAll(() => {
  simulcastClip(3);
}, 180_000);

// The server's WebRTC transports (mediasoup's observer API; mediasoup is imported once the
// worker binary is set, as the Sfu does). Each carries the peer and direction it was made for.
const transports: types.Transport[] = [];
beforeAll(async () => {
  configureWorkerBinary();
  const mediasoup = await import('mediasoup');
  mediasoup.observer.on('newworker', (worker) =>
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) => transports.push(transport)),
    ),
  );
});

/**
 * Lets the server send `bot` at least `bps` whatever its bandwidth estimate says. The bots
 * send transport-cc feedback, so mediasoup forwards the highest layer that fits its estimate,
 * below the preferred one if need be. On loopback the link carries every layer, but a bot on
 * a busy machine stamps arrivals when its event loop gets to them: the delay it reports makes
 * the estimate fall below the top layer (~0.9 Mbit/s) and stay there for longer than a test.
 */
async function bandwidthFloor(bot: Bot, bps: number): Promise<void> {
  const recv = () =>
    transports.find(
      (t) => !t.closed && t.appData.peerId === bot.report.peerId && t.appData.direction === 'recv',
    );
  await eventually(() => recv() !== undefined, 20_000);
  await recv()?.setMinOutgoingBitrate(bps);
}

const servers: TestServer[] = [];
const bots: Bot[] = [];
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

function bot(options: ConstructorParameters<typeof Bot>[0]): Bot {
  const b = new Bot(options);
  bots.push(b);
  return b;
}

/** A room with a simulcast publisher bot (3 layers) and a subscriber bot. */
async function room(meshMaxPeers: number): Promise<{ publisher: Bot; subscriber: Bot }> {
  // Made (or read from the cache) before the clock of any deadline starts.
  const clip = simulcastClip(3);
  expect(clip.layers?.map((l) => l.length)).toEqual([150, 150, 150]);
  const server = await startTestServer({
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 57000,
      rtcMaxPort: 57999,
    },
    meshMaxPeers,
  });
  servers.push(server);
  const { id, hostKey } = await server.createRoom({ settings: { waitingRoom: false } });
  const publisher = bot({
    url: server.url,
    roomId: id,
    name: 'bot-pub-0',
    hostKey,
    publish: ['audio', 'video'],
    videoLayers: 3,
  });
  await publisher.join();
  await publisher.published;
  const subscriber = bot({ url: server.url, roomId: id, name: 'bot-sub-0', publish: [] });
  await subscriber.join();
  return { publisher, subscriber };
}

describe('a simulcast publisher bot', () => {
  it('sends three layers; the subscriber receives the layer it prefers', async () => {
    const { publisher, subscriber } = await room(1);
    // What is tested is the preference, not the estimate: mediasoup picks layers by both.
    await bandwidthFloor(subscriber, 3_000_000);

    const video = () => subscriber.snapshot().consumers.find((c) => c.kind === 'video');
    const receivesWidth = async (width: number) => {
      await eventually(() => video()?.counts.frameWidth === width, 20_000).catch(() => {
        throw new Error(`receives ${video()?.counts.frameWidth ?? 'nothing'}, not ${width} px`);
      });
      expect(video()?.counts.frameHeight).toBe((width * 9) / 16);
    };
    await eventually(() => (video()?.counts.keyframes ?? 0) > 0, 20_000);
    const consumerId = video()?.consumerId ?? '';

    await subscriber.preferLayer(consumerId, 0);
    await receivesWidth(320);
    await subscriber.preferLayer(consumerId, 2);
    await receivesWidth(1280);
    await subscriber.preferLayer(consumerId, 1);
    await receivesWidth(640);

    // Each switch asked the publisher for a keyframe of the new layer, and it sent one.
    const sent = publisher.snapshot().sent;
    expect(sent?.keyframeRequests).toBeGreaterThanOrEqual(2);
    expect(sent?.keyframes).toBeGreaterThanOrEqual(3);
    expect([...publisher.snapshot().errors, ...subscriber.snapshot().errors]).toEqual([]);
  }, 90_000);

  it('sends one 640x360 picture on a mesh link', async () => {
    const { publisher, subscriber } = await room(2);
    const video = () => subscriber.snapshot().consumers.find((c) => c.kind === 'video');
    await eventually(() => (video()?.counts.frames ?? 0) >= 30, 20_000);
    expect(video()?.via).toBe('mesh');
    expect(video()?.counts).toMatchObject({ frameWidth: 640, frameHeight: 360, lost: 0 });
    // 30 fps of one layer, not three layers' packets interleaved on one stream.
    const frames = publisher.snapshot().sent?.videoFrames ?? 0;
    expect(video()?.counts.frames).toBeLessThanOrEqual(frames);
    expect([...publisher.snapshot().errors, ...subscriber.snapshot().errors]).toEqual([]);
  }, 60_000);
});
