import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { RoomStatus, ServerMessage, ServerMessageOf } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import type { StartOptions } from '@parley/signaling';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function sfuServer(options: StartOptions = {}): Promise<TestServer> {
  const server = await startTestServer({
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 46000,
      rtcMaxPort: 46999,
    },
    meshMaxPeers: 4,
    sfuDowngradeHoldS: 0.3,
    sfuDowngradeGraceS: 0.3,
    ...options,
  });
  servers.push(server);
  return server;
}

async function joinMany(server: TestServer, id: string, n: number, hostKey?: string) {
  const joined: { client: TestClient; reply: ServerMessageOf<'joined'> }[] = [];
  for (let i = 0; i < n; i++) {
    const client = await TestClient.ready(server.url);
    clients.push(client);
    joined.push({ client, reply: await client.join(id, `P${i}`, i === 0 ? hostKey : undefined) });
  }
  return joined;
}

const status = async (server: TestServer, id: string): Promise<RoomStatus> =>
  (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus;

type Caps = {
  codecs: { kind: string; mimeType: string; preferredPayloadType: number; clockRate: number }[];
};

/** RTP parameters for a single-stream VP8 producer, built from the router's capabilities. */
function vp8Parameters(caps: Caps, ssrc: number) {
  const vp8 = caps.codecs.find((c) => c.mimeType === 'video/VP8');
  if (!vp8) throw new Error('router has no VP8');
  return {
    mid: '0',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: vp8.preferredPayloadType,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `c${ssrc}`, reducedSize: true },
  };
}

describe('mesh <-> SFU switch over real sockets and a real mediasoup worker', () => {
  it('moves a room to the SFU when a fifth peer joins, and back after the hold', async () => {
    const server = await sfuServer();
    const { id } = await server.createRoom();
    const first = await joinMany(server, id, 4);
    expect(first.every((j) => j.reply.mode === 'mesh' && j.reply.sfu === undefined)).toBe(true);
    expect((await status(server, id)).mode).toBe('mesh');

    const [fifth] = await joinMany(server, id, 1);
    expect(fifth?.reply.mode).toBe('sfu');
    const caps = fifth?.reply.sfu?.routerRtpCapabilities as Caps;
    expect(caps.codecs.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']),
    );
    // What the pre-join screen loads its Device from is exactly what the room's router has.
    const pre = await fetch(`${server.url}/api/sfu/capabilities`);
    expect(pre.status).toBe(200);
    expect(await pre.text()).toBe(JSON.stringify({ routerRtpCapabilities: caps }));
    expect((await fetch(`${server.url}/api/sfu/capabilities`, { method: 'POST' })).status).toBe(
      405,
    );
    // Admitted into the SFU: its receive transport comes with the reply, already open.
    expect(fifth?.reply.sfu?.recvTransport).toMatchObject({ direction: 'recv' });
    expect(fifth?.reply.sfu?.recvTransport?.iceCandidates[0]).toMatchObject({ ip: '127.0.0.1' });
    const again = await fifth?.client.request({ type: 'sfu-transport', direction: 'recv' });
    // Asking again starts that side over: a new transport replaces the one from `joined`.
    expect(again).toMatchObject({ type: 'sfu-transport-created', direction: 'recv' });
    expect((again as { id?: string }).id).not.toBe(fifth?.reply.sfu?.recvTransport?.id);
    for (const { client } of first) {
      const mode = await client.next((m) => m.type === 'room-mode');
      expect(mode).toMatchObject({ type: 'room-mode', mode: 'sfu', sfu: { producers: [] } });
    }
    expect(fifth?.client.of('room-mode')).toHaveLength(0);
    expect((await status(server, id)).mode).toBe('sfu');

    // Down to three: after the hold the room is a mesh again, and everyone is told.
    await first[0]?.client.close();
    await first[1]?.client.close();
    expect((await status(server, id)).mode).toBe('sfu');
    const remaining = [first[2], first[3], fifth].map((j) => j?.client as TestClient);
    for (const c of remaining) {
      await c.next((m) => m.type === 'room-mode' && m.mode === 'mesh', 5000);
    }
    expect((await status(server, id)).mode).toBe('mesh');
  });

  it('reopens a moved meeting of five straight on the SFU; one of three as a mesh', async () => {
    // Seats outlive a dropped socket (30 s), so stopping the node is not everyone leaving.
    const seated = async (n: number) => {
      const server = await sfuServer({ resumeWindowMs: 30_000 });
      const { id } = await server.createRoom();
      const all = await joinMany(server, id, n);
      await server.close();
      return { server, id, seat: all[0]?.reply };
    };
    for (const [n, mode] of [
      [5, 'sfu'],
      [3, 'mesh'],
    ] as const) {
      const { server, id, seat } = await seated(n);
      // The meeting's node restarts (or another node takes the room over, cluster.test.ts):
      // the first to come back is told the room's mode in its `joined`.
      const again = await sfuServer({ resumeWindowMs: 30_000, dataDir: server.dataDir });
      const client = await TestClient.ready(again.url);
      clients.push(client);
      const reply = await client.request({
        type: 'join',
        roomId: id,
        name: 'P0',
        media: { audio: true, video: true },
        seat: { peerId: seat?.peerId, resumeToken: seat?.resumeToken },
      });
      expect(reply).toMatchObject({ type: 'joined', peerId: seat?.peerId, mode });
      expect((await status(again, id)).mode).toBe(mode);
    }
  });

  it('stays in the SFU while the room is exactly at the mesh limit', async () => {
    const server = await sfuServer();
    const { id } = await server.createRoom();
    const all = await joinMany(server, id, 5);
    await all[4]?.client.close();
    await new Promise((r) => setTimeout(r, 800)); // well past the 0.3 s hold
    expect((await status(server, id)).mode).toBe('sfu');
    expect(all[0]?.client.of('room-mode').map((m) => m.mode)).toEqual(['sfu']);
  });

  it('runs the transport, produce and consume lifecycle with typed refusals', async () => {
    const server = await sfuServer();
    const { id } = await server.createRoom();
    const all = await joinMany(server, id, 5);
    const [a, b] = all.map((j) => j.client) as [TestClient, TestClient];
    const aId = all[0]?.reply.peerId;
    const caps = (all[4]?.reply.sfu?.routerRtpCapabilities ?? {}) as Caps;

    const send = await a.request({ type: 'sfu-transport', direction: 'send' });
    expect(send).toMatchObject({ type: 'sfu-transport-created', direction: 'send' });
    const sendId = (send as ServerMessageOf<'sfu-transport-created'>).id;
    expect((send as ServerMessageOf<'sfu-transport-created'>).iceCandidates[0]).toMatchObject({
      ip: '127.0.0.1',
    });

    const produced = await a.request({
      type: 'sfu-produce',
      transportId: sendId,
      kind: 'video',
      rtpParameters: vp8Parameters(caps, 1111),
      source: 'camera',
    });
    expect(produced.type).toBe('sfu-produced');
    const producerId = (produced as ServerMessageOf<'sfu-produced'>).producerId;
    const added = await b.next((m) => m.type === 'sfu-producer-added');
    expect(added).toMatchObject({
      producer: { producerId, peerId: aId, kind: 'video', source: 'camera' },
    });
    expect(a.of('sfu-producer-added')).toHaveLength(0);

    const recv = (await b.request({
      type: 'sfu-transport',
      direction: 'recv',
    })) as ServerMessageOf<'sfu-transport-created'>;
    const consumer = await b.request({ type: 'sfu-consume', producerId, rtpCapabilities: caps });
    expect(consumer).toMatchObject({
      type: 'sfu-consumer',
      producerId,
      peerId: aId,
      kind: 'video',
      source: 'camera',
    });
    const consumerId = (consumer as ServerMessageOf<'sfu-consumer'>).consumerId;
    expect(
      await b.request({ type: 'sfu-consumer-pause', consumerId, paused: false }),
    ).toMatchObject({ type: 'sfu-ok' });
    expect(await b.request({ type: 'sfu-layers', consumerId, spatialLayer: 1 })).toMatchObject({
      type: 'sfu-ok',
    });

    const restarted = await a.request({ type: 'sfu-restart-ice', transportId: sendId });
    expect(restarted).toMatchObject({
      type: 'sfu-ice-restarted',
      iceParameters: { usernameFragment: expect.any(String) },
    });
    expect(await b.request({ type: 'sfu-restart-ice', transportId: sendId })).toMatchObject({
      code: ERROR_CODES.SFU_NOT_FOUND,
    });

    const noVp8 = {
      codecs: caps.codecs.filter((c) => c.mimeType !== 'video/VP8'),
      headerExtensions: [],
    };
    expect(
      await b.request({ type: 'sfu-consume', producerId, rtpCapabilities: noVp8 }),
    ).toMatchObject({ code: ERROR_CODES.CANNOT_CONSUME });
    const dtls = { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] };
    expect(
      await a.request({ type: 'sfu-connect', transportId: recv.id, dtlsParameters: dtls }),
    ).toMatchObject({ code: ERROR_CODES.SFU_NOT_FOUND });
    expect(
      await a.request({
        type: 'sfu-produce',
        transportId: sendId,
        kind: 'video',
        rtpParameters: { nonsense: true },
        // Not the camera again: a second camera producer is refused before mediasoup sees it.
        source: 'screen',
      }),
    ).toMatchObject({ code: ERROR_CODES.SFU_REJECTED });
    expect(await b.request({ type: 'sfu-close-producer', producerId })).toMatchObject({
      code: ERROR_CODES.SFU_NOT_FOUND,
    });

    // The producer's peer leaves: its consumers close and everyone hears of it.
    await a.close();
    await b.next((m) => m.type === 'sfu-consumer-closed' && m.consumerId === consumerId);
    await b.next((m) => m.type === 'sfu-producer-closed' && m.producerId === producerId);
  });

  it('admits a joiner that says what it can receive with its consumers made, first page running', async () => {
    const server = await sfuServer({ meshMaxPeers: 1 });
    const { id } = await server.createRoom();
    const all = await joinMany(server, id, 3);
    const caps = (all[2]?.reply.sfu?.routerRtpCapabilities ?? {}) as Caps;
    const cameras: string[] = [];
    for (const [i, { client }] of all.entries()) {
      const t = await client.request({ type: 'sfu-transport', direction: 'send' });
      const produced = await client.request({
        type: 'sfu-produce',
        transportId: (t as ServerMessageOf<'sfu-transport-created'>).id,
        kind: 'video',
        rtpParameters: vp8Parameters(caps, 5000 + i),
        source: 'camera',
      });
      cameras.push((produced as ServerMessageOf<'sfu-produced'>).producerId);
    }
    const join = async (receive: unknown) => {
      const client = await TestClient.ready(server.url);
      clients.push(client);
      const media = { audio: true, video: true };
      const reply = await client.request({ type: 'join', roomId: id, name: 'J', media, receive });
      if (reply.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
      return { client, reply };
    };

    // A grid whose first page shows two of the three: those run, the third waits paused.
    const { client, reply } = await join({ rtpCapabilities: caps, videos: 2 });
    const made = reply.sfu?.consumers ?? [];
    expect(made.map((c) => [c.producerId, c.kind, c.paused])).toEqual([
      [cameras[0], 'video', false],
      [cameras[1], 'video', false],
      [cameras[2], 'video', true],
    ]);
    const codecs = (made[0]?.rtpParameters as { codecs: { mimeType: string }[] }).codecs;
    expect(codecs.map((c) => c.mimeType)).toContain('video/VP8');
    expect(reply.sfu?.recvTransport).toMatchObject({ direction: 'recv' });
    // They are this peer's consumers on the server: it pauses and resumes them like any other.
    for (const c of made) {
      expect(
        await client.request({ type: 'sfu-consumer-pause', consumerId: c.consumerId, paused: !c.paused }), // prettier-ignore
      ).toMatchObject({ type: 'sfu-ok' });
    }

    // Capabilities mediasoup refuses, or that cannot receive VP8: admitted all the same, with
    // its transport and no consumers (it asks with `sfu-consume` and gets the typed refusal).
    const noVp8 = { codecs: caps.codecs.filter((c) => c.mimeType !== 'video/VP8') };
    for (const rtpCapabilities of [{ codecs: 'nonsense' }, noVp8]) {
      const other = await join({ rtpCapabilities, videos: 16 });
      expect(other.reply.sfu).toMatchObject({ recvTransport: { direction: 'recv' }, consumers: [] }); // prettier-ignore
    }
    // And without `receive`, the join is as it was.
    const plain = await join(undefined);
    expect(plain.reply.sfu?.consumers).toBeUndefined();
  });

  it('warms a receive transport before the join, and the join takes it when it is this socket’s', async () => {
    const server = await sfuServer({ meshMaxPeers: 1 });
    const mesh = await server.createRoom();
    await joinMany(server, mesh.id, 1);
    const { id } = await server.createRoom();
    const [first] = await joinMany(server, id, 2);
    const caps = first?.reply.sfu?.routerRtpCapabilities ?? {};
    const outside = async () => {
      const client = await TestClient.ready(server.url);
      clients.push(client);
      return client;
    };

    // A mesh room, or none open here: nothing to warm, and no transport anywhere.
    const early = await outside();
    for (const roomId of [mesh.id, 'no-such-room-000000000'] as const) {
      expect(await early.request({ type: 'sfu-warm', roomId })).toEqual({ type: 'sfu-warmed', rid: expect.any(Number) }); // prettier-ignore
    }
    // A room on the SFU: a receive transport with SCTP and the idle channel.
    const warmed = await early.request({ type: 'sfu-warm', roomId: id });
    if (warmed.type !== 'sfu-warmed' || !warmed.transport) throw new Error(JSON.stringify(warmed));
    expect(warmed.transport).toMatchObject({
      direction: 'recv',
      sctpParameters: { port: 5000 },
      dataConsumer: { label: 'parley-warm' },
    });
    const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] }; // prettier-ignore
    const unknown = { type: 'sfu-warm-connect', transportId: 'not-mine', dtlsParameters };
    expect(await early.request(unknown)).toMatchObject({ type: 'error', code: ERROR_CODES.SFU_NOT_FOUND }); // prettier-ignore
    expect(
      await early.request({ type: 'sfu-warm-connect', transportId: warmed.transport.id, dtlsParameters }), // prettier-ignore
    ).toMatchObject({ type: 'sfu-ok' });

    // Another socket naming it gets a transport of its own; this socket's join takes it.
    const media = { audio: true, video: true };
    const join = (client: TestClient, warm: string) =>
      client.request({ type: 'join', roomId: id, name: 'J', media, receive: { rtpCapabilities: caps, videos: 4, warm } }); // prettier-ignore
    const thief = await join(await outside(), warmed.transport.id);
    expect(thief).toMatchObject({ type: 'joined', sfu: { recvTransport: { direction: 'recv' } } });
    expect(thief.type === 'joined' && thief.sfu?.recvTransport?.id).not.toBe(warmed.transport.id);
    const mine = await join(early, warmed.transport.id);
    expect(mine).toMatchObject({ type: 'joined', sfu: { recvTransport: { id: warmed.transport.id } } }); // prettier-ignore
    // In the meeting it is this peer's like any receive transport.
    expect(
      await early.request({ type: 'sfu-connect', transportId: warmed.transport.id, dtlsParameters }), // prettier-ignore
    ).toMatchObject({ type: 'error', code: ERROR_CODES.SFU_REJECTED });
    expect(await early.request({ type: 'sfu-warm', roomId: id })).toMatchObject({ type: 'error', code: ERROR_CODES.ALREADY_JOINED }); // prettier-ignore
  });

  it('answers SFU requests in a mesh room with NOT_IN_SFU_MODE', async () => {
    const server = await sfuServer();
    const { id } = await server.createRoom();
    const [one] = await joinMany(server, id, 1);
    const reply = await one?.client.request({ type: 'sfu-transport', direction: 'send' });
    expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.NOT_IN_SFU_MODE });
  });

  it('rebuilds the room on a live worker when its worker is killed', async () => {
    const server = await sfuServer();
    const { id } = await server.createRoom();
    const all = await joinMany(server, id, 5);
    const pids = server.sfu?.workerPids() ?? [];
    expect(pids).toHaveLength(1);
    process.kill(pids[0] as number, 'SIGKILL');
    for (const { client } of all) {
      const restart = await client.next((m: ServerMessage) => m.type === 'sfu-restart', 10_000);
      expect(restart).toMatchObject({ sfu: { producers: [] } });
    }
    await eventually(() => (server.sfu?.workerPids() ?? [])[0] !== pids[0]);
    const again = await all[1]?.client.request({ type: 'sfu-transport', direction: 'send' });
    expect(again).toMatchObject({ type: 'sfu-transport-created' });
  });
});

describe('screen sharing permission', () => {
  it('lets only a host change settings, and refuses shares when disallowed', async () => {
    const server = await sfuServer();
    const { id, hostKey } = await server.createRoom();
    const all = await joinMany(server, id, 5, hostKey);
    const [host, guest] = all.map((j) => j.client) as [TestClient, TestClient];
    expect(all[0]?.reply.settings).toMatchObject({ screenShare: true });
    expect(
      await guest.request({ type: 'settings', settings: { screenShare: false } }),
    ).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    expect(
      await host.request({ type: 'settings', settings: { screenShare: false } }),
    ).toMatchObject({ type: 'settings', settings: { screenShare: false } });
    await guest.next((m) => m.type === 'settings' && !m.settings.screenShare);
    const share = await guest.request({
      type: 'media',
      media: { audio: true, video: true, screen: true },
    });
    expect(share).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });
    const t = (await guest.request({
      type: 'sfu-transport',
      direction: 'send',
    })) as ServerMessageOf<'sfu-transport-created'>;
    const caps = (all[4]?.reply.sfu?.routerRtpCapabilities ?? {}) as Caps;
    const produce = await guest.request({
      type: 'sfu-produce',
      transportId: t.id,
      kind: 'video',
      rtpParameters: vp8Parameters(caps, 2222),
      source: 'screen',
    });
    expect(produce).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    expect(
      await host.request({ type: 'media', media: { audio: true, video: true, screen: true } }),
    ).toMatchObject({ type: 'media-ok' });
  });
});
