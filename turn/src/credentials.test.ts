import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintTurnCredential } from './credentials.ts';
import { iceServersFor } from './iceServers.ts';

describe('mintTurnCredential', () => {
  it.each([
    { secret: 's3cret', user: 'peerA', ttlS: 600, nowS: 1_700_000_000 },
    { secret: 'another', user: 'x', ttlS: 60, nowS: 0 },
  ])(
    'signs <expiry>:<user> with HMAC-SHA1 of the secret ($user)',
    ({ secret, user, ttlS, nowS }) => {
      const c = mintTurnCredential({ secret, user, ttlS, nowS });
      expect(c.username).toBe(`${nowS + ttlS}:${user}`);
      expect(c.expiresAt).toBe(nowS + ttlS);
      const expected = createHmac('sha1', secret).update(c.username).digest('base64');
      expect(c.credential).toBe(expected);
    },
  );

  it('matches the TURN REST draft example format (base64 of a 20-byte HMAC)', () => {
    const c = mintTurnCredential({ secret: 'k', user: 'u', ttlS: 1, nowS: 1 });
    expect(Buffer.from(c.credential, 'base64')).toHaveLength(20);
  });

  it('refuses an empty secret and a user with a colon', () => {
    expect(() => mintTurnCredential({ secret: '', user: 'u', ttlS: 1 })).toThrow(/secret/);
    expect(() => mintTurnCredential({ secret: 's', user: 'a:b', ttlS: 1 })).toThrow(/":"/);
  });
});

describe('iceServersFor', () => {
  it('gives STUN only when no TURN is configured', () => {
    expect(iceServersFor({ stunUrls: ['stun:127.0.0.1:3478'] }, 'p')).toEqual([
      { urls: ['stun:127.0.0.1:3478'] },
    ]);
    expect(iceServersFor({ stunUrls: [] }, 'p')).toEqual([]);
  });

  it('adds TURN with a per-peer credential and never the secret', () => {
    const servers = iceServersFor(
      { stunUrls: [], turn: { urls: ['turn:127.0.0.1:3478'], secret: 'topsecret', ttlS: 600 } },
      'peer1',
      100,
    );
    expect(servers).toHaveLength(1);
    expect(servers[0]?.username).toBe('700:peer1');
    expect(JSON.stringify(servers)).not.toContain('topsecret');
  });
});
