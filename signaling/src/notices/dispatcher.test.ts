// The reminder dispatcher (issue 21) against real storage: SQLite (two connections to one file)
// and a real PostgreSQL (two pools), as the storage contract runs. Two dispatchers, as two nodes
// would, tick together on the test's clock. The channel here is the test's own double of a
// delivery channel (it records what it was given, or throws): the real email and push channels
// are tested with their own servers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '@parley/protocol';
import { startPostgres } from '../../../deploy/local/postgres.ts';
import type { LocalPostgres } from '../../../deploy/local/postgres.ts';
import { Scheduling } from '../scheduling/scheduling.ts';
import { defaultSettings } from '../store/settings.ts';
import { openPostgresStorage } from '../store/postgres/index.ts';
import { openSqliteStorage } from '../store/sqlite/index.ts';
import type { Storage } from '../store/types.ts';
import { quietLog } from '../telemetry/log.ts';
import type { MeetingNotice, NoticeChannel, Recipient } from './channel.ts';
import { NoticeDispatcher } from './dispatcher.ts';

const MIN = 60_000;
const BASE = 'https://parley.test';

/** A test double of a delivery channel: records each notice, or throws while `failing` says. */
class RecordingChannel implements NoticeChannel {
  readonly enabled = true;
  readonly sent: { to: string; kind: string; startsAt: number; at: number; ics?: string }[] = [];
  readonly tries: number[] = [];
  constructor(
    readonly name: string,
    private readonly clock: { t: number },
    private readonly failing: (to: Recipient) => boolean = () => false,
  ) {}
  async reaches(): Promise<boolean> {
    return true;
  }
  async send(to: Recipient, notice: MeetingNotice): Promise<void> {
    this.tries.push(this.clock.t);
    if (this.failing(to)) throw new Error('the mail server said no');
    const { kind, meeting, ics } = notice;
    this.sent.push({ to: to.email, kind, startsAt: meeting.startsAt, at: this.clock.t, ics });
  }
  of(kind: string) {
    return this.sent
      .filter((s) => s.kind === kind)
      .map((s) => s.to)
      .sort();
  }
}

interface Engine {
  name: string;
  /** Two independent handles on one database: two nodes. */
  open(): Promise<[Storage, Storage]>;
  teardown(): Promise<void>;
}

let dir = '';
const sqlite: Engine = {
  name: 'sqlite',
  open: async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-notices-'));
    return [openSqliteStorage(dir), openSqliteStorage(dir)];
  },
  teardown: async () => rmSync(dir, { recursive: true, force: true }),
};
let pg: LocalPostgres | undefined;
const postgres: Engine = {
  name: 'postgres',
  open: async () => {
    pg = await startPostgres();
    const a = await openPostgresStorage(pg.url);
    return [a, await openPostgresStorage(pg.url)];
  },
  teardown: async () => pg?.cleanup(),
};

/** `YYYY-MM-DDTHH:mm` in UTC. */
const wall = (t: number) => new Date(t).toISOString().slice(0, 16);

describe.each([sqlite, postgres])('notice dispatcher: $name', (engine) => {
  let a: Storage;
  let b: Storage;
  const clock = { t: Date.UTC(2027, 0, 4, 9, 0) };
  beforeAll(async () => {
    [a, b] = await engine.open();
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await engine.teardown();
  });

  const scheduling = () =>
    new Scheduling({
      store: a.schedule,
      users: a.users,
      now: () => clock.t,
      // The room's settings are the schedule routes' concern, not the notices'.
      roomSettings: async () => undefined,
      changeRoom: async () => undefined,
      createRoom: async (room) => {
        const id = randomBytes(12).toString('base64url') as RoomId;
        await a.rooms.create({
          id,
          hostKeyHash: 'h'.repeat(64),
          createdAt: clock.t,
          ownerId: room.ownerId ?? null,
          title: room.title ?? null,
          settings: { ...defaultSettings(), ...room.settings },
          passwordHash: null,
        });
        return { id };
      },
    });
  const dispatcher = (store: Storage, channels: NoticeChannel[], extra = {}) =>
    new NoticeDispatcher({
      schedule: store.schedule,
      notices: store.notices,
      users: store.users,
      channels,
      now: () => clock.t,
      leadMin: 15,
      context: (m) => scheduling().context(m, BASE),
      log: quietLog,
      ...extra,
    });
  const organiser = async () => {
    const user = await a.users.create({
      email: `o-${randomBytes(4).toString('hex')}@x.test`,
      name: 'Olga',
      passwordHash: 'p',
    });
    return { id: user!.id, name: user!.name };
  };
  const invitees = () => [1, 2].map((i) => `i${i}-${randomBytes(3).toString('hex')}@x.test`);
  /** Both nodes tick at once at `t`. */
  const tickBoth = async (t: number, nodes: NoticeDispatcher[]) => {
    clock.t = t;
    await Promise.all(nodes.map((n) => n.tick()));
  };

  it('reminds each invitee once, at the lead time, with two nodes ticking together', async () => {
    const t0 = (clock.t += 60 * MIN);
    const channel = new RecordingChannel('email', clock);
    const nodes = [dispatcher(a, [channel]), dispatcher(b, [channel])];
    const people = invitees();
    const m = await scheduling().schedule(
      await organiser(),
      {
        title: 'Standup',
        start: wall(t0 + 16 * MIN),
        durationMin: 15,
        timeZone: 'UTC',
        invitees: people,
      },
      BASE,
    );
    await tickBoth(t0, nodes);
    expect(channel.of('invitation')).toEqual([...people].sort());
    expect(channel.sent.find((s) => s.kind === 'invitation')?.ics).toMatch(/METHOD:REQUEST/);
    await tickBoth(t0 + 30_000, nodes);
    expect(channel.of('reminder')).toEqual([]);
    await tickBoth(t0 + MIN + 1_000, nodes);
    expect(channel.of('reminder')).toEqual([...people].sort());
    for (const t of [2, 5, 15, 16, 20].map((x) => t0 + x * MIN)) await tickBoth(t, nodes);
    expect(channel.sent).toHaveLength(4);
    const reminders = channel.sent.filter((s) => s.kind === 'reminder');
    expect(reminders.map((r) => r.startsAt)).toEqual([t0 + 16 * MIN, t0 + 16 * MIN]);
    expect(reminders.every((r) => r.at === t0 + MIN + 1_000)).toBe(true);
    const ledger = await b.notices.deliveries(m.id);
    expect(ledger.map((d) => [d.kind, d.status])).toEqual([
      ['invitation', 'sent'],
      ['invitation', 'sent'],
      ['reminder', 'sent'],
      ['reminder', 'sent'],
    ]);
  });

  it('sends an update on edit, the cancellation on cancel, and no reminder after it', async () => {
    const t0 = (clock.t += 60 * MIN);
    const channel = new RecordingChannel('email', clock);
    const nodes = [dispatcher(a, [channel]), dispatcher(b, [channel])];
    const owner = await organiser();
    const people = invitees();
    const s = scheduling();
    const body = {
      title: 'Review',
      start: wall(t0 + 30 * MIN),
      durationMin: 30,
      timeZone: 'UTC',
      invitees: people,
    };
    const m = await s.schedule(owner, body, BASE);
    await tickBoth(t0, nodes);
    await s.edit(owner, m.id, { start: wall(t0 + 16 * MIN) }, BASE);
    await tickBoth(t0 + 10_000, nodes);
    expect(channel.of('updated')).toEqual([...people].sort());
    await s.cancel(owner, m.id);
    await tickBoth(t0 + 20_000, nodes);
    expect(channel.of('cancelled')).toEqual([...people].sort());
    expect(channel.sent.find((x) => x.kind === 'cancelled')?.ics).toMatch(/METHOD:CANCEL/);
    for (const t of [1, 2, 10, 16].map((x) => t0 + x * MIN + 1_000)) await tickBoth(t, nodes);
    expect(channel.of('reminder')).toEqual([]);
    // A node that read the meeting before the cancellation still cannot claim its reminder.
    const key = { meetingId: m.id, occurrence: t0 + 16 * MIN, email: people[0]!, channel: 'email' };
    expect(await a.notices.claim({ ...key, kind: 'reminder' }, clock.t, clock.t + MIN)).toBe(false);
    expect(channel.sent).toHaveLength(6);
  });

  it('retries a failed send after 1, 5 and 15 minutes, then records it failed', async () => {
    const t0 = (clock.t += 60 * MIN);
    const people = invitees();
    const broken = new RecordingChannel('email', clock, (to) => to.email === people[0]);
    const nodes = [dispatcher(a, [broken]), dispatcher(b, [broken])];
    const m = await scheduling().schedule(
      await organiser(),
      {
        title: 'Later',
        start: wall(t0 + 3 * 24 * 60 * MIN),
        durationMin: 30,
        timeZone: 'UTC',
        invitees: people,
      },
      BASE,
    );
    await tickBoth(t0, nodes);
    expect(broken.of('invitation')).toEqual([people[1]]);
    const steps = [59_000, MIN, 5 * MIN + 59_000, 6 * MIN, 20 * MIN, 21 * MIN, 60 * MIN, 120 * MIN];
    for (const dt of steps) await tickBoth(t0 + dt, nodes);
    const failingTries = broken.tries.length - 1; // one went to the other invitee
    expect(failingTries).toBe(4);
    expect(broken.tries).toEqual(
      expect.arrayContaining([t0, t0 + MIN, t0 + 6 * MIN, t0 + 21 * MIN]),
    );
    const ledger = await a.notices.deliveries(m.id);
    expect(ledger.find((d) => d.email === people[0])).toMatchObject({
      status: 'failed',
      attempts: 4,
      lastError: expect.stringContaining('the mail server said no'),
    });
    expect(ledger.find((d) => d.email === people[1])).toMatchObject({
      status: 'sent',
      attempts: 0,
    });
  });

  it('delivers once a failing channel recovers, and sends at most perTick per tick', async () => {
    const t0 = (clock.t += 60 * MIN);
    let down = true;
    const flaky = new RecordingChannel('email', clock, () => down);
    const node = dispatcher(a, [flaky], { perTick: 3 });
    const many = Array.from(
      { length: 5 },
      (_, i) => `p${i}-${randomBytes(3).toString('hex')}@x.test`,
    );
    const m = await scheduling().schedule(
      await organiser(),
      {
        title: 'All hands',
        start: wall(t0 + 3 * 24 * 60 * MIN),
        durationMin: 30,
        timeZone: 'UTC',
        invitees: many,
      },
      BASE,
    );
    clock.t = t0;
    expect(await node.tick()).toBe(3);
    expect(await node.tick()).toBe(2);
    expect(await node.tick()).toBe(0);
    down = false;
    clock.t = t0 + MIN;
    expect(await node.tick()).toBe(3);
    expect(await node.tick()).toBe(2);
    expect(flaky.of('invitation')).toEqual([...many].sort());
    const ledger = await a.notices.deliveries(m.id);
    expect(ledger.every((d) => d.status === 'sent' && d.attempts === 1)).toBe(true);
  });
  it('finds every due reminder however many live meetings come before it', async () => {
    const t0 = (clock.t += 60 * MIN);
    const channel = new RecordingChannel('email', clock);
    const node = dispatcher(a, [channel], { pageSize: 2 });
    const owner = await organiser();
    const weekly = { freq: 'weekly', count: 10 } as const;
    // Three weekly meetings that began earlier (not due now), then the one that is due.
    for (let i = 0; i < 3; i++) {
      const start = wall(t0 + (i + 1) * MIN);
      await scheduling().schedule(
        owner,
        { title: `Early ${i}`, start, durationMin: 30, timeZone: 'UTC', recurrence: weekly },
        BASE,
      );
    }
    const [who] = invitees();
    const due = { title: 'Due', start: wall(t0 + 24 * 60 * MIN + 10 * MIN), durationMin: 30 };
    await scheduling().schedule(owner, { ...due, timeZone: 'UTC', invitees: [who!] }, BASE);
    clock.t = t0 + 24 * 60 * MIN;
    await node.tick();
    expect(channel.of('reminder')).toEqual([who]);
  });
});
