import { describe, expect, it } from 'vitest';
import {
  apiErrorOf,
  authFailure,
  needsRefresh,
  parseSessionResponse,
  refreshDelayMs,
  retryAfterSeconds,
  safeNext,
  ssoFailureMessage,
  ssoStartHref,
} from './authState.ts';
import { SSO_ERROR_CODES } from '@parley/protocol';

describe('refreshDelayMs', () => {
  it.each<[number, number]>([
    [900, 840_000], // 15 min token: a minute before expiry
    [3600, 3_540_000],
    [120, 90_000], // too short for the margin: at three quarters
    [60, 45_000],
    [1, 1_000], // never sooner than a second
    [0, 1_000],
  ])('a %i s token is refreshed after %i ms', (s, ms) => {
    expect(refreshDelayMs(s)).toBe(ms);
  });
});

describe('needsRefresh', () => {
  const s = { accessToken: 't', user: { id: 'u', email: 'e', name: 'n' }, expiresAt: 100_000 };
  it('is false well before expiry and true in the last seconds or after', () => {
    expect(needsRefresh(s, 0)).toBe(false);
    expect(needsRefresh(s, 94_000)).toBe(false);
    expect(needsRefresh(s, 96_000)).toBe(true);
    expect(needsRefresh(s, 200_000)).toBe(true);
  });
});

describe('parseSessionResponse', () => {
  const user = { id: 'u1', email: 'ada@example.org', name: 'Ada' };
  it('accepts a session and drops unknown fields', () => {
    expect(parseSessionResponse({ accessToken: 'jwt', expiresIn: 900, user, extra: 1 })).toEqual({
      accessToken: 'jwt',
      expiresIn: 900,
      user,
    });
  });
  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'jwt'],
    ['no token', { expiresIn: 900, user }],
    ['expiresIn as text', { accessToken: 'jwt', expiresIn: '900', user }],
    ['no user', { accessToken: 'jwt', expiresIn: 900 }],
    ['a user without email', { accessToken: 'jwt', expiresIn: 900, user: { id: 'u', name: 'A' } }],
  ])('refuses %s', (_label, body) => {
    expect(parseSessionResponse(body)).toBeNull();
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['', undefined],
    ['30', 30],
    [' 5 ', 5],
    ['Wed, 01 Jan 2025 00:00:42 GMT', 42],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['soon', undefined],
  ])('%j is %j', (header, s) => {
    expect(retryAfterSeconds(header, now)).toBe(s);
  });
});

describe('apiErrorOf', () => {
  it('reads {error: {code, message}} and nothing else', () => {
    expect(apiErrorOf({ error: { code: 'EMAIL_TAKEN', message: 'taken' } })).toEqual({
      code: 'EMAIL_TAKEN',
      message: 'taken',
    });
    expect(apiErrorOf({ error: { code: 'X' } })).toEqual({ code: 'X', message: '' });
    expect(apiErrorOf({ error: 'nope' })).toBeNull();
    expect(apiErrorOf(null)).toBeNull();
  });
});

describe('authFailure', () => {
  const err = (code: string, message = '') => ({ code, message });
  it.each<[string, Parameters<typeof authFailure>, string]>([
    ['wrong password', ['signin', 401, err('INVALID_CREDENTIALS')], 'Wrong email or password.'],
    ['a bare 401 on sign-in', ['signin', 401, null], 'Wrong email or password.'],
    [
      'email taken',
      ['signup', 409, err('EMAIL_TAKEN')],
      'An account with this email already exists. Sign in instead.',
    ],
    [
      'too many attempts with Retry-After',
      ['signin', 429, err('RATE_LIMITED'), 42],
      'Too many attempts. Wait 42 s before trying again.',
    ],
    [
      'too many attempts without it',
      ['signup', 429, null],
      'Too many attempts. Wait a minute before trying again.',
    ],
    [
      'a validation error',
      ['signup', 400, err('BAD_MESSAGE', 'password too short')],
      'Check what you entered: password too short',
    ],
    [
      'a server failure',
      ['signup', 500, null],
      'The server could not create your account (HTTP 500). Try again later.',
    ],
  ])('%s', (_label, args, message) => {
    expect(authFailure(...args).message).toBe(message);
  });

  it('carries the wait so the form can count down', () => {
    expect(authFailure('signin', 429, null, 7).retryAfterS).toBe(7);
    expect(authFailure('signin', 429, null).retryAfterS).toBeUndefined();
  });
});

describe('safeNext', () => {
  it.each<[string | null, string]>([
    [null, '/'],
    ['', '/'],
    ['/r/AbCdEfGhIjKlMnOpQrStUv', '/r/AbCdEfGhIjKlMnOpQrStUv'],
    ['/', '/'],
    ['//evil.example/r/x', '/'],
    ['https://evil.example', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
  ])('%j goes to %j', (next, path) => {
    expect(safeNext(next)).toBe(path);
  });
});

describe('single sign-on', () => {
  it.each(Object.values(SSO_ERROR_CODES))('explains %s in its own words', (code) => {
    const message = ssoFailureMessage(code);
    expect(message).not.toBe(ssoFailureMessage('SOMETHING_NEW'));
    expect(message).toMatch(/\.$/);
  });

  it('starts with the return path when there is one', () => {
    expect(ssoStartHref('/api/auth/oidc/start', '/')).toBe('/api/auth/oidc/start');
    expect(ssoStartHref('/api/auth/oidc/start', '/r/abc?x=1')).toBe(
      '/api/auth/oidc/start?next=%2Fr%2Fabc%3Fx%3D1',
    );
  });
});
