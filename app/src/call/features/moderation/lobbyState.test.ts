import { describe, expect, it } from 'vitest';
import type { MediaState, Role, WaitingPeer } from '@parley/protocol';
import {
  actionFailure,
  arrivalNotice,
  arrivals,
  isModerator,
  removedMark,
  successors,
  tileMenu,
  waitedFor,
} from './lobbyState.ts';

const w = (peerId: string, name = peerId, since = 0) => ({ peerId, name, since }) as WaitingPeer;

describe('isModerator', () => {
  it.each<[Role | null, boolean]>([
    ['host', true],
    ['cohost', true],
    ['guest', false],
    [null, false],
  ])('%j: %j', (role, yes) => {
    expect(isModerator(role)).toBe(yes);
  });
});

describe('arrivals and their notice', () => {
  it('finds who is new, in queue order, whoever left', () => {
    expect(arrivals([w('a'), w('b')], [w('b'), w('c'), w('d')]).map((x) => x.peerId)).toEqual([
      'c',
      'd',
    ]);
    expect(arrivals([w('a')], [])).toEqual([]);
    expect(arrivals([], [w('a')]).map((x) => x.peerId)).toEqual(['a']);
  });

  it.each<[WaitingPeer[], string | null]>([
    [[], null],
    [[w('a', 'Ada')], 'Ada is waiting to join.'],
    [
      [{ ...w('a', 'Ada'), previouslyRemoved: true }],
      'Ada (previously removed) is waiting to join.',
    ],
    [[w('a', 'Ada'), w('b', 'Bob')], 'Ada and 1 other are waiting to join.'],
    [[w('a', 'Ada'), w('b', 'Bob'), w('c', 'Cy')], 'Ada and 2 others are waiting to join.'],
  ])('%j: %j', (arrived, text) => {
    expect(arrivalNotice(arrived)).toBe(text);
  });
});

describe('tileMenu in a room where guests may not unmute themselves', () => {
  it.each<[Role, MediaState, string[]]>([
    ['guest', { audio: false, video: true }, ['(Mute)', 'Stop video', 'Allow to unmute', 'Remove']],
    ['guest', { audio: true, video: false }, ['Mute', '(Stop video)', 'Allow camera', 'Remove']],
    ['guest', { audio: true, video: true }, ['Mute', 'Stop video', 'Remove']],
    ['cohost', { audio: false, video: false }, ['(Mute)', '(Stop video)']],
  ])('a co-host sees on a %j with %j: %j', (role, media, items) => {
    const menu = tileMenu('cohost', { role, media }, false);
    expect(menu.map((i) => (i.disabled ? `(${i.label})` : i.label))).toEqual(items);
  });
});

describe('removedMark', () => {
  it('marks only whom the server marked', () => {
    expect(removedMark({ ...w('a'), previouslyRemoved: true })).toBe('previously removed');
    expect(removedMark(w('a'))).toBeNull();
  });
});

describe('waitedFor', () => {
  const min = 60_000;
  it.each<[number, string]>([
    [-5_000, 'just now'], // the server's clock is ahead of ours
    [0, 'just now'],
    [59_999, 'just now'],
    [min, '1 min'],
    [59 * min, '59 min'],
    [60 * min, '1 h'],
    [125 * min, '2 h 5 min'],
  ])('after %i ms: %j', (ms, text) => {
    expect(waitedFor(1_000_000, 1_000_000 + ms)).toBe(text);
  });
});

describe('tileMenu', () => {
  const on: MediaState = { audio: true, video: true };
  const labels = (self: Role | null, role: Role, media = on) =>
    tileMenu(self, { role, media }).map((i) => (i.disabled ? `(${i.label})` : i.label));

  it.each<[Role | null, Role, string[]]>([
    [null, 'guest', []],
    ['guest', 'guest', []],
    ['guest', 'host', []],
    ['cohost', 'host', []],
    ['cohost', 'guest', ['Mute', 'Stop video', 'Remove']],
    ['cohost', 'cohost', ['Mute', 'Stop video']],
    ['host', 'guest', ['Mute', 'Stop video', 'Remove', 'Make co-host', 'Make host']],
    ['host', 'cohost', ['Mute', 'Stop video', 'Remove', 'Make guest', 'Make host']],
    ['host', 'host', ['Mute', 'Stop video']],
  ])('%j sees on a %j: %j', (self, role, items) => {
    expect(labels(self, role)).toEqual(items);
  });

  it('greys out what is already off', () => {
    expect(labels('host', 'guest', { audio: false, video: false })).toEqual([
      '(Mute)',
      '(Stop video)',
      'Remove',
      'Make co-host',
      'Make host',
    ]);
  });
});

describe('actionFailure', () => {
  it.each<[Parameters<typeof actionFailure>, string]>([
    [['mute them', 'FORBIDDEN', 'x'], 'You cannot mute them: only a host or co-host can.'],
    [['end the meeting', 'FORBIDDEN', 'x', true], 'You cannot end the meeting: only the host can.'],
    [['remove them', 'PEER_NOT_FOUND', 'x'], 'Could not remove them: they are no longer here.'],
    [['admit them', 'TIMEOUT', 'no reply'], 'Could not admit them: no reply'],
  ])('%j', (args, text) => {
    expect(actionFailure(...args)).toBe(text);
  });
});

describe('successors', () => {
  const p = (name: string, role: Role) => ({ name, role });
  const names = (list: { name: string }[]) => list.map((x) => x.name);

  it('offers co-hosts first, then guests, each in join order', () => {
    const peers = [p('Ann', 'guest'), p('Bo', 'cohost'), p('Cy', 'guest'), p('Di', 'cohost')];
    expect(names(successors('host', peers))).toEqual(['Bo', 'Di', 'Ann', 'Cy']);
  });

  it('asks nothing of a co-host or guest, alone, or beside another host', () => {
    expect(successors('cohost', [p('Ann', 'guest')])).toEqual([]);
    expect(successors('guest', [p('Ann', 'guest')])).toEqual([]);
    expect(successors('host', [])).toEqual([]);
    expect(successors('host', [p('Ann', 'guest'), p('Hal', 'host')])).toEqual([]);
  });
});
