import { describe, expect, it } from 'vitest';
import type { MeetingNotice, NoticeKind } from '../notices/channel.ts';
import { pushPayloadOf, ttlOf } from './payload.ts';

const START = Date.UTC(2026, 11, 7, 13, 0); // 14:00 in Paris
const notice = (kind: NoticeKind, title = 'Weekly sync'): MeetingNotice => ({
  kind,
  meeting: {
    id: 'm1',
    title,
    startsAt: START,
    durationMin: 30,
    timeZone: 'Europe/Paris',
    url: 'https://meet.example/r/abc',
    organiser: 'Ada',
  },
});

describe('pushPayloadOf', () => {
  it.each([
    ['reminder', 'Weekly sync', 'Starts Mon 7 Dec, 14:00 CET'],
    ['invitation', 'Invitation: Weekly sync', 'Ada invites you, Mon 7 Dec, 14:00 CET'],
    ['updated', 'Changed: Weekly sync', 'Now Mon 7 Dec, 14:00 CET'],
    ['cancelled', 'Cancelled: Weekly sync', 'Ada cancelled Mon 7 Dec, 14:00 CET'],
  ] as const)('says what a %s is about, in the zone it was scheduled in', (kind, title, body) => {
    expect(pushPayloadOf(notice(kind))).toEqual({
      title,
      body,
      url: 'https://meet.example/r/abc',
    });
  });

  it('cuts a long title to one lock-screen line', () => {
    const { title } = pushPayloadOf(notice('reminder', 'x'.repeat(300)));
    expect(title).toHaveLength(100);
    expect(title.endsWith('…')).toBe(true);
  });
});

describe('ttlOf', () => {
  it.each([
    [START - 10 * 60_000, 40 * 60], // ten minutes before: until the end, 30 minutes after start
    [START + 29 * 60_000, 60], // nearly over: the minimum
    [START + 60 * 60_000, 60], // over already
    [START - 60 * 24 * 3600_000, 28 * 24 * 3600], // two months ahead: four weeks at most
  ])('at %d keeps the message %d s', (now, ttl) => {
    expect(ttlOf(notice('reminder'), now)).toBe(ttl);
  });
});
