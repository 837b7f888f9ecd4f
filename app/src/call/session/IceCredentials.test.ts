import { describe, expect, it } from 'vitest';
import type { IceServer } from '@parley/protocol';
import { refreshDelay, turnExpiry } from './IceCredentials.ts';

const STUN: IceServer = { urls: 'stun:stun.example.org:3478' };
const turn = (username: string): IceServer => ({
  urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
  username,
  credential: 'secret',
});

describe('turnExpiry', () => {
  it('reads the expiry (seconds) out of a TURN REST username, as ms', () => {
    expect(turnExpiry([turn('1700000000:alice')])).toBe(1_700_000_000_000);
  });

  it('takes the earliest of several TURN entries', () => {
    const servers = [turn('1700000600:a'), STUN, turn('1700000300:b'), turn('1700000900:c')];
    expect(turnExpiry(servers)).toBe(1_700_000_300_000);
  });

  it.each<[string, IceServer[]]>([
    ['no servers', []],
    ['only STUN', [STUN]],
    ['a static TURN username', [turn('alice')]],
    ['a username with the number after the colon', [turn('alice:1700000000')]],
    ['a number without the colon', [turn('1700000000')]],
  ])('has no expiry with %s', (_label, servers) => {
    expect(turnExpiry(servers)).toBeUndefined();
  });

  it('ignores the static entries next to a TURN REST one', () => {
    expect(turnExpiry([turn('static'), STUN, turn('1700000000:x')])).toBe(1_700_000_000_000);
  });
});

describe('refreshDelay', () => {
  const now = 1_700_000_000_000;

  it.each([
    ['in 10 minutes', 600_000, 570_000],
    ['in one hour', 3_600_000, 3_570_000],
    ['in one minute', 60_000, 30_000],
  ])('credentials expiring %s refresh 30 s before', (_label, inMs, delay) => {
    expect(refreshDelay(now + inMs, now)).toBe(delay);
  });

  it.each([
    ['in 35 s', 35_000],
    ['in 31 s', 31_000],
    ['right now', 0],
    ['an hour ago (a clock far off)', -3_600_000],
  ])('credentials expiring %s wait the 5 s minimum', (_label, inMs) => {
    expect(refreshDelay(now + inMs, now)).toBe(5_000);
  });
});
