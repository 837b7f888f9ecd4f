import { describe, expect, it } from 'vitest';
import { ClientMessageSchema, ServerMessageSchema } from './messages.ts';
import { REPLIES, isReply, isReplyTo } from './replies.ts';
import { DEFAULT_ROOM_SETTINGS } from './roomSettings.ts';

/** Each schema's `type` literal, and whether its shape has a `rid`. */
function typesOf(schema: typeof ClientMessageSchema | typeof ServerMessageSchema) {
  return schema.options.map((o) => ({ type: o.shape.type.value, hasRid: 'rid' in o.shape }));
}

const clientTypes = typesOf(ClientMessageSchema);
const serverTypes = typesOf(ServerMessageSchema);

describe('REPLIES', () => {
  it('has a row for every client message that carries a rid, and for nothing else', () => {
    const requests = clientTypes.filter((c) => c.hasRid).map((c) => c.type);
    expect(Object.keys(REPLIES).sort()).toEqual([...requests].sort());
  });

  it('lists only server messages that carry the rid back', () => {
    const withRid = new Set(serverTypes.filter((s) => s.hasRid).map((s) => s.type));
    for (const [request, replies] of Object.entries(REPLIES)) {
      for (const reply of replies) expect(withRid, `${request} -> ${reply}`).toContain(reply);
    }
  });

  it('names every server message that carries a rid as some reply (or the error)', () => {
    const replies = new Set<string>(Object.values(REPLIES).flat());
    const orphans = serverTypes
      .filter((s) => s.hasRid && s.type !== 'error' && !replies.has(s.type))
      .map((s) => s.type);
    expect(orphans).toEqual([]);
  });
});

describe('isReplyTo', () => {
  it.each([
    ['sfu-transport', { type: 'sfu-transport-created' }, true],
    ['join', { type: 'waiting' }, true],
    ['join', { type: 'joined' }, true],
    ['sfu-connect', { type: 'sfu-produced' }, false],
    ['admit', { type: 'settings' }, false],
    ['signal', { type: 'ok' }, false],
  ] as const)('%s answered by %j: %s', (request, reply, expected) => {
    const message = ServerMessageSchema.parse(fill(reply.type));
    expect(isReplyTo(request, message)).toBe(expected);
  });

  it('tells replies from pushes and errors', () => {
    expect(isReply(ServerMessageSchema.parse(fill('sfu-ok')))).toBe(true);
    expect(isReply(ServerMessageSchema.parse(fill('peer-left')))).toBe(false);
    expect(isReply(ServerMessageSchema.parse(fill('error')))).toBe(false);
  });
});

/** A valid server message of each type these tests use. */
function fill(type: string): Record<string, unknown> {
  const peerId = 'peer-0001';
  const roomId = 'A'.repeat(22);
  const settings = DEFAULT_ROOM_SETTINGS;
  const transport = { id: 't1', direction: 'send', iceParameters: {}, iceCandidates: [] };
  const fields: Record<string, Record<string, unknown>> = {
    'sfu-transport-created': { ...transport, dtlsParameters: {} },
    waiting: { roomId, position: 1, hostPresent: true },
    joined: {
      roomId,
      peerId,
      role: 'guest',
      mode: 'mesh',
      peers: [],
      iceServers: [],
      iceTransportPolicy: 'all',
      chat: [],
      resumeToken: 'token',
      settings,
      live: false,
      hands: [],
    },
    'sfu-produced': { producerId: 'p1' },
    settings: { settings },
    'peer-left': { peerId },
    error: { code: 'INTERNAL', message: 'boom' },
  };
  const rid = serverTypes.find((s) => s.type === type)?.hasRid ? { rid: 1 } : {};
  return { type, ...rid, ...(fields[type] ?? {}) };
}
