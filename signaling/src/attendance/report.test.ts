import { describe, expect, it } from 'vitest';
import type { PeerId } from '@parley/protocol';
import type { AttendanceInterval } from '../store/index.ts';
import { attendanceCsv, attendeesOf } from './report.ts';
import { FeedbackTickets } from './tickets.ts';

const MIN = 60_000;
const stay = (
  personKey: string,
  from: number,
  to: number | null,
  extra: Partial<AttendanceInterval> = {},
): AttendanceInterval => ({
  peerId: `p-${personKey}-${from}` as PeerId,
  personKey,
  name: personKey.toUpperCase(),
  userId: null,
  email: null,
  accountName: null,
  joinedAt: from * MIN,
  leftAt: to === null ? null : to * MIN,
  ...extra,
});

describe('attendeesOf', () => {
  it.each([
    ['one stay', [stay('a', 0, 10)], 10, 1, 10],
    ['left and came back: the stays add up', [stay('a', 0, 10), stay('a', 20, 25)], 15, 2, 25],
    ['two tabs at once count once', [stay('a', 0, 10), stay('a', 5, 12)], 12, 1, 12],
    ['a reload: one stay ends as the next begins', [stay('a', 0, 5), stay('a', 5, 9)], 9, 1, 9],
    ['still in: counted until now (30)', [stay('a', 0, 10), stay('a', 20, null)], 20, 2, null],
  ])('%s', (_what, stays, minutes, count, lastLeft) => {
    const [row] = attendeesOf(stays, 30 * MIN);
    expect(row).toMatchObject({ durationMs: minutes * MIN, stays: count, firstJoinedAt: 0 });
    expect(row?.lastLeftAt).toBe(lastLeft === null ? null : lastLeft * MIN);
  });

  it('names a signed-in person by their account, and orders people by arrival', () => {
    const rows = attendeesOf(
      [
        stay('g:late', 3, 4),
        stay('u:1', 1, 2, { userId: '1', email: 'ada@example.org', accountName: 'Ada L.' }),
      ],
      10 * MIN,
    );
    expect(rows.map((r) => [r.name, r.account])).toEqual([
      ['U:1', { name: 'Ada L.', email: 'ada@example.org' }],
      ['G:LATE', null],
    ]);
  });
});

describe('attendanceCsv', () => {
  it('writes RFC 4180 rows and defuses formula-looking cells', () => {
    const [row] = attendeesOf([stay('g:x', 0, 1, { name: '@SUM(A1)' })], 0);
    expect(attendanceCsv([row!]).split('\r\n')).toEqual([
      'name,account_email,first_joined,last_left,minutes,stays',
      "'@SUM(A1),,1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,1.0,1",
      '',
    ]);
  });
});

describe('FeedbackTickets', () => {
  const tickets = new FeedbackTickets('a-secret-of-at-least-32-characters!!');
  const holder = { roomId: 'r'.repeat(22), meetingId: 'm'.repeat(22), personKey: 'g:abc' };
  it('names its holder until it expires, and a forged or foreign one is refused', () => {
    const ticket = tickets.mint(holder as never, 1_000);
    expect(tickets.verify(ticket, 2_000)).toEqual(holder);
    expect(tickets.verify(ticket, 1_000 + 7 * 24 * 60 * MIN)).toBeUndefined();
    expect(tickets.verify(`${ticket}x`, 2_000)).toBeUndefined();
    const other = new FeedbackTickets('another-secret-of-at-least-32-chars!!');
    expect(other.verify(ticket, 2_000)).toBeUndefined();
  });
});
