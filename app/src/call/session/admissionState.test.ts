import { describe, expect, it } from 'vitest';
import {
  WRONG_PASSWORD_OR_NO_ROOM,
  isDeviceId,
  mediaChanged,
  mutedNotice,
  newDeviceId,
  refusalOf,
  removalMessage,
  roleNotice,
} from './admissionState.ts';
import type { Removal } from './admissionState.ts';

describe('refusalOf', () => {
  it.each<[string, string, string, boolean]>([
    ['ROOM_NOT_FOUND', 'no such room', WRONG_PASSWORD_OR_NO_ROOM, true],
    [
      'ROOM_LOCKED',
      'locked',
      'The host has locked this meeting: nobody new can join right now.',
      false,
    ],
    [
      'BANNED',
      'banned',
      'You cannot join this meeting again: a host removed you or did not let you in.',
      false,
    ],
    [
      'RATE_LIMITED',
      'too many attempts',
      'Too many wrong passwords. Wait a minute, then try again.',
      true,
    ],
    [
      'RATE_LIMITED',
      'try again in 30 s',
      'Too many wrong passwords. Wait 30 s, then try again.',
      true,
    ],
    ['ROOM_FULL', 'full', 'This meeting is full.', false],
    [
      'UNAUTHORIZED',
      'expired',
      'Your sign-in has expired. Sign in again, or join as a guest.',
      false,
    ],
    ['INTERNAL', 'boom', 'Could not join: boom', false],
  ])('%s (%j)', (code, message, text, askPassword) => {
    expect(refusalOf(code, message)).toEqual({ message: text, askPassword });
  });
});

describe('removalMessage', () => {
  it.each<[Removal, string]>([
    [{ reason: 'denied', byYou: false }, "The host didn't let you in."],
    [{ reason: 'removed', byYou: false }, 'You were removed from the meeting.'],
    [{ reason: 'ended', byYou: false }, 'The host ended the meeting.'],
    [{ reason: 'ended', byYou: true }, 'You ended the meeting for everyone.'],
  ])('%j', (removal, text) => {
    expect(removalMessage(removal)).toBe(text);
  });
});

describe('notices', () => {
  it('says what a host did', () => {
    expect(mutedNotice('audio')).toBe('A host muted you.');
    expect(mutedNotice('video')).toBe('A host turned off your camera.');
    expect(roleNotice('cohost')).toBe('A host made you a co-host.');
    expect(roleNotice('guest')).toBe('You are no longer a co-host.');
  });
});

describe('mediaChanged', () => {
  const both = { audio: true, video: true };
  it.each<[string, Parameters<typeof mediaChanged>, boolean]>([
    ['nothing sent yet', [null, both], true],
    ['the same', [both, { ...both }], false],
    ['muted while waiting', [both, { ...both, audio: false }], true],
    ['camera off', [both, { ...both, video: false }], true],
    ['screen: absent equals false', [both, { ...both, screen: false }], false],
    ['started sharing', [both, { ...both, screen: true }], true],
  ])('%s', (_label, args, changed) => {
    expect(mediaChanged(...args)).toBe(changed);
  });
});

describe('device ids', () => {
  it('are 22 base64url characters the protocol accepts', () => {
    const id = newDeviceId((b) => b.fill(0xfb));
    expect(id).toHaveLength(22);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(isDeviceId(id)).toBe(true);
  });
  it.each<[string | null, boolean]>([
    [null, false],
    ['', false],
    ['short', false],
    ['a'.repeat(16), true],
    ['a'.repeat(65), false],
    ['has spaces in it ok?', false],
  ])('%j is valid: %j', (v, ok) => {
    expect(isDeviceId(v)).toBe(ok);
  });
});
