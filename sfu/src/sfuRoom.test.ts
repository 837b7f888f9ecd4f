// SfuRoom over a real mediasoup worker: transports, producers, consumers, typed refusals and
// the close cascades. Produce works on unconnected transports, so no browser is needed.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { types } from 'mediasoup';
import { ensureMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import type { ProducerSummary, SfuErrorCode } from './api.ts';
import { Sfu } from './sfu.ts';
import type { SfuRoom } from './sfuRoom.ts';
import {
  audioOnlyCapabilities,
  collectConsumers,
  memoryLog,
  opusParameters,
  sfuErrorCode,
  vp8SimulcastParameters,
} from './testMedia.ts';
import { configureWorkerBinary } from './workerBinary.ts';
import { MAX_WARM_TRANSPORTS } from './warm.ts';

const BUILD_TIMEOUT_MS = 20 * 60_000;
const DTLS = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };

let sfu: Sfu;
let consumers: Map<string, types.Consumer>;

beforeAll(async () => {
  configureWorkerBinary(await ensureMediasoupWorker());
  consumers = collectConsumers(await import('mediasoup'));
  sfu = await Sfu.start({ workers: 1, rtcMinPort: 45000, rtcMaxPort: 45499, log: memoryLog() });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await sfu?.close();
});

async function expectSfuError(call: Promise<unknown> | (() => unknown), code: SfuErrorCode) {
  expect(await sfuErrorCode(call)).toBe(code);
}

/** Peers' transports plus alice's camera (simulcast) and mic. */
async function roomWithAliceProducing(roomId: string) {
  const room = await sfu.createRoom(roomId);
  const caps = room.rtpCapabilities;
  const aliceSend = await room.createTransport('alice', 'send');
  const bobRecv = await room.createTransport('bob', 'recv');
  const video = await room.produce('alice', aliceSend.id, {
    kind: 'video',
    rtpParameters: vp8SimulcastParameters(caps, '0', 1000),
    source: 'camera',
  });
  const audio = await room.produce('alice', aliceSend.id, {
    kind: 'audio',
    rtpParameters: opusParameters(caps, '1', 2000),
    source: 'mic',
  });
  return { room, caps, aliceSend, bobRecv, video, audio };
}

function record(room: SfuRoom) {
  const events = {
    added: [] as ProducerSummary[],
    closed: [] as ProducerSummary[],
    consumerClosed: [] as [string, string][],
  };
  room.on('producer-added', (p) => events.added.push(p));
  room.on('producer-closed', (p) => events.closed.push(p));
  room.on('consumer-closed', (peerId, consumerId) =>
    events.consumerClosed.push([peerId, consumerId]),
  );
  return events;
}

describe('SfuRoom', () => {
  it('creates transports on the WebRtcServer, UDP first', async () => {
    const room = await sfu.createRoom('transports');
    const send = await room.createTransport('alice', 'send');
    expect(send.direction).toBe('send');
    expect(send.iceCandidates.map((c) => [c.ip, c.protocol])).toEqual([
      ['127.0.0.1', 'udp'],
      ['127.0.0.1', 'tcp'],
    ]);
    expect(Number(send.iceCandidates[0]?.priority)).toBeGreaterThan(
      Number(send.iceCandidates[1]?.priority),
    );
    // Asking again replaces it (a client starting its SFU side over): the old one is gone.
    const again = await room.createTransport('alice', 'send');
    expect(again.id).not.toBe(send.id);
    await expectSfuError(room.connectTransport('alice', send.id, DTLS), 'NOT_FOUND');
    await room.connectTransport('alice', again.id, DTLS);
    await expectSfuError(room.connectTransport('bob', again.id, DTLS), 'NOT_FOUND');
    room.close();
  });

  it('opens warm transports for joiners-to-be: SCTP, the idle channel, a cap, then adoption', async () => {
    const { room, caps, video } = await roomWithAliceProducing('warm');
    const warm = await room.openWarmTransport('warm-1');
    expect(warm.direction).toBe('recv');
    expect(warm.sctpParameters).toMatchObject({ port: 5000 });
    expect(warm.dataConsumer).toMatchObject({ label: 'parley-warm' });
    // Owned by its key, not by any peer: nobody else can connect it or consume on it.
    await expectSfuError(room.connectTransport('carol', warm.id, DTLS), 'NOT_FOUND');
    await room.connectTransport('warm-1', warm.id, DTLS);
    // The key's second one replaces the first.
    const again = await room.openWarmTransport('warm-1');
    expect(() => room.adoptWarmTransport('warm-1', 'carol', warm.id)).toThrow(/not found/);
    // At most MAX_WARM_TRANSPORTS in a room, even asked for all at once: one is held, so of
    // MAX_WARM_TRANSPORTS more requests the last is refused.
    const asked = await Promise.allSettled(
      Array.from({ length: MAX_WARM_TRANSPORTS }, (_, k) =>
        room.openWarmTransport(`warm-${k + 2}`),
      ),
    );
    const more = asked.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(more).toHaveLength(MAX_WARM_TRANSPORTS - 1);
    expect(asked.at(-1)).toMatchObject({ status: 'rejected', reason: { code: 'REJECTED' } });
    await expectSfuError(room.openWarmTransport('warm-one-too-many'), 'REJECTED');
    // Adopted: carol's receive transport (not connected yet), and no longer the key's.
    const adopted = room.adoptWarmTransport('warm-1', 'carol', again.id);
    expect(adopted).toMatchObject({ transport: { id: again.id }, connected: false });
    expect(room.heldBy('carol').transports).toEqual(['recv']);
    expect((await room.consume('carol', video, caps)).producerId).toBe(video);
    expect(() => room.adoptWarmTransport('warm-1', 'dave', again.id)).toThrow(/not found/);
    room.removePeer('warm-1');
    expect(room.heldBy('carol').consumers).toBe(1);
    // Closing a key's warm transport frees its place under the cap.
    room.removePeer(`warm-${MAX_WARM_TRANSPORTS}`);
    expect((await room.openWarmTransport('warm-last')).id).not.toBe(more.at(-1)?.id);
    room.close();
  });

  it("replacing a peer's transport closes what it carried, and the others are told", async () => {
    const { room, caps, bobRecv, video, audio } = await roomWithAliceProducing('replace');
    const events = record(room);
    const consumer = await room.consume('bob', video, caps);
    // Bob starts his receiving side over: his consumers go with the old transport.
    const bobAgain = await room.createTransport('bob', 'recv');
    expect(bobAgain.id).not.toBe(bobRecv.id);
    await expectSfuError(room.setConsumerPaused('bob', consumer.consumerId, false), 'NOT_FOUND');
    expect((await room.consume('bob', video, caps)).producerId).toBe(video);
    // Alice starts her sending side over: her producers close and everyone hears of it.
    await room.createTransport('alice', 'send');
    const closedIds = () => events.closed.map((p) => p.producerId).sort();
    await vi.waitFor(() => expect(closedIds()).toEqual([audio, video].sort()));
    expect(room.producers()).toEqual([]);
    room.close();
  });

  it('produces and consumes: paused, simulcast on the top layer, resume, layers', async () => {
    const { room, caps, video, audio } = await roomWithAliceProducing('lifecycle');
    expect(room.producers()).toEqual([
      { producerId: video, peerId: 'alice', kind: 'video', source: 'camera' },
      { producerId: audio, peerId: 'alice', kind: 'audio', source: 'mic' },
    ]);

    const info = await room.consume('bob', video, caps);
    expect(info).toMatchObject({
      producerId: video,
      peerId: 'alice',
      kind: 'video',
      source: 'camera',
    });
    const consumer = consumers.get(info.consumerId);
    expect(consumer?.type).toBe('simulcast');
    expect(consumer?.paused).toBe(true);
    expect(consumer?.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });

    await room.setConsumerPaused('bob', info.consumerId, false);
    expect(consumer?.paused).toBe(false);
    await room.setPreferredLayers('bob', info.consumerId, 0);
    expect(consumer?.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    await room.setConsumerPaused('bob', info.consumerId, true);
    expect(consumer?.paused).toBe(true);

    const audioInfo = await room.consume('bob', audio, caps);
    expect(consumers.get(audioInfo.consumerId)?.paused).toBe(true);
    await expectSfuError(room.setPreferredLayers('bob', audioInfo.consumerId, 1), 'REJECTED');
    // Asked for running (a recv transport not yet connected): no resume round trip needed.
    const running = await room.consume('bob', audio, caps, false);
    expect(consumers.get(running.consumerId)?.paused).toBe(false);
    room.close();
  });

  it('says NOT_FOUND when a consumer is resumed just as its producer goes (a peer left)', async () => {
    const { room, caps, video } = await roomWithAliceProducing('producer-gone');
    const info = await room.consume('bob', video, caps);
    // Alice leaves: the worker closes her producers and their consumers at once, while our
    // side hears of it only later. A resume sent meanwhile reaches a consumer that is gone.
    room.removePeer('alice');
    await expectSfuError(room.setConsumerPaused('bob', info.consumerId, false), 'NOT_FOUND');
    room.close();
  });

  it('refuses with typed errors: foreign or unknown ids, own producer, codecs, bad RTP', async () => {
    const { room, caps, aliceSend, bobRecv, video } = await roomWithAliceProducing('refusals');
    const info = await room.consume('bob', video, caps);

    await expectSfuError(room.consume('bob', video, audioOnlyCapabilities(caps)), 'CANNOT_CONSUME');
    await expectSfuError(room.consume('alice', video, caps), 'REJECTED');
    await expectSfuError(room.consume('carol', video, caps), 'NOT_FOUND');
    await expectSfuError(room.consume('bob', 'no-such-producer', caps), 'NOT_FOUND');
    await expectSfuError(() => room.closeProducer('bob', video), 'NOT_FOUND');
    await expectSfuError(room.setConsumerPaused('alice', info.consumerId, false), 'NOT_FOUND');
    await expectSfuError(room.setPreferredLayers('alice', info.consumerId, 1), 'NOT_FOUND');
    const camera = { kind: 'video', source: 'camera' } as const;
    const good = vp8SimulcastParameters(caps, '5', 5000);
    await expectSfuError(
      room.produce('bob', aliceSend.id, { ...camera, rtpParameters: good }),
      'NOT_FOUND',
    );
    await expectSfuError(
      room.produce('bob', bobRecv.id, { ...camera, rtpParameters: good }),
      'REJECTED',
    );
    await expectSfuError(
      room.produce('alice', aliceSend.id, { kind: 'audio', source: 'camera', rtpParameters: good }),
      'REJECTED',
    );
    const bad = [
      { codecs: 'nope' },
      { ...good, codecs: [{ mimeType: 'video/VP9', payloadType: 99, clockRate: 90000 }] },
    ];
    for (const rtpParameters of bad) {
      await expectSfuError(
        room.produce('alice', aliceSend.id, { ...camera, rtpParameters }),
        'REJECTED',
      );
    }
    expect(room.producers()).toHaveLength(2);
    room.close();
    await expectSfuError(room.createTransport('alice', 'recv'), 'CLOSED');
  });

  it("closeProducer emits 'producer-closed', and the consumer side 'consumer-closed'", async () => {
    const { room, caps, audio } = await roomWithAliceProducing('close-producer');
    const events = record(room);
    const info = await room.consume('bob', audio, caps);

    room.closeProducer('alice', audio);
    expect(events.closed.map((p) => p.producerId)).toEqual([audio]);
    await vi.waitFor(() => expect(events.consumerClosed).toEqual([['bob', info.consumerId]]));
    await expectSfuError(room.setConsumerPaused('bob', info.consumerId, false), 'NOT_FOUND');
    room.close();
  });

  it('removePeer cascades, once per object, and leaves the router empty', async () => {
    const { room, caps, video, audio } = await roomWithAliceProducing('cascade');
    const events = record(room);
    const aliceRecv = await room.createTransport('alice', 'recv');
    const bobSend = await room.createTransport('bob', 'send');
    const bobAudio = await room.produce('bob', bobSend.id, {
      kind: 'audio',
      rtpParameters: opusParameters(caps, '0', 3000),
      source: 'mic',
    });
    expect(events.added.map((p) => p.producerId)).toEqual([bobAudio]);
    const bobConsumers = [
      await room.consume('bob', video, caps),
      await room.consume('bob', audio, caps),
    ];
    await room.consume('alice', bobAudio, caps);
    expect(aliceRecv.direction).toBe('recv');

    room.removePeer('alice');
    expect(events.closed.map((p) => p.producerId).sort()).toEqual([video, audio].sort());
    const expected = bobConsumers.map((c) => ['bob', c.consumerId]).sort();
    await vi.waitFor(() => expect([...events.consumerClosed].sort()).toEqual(expected));
    await room.dump(); // a worker round trip: any late notification has arrived by now
    expect(events.consumerClosed).toHaveLength(2);
    expect(room.producers().map((p) => p.producerId)).toEqual([bobAudio]);

    room.removePeer('bob');
    expect(events.closed.map((p) => p.producerId)).toContain(bobAudio);
    expect(events.closed).toHaveLength(3);
    const dump = (await room.dump()) as Record<string, unknown>;
    for (const key of [
      'transportIds',
      'mapProducerIdConsumerIds',
      'mapConsumerIdProducerId',
      'mapProducerIdObserverIds',
    ]) {
      // mediasoup 3.12 dumps ids as arrays and maps as objects: either way, nothing left.
      expect(Object.keys(dump[key] as object), key).toEqual([]);
    }
    expect(events.consumerClosed).toHaveLength(2);

    const rooms = sfu.roomCount;
    room.close();
    room.close();
    expect(room.closed).toBe(true);
    expect(sfu.roomCount).toBe(rooms - 1);
  });
});
