import { randomBytes } from 'node:crypto';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ClientMessage, PeerId, RoomId } from '@parley/protocol';
import { TestClient } from '../client.ts';
import type { TestServer } from '../server.ts';
import { FuzzSocket } from './driver.ts';
import type { FrameContext } from './frames.ts';

/** One fuzzed connection and the valid messages that would move it out of its state. */
export interface FuzzTarget {
  socket: FuzzSocket;
  skip: (message: ClientMessage) => boolean;
}

export interface Scenario {
  targets: FuzzTarget[];
  /** Host of the waiting room's room: not fuzzed, watches what reaches a room from outside. */
  lobbyHost: TestClient;
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

/**
 * The states the fuzz covers, each on its own socket: before `hello`, after `hello`, joined as
 * host, joined as guest (room A, waiting room off), and waiting in room B's waiting room
 * (the product default), with B's host watching the queue.
 */
export async function setUpScenario(server: TestServer): Promise<Scenario> {
  const roomA = await server.createRoom();
  const roomB = await server.createRoom({});
  const knownRooms = new Set<string>([roomA.id, roomB.id]);

  const pre = await FuzzSocket.open(server.url, 'before hello');
  const after = await FuzzSocket.open(server.url, 'after hello');
  await after.request({ type: 'hello', version: PROTOCOL_VERSION });
  const host = await joinAs(server, 'host', roomA.id, { hostKey: roomA.hostKey });
  const guest = await joinAs(server, 'guest', roomA.id);
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
  const knownPeers = new Set<string>([...joinedIds, lobbyJoined.peerId, ...waitingIds]);
  // Kicking a known peer out would end the state another socket is fuzzing.
  const ejects = (m: ClientMessage): boolean =>
    (m.type === 'remove' || m.type === 'deny') && knownPeers.has(m.peerId);

  return {
    targets: [
      { socket: pre, skip: (m) => m.type === 'hello' },
      // A join with a password is skipped too: ten wrong ones lock the client's address out of
      // every join for five minutes (rooms.ts), and every socket here shares 127.0.0.1.
      {
        socket: after,
        skip: (m) => m.type === 'join' && (knownRooms.has(m.roomId) || m.password !== undefined),
      },
      { socket: host.socket, skip: (m) => m.type === 'leave' || m.type === 'end' || ejects(m) },
      { socket: guest.socket, skip: (m) => m.type === 'leave' || ejects(m) },
      { socket: waiting.socket, skip: (m) => m.type === 'leave' },
    ],
    lobbyHost,
    context: {
      roomIds: [roomA.id, roomB.id, randomBytes(16).toString('base64url') as RoomId],
      peerIds: [...knownPeers, randomBytes(12).toString('base64url')] as PeerId[],
    },
  };
}
