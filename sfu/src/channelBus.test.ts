// ChannelBus over a real mediasoup worker (ports 48000-48099): two talkers send Opus-like RTP
// through plain ingests (their "mics"), listeners are plain consumers of channels whose UDP
// sinks count and parse what arrives. Every wait is on a counter, with a deadline.

import dgram from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { types } from 'mediasoup';
import { ensureMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import type { SfuErrorCode } from './api.ts';
import type { ChannelBus } from './channelBus.ts';
import { Sfu } from './sfu.ts';
import type { SfuRoom } from './sfuRoom.ts';
import { memoryLog, opusParameters, sfuErrorCode } from './testMedia.ts';
import { configureWorkerBinary } from './workerBinary.ts';

const WAIT = { timeout: 5000, interval: 10 };
const TALKER_SSRC = { t1: 1111, t2: 2222 } as const;
type TalkerId = keyof typeof TALKER_SSRC;

let sfu: Sfu;
/** Every producer mediasoup makes in this process, by id (to read the mics' receive stats). */
const producers = new Map<string, types.Producer>();
/** What the running test opened: closed after it. */
const open: { close(): void }[] = [];

beforeAll(async () => {
  configureWorkerBinary(await ensureMediasoupWorker());
  const mediasoup = await import('mediasoup');
  mediasoup.observer.on('newworker', (worker) =>
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) =>
        transport.observer.on('newproducer', (p) => producers.set(p.id, p)),
      ),
    ),
  );
  sfu = await Sfu.start({ workers: 1, rtcMinPort: 48000, rtcMaxPort: 48099, log: memoryLog() });
}, 20 * 60_000);

// Each test stops its talkers and sockets: a stale talker sending to a port a later test's
// ingest reuses would be latched on by that comedia transport.
afterEach(() => {
  for (const thing of open.splice(0)) thing.close();
});

afterAll(async () => {
  await sfu?.close();
});

async function udpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  open.push(socket);
  return socket;
}

/** A talker's mic: a plain ingest, fed every 5 ms with packets whose payload names it. */
async function startTalker(room: SfuRoom, id: TalkerId) {
  const caps = room.rtpCapabilities as types.RtpCapabilities;
  const pt = caps.codecs?.find((c) => c.mimeType === 'audio/opus')?.preferredPayloadType ?? 100;
  const ingest = await room.createPlainProducer(id, {
    kind: 'audio',
    source: 'mic',
    rtpParameters: opusParameters(room.rtpCapabilities, '0', TALKER_SSRC[id]),
  });
  const socket = await udpSocket();
  let seq = id === 't1' ? 65_500 : 100; // t1 wraps its sequence numbers during the test
  const timer = setInterval(() => {
    const packet = Buffer.alloc(12 + 20, 0);
    packet[0] = 0x80;
    packet[1] = pt;
    packet.writeUInt16BE(seq & 0xffff, 2);
    packet.writeUInt32BE((seq * 960) >>> 0, 4);
    packet.writeUInt32BE(TALKER_SSRC[id], 8);
    packet.write(id, 12);
    seq += 1;
    socket.send(packet, ingest.port, ingest.ip);
  }, 5);
  open.push({ close: () => clearInterval(timer) });
  const producer = producers.get(ingest.producerId);
  if (!producer) throw new Error('ingest producer not observed');
  /** Packets the router has received from this talker (paused or not). */
  const received = async () => (await producer.getStats())[0]?.packetCount ?? 0;
  return { producerId: ingest.producerId, received };
}

interface Heard {
  talker: string;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
}

/** A listener of `channelId`: a plain consumer whose RTP (not RTCP) arrives at a UDP sink. */
async function listen(bus: ChannelBus, channelId: string) {
  const rtp = await udpSocket();
  const rtcp = await udpSocket();
  const heard: Heard[] = [];
  let bytes = 0;
  rtp.on('message', (msg) => {
    bytes += msg.length;
    heard.push({
      talker: msg.subarray(msg.length - 20, msg.length - 18).toString(),
      seq: msg.readUInt16BE(2),
      timestamp: msg.readUInt32BE(4),
      ssrc: msg.readUInt32BE(8),
      marker: (msg[1]! & 0x80) !== 0,
    });
  });
  const consumer = await bus.createPlainConsumer(channelId, {
    port: rtp.address().port,
    rtcpPort: rtcp.address().port,
  });
  return { heard, bytes: () => bytes, ssrc: consumer.stream.ssrc, consumer };
}

async function teamRoom(roomId: string, maxChannels?: number) {
  const room = await sfu.createRoom(roomId, { audioOnly: true });
  const bus = await room.openChannelBus({ maxChannels });
  return { room, bus };
}

async function expectSfuError(call: Promise<unknown> | (() => unknown), code: SfuErrorCode) {
  expect(await sfuErrorCode(call)).toBe(code);
}

/** Each packet follows the one before it: the next sequence number (mod 2^16), a later time. */
function expectContinuous(heard: Heard[]): void {
  for (let i = 1; i < heard.length; i += 1) {
    const [prev, cur] = [heard[i - 1]!, heard[i]!];
    expect((cur.seq - prev.seq) & 0xffff, `seq at ${i}`).toBe(1);
    const step = (cur.timestamp - prev.timestamp) >>> 0;
    expect(step, `timestamp at ${i}`).toBeGreaterThan(0);
    expect(step, `timestamp at ${i}`).toBeLessThan(0x8000_0000);
  }
}

describe('ChannelBus', () => {
  it('forwards only the talker, one continuous stream across a change of talker', async () => {
    const { room, bus } = await teamRoom('team-switch');
    await bus.addChannel('A');
    const listener = await listen(bus, 'A');
    const t1 = await startTalker(room, 't1');
    const t2 = await startTalker(room, 't2');

    // (1) Nobody holds A: both talkers' packets reach the router, none reaches the listener.
    // t1 held A for a moment, so the bus consumes its mic and counts its packets as dropped.
    await bus.setTalker('A', 't1');
    await bus.setTalker('A', null);
    const forwarded = bus.stats('A').forwardedPackets;
    const dropped = bus.stats('A').droppedPackets;
    const t2Before = await t2.received();
    await vi.waitFor(async () => {
      expect(bus.stats('A').droppedPackets).toBeGreaterThan(dropped + 20);
      expect(await t2.received()).toBeGreaterThan(t2Before + 20);
    }, WAIT);
    expect(bus.stats('A').forwardedPackets).toBe(forwarded);
    // The listener got what was forwarded during t1's moment, if anything, and nothing else.
    await vi.waitFor(() => expect(listener.heard.length).toBe(forwarded), WAIT);
    listener.heard.length = 0;

    // (2) t1 talks: its packets, in the channel's SSRC, numbered without a gap.
    await bus.setTalker('A', 't1');
    expect(bus.talker('A')).toBe('t1');
    await vi.waitFor(() => expect(listener.heard.length).toBeGreaterThan(30), WAIT);
    // (3) t2 takes over: still continuous, the clock moves on, and t1 stops at once.
    await bus.setTalker('A', 't2');
    await vi.waitFor(
      () => expect(listener.heard.filter((h) => h.talker === 't2').length).toBeGreaterThan(30),
      WAIT,
    );
    const heard = [...listener.heard];
    expect(new Set(heard.map((h) => h.ssrc))).toEqual(new Set([listener.ssrc]));
    expect(Object.values(TALKER_SSRC)).not.toContain(listener.ssrc);
    expectContinuous(heard);
    const switchAt = heard.findIndex((h) => h.talker === 't2');
    expect(heard.slice(0, switchAt).every((h) => h.talker === 't1')).toBe(true);
    expect(heard.slice(switchAt).every((h) => h.talker === 't2')).toBe(true);
    expect(heard[0]?.marker).toBe(true);
    expect(heard[switchAt]?.marker).toBe(true);
    // The clock jumped by at least one frame and by about the time between the two turns.
    const jump = (heard[switchAt]!.timestamp - heard[switchAt - 1]!.timestamp) >>> 0;
    expect(jump).toBeGreaterThanOrEqual(960);
    expect(jump).toBeLessThan(48 * 1000);
    // t1 keeps sending (its mic is not paused in this test): every packet of it is dropped.
    const t1Dropped = bus.stats('A').droppedPackets;
    await vi.waitFor(() => expect(bus.stats('A').droppedPackets).toBeGreaterThan(t1Dropped), WAIT);
    expect(t1.producerId).not.toBe(t2.producerId);
    room.close();
    expect(bus.closed).toBe(true);
  });

  it("keeps channels apart: a listener gets nothing of another channel's talker", async () => {
    const { room, bus } = await teamRoom('team-apart');
    await Promise.all(['A', 'B', 'C'].map((id) => bus.addChannel(id)));
    const [onA, onB, onC] = await Promise.all(['A', 'B', 'C'].map((id) => listen(bus, id)));
    await startTalker(room, 't1');
    await startTalker(room, 't2');
    await bus.setTalker('A', 't1');
    await bus.setTalker('B', 't2');
    await vi.waitFor(() => {
      expect(onA!.heard.length).toBeGreaterThan(30);
      expect(onB!.heard.length).toBeGreaterThan(30);
    }, WAIT);
    expect(onA!.heard.every((h) => h.talker === 't1')).toBe(true);
    expect(onB!.heard.every((h) => h.talker === 't2')).toBe(true);
    expect(onC!.bytes()).toBe(0);
    expect(bus.stats('C')).toMatchObject({ forwardedPackets: 0, forwardedBytes: 0 });
    // One mic consumer per member, whichever channels it talked on.
    expect(bus.stats('A').forwardedBytes).toBeGreaterThan(0);
    room.close();
  });

  it('forwards nothing of a talker whose mic is paused on the server', async () => {
    const { room, bus } = await teamRoom('team-paused');
    await bus.addChannel('A');
    const listener = await listen(bus, 'A');
    const t1 = await startTalker(room, 't1');
    await room.setPaused('t1', ['mic'], true);
    await bus.setTalker('A', 't1');
    const received = await t1.received();
    await vi.waitFor(async () => expect(await t1.received()).toBeGreaterThan(received + 40), WAIT);
    expect(bus.stats('A')).toMatchObject({ forwardedPackets: 0, droppedPackets: 0 });
    expect(listener.bytes()).toBe(0);
    // Resumed: it flows.
    await room.setPaused('t1', ['mic'], false);
    await vi.waitFor(() => expect(listener.heard.length).toBeGreaterThan(5), WAIT);
    room.close();
  });

  it('lets go of every mic consumer and producer it made: channels, then the bus', async () => {
    const { room, bus } = await teamRoom('team-leaks');
    const caps = room.rtpCapabilities;
    const t1 = await startTalker(room, 't1');
    const t2 = await startTalker(room, 't2');
    await bus.addChannel('A');
    await bus.addChannel('B');
    await bus.setTalker('A', 't1');
    await bus.setTalker('A', 't2');
    await bus.setTalker('B', 't2');
    // bob listens to A through his WebRTC recv transport, as a browser would.
    await room.createTransport('bob', 'recv');
    const closedConsumers: string[] = [];
    room.on('consumer-closed', (peerId, consumerId) => closedConsumers.push(consumerId));
    const info = await bus.consumeChannel('bob', 'A', caps);
    expect(info).toMatchObject({ channelId: 'A', kind: 'audio' });
    expect(bus.stats('A').listeners).toBe(1);
    await room.setConsumerPaused('bob', info.consumerId, false);
    await expectSfuError(bus.consumeChannel('bob', 'A', caps), 'REJECTED');
    await expectSfuError(bus.consumeChannel('carol', 'A', caps), 'NOT_FOUND');
    await expectSfuError(bus.consumeChannel('bob', 'Z', caps), 'NOT_FOUND');

    const consumersOf = async (producerId: string) =>
      (await routerDump(room)).mapProducerIdConsumerIds[producerId]?.length ?? 0;
    expect(await consumersOf(t1.producerId)).toBe(1);
    expect(await consumersOf(t2.producerId)).toBe(1);
    expect(await consumersOf(info.producerId)).toBe(1);

    // A goes: bob's consumer closes (and he is told); t1 talked only on A, so its consumer goes.
    bus.removeChannel('A');
    await vi.waitFor(() => expect(closedConsumers).toEqual([info.consumerId]), WAIT);
    expect(bus.stats('B').listeners).toBe(0);
    expect(await consumersOf(t1.producerId)).toBe(0);
    expect(await consumersOf(t2.producerId)).toBe(1);
    await expectSfuError(() => bus.talker('A'), 'NOT_FOUND');
    // A member leaving takes its mic consumer along.
    room.removePeer('t2');
    expect(await consumersOf(t2.producerId)).toBe(0);
    expect(bus.talker('B')).toBe('t2');

    const transportsWithBus = (await routerDump(room)).transportIds.length;
    bus.close();
    bus.close();
    const dump = await routerDump(room);
    expect(dump.transportIds.length).toBe(transportsWithBus - 1);
    expect(Object.values(dump.mapProducerIdConsumerIds).flat()).toEqual([]);
    await expectSfuError(bus.addChannel('C'), 'CLOSED');
    room.close();
  });

  it('refuses past its channel limit and keeps one channel per id', async () => {
    const { room, bus } = await teamRoom('team-limits', 2);
    const results = await Promise.allSettled([bus.addChannel('A'), bus.addChannel('A')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    await bus.addChannel('B');
    await expectSfuError(bus.addChannel('C'), 'REJECTED');
    expect(bus.channels()).toEqual(['A', 'B']);
    bus.removeChannel('B');
    await bus.addChannel('C');
    await expectSfuError(bus.setTalker('nope', 't1'), 'NOT_FOUND');
    await expectSfuError(room.openChannelBus({ maxChannels: 0 }), 'REJECTED');
    room.close();
    await expectSfuError(room.openChannelBus(), 'CLOSED');
  });
});

interface RouterDump {
  transportIds: string[];
  /** mediasoup 3.12's dump: consumer ids by producer id. */
  mapProducerIdConsumerIds: Record<string, string[]>;
}

async function routerDump(room: SfuRoom): Promise<RouterDump> {
  return (await room.dump()) as RouterDump;
}
