import { describe, expect, it } from 'vitest';
import type { RoomId } from '@parley/protocol';
import { csvCell, pollsCsv } from './pollCsv.ts';
import type { StoredPoll } from '../store/index.ts';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    [42, '42'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@sum', "'@sum"],
    ['', ''],
  ] as const)('%j -> %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

const poll = (over: Partial<StoredPoll>): StoredPoll => ({
  id: 'p1',
  roomId: 'r' as RoomId,
  question: 'Which day?',
  options: ['Mon', 'Tue'],
  multiple: false,
  anonymous: false,
  changeable: false,
  launchedAt: Date.UTC(2026, 0, 1, 9),
  endedAt: Date.UTC(2026, 0, 1, 9, 5),
  shared: false,
  ...over,
});

describe('pollsCsv', () => {
  it('writes a row per option, names only for named polls', () => {
    const votes = [
      { key: 'g:a', name: 'Ann', choices: [0], at: 1 },
      { key: 'g:b', name: 'Bob', choices: [0], at: 2 },
      { key: 'g:c', name: 'Cat', choices: [1], at: 3 },
    ];
    const anonymous = votes.map((v) => ({ ...v, name: null }));
    const csv = pollsCsv([
      { poll: poll({}), votes },
      {
        poll: poll({ id: 'p2', anonymous: true, multiple: true, endedAt: null }),
        votes: anonymous,
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'poll,launched_at,ended_at,question,choice,anonymous,option,votes,voters,names',
      '1,2026-01-01T09:00:00.000Z,2026-01-01T09:05:00.000Z,Which day?,single,no,Mon,2,3,Ann; Bob',
      '1,2026-01-01T09:00:00.000Z,2026-01-01T09:05:00.000Z,Which day?,single,no,Tue,1,3,Cat',
      '2,2026-01-01T09:00:00.000Z,,Which day?,multiple,yes,Mon,2,3,',
      '2,2026-01-01T09:00:00.000Z,,Which day?,multiple,yes,Tue,1,3,',
      '',
    ]);
  });
});
