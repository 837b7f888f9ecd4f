// #14: a host's mute is held by the server in SFU mode. Real sockets, a real mediasoup worker and
// real RTP: the muted peer's microphone is a plain-RTP producer on its own peer id (no browser
// here) that keeps sending throughout, and another consumer of it (a plain consumer, as the
// broadcast uses) counts what reaches it. Each packet carries its number in the payload, which
// mediasoup forwards untouched, so the test names exactly which packets got through.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { types } from 'mediasoup';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import { HlsGateway } from '@parley/hls-gateway';
import { Sfu, configureWorkerBinary } from '@parley/sfu';
import type { StartOptions } from '@parley/signaling';
import type { SfuRoom } from '@parley/sfu';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
const sockets: dgram.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

// The server's SfuRooms, as it opens them (the test feeds one of them plain RTP).
const sfuRooms: SfuRoom[] = [];
const createRoom = Sfu.prototype.createRoom;
vi.spyOn(Sfu.prototype, 'createRoom').mockImplementation(async function (this: Sfu, id) {
  const room = await createRoom.call(this, id);
  sfuRooms.push(room);
  return room;
});

// Every producer the worker makes, by id (mediasoup's observer API): its stats count the
// packets the worker took in, paused or not. mediasoup is imported once the worker binary is
// set, as the Sfu does.
const producers = new Map<string, types.Producer>();
beforeAll(async () => {
  configureWorkerBinary();
  const mediasoup = await import('mediasoup');
  mediasoup.observer.on('newworker', (worker) =>
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) =>
        transport.observer.on('newproducer', (producer) => producers.set(producer.id, producer)),
      ),
    ),
  );
});

const media = { audio: true, video: false };
type Caps = { codecs: { mimeType: string; preferredPayloadType: number }[] };

function opus(caps: Caps, ssrc: number) {
  const codec = caps.codecs.find((c) => c.mimeType === 'audio/opus');
  if (!codec) throw new Error('router has no Opus');
  return {
    mid: '0',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: codec.preferredPayloadType,
        clockRate: 48000,
        channels: 2,
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `mic-${ssrc}` },
  };
}

/** The number our sender wrote at the start of the payload, past whatever header mediasoup set. */
function packetNumber(packet: Buffer): number {
  let offset = 12 + 4 * ((packet[0] ?? 0) & 0x0f);
  if ((packet[0] ?? 0) & 0x10) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  return packet.readUInt32BE(offset);
}

async function udpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** A meeting in SFU mode (mesh limit 1): the host, and Gus, whose microphone talks. */
async function meeting(selfUnmute: boolean, options: StartOptions = {}) {
  const server = await startTestServer({
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 45340,
      rtcMaxPort: 45399,
    },
    meshMaxPeers: 1,
    ...options,
  });
  servers.push(server);
  const { id, hostKey } = await server.createRoom({ settings: { waitingRoom: false, selfUnmute } });
  const join = async (name: string, key?: string) => {
    const client = await TestClient.ready(server.url);
    const reply = await client.request({
      type: 'join',
      roomId: id,
      name,
      media,
      deviceId: `mute-device-${name}-0000000000`,
      ...(key ? { hostKey: key } : {}),
    });
    return { client, reply: reply as ServerMessageOf<'joined'> };
  };
  const host = await join('Host', hostKey);
  const gus = await join('Gus');
  expect(gus.reply).toMatchObject({ type: 'joined', mode: 'sfu' });
  const sfuRoom = sfuRooms.at(-1) as SfuRoom;
  return { host, gus, sfuRoom, caps: sfuRoom.rtpCapabilities as Caps };
}

/** Gus's microphone: a plain-RTP producer of his that talks, and who hears it. */
async function talkingMic(sfuRoom: SfuRoom, caps: Caps, peerId: string) {
  const mic = await sfuRoom.createPlainProducer(peerId, {
    kind: 'audio',
    source: 'mic',
    rtpParameters: opus(caps, 5151),
  });

  // Another consumer of Gus's microphone: the numbers of the packets that reach it.
  const receiver = await udpSocket();
  const heard: number[] = [];
  receiver.on('message', (packet) => heard.push(packetNumber(packet)));
  const port = (receiver.address() as AddressInfo).port;
  await sfuRoom.createPlainConsumer({ producerId: mic.producerId, port });

  const sender = await udpSocket();
  const payloadType = caps.codecs.find((c) => c.mimeType === 'audio/opus')?.preferredPayloadType;
  let next = 0;
  /** Gus says something: one RTP packet, numbered in its payload; returns its number. */
  const talk = (): number => {
    const n = next++;
    const packet = Buffer.alloc(12 + 40, 0xab);
    packet[0] = 0x80;
    packet[1] = (payloadType ?? 100) & 0x7f;
    packet.writeUInt16BE(n & 0xffff, 2);
    packet.writeUInt32BE(n * 960, 4);
    packet.writeUInt32BE(5151, 8);
    packet.writeUInt32BE(n, 12);
    sender.send(packet, mic.port, mic.ip);
    return n;
  };
  /** Talks until a packet sent from now on is heard; its number. */
  const heardAgain = async (): Promise<number> => {
    const from = next;
    await eventually(async () => {
      talk();
      await new Promise((r) => setTimeout(r, 10));
      return heard.some((n) => n >= from);
    });
    return heard.find((n) => n >= from) as number;
  };
  /** How many of Gus's packets the worker has taken in, forwarded or held. */
  const taken = async (): Promise<number> => {
    const stats = (await producers.get(mic.producerId)?.getStats()) ?? [];
    return stats.reduce((sum, s) => sum + s.packetCount, 0);
  };
  /**
   * Talks `count` packets; their numbers, as [first, last + 1). Returns once the worker has
   * taken in every one: a busy worker reads a burst from its socket late, and a pause or resume
   * it gets meanwhile would otherwise apply to packets sent before it.
   */
  const say = async (count: number): Promise<[number, number]> => {
    const first = next;
    for (let i = 0; i < count; i++) {
      talk();
      await new Promise((r) => setImmediate(r));
    }
    await eventually(async () => (await taken()) >= next, 10_000);
    return [first, next];
  };
  return { mic, heard, heardAgain, say };
}

/** The meeting, with Gus's microphone talking. */
async function talkingMeeting(selfUnmute: boolean, options: StartOptions = {}) {
  const m = await meeting(selfUnmute, options);
  return { ...m, ...(await talkingMic(m.sfuRoom, m.caps, m.gus.reply.peerId)) };
}

const within = (heard: number[], [from, to]: [number, number]) =>
  heard.filter((n) => n >= from && n < to);

describe('a host mute in SFU mode', () => {
  it('stops every packet of the muted microphone at the server, until the guest unmutes', async () => {
    const { host, gus, heard, heardAgain, say } = await talkingMeeting(true);
    await heardAgain(); // Gus is heard

    const mute = { type: 'mute', peerId: gus.reply.peerId, kind: 'audio' };
    expect(await host.client.request(mute)).toMatchObject({ type: 'ok' });
    await gus.client.next((m) => m.type === 'muted');
    // A client that ignores `muted` and goes on sending: nothing of it reaches anyone.
    const muted = await say(100);

    // Guests may unmute themselves here (the default): the server lets the sound through again.
    expect(await gus.client.request({ type: 'media', media })).toMatchObject({ type: 'media-ok' });
    const back = await heardAgain();
    expect(back).toBeGreaterThanOrEqual(muted[1]);
    expect(within(heard, muted)).toEqual([]);
    expect(heard.length).toBeGreaterThan(1);
  });

  it('keeps it when guests may not unmute: a refusal, until a host allows it', async () => {
    const { host, gus, heard, heardAgain, say } = await talkingMeeting(false);
    await heardAgain();
    const peerId = gus.reply.peerId;
    expect(await host.client.request({ type: 'mute', peerId, kind: 'audio' })).toMatchObject({
      type: 'ok',
    });
    const mutedFirst = await say(50);
    // The guest's own unmute is refused, with a code the app can explain.
    expect(await gus.client.request({ type: 'media', media })).toMatchObject({
      type: 'error',
      code: ERROR_CODES.MUTED_BY_HOST,
      ref: 'media',
    });
    const mutedThen = await say(50);
    expect(host.client.of('peer-updated').filter((m) => m.peer.media.audio)).toEqual([]);

    const allow = { type: 'allow-unmute', peerId, kind: 'audio' };
    expect(await host.client.request(allow)).toMatchObject({ type: 'ok' });
    expect(await gus.client.next((m) => m.type === 'unmute-allowed')).toEqual({
      type: 'unmute-allowed',
      kind: 'audio',
      by: host.reply.peerId,
    });
    // Allowed is not unmuted: still silent until Gus turns the microphone on himself.
    const allowed = await say(50);
    expect(await gus.client.request({ type: 'media', media })).toMatchObject({ type: 'media-ok' });
    await heardAgain();
    for (const range of [mutedFirst, mutedThen, allowed]) expect(within(heard, range)).toEqual([]);
  });

  it('starts a microphone the guest produces while muted paused on the server', async () => {
    const { host, gus, sfuRoom, caps } = await meeting(false);
    const peerId = gus.reply.peerId;
    await host.client.request({ type: 'mute', peerId, kind: 'audio' });
    const send = await gus.client.request({ type: 'sfu-transport', direction: 'send' });
    const transportId = send.type === 'sfu-transport-created' ? send.id : '';
    const produced = await gus.client.request({
      type: 'sfu-produce',
      transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: { ...opus(caps, 6161), mid: '1' },
    });
    expect(produced).toMatchObject({ type: 'sfu-produced' });
    const producerId = produced.type === 'sfu-produced' ? produced.producerId : '';
    const port = ((await udpSocket()).address() as AddressInfo).port;
    const consumer = await sfuRoom.createPlainConsumer({ producerId, port });
    expect(consumer.producerPaused).toBe(true);
  });

  it('leaves the muted microphone out of the broadcast mix, and puts it back on unmute', async () => {
    const hls = { segmentSeconds: 1, width: 320, height: 180, fps: 15, videoKbps: 300 };
    const started = vi.spyOn(HlsGateway.prototype, 'start');
    const mixed = vi.spyOn(HlsGateway.prototype, 'setAudioProducers');
    const { host, gus, mic } = await talkingMeeting(true, { hls });
    const mixes = () => mixed.mock.calls.map(([, ids]) => [...ids]);
    expect(await host.client.request({ type: 'broadcast', live: true })).toMatchObject({
      live: true,
    });
    expect(started.mock.calls.at(-1)?.[2]).toMatchObject({ audioProducerIds: [mic.producerId] });

    const peerId = gus.reply.peerId;
    await host.client.request({ type: 'mute', peerId, kind: 'audio' });
    await eventually(() => mixes().some((ids) => ids.length === 0), 10_000);
    expect(await gus.client.request({ type: 'media', media })).toMatchObject({ type: 'media-ok' });
    await eventually(() => mixes().at(-1)?.[0] === mic.producerId, 10_000);
    await host.client.request({ type: 'broadcast', live: false });
  });
});
