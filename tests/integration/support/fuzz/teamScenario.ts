import { randomBytes } from 'node:crypto';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ClientMessage, CreateTeamResponse, PeerId, ServerMessage } from '@parley/protocol';
import type { TestServer } from '../server.ts';
import { FuzzSocket } from './driver.ts';

/**
 * A walkie-talkie team for the fuzz (issue #16): its admin and a guest, each joined with a
 * connected receive transport, a microphone produced on a connected send transport, and
 * listening to "General". The team queues busy requests, so the queue's paths are fuzzed too.
 * Its channels: "General" (kept: the skip rule below), "Ops", and "Closed", removed before
 * the fuzz starts, whose id the fuzz keeps using.
 */
export interface TeamScenario {
  admin: FuzzSocket;
  guest: FuzzSocket;
  peerIds: PeerId[];
  /** Open, removed, then a well-formed id the team never had. */
  channelIds: string[];
  /** The team's mic producers, transports and channel consumers, for the fuzz's ids. */
  transportIds: string[];
  producerIds: string[];
  consumerIds: string[];
  /** Valid messages the fuzz must not send on a team member's socket. */
  skip: (message: ClientMessage, knownPeers: ReadonlySet<string>) => boolean;
  /** The channel the skip rule keeps open. */
  general: string;
}

/** A DTLS fingerprint of the right shape (mediasoup checks the shape, not a handshake). */
function dtls() {
  const value = randomBytes(32)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1:');
  return { role: 'client', fingerprints: [{ algorithm: 'sha-256', value }] };
}

function opus(ssrc: number) {
  return {
    mid: '0',
    codecs: [
      { mimeType: 'audio/opus', payloadType: 111, clockRate: 48_000, channels: 2, parameters: {} },
    ],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `fuzz-team-${ssrc}`, reducedSize: true },
  };
}

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

/** Joins the team, produces a mic and listens to `channelId`: the ids it made. */
async function member(server: TestServer, label: string, teamId: string, hostKey?: string) {
  const socket = await FuzzSocket.open(server.url, label);
  await socket.request({ type: 'hello', version: PROTOCOL_VERSION });
  const joined = await expectReply(
    socket,
    {
      type: 'join',
      roomId: teamId,
      name: label,
      media: { audio: true, video: false },
      ...(hostKey ? { hostKey } : {}),
    },
    'joined',
  );
  const recv = joined.sfu?.recvTransport;
  if (!recv || !joined.team) throw new Error(`${label} joined the team without its SFU side`);
  await expectReply(
    socket,
    { type: 'sfu-connect', transportId: recv.id, dtlsParameters: dtls() },
    'sfu-ok',
  );
  const send = await expectReply(
    socket,
    { type: 'sfu-transport', direction: 'send' },
    'sfu-transport-created',
  );
  await expectReply(
    socket,
    { type: 'sfu-connect', transportId: send.id, dtlsParameters: dtls() },
    'sfu-ok',
  );
  const mic = await expectReply(
    socket,
    {
      type: 'sfu-produce',
      transportId: send.id,
      kind: 'audio',
      rtpParameters: opus(22_000_000 + Math.floor(Math.random() * 1_000_000)),
      source: 'mic',
    },
    'sfu-produced',
  );
  return { socket, joined, transportIds: [recv.id, send.id], producerId: mic.producerId };
}

export async function setUpTeam(server: TestServer): Promise<TeamScenario> {
  const res = await fetch(`${server.url}/api/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Fuzz team', queue: true }),
  });
  if (res.status !== 201) throw new Error(`POST /api/teams: ${res.status}`);
  const team = (await res.json()) as CreateTeamResponse;
  const admin = await member(server, 'team admin', team.id, team.hostKey);
  const guest = await member(server, 'team guest', team.id);
  const general = admin.joined.team?.channels[0]?.id;
  if (!general) throw new Error('a new team has no General');

  const watch = watchChannels(admin.socket);
  for (const name of ['Ops', 'Closed']) {
    await expectReply(admin.socket, { type: 'channel-add', name }, 'ok');
  }
  watch.stop();
  // The list is pushed before the reply to the add (the room's order).
  const [ops, closed] = watch.ids().filter((id) => id !== general) as [string, string];
  if (!closed) throw new Error(`the team's channels after two adds: ${watch.ids().join()}`);
  const consumerIds: string[] = [];
  for (const { socket, joined } of [admin, guest]) {
    const caps = joined.sfu!.routerRtpCapabilities;
    for (const channelId of [general, ops]) {
      const c = await expectReply(
        socket,
        { type: 'channel-listen', channelId, rtpCapabilities: caps },
        'channel-consumer',
      );
      consumerIds.push(c.consumerId);
    }
  }
  await expectReply(admin.socket, { type: 'channel-remove', channelId: closed }, 'ok');

  const peerIds = [admin.joined.peerId, guest.joined.peerId];
  return {
    admin: admin.socket,
    guest: guest.socket,
    peerIds,
    channelIds: [general, ops, closed, randomBytes(9).toString('base64url')],
    transportIds: [...admin.transportIds, ...guest.transportIds],
    producerIds: [admin.producerId, guest.producerId],
    consumerIds,
    general,
    skip: (m, knownPeers) =>
      m.type === 'leave' ||
      m.type === 'end' ||
      ((m.type === 'remove' || m.type === 'deny') && knownPeers.has(m.peerId)) ||
      (m.type === 'channel-remove' && m.channelId === general) ||
      // Room passwords are the meeting host's fuzz (argon2, one hash at a time per process):
      // a second moderator hashing alongside only makes both wait, past the 15 s barrier.
      (m.type === 'settings' && m.settings.password !== undefined),
  };
}

/**
 * The latest channel list the socket was told (`team-channels`): the fuzz socket keeps no
 * messages, so a listener on the raw socket reads them. `stop` removes it.
 */
function watchChannels(socket: FuzzSocket): { ids: () => string[]; stop: () => void } {
  let ids: string[] = [];
  const onMessage = (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as ServerMessage;
    if (m.type === 'team-channels') ids = m.channels.map((c) => c.id);
  };
  socket.ws.on('message', onMessage);
  return { ids: () => ids, stop: () => socket.ws.off('message', onMessage) };
}
