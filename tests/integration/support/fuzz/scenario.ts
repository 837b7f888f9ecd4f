import { randomBytes } from 'node:crypto';
import type fc from 'fast-check';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ClientMessage, PeerId, RoomId, ServerMessage } from '@parley/protocol';
import { TestClient } from '../client.ts';
import type { TestServer } from '../server.ts';
import { FuzzSocket } from './driver.ts';
import { teamFrameArbitrary } from './frames.ts';
import type { Frame, FrameContext } from './frames.ts';
import { setUpTeam } from './teamScenario.ts';
import type { TeamScenario } from './teamScenario.ts';

/** One fuzzed connection and the valid messages that would move it out of its state. */
export interface FuzzTarget {
  socket: FuzzSocket;
  skip: (message: ClientMessage) => boolean;
  /** Its own frames (default: the scenario's). */
  frames?: fc.Arbitrary<Frame>;
  /** Its share of the per-state frame count (default 1). */
  share?: number;
  /** Frames per barrier (default 250, see FuzzSocket.run). */
  batch?: number;
}

export interface Scenario {
  targets: FuzzTarget[];
  /** Host of the waiting room's room: not fuzzed, watches what reaches a room from outside. */
  lobbyHost: TestClient;
  /** The walkie-talkie team whose admin and guest are the last two targets. */
  team: TeamScenario;
  context: FrameContext;
}

const media = { audio: true, video: true };

async function joinAs(
  server: TestServer,
  label: string,
  roomId: RoomId,
  extra: Record<string, unknown> = {},
): Promise<{ socket: FuzzSocket; reply: Awaited<ReturnType<FuzzSocket['request']>> }> {
  const socket = await FuzzSocket.open(server.url, label);
  await socket.request({ type: 'hello', version: PROTOCOL_VERSION });
  const reply = await socket.request({ type: 'join', roomId, name: label, media, ...extra });
  return { socket, reply };
}

/** A DTLS fingerprint of the right shape (mediasoup checks the shape, not a handshake). */
const DTLS = {
  role: 'client',
  fingerprints: [
    {
      algorithm: 'sha-256',
      value: randomBytes(32)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1:'),
    },
  ],
};
const OPUS = {
  mid: '0',
  codecs: [
    { mimeType: 'audio/opus', payloadType: 111, clockRate: 48_000, channels: 2, parameters: {} },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 11_111_111 }],
  rtcp: { cname: 'fuzz-host', reducedSize: true },
};

/** Sends a request and returns its reply if it has `type`, or throws naming the step. */
async function expectReply<T extends ServerMessage['type']>(
  socket: FuzzSocket,
  message: Record<string, unknown>,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  const reply = await socket.request(message, 30_000);
  if (reply.type !== type) {
    throw new Error(`${socket.tally.label}: ${String(message.type)} got ${JSON.stringify(reply)}`);
  }
  return reply as Extract<ServerMessage, { type: T }>;
}

/**
 * Room A on air: the host puts it on the SFU and FFmpeg, produces Opus on a connected send
 * transport, and the guest (admitted into the SFU) consumes it. Their ids go to the fuzz, so
 * `sfu-*` messages reach real transports, producers and consumers as well as unknown ones.
 */
async function onAir(
  server: TestServer,
  roomA: { id: RoomId },
  host: FuzzSocket,
): Promise<{
  guest: Awaited<ReturnType<typeof joinAs>>;
  ids: Required<Pick<FrameContext, 'transportIds' | 'producerIds' | 'consumerIds'>>;
}> {
  await expectReply(host, { type: 'broadcast', live: true }, 'broadcast-state');
  const send = await expectReply(
    host,
    { type: 'sfu-transport', direction: 'send' },
    'sfu-transport-created',
  );
  await expectReply(
    host,
    { type: 'sfu-connect', transportId: send.id, dtlsParameters: DTLS },
    'sfu-ok',
  );
  const produced = await expectReply(
    host,
    {
      type: 'sfu-produce',
      transportId: send.id,
      kind: 'audio',
      rtpParameters: OPUS,
      source: 'mic',
    },
    'sfu-produced',
  );
  const guest = await joinAs(server, 'guest', roomA.id);
  if (guest.reply.type !== 'joined' || !guest.reply.sfu?.recvTransport) {
    throw new Error(`guest did not join the SFU: ${JSON.stringify(guest.reply)}`);
  }
  const { recvTransport, routerRtpCapabilities } = guest.reply.sfu;
  const g = guest.socket;
  await expectReply(
    g,
    { type: 'sfu-connect', transportId: recvTransport.id, dtlsParameters: DTLS },
    'sfu-ok',
  );
  const consumer = await expectReply(
    g,
    {
      type: 'sfu-consume',
      producerId: produced.producerId,
      rtpCapabilities: routerRtpCapabilities,
    },
    'sfu-consumer',
  );
  const unknown = (): string => randomBytes(12).toString('base64url');
  return {
    guest,
    ids: {
      transportIds: [send.id, recvTransport.id, unknown()],
      producerIds: [produced.producerId, unknown()],
      consumerIds: [consumer.consumerId, unknown()],
    },
  };
}

/**
 * The states the fuzz covers, each on its own socket: before `hello`, after `hello`, joined as
 * host and as guest (room A, waiting room off, on air: SFU and HLS gateway running), and
 * waiting in room B's waiting room (the product default), with B's host watching the queue.
 */
export async function setUpScenario(server: TestServer): Promise<Scenario> {
  const roomA = await server.createRoom();
  const roomB = await server.createRoom({});
  const knownRooms = new Set<string>([roomA.id, roomB.id]);

  const pre = await FuzzSocket.open(server.url, 'before hello');
  const after = await FuzzSocket.open(server.url, 'after hello');
  await after.request({ type: 'hello', version: PROTOCOL_VERSION });
  const host = await joinAs(server, 'host', roomA.id, { hostKey: roomA.hostKey });
  const { guest, ids } = await onAir(server, roomA, host.socket);
  // A warm transport for the socket outside any room (room A is on the SFU now): its id goes to
  // the fuzz, so `sfu-warm-connect` and `join.receive.warm` reach a real one as well.
  const warmed = await expectReply(after, { type: 'sfu-warm', roomId: roomA.id }, 'sfu-warmed');
  if (!warmed.transport) throw new Error('no warm transport in a room on the SFU');
  const lobbyHost = await TestClient.ready(server.url);
  const lobbyJoined = await lobbyHost.join(roomB.id, 'lobby host', roomB.hostKey);
  const waiting = await joinAs(server, 'waiting', roomB.id);
  const joinedIds = [host, guest].map(({ socket, reply }) => {
    if (reply.type === 'joined') return reply.peerId;
    throw new Error(`${socket.tally.label} did not join: ${JSON.stringify(reply)}`);
  });
  if (waiting.reply.type !== 'waiting') {
    throw new Error(`a guest of a waiting room was not held: ${JSON.stringify(waiting.reply)}`);
  }
  const lobby = await lobbyHost.next((m) => m.type === 'lobby' && m.waiting.length === 1);
  const waitingIds = lobby.type === 'lobby' ? lobby.waiting.map((w) => w.peerId) : [];
  const team = await setUpTeam(server);
  const knownPeers = new Set<string>([
    ...joinedIds,
    lobbyJoined.peerId,
    ...waitingIds,
    ...team.peerIds,
  ]);
  // Kicking a known peer out would end the state another socket is fuzzing.
  const ejects = (m: ClientMessage): boolean =>
    (m.type === 'remove' || m.type === 'deny') && knownPeers.has(m.peerId);
  // Taking room A off air would start FFmpeg again at the next `live: true`, thousands of times.
  // Likewise stopping the recording: each start would spawn its recorders again.
  const offAir = (m: ClientMessage): boolean =>
    (m.type === 'broadcast' && !m.live) || (m.type === 'record' && !m.on);
  // Handing the host role over would turn the host's socket into a co-host's, and the guest's
  // into the host's: both states would be fuzzed no more.
  const handsOver = (m: ClientMessage): boolean => m.type === 'set-role' && m.role === 'host';
  const teamSkip = (m: ClientMessage): boolean => team.skip(m, knownPeers);
  const context: FrameContext = {
    roomIds: [roomA.id, roomB.id, randomBytes(16).toString('base64url') as RoomId],
    peerIds: [...knownPeers, randomBytes(12).toString('base64url')] as PeerId[],
    transportIds: [...ids.transportIds, warmed.transport.id, ...team.transportIds],
    producerIds: [...ids.producerIds, ...team.producerIds],
    consumerIds: [...ids.consumerIds, ...team.consumerIds],
    channelIds: team.channelIds,
  };
  const teamFrames = teamFrameArbitrary(context);

  return {
    targets: [
      { socket: pre, skip: (m) => m.type === 'hello' },
      // A join with a password is skipped too: ten wrong ones lock the client's address out of
      // every join for five minutes (rooms.ts), and every socket here shares 127.0.0.1.
      {
        socket: after,
        skip: (m) => m.type === 'join' && (knownRooms.has(m.roomId) || m.password !== undefined),
      },
      {
        socket: host.socket,
        skip: (m) =>
          m.type === 'leave' || m.type === 'end' || ejects(m) || offAir(m) || handsOver(m),
      },
      { socket: guest.socket, skip: (m) => m.type === 'leave' || ejects(m) || offAir(m) },
      { socket: waiting.socket, skip: (m) => m.type === 'leave' },
      // A quarter of the frames each: the team's states add to the five above. Half of their
      // frames are valid walkie messages, each a store write or a worker request in the room's
      // queue (0.7-3.6 s apiece on a machine at load 8): 50 a barrier keeps a barrier's work
      // well inside its 15 s, where 250 did not.
      { socket: team.admin, skip: teamSkip, frames: teamFrames, share: 0.25, batch: 50 },
      { socket: team.guest, skip: teamSkip, frames: teamFrames, share: 0.25, batch: 50 },
    ],
    lobbyHost,
    team,
    context,
  };
}
