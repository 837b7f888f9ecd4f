import { describe, expect, it } from 'vitest';
import { LOGIN_TTL_S, LoginStates } from './loginState.ts';

const login = {
  state: 'state-0123456789abcdef',
  nonce: 'nonce-0123456789abcdef',
  verifier: 'verifier-0123456789abcdef-0123456789abcdef',
  next: '/r/abcdefghijklmnopqrstuv',
  redirectUri: 'https://parley.example/api/auth/oidc/callback',
};
const secret = new TextEncoder().encode('x'.repeat(32));

describe('LoginStates', () => {
  it('opens what it sealed, within ten minutes', async () => {
    let now = 1_700_000_000_000;
    const states = new LoginStates(secret, () => now);
    const sealed = await states.seal(login);
    expect(sealed).not.toContain(login.verifier);
    now += (LOGIN_TTL_S - 1) * 1000;
    expect(await states.open(sealed)).toEqual(login);
  });

  it('refuses an expired, altered or foreign cookie, and none at all', async () => {
    let now = 1_700_000_000_000;
    const states = new LoginStates(secret, () => now);
    const sealed = await states.seal(login);
    const other = new LoginStates(new TextEncoder().encode('y'.repeat(32)), () => now);
    expect(await other.open(sealed)).toBeUndefined();
    const parts = sealed.split('.');
    const flipped = parts[3]?.startsWith('A') ? `B${parts[3].slice(1)}` : `A${parts[3]?.slice(1)}`;
    expect(await states.open([...parts.slice(0, 3), flipped, parts[4]].join('.'))).toBeUndefined();
    expect(await states.open(undefined)).toBeUndefined();
    expect(await states.open('garbage')).toBeUndefined();
    now += (LOGIN_TTL_S + 1) * 1000;
    expect(await states.open(sealed)).toBeUndefined();
  });
});
