import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientMessageSchema, ERROR_CODES, PROTOCOL_VERSION } from '@parley/protocol';
import type { ClientMessageType, ServerMessage } from '@parley/protocol';
import { RULES } from '@parley/signaling';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

/**
 * The permission table, walked cell by cell over real sockets: every client message type, sent
 * by a connection in every standing (no hello yet, outside a room, waiting, and in the meeting
 * as guest, co-host and host). Each cell is written out here on its own, so this is a second,
 * independent statement of the policy the server's one table (`permissions.ts`) implements.
 *
 * `ok`: the message gets through the table (its reply is no refusal, whatever else it says).
 */
type Cell =
  | 'ok'
  | 'HELLO_REQUIRED'
  | 'ALREADY_HELLO'
  | 'ALREADY_JOINED'
  | 'NOT_JOINED'
  | 'NOT_ADMITTED'
  | 'FORBIDDEN';
const STANDINGS = ['new', 'outside', 'waiting', 'guest', 'cohost', 'host'] as const;
type Standing = (typeof STANDINGS)[number];

const H = 'HELLO_REQUIRED';
const A = 'ALREADY_JOINED';
const N = 'NOT_JOINED';
const W = 'NOT_ADMITTED';
const F = 'FORBIDDEN';
// prettier-ignore
const TABLE: Record<ClientMessageType, readonly Cell[]> = {
  //                      new  outside   waiting  guest  cohost  host
  hello:                 ['ok', 'ALREADY_HELLO', 'ALREADY_HELLO', 'ALREADY_HELLO', 'ALREADY_HELLO', 'ALREADY_HELLO'],
  ping:                  [H,    'ok',    'ok',    'ok',  'ok',   'ok'],
  join:                  [H,    'ok',    A,       A,     A,      A],
  resume:                [H,    'ok',    A,       A,     A,      A],
  leave:                 [H,    N,       'ok',    'ok',  'ok',   'ok'],
  'ice-refresh':         [H,    N,       W,       'ok',  'ok',   'ok'],
  signal:                [H,    N,       W,       'ok',  'ok',   'ok'],
  chat:                  [H,    N,       W,       'ok',  'ok',   'ok'],
  'chat-sync':           [H,    N,       W,       'ok',  'ok',   'ok'],
  media:                 [H,    N,       W,       'ok',  'ok',   'ok'],
  uplink:                [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-warm':            [H,    'ok',    A,       A,     A,      A],
  'sfu-warm-connect':    [H,    'ok',    A,       A,     A,      A],
  'net-check':           [H,    'ok',    A,       A,     A,      A],
  'sfu-transport':       [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-connect':         [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-produce':         [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-close-producer':  [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-consume':         [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-consumer-pause':  [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-layers':          [H,    N,       W,       'ok',  'ok',   'ok'],
  'sfu-restart-ice':     [H,    N,       W,       'ok',  'ok',   'ok'],
  'channel-listen':      [H,    N,       W,       'ok',  'ok',   'ok'],
  'channel-unlisten':    [H,    N,       W,       'ok',  'ok',   'ok'],
  'floor-request':       [H,    N,       W,       'ok',  'ok',   'ok'],
  'floor-release':       [H,    N,       W,       'ok',  'ok',   'ok'],
  'floor-revoke':        [H,    N,       W,       F,     'ok',   'ok'],
  'channel-add':         [H,    N,       W,       F,     'ok',   'ok'],
  'channel-rename':      [H,    N,       W,       F,     'ok',   'ok'],
  'channel-remove':      [H,    N,       W,       F,     'ok',   'ok'],
  hand:                  [H,    N,       W,       'ok',  'ok',   'ok'],
  'hand-lower':          [H,    N,       W,       F,     'ok',   'ok'],
  react:                 [H,    N,       W,       'ok',  'ok',   'ok'],
  'poll-launch':         [H,    N,       W,       F,     'ok',   'ok'],
  'poll-vote':           [H,    N,       W,       'ok',  'ok',   'ok'],
  'poll-end':            [H,    N,       W,       F,     'ok',   'ok'],
  'poll-share':          [H,    N,       W,       F,     'ok',   'ok'],
  'board-sync':          [H,    N,       W,       'ok',  'ok',   'ok'],
  'board-present':       [H,    N,       W,       F,     'ok',   'ok'],
  'board-ticket':        [H,    N,       W,       'ok',  'ok',   'ok'],
  settings:              [H,    N,       W,       F,     'ok',   'ok'],
  admit:                 [H,    N,       W,       F,     'ok',   'ok'],
  'admit-all':           [H,    N,       W,       F,     'ok',   'ok'],
  deny:                  [H,    N,       W,       F,     'ok',   'ok'],
  mute:                  [H,    N,       W,       F,     'ok',   'ok'],
  'allow-unmute':        [H,    N,       W,       F,     'ok',   'ok'],
  remove:                [H,    N,       W,       F,     'ok',   'ok'],
  broadcast:             [H,    N,       W,       F,     F,      'ok'],
  // Co-hosts only where the room's cohostsRecord is on (off by default).
  record:                [H,    N,       W,       F,     F,      'ok'],
  'set-role':            [H,    N,       W,       F,     F,      'ok'],
  end:                   [H,    N,       W,       F,     F,      'ok'],
};

const REFUSALS = new Set<string>([H, 'ALREADY_HELLO', A, N, W, F]);
const media = { audio: true, video: true };
const dtls = { fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] };

/** A valid message of each type; `ctx` holds ids from the room the sender is in. */
function sample(type: ClientMessageType, ctx: { roomId: string; target: string; waiter: string }) {
  const s: Record<ClientMessageType, Record<string, unknown>> = {
    hello: { version: PROTOCOL_VERSION },
    ping: {},
    join: { roomId: ctx.roomId, name: 'Someone', media },
    resume: { roomId: ctx.roomId, peerId: ctx.target, resumeToken: 'x'.repeat(22), lastSeq: 0 },
    leave: {},
    'ice-refresh': {},
    signal: { to: ctx.target, data: { candidate: 'x' } },
    chat: { clientId: 'msg-00000001', text: 'hello' },
    'chat-sync': { since: 0 },
    media: { media },
    uplink: { uplink: { quality: 'poor', cause: 'loss' } },
    'sfu-warm': { roomId: ctx.roomId },
    'sfu-warm-connect': { transportId: 't1', dtlsParameters: dtls },
    'net-check': {},
    'sfu-transport': { direction: 'send' },
    'sfu-connect': { transportId: 't1', dtlsParameters: dtls },
    'sfu-produce': { transportId: 't1', kind: 'audio', rtpParameters: {}, source: 'mic' },
    'sfu-close-producer': { producerId: 'p1' },
    'sfu-consume': { producerId: 'p1', rtpCapabilities: {} },
    'sfu-consumer-pause': { consumerId: 'c1', paused: true },
    'sfu-layers': { consumerId: 'c1', spatialLayer: 0 },
    'sfu-restart-ice': { transportId: 't1' },
    'channel-listen': { channelId: 'c1', rtpCapabilities: {} },
    'channel-unlisten': { channelId: 'c1' },
    'floor-request': { channelId: 'c1' },
    'floor-release': { channelId: 'c1' },
    'floor-revoke': { peerId: ctx.target },
    'channel-add': { name: 'Ops' },
    'channel-rename': { channelId: 'c1', name: 'Ops' },
    'channel-remove': { channelId: 'c1' },
    hand: { raised: true },
    'hand-lower': {},
    react: { reaction: '👍' },
    'poll-launch': {
      question: 'Lunch?',
      options: ['Yes', 'No'],
      multiple: false,
      anonymous: true,
      changeable: false,
    },
    'poll-vote': { pollId: 'poll-not-open', choices: [0] },
    'poll-end': { pollId: 'poll-not-open' },
    'poll-share': { pollId: 'poll-not-open' },
    // A sync step 1 with an empty state vector: opening the board.
    'board-sync': { data: 'AAEA' },
    'board-present': { pageId: null },
    'board-ticket': {},
    settings: { settings: { screenShare: true } },
    admit: { peerId: ctx.waiter },
    'admit-all': {},
    deny: { peerId: ctx.waiter },
    mute: { peerId: ctx.target, kind: 'audio' },
    'allow-unmute': { peerId: ctx.target, kind: 'audio' },
    remove: { peerId: ctx.target },
    broadcast: { live: false },
    record: { on: false },
    'set-role': { peerId: ctx.target, role: 'cohost' },
    end: {},
  };
  return { type, ...s[type] };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.dispose();
});

let devices = 0;
async function connection(standing: Standing) {
  const { id: roomId, hostKey } = await server.createRoom({});
  const joinAs = async (name: string, extra: Record<string, unknown> = {}) => {
    const c = await TestClient.ready(server.url);
    const deviceId = `perm-device-${++devices}-000000`;
    const reply = await c.request({ type: 'join', roomId, name, media, deviceId, ...extra });
    return { c, reply };
  };
  const host = await joinAs('Host', { hostKey });
  /** The waiting peer id of `name`, once the host's lobby shows them. */
  const waitingId = async (name: string) => {
    const has = (m: ServerMessage) => m.type === 'lobby' && m.waiting.some((w) => w.name === name);
    const lobby = await host.c.next(has);
    return lobby.type === 'lobby' ? (lobby.waiting.find((w) => w.name === name)?.peerId ?? '') : '';
  };
  // Someone waiting (to admit or deny) and a guest in the meeting (to mute, remove, signal).
  await joinAs('Waiter');
  const waiter = await waitingId('Waiter');
  const target = await joinAs('Target');
  const targetId = await waitingId('Target');
  await host.c.request({ type: 'admit', peerId: targetId });
  await target.c.next((m) => m.type === 'joined');
  const ctx = { roomId, target: targetId, waiter };
  const others = [host.c, target.c];
  if (standing === 'host') return { client: host.c, ctx, others: [target.c] };
  if (standing === 'new') return { client: await TestClient.connect(server.url), ctx, others };
  if (standing === 'outside') return { client: await TestClient.ready(server.url), ctx, others };
  const me = await joinAs(standing);
  if (standing === 'waiting') return { client: me.c, ctx, others };
  await host.c.request({ type: 'admit', peerId: await waitingId(standing) });
  const joined = await me.c.next((m) => m.type === 'joined');
  if (standing === 'cohost') {
    const peerId = joined.type === 'joined' ? joined.peerId : '';
    await host.c.request({ type: 'set-role', peerId, role: 'cohost' });
    await me.c.next((m) => m.type === 'role');
  }
  return { client: me.c, ctx, others };
}

/**
 * Sends a message and then a ping: a socket's messages are handled in order, so whatever the
 * message caused (a reply, an error, or nothing at all, as for a relayed `signal`) has arrived
 * by the time the ping is answered.
 */
async function send(client: TestClient, message: Record<string, unknown>) {
  const rid = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  client.send({ ...message, rid });
  await client.request({ type: 'ping' });
  return client.received.find((m) => 'rid' in m && m.rid === rid);
}

describe('the permission table', () => {
  it('lists every client message type, in the server and here', () => {
    const types = ClientMessageSchema.options.map((o) => o.shape.type.value).sort();
    expect(Object.keys(TABLE).sort()).toEqual(types);
    expect(Object.keys(RULES).sort()).toEqual(types);
  });

  for (const [i, standing] of STANDINGS.entries()) {
    it(`is what the server does for a connection that is ${standing}`, async () => {
      const cells: string[] = [];
      for (const type of Object.keys(TABLE) as ClientMessageType[]) {
        // A fresh room per cell: allowed host controls (remove, end) have side effects.
        const { client, ctx, others } = await connection(standing);
        const expected = TABLE[type][i] as Cell;
        const reply = await send(client, sample(type, ctx));
        const got = reply?.type === 'error' && REFUSALS.has(reply.code) ? reply.code : 'ok';
        cells.push(`${type}: ${got}`);
        expect(got, `${standing} sending ${type}: ${JSON.stringify(reply)}`).toBe(expected);
        if (expected !== 'ok' && expected !== 'ALREADY_HELLO' && expected !== H) {
          // A refusal changed nothing anybody else can see.
          for (const other of others) {
            expect(other.received.some((m) => ['removed', 'muted', 'role'].includes(m.type))).toBe(
              false,
            );
          }
        }
        for (const c of [client, ...others]) c.ws.terminate();
      }
      expect(cells).toHaveLength(Object.keys(TABLE).length);
    });
  }

  it('refuses everything before hello except hello, with a typed error', async () => {
    const c = await TestClient.connect(server.url);
    const reply = await c.request({ type: 'join', roomId: 'A'.repeat(22), name: 'x', media });
    expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.HELLO_REQUIRED, ref: 'join' });
  });
});
