import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from './accessTokens.ts';

const key = new TextEncoder().encode('k'.repeat(32));
const tokens = new AccessTokens(key, 900);
const user = { id: 'user-1', name: 'Ada' };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

/** A JWT built with jose, with every claim right unless `change` says otherwise. */
function forge(
  change: { alg?: string; key?: Uint8Array; aud?: string; iss?: string; exp?: number } = {},
): Promise<string> {
  return new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: change.alg ?? 'HS256' })
    .setSubject(user.id)
    .setIssuer(change.iss ?? 'parley')
    .setAudience(change.aud ?? 'parley')
    .setIssuedAt()
    .setExpirationTime(change.exp ?? now() + 60)
    .sign(change.key ?? key);
}

describe('AccessTokens', () => {
  it('verifies what it signs, with the user id as sub and the name claim', async () => {
    const token = await tokens.sign(user);
    expect(await tokens.verify(token)).toEqual(user);
    const header = decodeProtectedHeader(token);
    const payload = decodeJwt(token);
    expect(header).toMatchObject({ alg: 'HS256' });
    expect(payload).toMatchObject({ sub: 'user-1', name: 'Ada', iss: 'parley', aud: 'parley' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  const refused: [string, () => Promise<string>][] = [
    [
      'alg none (hand-built, no signature)',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: user.id, name: user.name, iss: 'parley', aud: 'parley', exp: now() + 60 })}.`,
    ],
    ['another key', () => forge({ key: new TextEncoder().encode('x'.repeat(32)) })],
    ['another alg with the same key (HS512)', () => forge({ alg: 'HS512' })],
    ['expired', () => forge({ exp: now() - 1 })],
    ['another audience', () => forge({ aud: 'someone-else' })],
    ['another issuer', () => forge({ iss: 'someone-else' })],
    [
      'a changed payload',
      async () => {
        const [h, , s] = (await forge()).split('.');
        return `${h}.${b64({ sub: 'admin', name: 'x', iss: 'parley', aud: 'parley', exp: now() + 60 })}.${s}`;
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
    ['empty', async () => ''],
  ];
  it.each(refused)('refuses %s', async (_, make) => {
    expect(await tokens.verify(await make())).toBeUndefined();
  });

  it('refuses a token without the name claim', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('parley')
      .setAudience('parley')
      .setExpirationTime(now() + 60)
      .sign(key);
    expect(await tokens.verify(token)).toBeUndefined();
  });
});
