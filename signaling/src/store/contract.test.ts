// One contract for every storage engine: the same cases run against SQLite (a temp dir) and
// PostgreSQL (a real server started here with initdb + pg_ctl on a free port).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pgDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientMessageId, PeerId, RoomId } from '@parley/protocol';
import { startPostgres } from '../../../deploy/local/postgres.ts';
import type { LocalPostgres } from '../../../deploy/local/postgres.ts';
import { StorageUnavailable } from './errors.ts';
import { openPostgresStorage } from './postgres/index.ts';
import { defaultSettings } from './settings.ts';
import { openDatabase } from './sqlite/db.ts';
import { openSqliteStorage } from './sqlite/index.ts';
import { defaultTeamSettings } from './teamRows.ts';
import type {
  ChannelResult,
  NewChatMessage,
  RecordingRecord,
  RoomRecord,
  ScheduledRecord,
  SeatRecord,
  SlideDeckRecord,
  Storage,
  StoredPoll,
  TeamMemberRecord,
  TeamRecord,
} from './types.ts';

interface Engine {
  name: string;
  setup(): Promise<void>;
  open(): Promise<Storage>;
  /** Deletes a room's row behind the stores' back (RoomStore has no delete): the cascades. */
  deleteRoom(id: RoomId): Promise<void>;
  teardown(): Promise<void>;
}

let dataDir = '';
const sqlite: Engine = {
  name: 'sqlite',
  setup: async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'parley-store-'));
  },
  open: async () => openSqliteStorage(dataDir),
  deleteRoom: async (id) => {
    const db = openDatabase(dataDir); // a second connection, foreign keys on
    db.prepare('DELETE FROM rooms WHERE id = ?').run(id);
    db.close();
  },
  teardown: async () => rmSync(dataDir, { recursive: true, force: true }),
};

let pg: LocalPostgres | undefined;
const postgres: Engine = {
  name: 'postgres',
  setup: async () => {
    pg = await startPostgres();
  },
  open: () => openPostgresStorage((pg as LocalPostgres).url),
  deleteRoom: async (id) => {
    const client = new pgDriver.Client((pg as LocalPostgres).url);
    await client.connect();
    await client.query('DELETE FROM rooms WHERE id = $1', [id]);
    await client.end();
  },
  teardown: async () => {
    await pg?.cleanup();
  },
};

let n = 0;
const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${n++}`;
const roomId = (): RoomId => unique('room') as RoomId;
const chat = (i: number, clientId = unique('c')): NewChatMessage => ({
  clientId: clientId as ClientMessageId,
  from: 'peer-a' as PeerId,
  name: 'Ada',
  text: `message ${i}`,
  ts: 1_700_000_000_000 + i,
});
const room = (id: RoomId, ownerId: string | null = null, createdAt = Date.now()): RoomRecord => ({
  id,
  hostKeyHash: 'h'.repeat(64),
  createdAt,
  ownerId,
  title: null,
  settings: defaultSettings(),
  passwordHash: null,
});

const team = (id: RoomId, name = 'Crew', createdAt = Date.now()): TeamRecord => ({
  id,
  name,
  settings: defaultTeamSettings(),
  createdAt,
});
/** A room and its team with a first channel "General": the team's id. */
const newTeam = async (store: Storage, createdAt = Date.now()): Promise<RoomId> => {
  const id = roomId();
  await store.rooms.create(room(id, null, createdAt));
  await store.teams.create(team(id, 'Crew', createdAt), 'General');
  return id;
};
const member = (identityKey: string, role: TeamMemberRecord['role'] = 'member') => ({
  identityKey,
  name: `N ${identityKey}`,
  role,
  addedAt: 1_700_000_000_000,
});
const added = (result: ChannelResult) => {
  if (!result.ok) throw new Error(`channel not written: ${result.reason}`);
  return result.channel;
};

const poll = (id: RoomId, pollId: string, launchedAt: number): StoredPoll => ({
  id: `${pollId}-${id}`,
  roomId: id,
  question: 'Which day?',
  options: ['Monday', 'Tuesday', 'Friday'],
  multiple: false,
  anonymous: false,
  changeable: true,
  launchedAt,
  endedAt: null,
  shared: false,
});
/** `n` bytes counting up from `from`: an update or a PDF whose every byte is checked. */
const bytes = (n: number, from = 0): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);
const deck = (id: RoomId, deckId: string, createdAt: number, size = 64): SlideDeckRecord => ({
  id: `${deckId}-${id}`,
  roomId: id,
  bytes: size,
  createdAt,
});
const seat = (peerId: string, role: SeatRecord['role'] = 'guest'): SeatRecord => ({
  peerId: peerId as PeerId,
  tokenHash: 'a'.repeat(64),
  name: `N ${peerId}`,
  role,
  identityKeys: [`d:${peerId}-device`, 'u:user-1'],
});

describe.each([sqlite, postgres])('storage contract: $name', (engine) => {
  let store: Storage;
  beforeAll(async () => {
    await engine.setup();
    store = await engine.open();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await engine.teardown();
  });

  it('stores rooms with their settings, and lists an owner’s newest first', async () => {
    const user = await store.users.create({
      email: `${unique('o')}@x.test`,
      name: 'O',
      passwordHash: 'p',
    });
    const owner = user?.id ?? '';
    const a = roomId();
    const b = roomId();
    await store.rooms.create(room(a, owner, 1_000));
    await store.rooms.create(room(b, owner, 2_000));
    expect((await store.rooms.listByOwner(owner)).map((r) => r.id)).toEqual([b, a]);
    expect(await store.rooms.listByOwner(owner, 1)).toHaveLength(1);
    const settings = { ...defaultSettings(), locked: true, chat: false };
    await store.rooms.saveSettings(a, settings, 'argon-hash');
    expect(await store.rooms.get(a)).toMatchObject({ id: a, settings, passwordHash: 'argon-hash' });
    expect(await store.rooms.get(roomId())).toBeUndefined();
    await expect(store.rooms.create(room(a))).rejects.toThrow();
  });

  it('keeps one account per email, whatever its case', async () => {
    const email = `${unique('Mixed')}@Example.test`;
    const created = await store.users.create({ email, name: 'M', passwordHash: 'x' });
    expect(created).toBeDefined();
    expect(
      await store.users.create({ email: email.toLowerCase(), name: 'N', passwordHash: 'y' }),
    ).toBeUndefined();
    expect((await store.users.byEmail(email.toUpperCase()))?.id).toBe(created?.id);
    expect(await store.users.byId(created?.id ?? '')).toEqual(created);
    expect(await store.users.byId('nobody')).toBeUndefined();
  });

  it('hands a refresh token to exactly one of two concurrent rotations', async () => {
    const user = await store.users.create({
      email: `${unique('t')}@x.test`,
      name: 'T',
      passwordHash: 'x',
    });
    const userId = user?.id ?? '';
    const hash = unique('hash');
    await store.refreshTokens.insert(hash, userId, 5_000);
    expect(await store.refreshTokens.get(hash)).toEqual({ userId, expiresAt: 5_000 });
    const rotate = (next: string) =>
      store.refreshTokens.rotate(hash, `rotated:${hash}`, { tokenHash: next, expiresAt: 9e3 }, 1);
    const takes = await Promise.all([rotate(`${hash}-a`), rotate(`${hash}-b`)]);
    expect(takes.filter(Boolean)).toEqual([{ userId, expiresAt: 5_000 }]);
    const successors = [
      await store.refreshTokens.get(`${hash}-a`),
      await store.refreshTokens.get(`${hash}-b`),
    ];
    expect(successors.filter(Boolean)).toEqual([{ userId, expiresAt: 9e3 }]);
    expect(await store.refreshTokens.get(`rotated:${hash}`)).toEqual({ userId, expiresAt: 5_000 });
    // An expired token is spent, and nothing takes its place.
    await store.refreshTokens.insert(`${hash}-stale`, userId, 50);
    const stale = { tokenHash: `${hash}-c`, expiresAt: 9e3 };
    expect(
      await store.refreshTokens.rotate(`${hash}-stale`, `rotated:${hash}-stale`, stale, 50),
    ).toEqual({ userId, expiresAt: 50 });
    expect(await store.refreshTokens.get(`${hash}-stale`)).toBeUndefined();
    expect(await store.refreshTokens.get(`${hash}-c`)).toBeUndefined();
    expect(await store.refreshTokens.get(`rotated:${hash}-stale`)).toBeUndefined();
    await store.refreshTokens.insert(`${hash}-old`, userId, 10);
    await store.refreshTokens.insert(`${hash}-new`, userId, 1e15);
    await store.refreshTokens.sweep(100);
    expect(await store.refreshTokens.get(`${hash}-old`)).toBeUndefined();
    await store.refreshTokens.revokeUser(userId);
    expect(await store.refreshTokens.get(`${hash}-new`)).toBeUndefined();
  });

  it('links an OpenID identity to one account, and an account to one identity per issuer', async () => {
    const issuer = `https://${unique('idp')}.test`;
    const owner = await store.users.create({
      email: `${unique('sso')}@x.test`,
      name: 'S',
      passwordHash: 'x',
    });
    const userId = owner?.id ?? '';
    expect(await store.identities.userOf(issuer, 'sub-1')).toBeUndefined();
    const link = { issuer, subject: 'sub-1', userId, linkedAt: 1_000 };
    expect(await store.identities.link(link)).toBe(true);
    expect(await store.identities.userOf(issuer, 'sub-1')).toBe(userId);
    // The same identity twice, or a second identity of that issuer for the account: refused.
    expect(await store.identities.link(link)).toBe(false);
    expect(await store.identities.link({ ...link, subject: 'sub-2' })).toBe(false);
    expect(await store.identities.userOf(issuer, 'sub-2')).toBeUndefined();
    // Another issuer may link the same account; subjects are per issuer.
    const other = { issuer: `${issuer}/other`, subject: 'sub-1', userId, linkedAt: 2_000 };
    expect(await store.identities.link(other)).toBe(true);
    expect(await store.identities.linksOf(userId)).toEqual([link, other]);
  });

  it('takes a linked account back from its password and sessions, in the link', async () => {
    const issuer = `https://${unique('idp')}.test`;
    const email = `${unique('taken')}@x.test`;
    const account = await store.users.create({ email, name: 'T', passwordHash: 'argon2-hash' });
    const userId = account?.id ?? '';
    const bystander = await store.users.create({
      email: `${unique('by')}@x.test`,
      name: 'B',
      passwordHash: 'other-hash',
    });
    const bystanderId = bystander?.id ?? '';
    const [held, rotated, theirs] = [unique('held'), `rotated:${unique('r')}`, unique('theirs')];
    await store.refreshTokens.insert(held, userId, 1e15);
    await store.refreshTokens.insert(rotated, userId, 1e15);
    await store.refreshTokens.insert(theirs, bystanderId, 1e15);
    expect(await store.users.passwordHashOf(userId)).toBe('argon2-hash');
    const link = { issuer, subject: 's', userId, linkedAt: 1_000 };
    expect(await store.identities.link(link)).toBe(true);
    expect(await store.users.byId(userId)).toMatchObject({ email, passwordHash: '' });
    expect(await store.users.passwordHashOf(userId)).toBe('');
    expect(await store.users.passwordHashOf('nobody')).toBeUndefined();
    expect(await store.refreshTokens.get(held)).toBeUndefined();
    expect(await store.refreshTokens.get(rotated)).toBeUndefined();
    // Only that account: another's password and sessions stay.
    expect(await store.users.byId(bystanderId)).toMatchObject({ passwordHash: 'other-hash' });
    expect(await store.refreshTokens.get(theirs)).toEqual({ userId: bystanderId, expiresAt: 1e15 });
    // A refused link writes nothing: a session issued after the link survives it.
    const after = unique('after');
    await store.refreshTokens.insert(after, userId, 1e15);
    expect(await store.identities.link(link)).toBe(false);
    expect(await store.refreshTokens.get(after)).toEqual({ userId, expiresAt: 1e15 });
    const intoBystander = { ...link, userId: bystanderId };
    expect(await store.identities.link(intoBystander)).toBe(false);
    expect(await store.users.byId(bystanderId)).toMatchObject({ passwordHash: 'other-hash' });
    expect(await store.refreshTokens.get(theirs)).toEqual({ userId: bystanderId, expiresAt: 1e15 });
  });

  it('spends a password reset link once: new password, sessions gone, in one step', async () => {
    const account = await store.users.create({
      email: `${unique('reset')}@x.test`,
      name: 'R',
      passwordHash: 'old-hash',
    });
    const userId = account?.id ?? '';
    const bystander = await store.users.create({
      email: `${unique('by')}@x.test`,
      name: 'B',
      passwordHash: 'other-hash',
    });
    const bystanderId = bystander?.id ?? '';
    const [mine, theirs] = [unique('mine'), unique('theirs')];
    await store.refreshTokens.insert(mine, userId, 1e15);
    await store.refreshTokens.insert(theirs, bystanderId, 1e15);
    const [first, second, stale] = [unique('first'), unique('second'), unique('stale')];
    await store.passwordResets.insert(first, userId, 10_000, 1_000);
    // A new link replaces the account's earlier one.
    await store.passwordResets.insert(second, userId, 20_000, 2_000);
    expect(await store.passwordResets.get(first)).toBeUndefined();
    expect(await store.passwordResets.get(second)).toEqual({ userId, expiresAt: 20_000 });
    expect(await store.passwordResets.redeem(first, 'new-hash', 3_000)).toBeUndefined();
    expect(await store.users.passwordHashOf(userId)).toBe('old-hash');
    const redeemed = await Promise.all([
      store.passwordResets.redeem(second, 'new-hash', 3_000),
      store.passwordResets.redeem(second, 'thief-hash', 3_000),
    ]);
    expect([...redeemed].sort()).toEqual([userId, undefined]);
    // Whichever won set its password; the other wrote nothing.
    const winner = redeemed[0] === userId ? 'new-hash' : 'thief-hash';
    expect(await store.users.passwordHashOf(userId)).toBe(winner);
    expect(await store.refreshTokens.get(mine)).toBeUndefined();
    expect(await store.refreshTokens.get(theirs)).toEqual({ userId: bystanderId, expiresAt: 1e15 });
    expect(await store.users.passwordHashOf(bystanderId)).toBe('other-hash');
    // An expired link changes nothing, and the next insert sweeps it away.
    await store.passwordResets.insert(stale, bystanderId, 4_000, 3_000);
    expect(await store.passwordResets.redeem(stale, 'late-hash', 4_000)).toBeUndefined();
    expect(await store.users.passwordHashOf(bystanderId)).toBe('other-hash');
    await store.passwordResets.insert(stale, bystanderId, 5_000, 4_500);
    await store.passwordResets.insert(unique('later'), userId, 1e15, 6_000);
    expect(await store.passwordResets.get(stale)).toBeUndefined();
  });

  it('creates an account with its identity in one step, or writes nothing', async () => {
    const issuer = `https://${unique('idp')}.test`;
    const email = `${unique('new')}@x.test`;
    const user = { email, name: 'N', passwordHash: '' };
    const created = await store.identities.createLinked(user, { issuer, subject: 's' });
    expect(created).toMatchObject({ email, name: 'N', passwordHash: '' });
    expect(await store.users.byEmail(email)).toEqual(created);
    expect(await store.identities.userOf(issuer, 's')).toBe(created?.id);
    // The email has an account: nothing is written, not even the link.
    expect(
      await store.identities.createLinked(
        { ...user, email: email.toUpperCase() },
        { issuer, subject: 't' },
      ),
    ).toBeUndefined();
    expect(await store.identities.userOf(issuer, 't')).toBeUndefined();
    // The identity is linked: the new account is rolled back with the refused link.
    const free = `${unique('free')}@x.test`;
    expect(
      await store.identities.createLinked({ ...user, email: free }, { issuer, subject: 's' }),
    ).toBeUndefined();
    expect(await store.users.byEmail(free)).toBeUndefined();
  });

  it('numbers a room’s chat without gaps in ack order, and stores a client id once', async () => {
    const [r1, r2] = [roomId(), roomId()];
    await store.rooms.create(room(r1));
    await store.rooms.create(room(r2));
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.chat.append(i % 2 ? r1 : r2, chat(i))),
    );
    for (const r of [r1, r2]) {
      const seqs = acks.filter((_, i) => (i % 2 ? r1 : r2) === r).map((a) => a.message.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
    const again = await store.chat.append(r1, {
      ...chat(99),
      clientId: acks[1]?.message.clientId as ClientMessageId,
    });
    expect(again).toEqual({ message: acks[1]?.message, duplicate: true });
    // The same client id twice at once (a resend racing its original): stored once.
    const twice = await Promise.all([
      store.chat.append(r2, chat(7, 'same')),
      store.chat.append(r2, chat(7, 'same')),
    ]);
    expect(twice.map((t) => t.duplicate).sort()).toEqual([false, true]);
    expect(twice[0]?.message).toEqual(twice[1]?.message);
    const history = await store.chat.after(r1, 0, 100);
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(history.find((m) => m.seq === acks[1]?.message.seq)).toEqual(acks[1]?.message);
    expect((await store.chat.after(r1, 15, 3)).map((m) => m.seq)).toEqual([16, 17, 18]);
    expect((await store.chat.recent(r1, 3)).map((m) => m.seq)).toEqual([18, 19, 20]);
    expect(await store.chat.recent(roomId(), 5)).toEqual([]);
  });

  it('keeps a room’s door: bans, co-hosts and seats, each write idempotent', async () => {
    const [id, other] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(other));
    const empty = { bans: [], cohosts: [], seats: [], hands: [], aliveAt: null };
    expect(await store.doors.load(id)).toEqual(empty);
    await store.doors.mark(id, 'ban', ['d:dev-a', 'u:user-a']);
    await store.doors.mark(id, 'ban', ['d:dev-a']);
    await store.doors.mark(id, 'cohost', ['d:dev-c']);
    await store.doors.mark(id, 'cohost', []);
    await store.doors.seat(id, seat('peer-1'));
    await store.doors.seat(id, seat('peer-2', 'cohost'));
    await store.doors.mark(other, 'ban', ['d:dev-z']);
    expect(await store.doors.load(id)).toEqual({
      bans: ['d:dev-a', 'u:user-a'],
      cohosts: ['d:dev-c'],
      seats: [seat('peer-1'), seat('peer-2', 'cohost')],
      hands: [],
      aliveAt: expect.any(Number),
    });
    // A seat written again (a new role or token) replaces the old one.
    const promoted = { ...seat('peer-1', 'cohost'), tokenHash: 'b'.repeat(64), identityKeys: [] };
    await store.doors.seat(id, promoted);
    await store.doors.unseat(id, 'peer-2' as PeerId);
    await store.doors.unseat(id, 'nobody' as PeerId);
    await store.doors.unmark(id, 'cohost', ['d:dev-c', 'd:never-marked']);
    await store.doors.unmark(id, 'ban', ['u:user-a']);
    expect(await store.doors.load(id)).toEqual({
      bans: ['d:dev-a'],
      cohosts: [],
      seats: [promoted],
      hands: [],
      aliveAt: expect.any(Number),
    });
    // Clearing one room (its meeting ended) leaves the others alone.
    await store.doors.clear(id);
    expect(await store.doors.load(id)).toEqual(empty);
    expect((await store.doors.load(other)).bans).toEqual(['d:dev-z']);
  });

  it('keeps raised hands in the order they went up, until lowered or the meeting ends', async () => {
    const [id, other] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(other));
    await store.doors.raiseHand(id, { key: 'g:late', at: 300 });
    await store.doors.raiseHand(id, { key: 'u:first', at: 100 });
    await store.doors.raiseHand(id, { key: 'g:second', at: 200 });
    // Raised again (a second tab, a resend): it keeps its first time, and so its place.
    await store.doors.raiseHand(id, { key: 'u:first', at: 999 });
    await store.doors.raiseHand(other, { key: 'g:elsewhere', at: 50 });
    const keys = async (r: RoomId) => (await store.doors.load(r)).hands.map((h) => h.key);
    expect((await store.doors.load(id)).hands).toEqual([
      { key: 'u:first', at: 100 },
      { key: 'g:second', at: 200 },
      { key: 'g:late', at: 300 },
    ]);
    expect((await store.doors.load(id)).aliveAt).toEqual(expect.any(Number));
    await store.doors.lowerHands(id, ['g:second', 'g:never-raised']);
    await store.doors.lowerHands(id, []);
    expect(await keys(id)).toEqual(['u:first', 'g:late']);
    await store.doors.lowerHands(id, null);
    expect(await keys(id)).toEqual([]);
    await store.doors.raiseHand(id, { key: 'g:again', at: 400 });
    await store.doors.clear(id);
    expect(await keys(id)).toEqual([]);
    expect(await keys(other)).toEqual(['g:elsewhere']);
  });

  it('knows when each meeting last ran: written with its door, moved on by touch', async () => {
    const [id, other, none] = [roomId(), roomId(), roomId()];
    for (const r of [id, other, none]) await store.rooms.create(room(r));
    const before = Date.now();
    await store.doors.seat(id, seat('peer-1'));
    await store.doors.mark(other, 'ban', ['d:dev-z']);
    const written = (await store.doors.load(id)).aliveAt as number;
    const otherAt = (await store.doors.load(other)).aliveAt;
    expect(written).toBeGreaterThanOrEqual(before);
    expect(written).toBeLessThanOrEqual(Date.now());
    await new Promise((r) => setTimeout(r, 5));
    // One call for a node's rooms; a room without a stored meeting gets none.
    await store.doors.touch([id, none]);
    await store.doors.touch([]);
    expect((await store.doors.load(id)).aliveAt).toBeGreaterThan(written);
    expect((await store.doors.load(other)).aliveAt).toBe(otherAt);
    expect((await store.doors.load(none)).aliveAt).toBeNull();
    await store.doors.clear(id);
    expect((await store.doors.load(id)).aliveAt).toBeNull();
  });

  it('keeps everything acked across a close and reopen', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const { message } = await store.chat.append(id, chat(1));
    await store.doors.mark(id, 'ban', ['d:kept-out']);
    await store.doors.seat(id, seat('peer-kept'));
    await store.doors.raiseHand(id, { key: 'g:hand-kept', at: 1234 });
    await store.close();
    store = await engine.open();
    expect(await store.rooms.get(id)).toMatchObject({ id });
    expect(await store.doors.load(id)).toEqual({
      bans: ['d:kept-out'],
      cohosts: [],
      seats: [seat('peer-kept')],
      hands: [{ key: 'g:hand-kept', at: 1234 }],
      aliveAt: expect.any(Number),
    });
    expect(await store.chat.after(id, 0, 10)).toEqual([message]);
  });

  it('keeps one open poll per room, and one vote per person (replaced only when asked)', async () => {
    const [id, other] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(other));
    const first = poll(id, 'poll-1', 1_000);
    expect(await store.polls.latest(id)).toBeUndefined();
    expect(await store.polls.create(first)).toBe(true);
    // A second open poll in the room is refused by the store itself; another room's is not.
    expect(await store.polls.create(poll(id, 'poll-2', 2_000))).toBe(false);
    expect(await store.polls.create(poll(other, 'poll-3', 2_000))).toBe(true);
    expect(await store.polls.latest(id)).toEqual(first);

    const ann = { key: 'g:ann', name: 'Ann', choices: [1], at: 1_100 };
    expect(await store.polls.vote(first.id, ann, false)).toBe('stored');
    expect(await store.polls.vote(first.id, { ...ann, choices: [0], at: 1_200 }, false)).toBe(
      'duplicate',
    );
    const bob = { key: 'u:bob', name: null, choices: [0, 2], at: 1_150 };
    expect(await store.polls.vote(first.id, bob, false)).toBe('stored');
    expect(await store.polls.votes(first.id)).toEqual([ann, bob]);
    const changed = { ...ann, choices: [2], at: 1_300 };
    expect(await store.polls.vote(first.id, changed, true)).toBe('replaced');
    expect(await store.polls.votes(first.id)).toEqual([bob, changed]);

    expect(await store.polls.end(first.id, 1_500)).toBe(true);
    expect(await store.polls.end(first.id, 1_600)).toBe(false);
    await store.polls.share(first.id);
    const ended = { ...first, endedAt: 1_500, shared: true };
    expect(await store.polls.latest(id)).toEqual(ended);
    // Ended, the room may open the next one; the list keeps both, the first launched first.
    const second = poll(id, 'poll-2', 2_000);
    expect(await store.polls.create(second)).toBe(true);
    expect(await store.polls.latest(id)).toEqual(second);
    expect(await store.polls.list(id)).toEqual([ended, second]);
    // The meeting ending (its door cleared) leaves the polls: they are the room's.
    await store.doors.clear(id);
    expect(await store.polls.list(id)).toHaveLength(2);
    await engine.deleteRoom(id);
    expect(await store.polls.list(id)).toEqual([]);
    expect(await store.polls.votes(first.id)).toEqual([]);
  });

  it('keeps polls and their votes across a close and reopen', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const open = poll(id, unique('poll-'), 5_000);
    await store.polls.create(open);
    const vote = { key: 'g:kept', name: 'Kept', choices: [1], at: 5_100 };
    await store.polls.vote(open.id, vote, false);
    await store.close();
    store = await engine.open();
    expect(await store.polls.latest(id)).toEqual(open);
    expect(await store.polls.votes(open.id)).toEqual([vote]);
    // The person who voted before the restart still cannot vote twice.
    expect(await store.polls.vote(open.id, { ...vote, choices: [0] }, false)).toBe('duplicate');
  });

  it('appends board updates in order and reads them back byte for byte', async () => {
    const [id, other] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(other));
    const empty = { snapshot: null, updates: [], lastSeq: 0, bytes: 0 };
    expect(await store.boards.load(id)).toEqual(empty);
    const updates = [bytes(3), bytes(300, 7), bytes(1), bytes(70_000, 200)];
    const seqs: number[] = [];
    for (const u of updates) seqs.push(await store.boards.append(id, u));
    expect(seqs).toEqual([1, 2, 3, 4]);
    await store.boards.append(other, bytes(5, 99));
    const board = await store.boards.load(id);
    // Plain Uint8Arrays (not the drivers' Buffers), with every byte as appended.
    expect(board).toStrictEqual({ snapshot: null, updates, lastSeq: 4, bytes: 70_304 });
    // Rooms are numbered apart, and appends at once take distinct seqs in commit order.
    expect(await store.boards.load(other)).toStrictEqual({
      snapshot: null,
      updates: [bytes(5, 99)],
      lastSeq: 1,
      bytes: 5,
    });
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.boards.append(other, bytes(2, i))),
    );
    expect([...racing].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    const raced = (await store.boards.load(other)).updates.slice(1);
    expect(raced).toStrictEqual(
      [...racing.keys()]
        .sort((a, b) => (racing[a] ?? 0) - (racing[b] ?? 0))
        .map((i) => bytes(2, i)),
    );
  });

  it('compacts a board: the snapshot replaces updates through a seq and later ones stay', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    for (let i = 0; i < 3; i++) await store.boards.append(id, bytes(10, i));
    const { lastSeq: throughSeq } = await store.boards.load(id);
    // Drawn while the snapshot was being made: after throughSeq, kept.
    const late = await store.boards.append(id, bytes(4, 50));
    const snapshot = bytes(25, 9);
    await store.boards.compact(id, snapshot, throughSeq);
    expect(await store.boards.load(id)).toStrictEqual({
      snapshot,
      updates: [bytes(4, 50)],
      lastSeq: late,
      bytes: 29,
    });
    // Numbering goes on above the compaction, even when it folded every update away.
    await store.boards.compact(id, bytes(30, 1), late);
    expect(await store.boards.load(id)).toMatchObject({ updates: [], lastSeq: late, bytes: 30 });
    expect(await store.boards.append(id, bytes(2))).toBe(late + 1);
    // A compaction older than the stored snapshot changes nothing (its updates are gone).
    await store.boards.compact(id, bytes(99), throughSeq);
    expect(await store.boards.load(id)).toStrictEqual({
      snapshot: bytes(30, 1),
      updates: [bytes(2)],
      lastSeq: late + 1,
      bytes: 32,
    });
    // A board compacted before any append starts its numbering above the snapshot.
    const fresh = roomId();
    await store.rooms.create(room(fresh));
    await store.boards.compact(fresh, bytes(8), 5);
    expect(await store.boards.append(fresh, bytes(1))).toBe(6);
  });

  it('stores slide decks per room, up to the limit, and lists them oldest first', async () => {
    const [id, other] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(other));
    expect(await store.slides.list(id)).toEqual([]);
    const [second, first] = [deck(id, 'd2', 2_000, 5_000), deck(id, 'd1', 1_000, 64)];
    expect(await store.slides.put(second, bytes(5_000, 3), 3)).toBe(true);
    expect(await store.slides.put(first, bytes(64), 3)).toBe(true);
    expect(await store.slides.get(id, second.id)).toStrictEqual(bytes(5_000, 3));
    expect(await store.slides.list(id)).toEqual([first, second]);
    // Another room's deck id is unknown here.
    expect(await store.slides.get(other, second.id)).toBeUndefined();
    expect(await store.slides.get(id, 'no-such-deck')).toBeUndefined();
    // Two uploads at once for the last place: exactly one gets it.
    const race = await Promise.all([
      store.slides.put(deck(id, 'd3', 3_000), bytes(64), 3),
      store.slides.put(deck(id, 'd4', 3_001), bytes(64), 3),
    ]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect(await store.slides.list(id)).toHaveLength(3);
    expect(await store.slides.put(deck(id, 'd5', 4_000), bytes(64), 3)).toBe(false);
    // The limit is per room.
    expect(await store.slides.put(deck(other, 'd1', 1_000), bytes(64), 3)).toBe(true);
    expect(await store.slides.list(other)).toEqual([deck(other, 'd1', 1_000)]);
  });

  it('keeps recordings as jobs: per room newest first, unfinished and expired per node', async () => {
    const [id, other] = [roomId(), roomId()];
    const node = unique('node');
    const rec = (n: string, startedAt: number, roomOf = id): RecordingRecord => ({
      id: `${n}-${unique('r')}`.slice(0, 32),
      roomId: roomOf,
      title: `Meeting ${n}`,
      node,
      startedAt,
      endedAt: null,
      status: 'recording',
      progress: 0,
      durationMs: null,
      bytes: null,
      audioBytes: null,
      layout: 'speaker',
      gapMs: 0,
      error: null,
    });
    const [a, b, c] = [rec('a', 1_000), rec('b', 2_000), rec('c', 3_000, other)];
    for (const r of [a, b, c]) await store.recordings.create(r);
    await expect(store.recordings.create(a)).rejects.toThrow();
    expect((await store.recordings.listByRoom(id)).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await store.recordings.listByRoom(id, 1)).toHaveLength(1);
    expect(await store.recordings.get(c.id)).toEqual(c);
    expect(await store.recordings.get('no-such-recording')).toBeUndefined();

    // A finished one leaves the node's unfinished list, with every field it was given.
    const done = {
      endedAt: 61_000,
      status: 'ready' as const,
      progress: 1,
      durationMs: 60_000,
      bytes: 5_000_000_000, // past 2^32: BIGINT, not INTEGER
      audioBytes: 960_000,
      gapMs: 420,
    };
    expect(await store.recordings.update(a.id, done)).toBe(true);
    expect(await store.recordings.get(a.id)).toEqual({ ...a, ...done });
    expect(await store.recordings.update('no-such-recording', { progress: 0.5 })).toBe(false);
    expect(await store.recordings.update(b.id, { status: 'processing', progress: 0.25 })).toBe(
      true,
    );
    expect((await store.recordings.unfinished(node)).map((r) => r.id)).toEqual([b.id, c.id]);
    expect(await store.recordings.unfinished(unique('elsewhere'))).toEqual([]);

    // Retention: ended before the cut, and finished (a running job is never expired).
    await store.recordings.update(b.id, { endedAt: 10_000 });
    expect((await store.recordings.endedBefore(node, 100_000)).map((r) => r.id)).toEqual([a.id]);
    expect(await store.recordings.endedBefore(node, 61_000)).toEqual([]);
    expect(await store.recordings.delete(a.id)).toBe(true);
    expect(await store.recordings.delete(a.id)).toBe(false);
    expect((await store.recordings.listByRoom(id)).map((r) => r.id)).toEqual([b.id]);
  });

  it('keeps a meeting’s attendance: one open interval per peer, closed on leave and at the end', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const user = await store.users.create({
      email: `${unique('u')}@example.org`,
      name: 'Ada Account',
      passwordHash: 'x',
    });
    const t0 = 1_700_000_000_000;
    const m = unique('m');
    expect(await store.attendance.begin(id, m, t0, 60_000)).toEqual({ id: m, continued: false });
    const ann = { peerId: 'p-ann' as PeerId, personKey: 'g:ann', name: 'Ann', userId: null };
    const ada = {
      peerId: 'p-ada' as PeerId,
      personKey: `u:${user!.id}`,
      name: 'Ada',
      userId: user!.id,
    };
    await store.attendance.arrive(m, { ...ann, joinedAt: t0 });
    await store.attendance.arrive(m, { ...ann, joinedAt: t0 + 5_000 }); // a second admit: no new row
    await store.attendance.arrive(m, { ...ada, joinedAt: t0 + 1_000 });
    await store.attendance.depart(m, ann.peerId, t0 + 60_000);
    await store.attendance.depart(m, ann.peerId, t0 + 90_000); // closed already: unchanged
    await store.attendance.arrive(m, { ...ann, joinedAt: t0 + 120_000 }); // back: a new interval
    // A late leave written for the earlier stay (a node the room moved away from) leaves it open.
    await store.attendance.depart(m, ann.peerId, t0 + 100_000);
    const open = await store.attendance.intervals(m);
    expect(open.map((i) => [i.peerId, i.joinedAt, i.leftAt])).toEqual([
      ['p-ann', t0, t0 + 60_000],
      ['p-ada', t0 + 1_000, null],
      ['p-ann', t0 + 120_000, null],
    ]);
    expect(open[1]).toMatchObject({ email: user!.email, accountName: 'Ada Account' });
    expect(open[0]).toMatchObject({ email: null, accountName: null, userId: null });
    await store.attendance.end(m, t0 + 180_000);
    const ended = await store.attendance.intervals(m);
    expect(ended.map((i) => i.leftAt)).toEqual([t0 + 60_000, t0 + 180_000, t0 + 180_000]);
    expect(await store.attendance.meeting(m)).toEqual({
      id: m,
      roomId: id,
      startedAt: t0,
      endedAt: t0 + 180_000,
      aliveAt: t0 + 180_000,
    });
    // The next meeting of the room is a new one.
    const next = unique('m');
    expect(await store.attendance.begin(id, next, t0 + 200_000, 60_000)).toEqual({
      id: next,
      continued: false,
    });
    const list = await store.attendance.meetings(id, 10);
    expect(list.map((x) => [x.id, x.attendees])).toEqual([
      [next, 0],
      [m, 2],
    ]);
  });

  it('takes up a running meeting after a node stopped, and ends a silent one at its last pulse', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const t0 = 1_700_000_000_000;
    const m = unique('m');
    await store.attendance.begin(id, m, t0, 60_000);
    await store.attendance.arrive(m, {
      peerId: 'p1' as PeerId,
      personKey: 'g:1',
      name: 'One',
      userId: null,
      joinedAt: t0,
    });
    await store.attendance.touch([id], t0 + 30_000);
    // Another node takes the room 20 s after the last pulse: the same meeting, p1's stay
    // closed at that pulse (p1 reopens its own when it takes its seat back).
    const taken = await store.attendance.begin(id, unique('m'), t0 + 50_000, 60_000);
    expect(taken).toEqual({ id: m, continued: true });
    expect((await store.attendance.intervals(m)).map((i) => i.leftAt)).toEqual([t0 + 30_000]);
    await store.attendance.arrive(m, {
      peerId: 'p1' as PeerId,
      personKey: 'g:1',
      name: 'One',
      userId: null,
      joinedAt: t0 + 50_000,
    });
    // Then that node stops too, and nobody comes back: the sweep ends it at its last pulse.
    expect(await store.attendance.endSilent(t0 + 50_001 - 0, 10)).toBeGreaterThanOrEqual(1);
    expect(await store.attendance.meeting(m)).toMatchObject({ endedAt: t0 + 50_000 });
    expect((await store.attendance.intervals(m)).map((i) => i.leftAt)).toEqual([
      t0 + 30_000,
      t0 + 50_000,
    ]);
    // A meeting silent for longer than goneMs is not taken up: a new one starts.
    const other = roomId();
    await store.rooms.create(room(other));
    const old = unique('m');
    await store.attendance.begin(other, old, t0, 60_000);
    const fresh = unique('m');
    expect(await store.attendance.begin(other, fresh, t0 + 61_000, 60_000)).toEqual({
      id: fresh,
      continued: false,
    });
    expect(await store.attendance.meeting(old)).toMatchObject({ endedAt: t0 });
    // A node that stopped gracefully closed its stays after its last pulse: the meeting does
    // not end before them.
    const third = roomId();
    await store.rooms.create(room(third));
    const g = unique('m');
    await store.attendance.begin(third, g, t0, 60_000);
    const p9 = { peerId: 'p9' as PeerId, personKey: 'g:9', name: 'Nine', userId: null };
    await store.attendance.arrive(g, { ...p9, joinedAt: t0 });
    await store.attendance.touch([third], t0 + 10_000);
    await store.attendance.depart(g, null, t0 + 15_000);
    await store.attendance.endSilent(t0 + 100_000, 100);
    expect(await store.attendance.meeting(g)).toMatchObject({ endedAt: t0 + 15_000 });
  });

  it('takes one rating per person and meeting, and purges ended meetings in batches', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const t0 = 1_600_000_000_000; // older than the other cases' meetings: purged first
    const [a, b, c] = [unique('m'), unique('m'), unique('m')];
    for (const [i, m] of [a, b, c].entries()) {
      await store.attendance.begin(id, m as string, t0 + i * 10_000, 60_000);
      await store.attendance.end(m as string, t0 + i * 10_000 + 5_000);
    }
    expect(
      await store.attendance.rate(a, 'g:ann', { stars: 4, comment: 'Good', at: t0 + 6_000 }),
    ).toBe(true);
    expect(
      await store.attendance.rate(a, 'g:ann', { stars: 1, comment: null, at: t0 + 7_000 }),
    ).toBe(false);
    expect(
      await store.attendance.rate(a, 'g:bob', { stars: 5, comment: null, at: t0 + 8_000 }),
    ).toBe(true);
    expect(await store.attendance.feedback(a)).toEqual([
      { stars: 4, comment: 'Good', at: t0 + 6_000 },
      { stars: 5, comment: null, at: t0 + 8_000 },
    ]);
    const summary = (await store.attendance.meetings(id, 10)).find((x) => x.id === a);
    expect(summary).toMatchObject({ ratings: 2, averageStars: 4.5, attendees: 0 });
    // Ended before t0 + 21 s: a and b, one per call with a limit of 1.
    expect(await store.attendance.purge(t0 + 21_000, 1)).toBe(1);
    expect(await store.attendance.meeting(a)).toBeUndefined();
    expect(await store.attendance.feedback(a)).toEqual([]);
    expect(await store.attendance.purge(t0 + 21_000, 1)).toBe(1);
    expect(await store.attendance.purge(t0 + 21_000, 1)).toBe(0);
    expect((await store.attendance.meetings(id, 10)).map((x) => x.id)).toEqual([c]);
    // A room's meetings go with it.
    await engine.deleteRoom(id);
    expect(await store.attendance.meeting(c)).toBeUndefined();
  });

  it('sums up a room’s meetings as one series: every rating counted, comments newest first', async () => {
    const [id, other] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(other));
    expect(await store.attendance.seriesFeedback(id, 10)).toEqual({
      meetings: 0,
      ratings: 0,
      averageStars: null,
      comments: 0,
      latest: [],
    });
    const t0 = 1_750_000_000_000;
    const week = 7 * 86_400_000;
    const [first, second, unrated, elsewhere] = [
      unique('m'),
      unique('m'),
      unique('m'),
      unique('m'),
    ];
    for (const [i, m] of [first, second, unrated].entries()) {
      await store.attendance.begin(id, m, t0 + i * week, 60_000);
      await store.attendance.end(m, t0 + i * week + 3_600_000);
    }
    await store.attendance.begin(other, elsewhere, t0, 60_000);
    const rate = (m: string, who: string, stars: number, comment: string | null, at: number) =>
      store.attendance.rate(m, who, { stars, comment, at });
    await rate(first, 'g:ann', 5, 'Clear', t0 + 3_700_000);
    await rate(first, 'g:bob', 2, null, t0 + 3_800_000);
    await rate(second, 'g:ann', 4, 'Too fast', week + t0 + 3_700_000);
    await rate(second, 'g:bob', 3, 'Good slides', week + t0 + 3_900_000);
    await rate(elsewhere, 'g:ann', 1, 'Another room', t0 + 100);

    const series = await store.attendance.seriesFeedback(id, 10);
    expect(series).toMatchObject({ meetings: 3, ratings: 4, averageStars: 3.5, comments: 3 });
    expect(series.latest.map((c) => [c.comment, c.stars, c.meetingId, c.meetingStartedAt])).toEqual(
      [
        ['Good slides', 3, second, t0 + week],
        ['Too fast', 4, second, t0 + week],
        ['Clear', 5, first, t0],
      ],
    );
    // The limit cuts the list, not the counts.
    const capped = await store.attendance.seriesFeedback(id, 1);
    expect(capped).toMatchObject({ ratings: 4, comments: 3 });
    expect(capped.latest.map((c) => c.comment)).toEqual(['Good slides']);
  });

  it('records who an edit takes off a meeting, owed a cancellation only if they had heard of it', async () => {
    const owner = await store.users.create({
      email: `${unique('o')}@example.org`,
      name: 'Organiser',
      passwordHash: 'x',
    });
    const id = roomId();
    await store.rooms.create(room(id, owner!.id));
    const t0 = 1_800_000_000_000;
    const meeting: ScheduledRecord = {
      id: unique('s'),
      ownerId: owner!.id,
      roomId: id,
      title: 'Weekly',
      start: '2027-01-04T09:00',
      timeZone: 'UTC',
      durationMin: 30,
      recurrence: null,
      invitees: ['ann@x.test', 'bob@x.test', 'cy@x.test'],
      firstStart: t0 + 86_400_000,
      lastEnd: t0 + 86_400_000 + 1_800_000,
      sequence: 0,
      noticedSequence: -1,
      createdAt: t0,
      updatedAt: t0,
      cancelledAt: null,
    };
    expect(await store.schedule.create(meeting, 10, t0)).toBe(true);
    // Ann and Bob were sent the invitation; Cy's is still being retried.
    for (const [email, status] of [
      ['ann@x.test', 'sent'],
      ['bob@x.test', 'sent'],
      ['cy@x.test', 'retry'],
    ] as const) {
      const key = { meetingId: meeting.id, occurrence: 0, email, channel: 'email' } as const;
      expect(await store.notices.claim({ ...key, kind: 'invitation' }, t0, t0 + 1)).toBe(true);
      const outcome = { status, attempts: 0, nextAt: t0, lastError: null };
      await store.notices.settle({ ...key, kind: 'invitation' }, outcome, t0);
    }
    await store.notices.markNoticed(meeting.id, 0);
    const edit = (invitees: string[]) =>
      store.schedule.update(meeting.id, { ...meeting, invitees }, t0 + 1_000);

    // Ann and Cy taken off: only Ann had heard of it, at the edit's sequence.
    expect((await edit(['bob@x.test', 'dee@x.test']))?.sequence).toBe(1);
    expect(await store.notices.uninvited(meeting.id, 0)).toEqual([
      { email: 'ann@x.test', sequence: 1 },
    ]);
    // Bob goes next; Ann is invited again, so she is owed nothing any more.
    await edit(['ann@x.test', 'dee@x.test']);
    expect(await store.notices.uninvited(meeting.id, 0)).toEqual([
      { email: 'bob@x.test', sequence: 2 },
    ]);
    // Once sequence 2 was noticed, nothing is owed; taken off again, Ann is owed a new one.
    expect(await store.notices.uninvited(meeting.id, 2)).toEqual([]);
    await edit(['dee@x.test']);
    expect(await store.notices.uninvited(meeting.id, 2)).toEqual([
      { email: 'ann@x.test', sequence: 3 },
    ]);
    // Her cancellation may be claimed even once the whole meeting is cancelled.
    expect(await store.schedule.cancel(meeting.id, t0 + 2_000)).toBe(true);
    const owed = { meetingId: meeting.id, occurrence: 3, email: 'ann@x.test', channel: 'email' };
    expect(await store.notices.claim({ ...owed, kind: 'uninvited' }, t0, t0 + 1)).toBe(true);
    expect(await store.notices.claim({ ...owed, kind: 'reminder' }, t0, t0 + 1)).toBe(false);
  });

  it('keeps boards and decks across a close and reopen, and removes them with the room', async () => {
    const [id, kept] = [roomId(), roomId()];
    await store.rooms.create(room(id));
    await store.rooms.create(room(kept));
    for (const r of [id, kept]) {
      await store.boards.append(r, bytes(6));
      await store.boards.compact(r, bytes(12, 4), 1);
      await store.boards.append(r, bytes(7, 1));
      await store.slides.put(deck(r, 'd1', 1_000), bytes(64, 5), 20);
    }
    const board = { snapshot: bytes(12, 4), updates: [bytes(7, 1)], lastSeq: 2, bytes: 19 };
    await store.close();
    store = await engine.open();
    expect(await store.boards.load(id)).toStrictEqual(board);
    expect(await store.slides.get(id, deck(id, 'd1', 0).id)).toStrictEqual(bytes(64, 5));
    expect(await store.boards.append(id, bytes(1))).toBe(3);
    await engine.deleteRoom(id);
    expect(await store.boards.load(id)).toEqual({
      snapshot: null,
      updates: [],
      lastSeq: 0,
      bytes: 0,
    });
    expect(await store.slides.list(id)).toEqual([]);
    expect(await store.slides.get(id, deck(id, 'd1', 0).id)).toBeUndefined();
    expect(await store.boards.load(kept)).toStrictEqual(board);
    expect(await store.slides.list(kept)).toEqual([deck(kept, 'd1', 1_000)]);
  });

  it('creates a team with its first channel in one step, and a retried create writes nothing', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const first = await store.teams.create(team(id, 'Night shift', 5_000), 'General');
    expect(first).toEqual({
      id: expect.stringMatching(/^[\w-]{12}$/),
      teamId: id,
      name: 'General',
      position: 0,
      createdAt: 5_000,
    });
    expect(await store.teams.get(id)).toEqual(team(id, 'Night shift', 5_000));
    expect(await store.teams.channels(id)).toEqual([first]);
    expect(await store.teams.create(team(id, 'Again'), 'Other')).toBeUndefined();
    expect(await store.teams.channels(id)).toEqual([first]);
    expect((await store.teams.get(id))?.name).toBe('Night shift');
    // A team belongs to a room: without one, nothing is stored.
    const orphan = roomId();
    await expect(store.teams.create(team(orphan), 'General')).rejects.toThrow();
    expect(await store.teams.get(orphan)).toBeUndefined();
    expect(await store.teams.channels(orphan)).toEqual([]);
  });

  it('renames a team and keeps its settings over the defaults', async () => {
    const id = await newTeam(store);
    expect(await store.teams.rename(id, 'Ward 3')).toBe(true);
    const settings = { requireApproval: true, queue: true, maxTalkSeconds: 30 };
    expect(await store.teams.saveSettings(id, settings)).toBe(true);
    expect(await store.teams.saveSettings(id, settings)).toBe(true);
    expect(await store.teams.get(id)).toMatchObject({ name: 'Ward 3', settings });
    expect(await store.teams.rename(roomId(), 'x')).toBe(false);
    expect(await store.teams.saveSettings(roomId(), settings)).toBe(false);
    expect(defaultTeamSettings()).toEqual({
      requireApproval: false,
      queue: false,
      maxTalkSeconds: 60,
    });
  });

  it('lists channels by position after adds and removals', async () => {
    const id = await newTeam(store);
    const [general] = await store.teams.channels(id);
    const ops = added(await store.teams.addChannel(id, 'Ops'));
    const kitchen = added(await store.teams.addChannel(id, 'Kitchen'));
    expect([ops.position, kitchen.position]).toEqual([1, 2]);
    expect(await store.teams.removeChannel(id, ops.id)).toBe(true);
    expect(await store.teams.removeChannel(id, ops.id)).toBe(false);
    const bar = added(await store.teams.addChannel(id, 'Bar'));
    expect(bar.position).toBe(3);
    expect((await store.teams.channels(id)).map((c) => c.name)).toEqual([
      general?.name,
      'Kitchen',
      'Bar',
    ]);
    // The removed name is free again; another team's channels are its own.
    expect((await store.teams.addChannel(id, 'ops')).ok).toBe(true);
    const other = await newTeam(store);
    expect(await store.teams.removeChannel(other, kitchen.id)).toBe(false);
    expect((await store.teams.channels(other)).map((c) => c.name)).toEqual(['General']);
    expect(await store.teams.addChannel(roomId(), 'Ops')).toEqual({
      ok: false,
      reason: 'not-found',
    });
  });

  it('refuses a duplicate channel name in any case, on add and on rename', async () => {
    const id = await newTeam(store);
    const duplicate = { ok: false, reason: 'duplicate-name' };
    expect(await store.teams.addChannel(id, 'GENERAL')).toEqual(duplicate);
    const kitchen = added(await store.teams.addChannel(id, 'Küche'));
    expect(await store.teams.addChannel(id, 'KÜCHE')).toEqual(duplicate);
    expect(await store.teams.renameChannel(id, kitchen.id, 'general')).toEqual(duplicate);
    // Its own name in another case is no duplicate.
    const renamed = await store.teams.renameChannel(id, kitchen.id, 'KÜCHE');
    expect(renamed).toEqual({ ok: true, channel: { ...kitchen, name: 'KÜCHE' } });
    expect(await store.teams.renameChannel(id, 'no-such-id', 'Bar')).toEqual({
      ok: false,
      reason: 'not-found',
    });
    // Two adds at once: one name is stored once, two names get consecutive positions.
    const same = await Promise.all([
      store.teams.addChannel(id, 'Ops'),
      store.teams.addChannel(id, 'ops'),
    ]);
    expect(same.filter((r) => r.ok)).toHaveLength(1);
    const pair = await Promise.all([
      store.teams.addChannel(id, 'Bar'),
      store.teams.addChannel(id, 'Door'),
    ]);
    expect(pair.map((r) => added(r).position).sort((a, b) => a - b)).toEqual([3, 4]);
    expect((await store.teams.channels(id)).map((c) => c.name)).toEqual([
      'General',
      'KÜCHE',
      expect.stringMatching(/^ops$/i),
      expect.any(String),
      expect.any(String),
    ]);
  });

  it('keeps members: an upsert changes name and role, a lookup takes any of a person’s keys', async () => {
    const id = await newTeam(store);
    expect(await store.teams.putMember(id, member('u:ada', 'admin'))).toBe(true);
    expect(await store.teams.putMember(id, member('d:bob-phone'))).toBe(true);
    const promoted = { ...member('d:bob-phone', 'admin'), name: 'Bob', addedAt: 9e12 };
    expect(await store.teams.putMember(id, promoted)).toBe(true);
    // The upsert keeps when the key first joined.
    const bob = { ...promoted, addedAt: member('d:bob-phone').addedAt };
    expect(await store.teams.members(id)).toEqual([bob, member('u:ada', 'admin')]);
    // Known by device and by account: the first of the keys given that is stored.
    expect(await store.teams.member(id, ['u:bob', 'd:bob-phone'])).toMatchObject({ name: 'Bob' });
    expect(await store.teams.member(id, ['d:bob-phone', 'u:ada'])).toMatchObject({ name: 'Bob' });
    expect(await store.teams.member(id, ['u:ada', 'd:bob-phone'])).toEqual(
      member('u:ada', 'admin'),
    );
    expect(await store.teams.member(id, ['u:nobody'])).toBeUndefined();
    expect(await store.teams.member(id, [])).toBeUndefined();
    expect(await store.teams.removeMember(id, 'u:ada')).toBe(true);
    expect(await store.teams.removeMember(id, 'u:ada')).toBe(false);
    expect((await store.teams.members(id)).map((m) => m.identityKey)).toEqual(['d:bob-phone']);
    expect(await store.teams.putMember(roomId(), member('u:ada'))).toBe(false);
  });

  it('lists a person’s teams, the newest first, once each', async () => {
    const key = unique('u:');
    const [older, newer, other] = [
      await newTeam(store, 1_000),
      await newTeam(store, 2_000),
      await newTeam(store, 3_000),
    ];
    await store.teams.putMember(older, member(key));
    await store.teams.putMember(newer, member(key, 'admin'));
    await store.teams.putMember(newer, member(`${key}-phone`));
    await store.teams.putMember(other, member('u:someone-else'));
    const mine = await store.teams.listByMember([key, `${key}-phone`]);
    expect(mine.map((t) => t.id)).toEqual([newer, older]);
    expect(mine[0]).toEqual(team(newer, 'Crew', 2_000));
    expect(await store.teams.listByMember([key], 1)).toHaveLength(1);
    expect(await store.teams.listByMember([])).toEqual([]);
  });

  it('removes a team with its channels and members when its room goes', async () => {
    const id = await newTeam(store);
    const kept = await newTeam(store);
    await store.teams.addChannel(id, 'Ops');
    await store.teams.putMember(id, member('u:gone'));
    await store.teams.putMember(kept, member('u:gone'));
    await engine.deleteRoom(id);
    expect(await store.teams.get(id)).toBeUndefined();
    expect(await store.teams.channels(id)).toEqual([]);
    expect(await store.teams.members(id)).toEqual([]);
    expect((await store.teams.listByMember(['u:gone'])).map((t) => t.id)).toEqual([kept]);
    expect(await store.teams.channels(kept)).toHaveLength(1);
  });

  it('keeps a team, its channels and members across a close and reopen', async () => {
    const id = await newTeam(store);
    const ops = added(await store.teams.addChannel(id, 'Ops'));
    const settings = { ...defaultTeamSettings(), queue: true };
    await store.teams.saveSettings(id, settings);
    await store.teams.putMember(id, member('u:ada', 'admin'));
    const channels = await store.teams.channels(id);
    await store.close();
    store = await engine.open();
    expect(await store.teams.get(id)).toMatchObject({ id, name: 'Crew', settings });
    expect(await store.teams.channels(id)).toEqual(channels);
    expect(channels.map((c) => c.id)).toContain(ops.id);
    expect(await store.teams.members(id)).toEqual([member('u:ada', 'admin')]);
  });
  it('keeps an account’s newest push devices, moves a device between accounts, forgets gone ones', async () => {
    const account = async (name: string) =>
      (await store.users.create({ email: `${unique(name)}@x.test`, name, passwordHash: 'p' }))
        ?.id ?? '';
    const [ada, bo] = [await account('ada'), await account('bo')];
    const device = (endpoint: string, userId: string, createdAt: number) => ({
      endpoint: `https://push.example/${endpoint}`,
      userId,
      p256dh: `key-${endpoint}`,
      auth: `auth-${endpoint}`,
      createdAt,
    });
    expect(await store.pushSubscriptions.put(device('a1', ada, 1_000), 3)).toBe(1);
    expect(await store.pushSubscriptions.put(device('a2', ada, 2_000), 3)).toBe(2);
    expect(await store.pushSubscriptions.put(device('a3', ada, 3_000), 3)).toBe(3);
    // A fourth device drops the oldest; even one whose clock is behind is kept, being the latest.
    expect(await store.pushSubscriptions.put(device('a4', ada, 500), 3)).toBe(3);
    const endpoints = async (userId: string) =>
      (await store.pushSubscriptions.ofUser(userId)).map((s) => s.endpoint.split('/').pop());
    expect(await endpoints(ada)).toEqual(['a3', 'a2', 'a4']);
    // Registering again renews the device, with its new keys.
    await store.pushSubscriptions.put({ ...device('a2', ada, 4_000), auth: 'renewed' }, 3);
    expect((await store.pushSubscriptions.ofUser(ada))[0]).toEqual({
      ...device('a2', ada, 4_000),
      auth: 'renewed',
    });
    // Whoever subscribed last on a device is who it reminds.
    expect(await store.pushSubscriptions.put(device('a3', bo, 5_000), 3)).toBe(1);
    expect(await endpoints(ada)).toEqual(['a2', 'a4']);
    expect(await endpoints(bo)).toEqual(['a3']);
    expect(await store.pushSubscriptions.remove(bo, 'https://push.example/a2')).toBe(false);
    expect(await store.pushSubscriptions.remove(ada, 'https://push.example/a2')).toBe(true);
    await store.pushSubscriptions.forget('https://push.example/a4');
    await store.pushSubscriptions.forget('https://push.example/never-stored');
    expect(await store.pushSubscriptions.ofUser(ada)).toEqual([]);
    expect(await endpoints(bo)).toEqual(['a3']);
  });
});

describe('postgres engine when the server stops', () => {
  let local: LocalPostgres;
  let store: Storage;
  beforeAll(async () => {
    local = await startPostgres();
    store = await openPostgresStorage(local.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await local?.cleanup();
  });

  it('fails with StorageUnavailable while it is down, and serves again once it is back', async () => {
    const id = roomId();
    await store.rooms.create(room(id));
    const { message } = await store.chat.append(id, chat(1));
    await local.stop();
    await expect(store.chat.append(id, chat(2))).rejects.toBeInstanceOf(StorageUnavailable);
    await expect(store.rooms.get(id)).rejects.toBeInstanceOf(StorageUnavailable);
    await local.start();
    // The pool reconnects by itself: no reopen, and nothing acked before the stop is lost.
    await expect(store.chat.after(id, 0, 10)).resolves.toEqual([message]);
    const next = await store.chat.append(id, chat(3));
    expect(next.message.seq).toBe(2);
  });
});

/** Polls until some statement waits for a lock (here: one the `link` transaction holds). */
async function untilSomeoneWaits(link: pgDriver.Client): Promise<void> {
  const deadline = Date.now() + 10_000;
  const waiting = 'SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted';
  while ((await link.query<{ n: number }>(waiting)).rows[0]?.n === 0) {
    if (Date.now() > deadline) throw new Error('nothing waited for the link');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('postgres engine: sessions against a link that is taking the account', () => {
  let local: LocalPostgres;
  let store: Storage;
  beforeAll(async () => {
    local = await startPostgres();
    store = await openPostgresStorage(local.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await local?.cleanup();
  });

  // Without the wait, a sign-in could store its session after the link's DELETE, read the old
  // hash before the link's COMMIT, and keep a session the link meant to end (issue 21).
  it('waits for the link to commit, then reads the emptied hash', async () => {
    const email = `${unique('held')}@x.test`;
    const user = await store.users.create({ email, name: 'H', passwordHash: 'argon2-hash' });
    const userId = user?.id ?? '';
    const link = new pgDriver.Client(local.url);
    await link.connect();
    try {
      await link.query('BEGIN');
      // What IdentityStore.link holds from its UPDATE to its COMMIT: the account's row.
      await link.query("UPDATE users SET password_hash = '' WHERE id = $1", [userId]);
      const read = store.users.passwordHashOf(userId);
      await untilSomeoneWaits(link);
      await link.query('COMMIT');
      expect(await read).toBe('');
    } finally {
      await link.end();
    }
  });

  it('rotates a token only around a link, never across it', async () => {
    const email = `${unique('spun')}@x.test`;
    const user = await store.users.create({ email, name: 'S', passwordHash: 'argon2-hash' });
    const userId = user?.id ?? '';
    const hash = unique('held');
    await store.refreshTokens.insert(hash, userId, 1e15);
    const link = new pgDriver.Client(local.url);
    await link.connect();
    try {
      await link.query('BEGIN');
      await link.query("UPDATE users SET password_hash = '' WHERE id = $1", [userId]);
      const next = { tokenHash: `${hash}-next`, expiresAt: 1e15 };
      const rotation = store.refreshTokens.rotate(hash, `rotated:${hash}`, next, 1);
      await untilSomeoneWaits(link);
      await link.query('DELETE FROM refresh_tokens WHERE user_id = $1', [userId]);
      await link.query('COMMIT');
      // The link revoked the token before the rotation could spend it: no successor.
      expect(await rotation).toBeUndefined();
      expect(await store.refreshTokens.get(next.tokenHash)).toBeUndefined();
    } finally {
      await link.end();
    }
  });
});
