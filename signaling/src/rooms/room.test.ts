import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { PeerId, RoomId, ServerMessage } from '@parley/protocol';
import { openSqliteStorage } from '../store/sqlite/index.ts';
import { defaultSettings } from '../store/index.ts';
import type { ChatStore, Storage } from '../store/index.ts';
import { ProtocolError } from '../util/errors.ts';
import { Door } from './door.ts';
import { expel, setRole } from './moderation.ts';
import { Peer } from './peer.ts';
import { Room } from './room.ts';
import { quietLog } from '../telemetry/log.ts';

const media = { sfu: undefined, meshMaxPeers: 4, downgradeHoldMs: 1000, downgradeGraceMs: 1000 };

const ROOM = 'room_room_room_room_ro' as RoomId;
const SETTINGS = { ...defaultSettings(), waitingRoom: false };
const RECORD = { ownerId: null, title: null, settings: SETTINGS, passwordHash: null };
/** What every Room here is built with besides its own options. */
const base = { settings: SETTINGS, passwordHash: null, save: async () => undefined, media };
let dir: string;
let storage: Storage;
let chat: ChatStore;
const door = (): Door => new Door(ROOM, storage.doors);
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-unit-'));
  storage = openSqliteStorage(dir);
  await storage.rooms.create({ id: ROOM, hostKeyHash: 'x', createdAt: 0, ...RECORD });
  chat = storage.chat;
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function peer(id: string, deviceId?: string): Peer & { inbox: ServerMessage[]; sink: string[] } {
  const inbox: ServerMessage[] = [];
  const sink: string[] = [];
  const p = new Peer(
    id as PeerId,
    id,
    'guest',
    { audio: true, video: true },
    {
      send: (m) => inbox.push(m),
      replaced: () => undefined,
      admitted: () => undefined,
      ejected: () => sink.push('ejected'),
      roomClosed: () => sink.push('roomClosed'),
      roomMoved: () => sink.push('roomMoved'),
    },
    'resume-token-for-tests',
    { deviceId },
  );
  return Object.assign(p, { inbox, sink });
}

describe('Room', () => {
  it('admits in order, tells the others, and enforces its limit', async () => {
    let emptied = 0;
    const room = new Room(ROOM, {
      maxPeers: 2,
      chat,
      onClose: () => emptied++,
      ...base,
      door: door(),
      log: quietLog,
    });
    const a = peer('peer_aaaa');
    const b = peer('peer_bbbb');
    expect((await room.admit(a)).peers).toEqual([]);
    expect((await room.admit(b)).peers.map((p) => p.peerId)).toEqual(['peer_aaaa']);
    expect(a.inbox).toEqual([{ type: 'peer-joined', peer: b.info() }]);
    await expect(room.admit(peer('peer_cccc'))).rejects.toMatchObject({
      code: ERROR_CODES.ROOM_FULL,
    });
    await room.remove(a.id);
    expect(b.inbox.at(-1)).toEqual({ type: 'peer-left', peerId: a.id });
    await room.remove(a.id); // idempotent: no second peer-left
    expect(b.inbox.filter((m) => m.type === 'peer-left')).toHaveLength(1);
    await room.remove(b.id);
    expect(emptied).toBe(1);
  });

  it('relays only to a present peer other than the sender', async () => {
    const room = new Room(ROOM, {
      maxPeers: 5,
      chat,
      onClose: () => undefined,
      ...base,
      door: door(),
      log: quietLog,
    });
    const a = peer('peer_aaaa');
    const b = peer('peer_bbbb');
    await room.admit(a);
    await room.admit(b);
    room.relaySignal(a.id, b.id, { sdp: 'x' });
    expect(b.inbox.at(-1)).toEqual({ type: 'signal', from: a.id, data: { sdp: 'x' } });
    expect(() => room.relaySignal(a.id, a.id, {})).toThrow(ProtocolError);
    expect(() => room.relaySignal(a.id, 'peer_zzzz' as PeerId, {})).toThrow(ProtocolError);
  });

  it('reports status and broadcasts media changes to the others only', async () => {
    const room = new Room(ROOM, {
      maxPeers: 5,
      chat,
      onClose: () => undefined,
      ...base,
      door: door(),
      log: quietLog,
    });
    const a = peer('peer_aaaa');
    const b = peer('peer_bbbb');
    await room.admit(a);
    await room.admit(b);
    room.updateMedia(a, { audio: false, video: true });
    expect(b.inbox.at(-1)).toMatchObject({
      type: 'peer-updated',
      peer: { media: { audio: false } },
    });
    expect(a.inbox.some((m) => m.type === 'peer-updated')).toBe(false);
    expect(room.status(3)).toEqual({
      id: ROOM,
      mode: 'mesh',
      admitted: 2,
      live: false,
      recording: false,
      viewers: 3,
      title: null,
    });
  });
});

describe('Room.close', () => {
  it('closes everyone it holds once, empties its maps and fires onClose once', async () => {
    let closed = 0;
    const settings = { ...SETTINGS, waitingRoom: true };
    const room = new Room(ROOM, {
      maxPeers: 5,
      chat,
      ...base,
      door: door(),
      settings,
      onClose: () => closed++,
      log: quietLog,
    });
    const a = peer('peer_aaaa');
    const w = peer('peer_wwww');
    await room.admit(a);
    room.suspend(a.id, 60_000); // a seat timer that must stop
    expect(await room.enter(w)).toEqual({ waiting: 1, hostPresent: false });
    room.close();
    room.close();
    expect(closed).toBe(1);
    expect(room.closed).toBe(true);
    expect([room.size, room.waiting, room.empty]).toEqual([0, 0, true]);
    // `a` was detached (suspended): nothing to tell it. `w` is told, and its socket closes.
    expect(a.closed && w.closed).toBe(true);
    expect(w.inbox.at(-1)).toEqual({ type: 'removed', reason: 'ended' });
    expect(w.sink).toEqual(['roomClosed']);
  });

  it('closes itself, quietly, when the last peer leaves and nobody waits', async () => {
    let closed = 0;
    const room = new Room(ROOM, {
      maxPeers: 5,
      chat,
      ...base,
      door: door(),
      onClose: () => closed++,
      log: quietLog,
    });
    const a = peer('peer_aaaa');
    await room.admit(a);
    await room.remove(a.id);
    expect(a.inbox).toEqual([]);
    expect(a.sink).toEqual([]);
    expect(closed).toBe(1);
  });
});

describe('Room door state', () => {
  const open = () =>
    new Room(ROOM, { maxPeers: 5, chat, ...base, door: door(), onClose: () => 0, log: quietLog });

  it('stores seats, bans and co-hosts, keeps them when the room moves, and clears them at the end', async () => {
    const room = open();
    const [host, ann, bob] = [
      peer('peer_host'),
      peer('peer_ann', 'dev-ann'),
      peer('peer_bob', 'dev-bob'),
    ];
    host.role = 'host';
    for (const p of [host, ann, bob]) await room.admit(p);
    await setRole(room, ann.id, 'cohost', host);
    await expel(room, bob.id, host);
    room.suspend(ann.id, 60_000); // a dropped socket keeps its seat
    const stored = await storage.doors.load(ROOM);
    expect(stored.bans).toEqual(['d:dev-bob']);
    expect(stored.cohosts).toEqual(['d:dev-ann']);
    expect(stored.seats.map((s) => [s.peerId, s.role])).toEqual([
      ['peer_ann', 'cohost'],
      ['peer_host', 'host'],
    ]);
    room.close('moved');
    // The next node's Room starts from it: the seat is claimable only with its token.
    const next = await Door.load(ROOM, storage.doors);
    expect(next.isBanned({ deviceId: 'dev-bob' })).toBe(true);
    expect(next.wasCohost({ deviceId: 'dev-ann' })).toBe(true);
    expect(next.claim({ peerId: ann.id, resumeToken: 'resume-token-for-tests' })).toMatchObject({
      role: 'cohost',
    });
    expect(next.claim({ peerId: ann.id, resumeToken: 'resume-token-wrong!!' })).toBeUndefined();
    expect(next.claim({ peerId: bob.id, resumeToken: 'resume-token-for-tests' })).toBeUndefined();
    const again = open();
    await again.admit(peer('peer_last'));
    await again.remove('peer_last' as PeerId);
    expect(again.closed).toBe(true);
    expect(await storage.doors.load(ROOM)).toEqual({
      bans: [],
      cohosts: [],
      seats: [],
      hands: [],
      aliveAt: null,
    });
  });

  it('keeps the door state when a room is released unused (a failed resume after a move)', async () => {
    await storage.doors.mark(ROOM, 'ban', ['d:dev-out']);
    const room = open();
    room.close();
    expect((await storage.doors.load(ROOM)).bans).toEqual(['d:dev-out']);
  });
});
