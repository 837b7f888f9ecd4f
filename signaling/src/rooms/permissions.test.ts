import { describe, expect, it } from 'vitest';
import type { Role, RoomSettingsChange } from '@parley/protocol';
import { forbiddenSetting, mayTarget } from './permissions.ts';

describe('whom a moderator may act on', () => {
  // prettier-ignore
  it.each<[Role, 'mute' | 'remove', Role, boolean]>([
    ['host',   'mute',   'host',   true],  // a meeting can have two hosts (key and account)
    ['host',   'mute',   'cohost', true],
    ['host',   'mute',   'guest',  true],
    ['cohost', 'mute',   'host',   false], // neither the mic nor the camera of a host
    ['cohost', 'mute',   'cohost', true],
    ['cohost', 'mute',   'guest',  true],
    ['host',   'remove', 'host',   false],
    ['host',   'remove', 'cohost', true],
    ['host',   'remove', 'guest',  true],
    ['cohost', 'remove', 'host',   false],
    ['cohost', 'remove', 'cohost', false],
    ['cohost', 'remove', 'guest',  true],
    ['guest',  'mute',   'guest',  false],
    ['guest',  'remove', 'guest',  false],
  ])('a %s may %s a %s: %j', (by, action, target, allowed) => {
    expect(mayTarget(action, by, target)).toBe(allowed);
  });
});

describe('which settings a role may change', () => {
  it.each<[RoomSettingsChange, Role, string | undefined]>([
    [{ locked: true, waitingRoom: false, chat: false, screenShare: false }, 'cohost', undefined],
    [{ password: null }, 'cohost', 'password'],
    [{ password: 'a new password' }, 'cohost', 'password'],
    [{ locked: true, password: null }, 'cohost', 'password'],
    [{ password: null }, 'host', undefined],
    [{ password: 'a new password', locked: true }, 'host', undefined],
    [{ password: undefined, locked: true }, 'cohost', undefined], // absent, as a spread leaves it
  ])('%j by a %s: refused for %j', (change, role, refused) => {
    expect(forbiddenSetting(change, role)).toBe(refused);
  });
});
