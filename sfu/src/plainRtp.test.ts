// Plain RTP in and out of an SfuRoom over a real mediasoup worker (ports 44900-44999): a
// comedia ingest fed by a UDP socket of ours, and a plain consumer sending to another.

import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { types } from 'mediasoup';
import { ensureMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import type { ProducerSummary } from './api.ts';
import { SfuError } from './errors.ts';
import { Sfu } from './sfu.ts';
import {
  collectConsumers,
  memoryLog,
  opusParameters,
  vp8SimulcastParameters,
} from './testMedia.ts';
import { configureWorkerBinary } from './workerBinary.ts';

let sfu: Sfu;
let consumers: Map<string, types.Consumer>;

beforeAll(async () => {
  configureWorkerBinary(await ensureMediasoupWorker());
  consumers = collectConsumers(await import('mediasoup'));
  sfu = await Sfu.start({ workers: 1, rtcMinPort: 44900, rtcMaxPort: 44979, log: memoryLog() });
}, 20 * 60_000);

afterAll(async () => {
  await sfu?.close();
});

function rtpPacket(payloadType: number, seq: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 20, 0xab);
  packet[0] = 0x80;
  packet[1] = payloadType & 0x7f;
  packet.writeUInt16BE(seq & 0xffff, 2);
  packet.writeUInt32BE(seq * 960, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

async function bindSocket(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return socket;
}

describe('SfuRoom plain RTP', () => {
  it('forwards a plain ingest producer to a plain consumer', async () => {
    const room = await sfu.createRoom('plain-audio');
    const added: ProducerSummary[] = [];
    room.on('producer-added', (p) => added.push(p));
    const ingest = await room.createPlainProducer('tool', {
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(room.rtpCapabilities, '0', 4242),
    });
    expect(ingest.ip).toBe('127.0.0.1');
    expect(ingest.rtcpPort).not.toBe(ingest.port);
    expect(added.map((p) => [p.producerId, p.peerId, p.kind])).toEqual([
      [ingest.producerId, 'tool', 'audio'],
    ]);

    const receiver = await bindSocket(44990);
    const received: Buffer[] = [];
    receiver.on('message', (msg) => received.push(msg));
    const sender = await bindSocket(44992);
    const consumer = await room.createPlainConsumer({ producerId: ingest.producerId, port: 44990 });
    try {
      expect(consumer.stream).toMatchObject({
        kind: 'audio',
        mimeType: 'audio/opus',
        codecName: 'opus',
        clockRate: 48000,
        channels: 2,
      });
      expect(consumer.producerPaused).toBe(false);
      const inPt = (room.rtpCapabilities as types.RtpCapabilities).codecs?.[0]
        ?.preferredPayloadType;
      let seq = 1;
      await vi.waitFor(
        () => {
          sender.send(rtpPacket(inPt ?? 100, seq++, 4242), ingest.port, ingest.ip);
          expect(received.length).toBeGreaterThan(0);
        },
        { timeout: 5000, interval: 20 },
      );
      const packet = received[0] as Buffer;
      expect(packet[1]! & 0x7f).toBe(consumer.stream.payloadType);
      expect(packet.readUInt32BE(8)).toBe(consumer.stream.ssrc);

      let closed = 0;
      consumer.on('closed', () => (closed += 1));
      room.removePeer('tool');
      expect(room.producers()).toEqual([]);
      await vi.waitFor(() => expect(closed).toBe(1));
      expect(consumer.closed).toBe(true);
      consumer.close();
      expect(closed).toBe(1);
    } finally {
      receiver.close();
      sender.close();
      room.close();
    }
  });

  it('consumes simulcast at the top layer, without RTX, paused on request', async () => {
    const room = await sfu.createRoom('plain-video');
    const send = await room.createTransport('alice', 'send');
    const producerId = await room.produce('alice', send.id, {
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8SimulcastParameters(room.rtpCapabilities, '0', 7000),
    });
    const plain = await room.createPlainConsumer({ producerId, port: 44994, paused: true });
    const consumer = consumers.get(plain.id);
    expect(consumer?.type).toBe('simulcast');
    expect(consumer?.paused).toBe(true);
    expect(consumer?.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    expect(consumer?.rtpParameters.codecs.map((c) => c.mimeType)).toEqual(['video/VP8']);
    expect(plain.stream).toMatchObject({ kind: 'video', codecName: 'VP8', clockRate: 90000 });
    await plain.resume();
    expect(consumer?.paused).toBe(false);
    await plain.requestKeyFrame();

    let closed = 0;
    plain.on('closed', () => (closed += 1));
    room.closeProducer('alice', producerId);
    await vi.waitFor(() => expect(closed).toBe(1));

    const error = await room.createPlainConsumer({ producerId, port: 44996 }).catch((e) => e);
    expect(error).toBeInstanceOf(SfuError);
    expect((error as SfuError).code).toBe('NOT_FOUND');
    room.close();
    const closedRoom = await room.createPlainConsumer({ producerId, port: 44996 }).catch((e) => e);
    expect((closedRoom as SfuError).code).toBe('CLOSED');
  });
});
