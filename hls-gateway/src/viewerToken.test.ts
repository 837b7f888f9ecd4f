import { describe, expect, it } from 'vitest';
import { signViewerToken, verifyViewerToken } from './viewerToken.ts';

const now = 1_800_000_000_000;
const token = signViewerToken('room-a', 'secret', 60, now);

describe('viewer tokens', () => {
  it('have the documented shape', () => {
    expect(token).toMatch(/^1800000060\.[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    { name: 'valid', room: 'room-a', token, secret: 'secret', at: now, ok: true },
    {
      name: 'valid until just before expiry',
      room: 'room-a',
      token,
      secret: 'secret',
      at: now + 59_999,
      ok: true,
    },
    { name: 'expired', room: 'room-a', token, secret: 'secret', at: now + 60_000, ok: false },
    { name: 'other room', room: 'room-b', token, secret: 'secret', at: now, ok: false },
    { name: 'other secret', room: 'room-a', token, secret: 'other', at: now, ok: false },
    { name: 'empty secret', room: 'room-a', token, secret: '', at: now, ok: false },
    { name: 'missing', room: 'room-a', token: undefined, secret: 'secret', at: now, ok: false },
    { name: 'empty', room: 'room-a', token: '', secret: 'secret', at: now, ok: false },
    {
      name: 'expiry moved later',
      room: 'room-a',
      token: token.replace(/^\d+/, '1900000000'),
      secret: 'secret',
      at: now,
      ok: false,
    },
    {
      name: 'signature cut',
      room: 'room-a',
      token: token.slice(0, -1),
      secret: 'secret',
      at: now,
      ok: false,
    },
    { name: 'garbage', room: 'room-a', token: 'a.b.c', secret: 'secret', at: now, ok: false },
    {
      name: 'signature flipped',
      room: 'room-a',
      token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'),
      secret: 'secret',
      at: now,
      ok: false,
    },
  ])('$name -> $ok', ({ room, token: t, secret, at, ok }) => {
    expect(verifyViewerToken(room, t, secret, at)).toBe(ok);
  });

  it.each([
    { secret: '', ttl: 60, error: /secret/ },
    { secret: 's', ttl: 0, error: /ttl/ },
    { secret: 's', ttl: Number.NaN, error: /ttl/ },
  ])('refuses to sign with secret "$secret" and ttl $ttl', ({ secret, ttl, error }) => {
    expect(() => signViewerToken('r', secret, ttl, now)).toThrow(error);
  });
});
