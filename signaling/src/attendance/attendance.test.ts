import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerId, RoomId } from '@parley/protocol';
import { openSqliteStorage } from '../store/sqlite/index.ts';
import { defaultSettings } from '../store/index.ts';
import type { Storage } from '../store/index.ts';
import { quietLog } from '../telemetry/log.ts';
import { Attendance } from './attendance.ts';
import { FeedbackTickets } from './tickets.ts';

const DAY = 24 * 60 * 60_000;
const T0 = 1_700_000_000_000;
const opened: { dir: string; storage: Storage }[] = [];
afterEach(async () => {
  for (const { dir, storage } of opened.splice(0)) {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function setup(sweepLimit: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-attendance-'));
  const storage = openSqliteStorage(dir);
  opened.push({ dir, storage });
  const clock = { t: T0 };
  const attendance = new Attendance({
    store: storage.attendance,
    tickets: new FeedbackTickets('a-secret-of-at-least-32-characters!!'),
    goneMs: 60_000,
    retentionDays: 30,
    log: quietLog,
    now: () => clock.t,
    sweepLimit,
  });
  const room = async () => {
    const id = `room${Math.random().toString(36).slice(2).padEnd(18, '0')}`.slice(0, 22) as RoomId;
    await storage.rooms.create({
      id,
      hostKeyHash: 'h'.repeat(64),
      createdAt: T0,
      ownerId: null,
      title: null,
      settings: defaultSettings(),
      passwordHash: null,
    });
    return id;
  };
  return { storage, clock, attendance, room };
}

describe('Attendance.sweep', () => {
  it('ends meetings whose node went silent and purges expired ones, a bounded batch at a time', async () => {
    const { storage, clock, attendance, room } = await setup(2);
    const store = storage.attendance;
    // Three meetings that ended 31 days before the sweep, and two left running by a dead node.
    for (let i = 0; i < 3; i += 1) {
      const m = `ended-meeting-000000${i}`;
      await store.begin(await room(), m, T0 + i, 60_000);
      await store.end(m, T0 + 1_000 + i);
    }
    for (let i = 0; i < 2; i += 1) {
      const m = `silent-meeting-00000${i}`;
      await store.begin(await room(), m, T0 + 31 * DAY, 60_000);
      const stay = { peerId: 'p1' as PeerId, personKey: 'g:1', name: 'One', userId: null };
      await store.arrive(m, { ...stay, joinedAt: T0 + 31 * DAY });
    }
    clock.t = T0 + 31 * DAY + 61_000;
    expect(await attendance.sweep()).toEqual({ ended: 2, purged: 2 });
    expect(await attendance.sweep()).toEqual({ ended: 0, purged: 1 });
    expect(await attendance.sweep()).toEqual({ ended: 0, purged: 0 });
    const silent = await store.meeting('silent-meeting-000000');
    expect(silent?.endedAt).toBe(T0 + 31 * DAY);
    // The silent meetings ended just now are kept: their retention starts at their end.
    expect(silent).toBeDefined();
  });
});
