// Single sign-on (issue 21) against a real OpenID provider (oidc-provider) on a loopback port:
// the browser's redirects are followed with fetch() and a cookie jar.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionResponse, SsoInfoResponse } from '@parley/protocol';
import { CookieJar } from './support/cookieJar.ts';
import { TEST_CLIENT, TEST_PASSWORD, startTestProvider } from './support/oidcProvider.ts';
import type { TestProvider } from './support/oidcProvider.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const JWT_SECRET = 'sso-test-secret-0123456789abcdefghijklmnop';
const ROOM_PATH = '/r/abcdefghijklmnopqrstuv';
let people = 0;

/** A new person at the provider: their login (`sub`) and email. */
function person(provider: TestProvider, claims: { verified?: boolean; email?: string } = {}) {
  const login = `person${++people}`;
  const email = claims.email ?? `${login}-${Date.now()}@school.example`;
  provider.accounts.set(login, {
    email,
    email_verified: claims.verified ?? true,
    name: `Person ${people}`,
  });
  return { login, email };
}

const isRedirect = (res: Response): boolean => res.status >= 300 && res.status < 400;
const location = (res: Response, base: string): string =>
  new URL(res.headers.get('location') ?? '', base).href;

/**
 * Clicks "Sign in with ..." on `server` and signs in at the provider as `login`, following
 * redirects up to (not including) the request back to Parley's callback, whose URL it returns.
 * `tamper` may rewrite the authorization request on its way to the provider.
 */
async function signInAtProvider(
  jar: CookieJar,
  server: TestServer,
  login: string,
  tamper: (authorizationUrl: URL) => void = () => undefined,
): Promise<URL> {
  const start = await jar.fetch(`${server.url}/api/auth/oidc/start?next=${ROOM_PATH}`);
  expect(start.status).toBe(303);
  const authorization = new URL(location(start, server.url));
  tamper(authorization);
  let url = authorization.href;
  let res = await jar.fetch(url);
  for (let hops = 0; hops < 20; hops++) {
    if (isRedirect(res)) {
      url = location(res, url);
      if (url.startsWith(`${server.url}/api/auth/oidc/callback`)) return new URL(url);
      res = await jar.fetch(url);
    } else if (res.status === 200 && /<form method="post"/.test(await res.text())) {
      const form = new URLSearchParams({ login, password: TEST_PASSWORD });
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      res = await jar.fetch(url, { method: 'POST', headers, body: form.toString() });
    } else {
      throw new Error(`the provider answered ${res.status} at ${url}`);
    }
  }
  throw new Error('too many redirects');
}

/** Back at Parley's callback: where it sends the browser (a path and query on Parley). */
async function callback(jar: CookieJar, url: URL | string): Promise<URL> {
  const res = await jar.fetch(String(url));
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location') ?? '', String(url));
}

/** The session the app gets on the landing page: `POST /api/auth/refresh` with the cookie. */
async function refresh(jar: CookieJar, server: TestServer): Promise<Response> {
  return jar.fetch(`${server.url}/api/auth/refresh`, { method: 'POST' });
}

/** `POST /api/auth/<route>` (signup, signin) as a browser with `jar` would send it. */
async function withPassword(
  jar: CookieJar,
  server: TestServer,
  route: 'signup' | 'signin',
  body: { email: string; password: string; name?: string },
): Promise<Response> {
  const headers = { 'content-type': 'application/json' };
  const init = { method: 'POST', headers, body: JSON.stringify(body) };
  return jar.fetch(`${server.url}/api/auth/${route}`, init);
}

describe('single sign-on with an OpenID provider', () => {
  let provider: TestProvider;
  let server: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    provider = await startTestProvider();
    const oidc = {
      issuer: provider.issuer,
      clientId: TEST_CLIENT.id,
      clientSecret: TEST_CLIENT.secret,
      name: 'Test School',
    };
    server = await startTestServer({ oidc, jwtSecret: JWT_SECRET });
    // A second node over the same database and JWT secret, as in a cluster.
    other = await startTestServer({ oidc, jwtSecret: JWT_SECRET, dataDir: server.dataDir });
    provider.allow(server.url);
    provider.allow(other.url);
  });
  afterAll(async () => {
    await other?.close();
    await server?.dispose();
    await provider?.close();
  });

  it('names the provider for the sign-in page', async () => {
    const res = await fetch(`${server.url}/api/auth/oidc`);
    expect((await res.json()) as SsoInfoResponse).toEqual({
      provider: { name: 'Test School', startUrl: '/api/auth/oidc/start' },
    });
  });

  it('creates an account at the first sign-in, and finds it by (issuer, subject) later', async () => {
    const { login, email } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login);
    expect(back.searchParams.get('iss')).toBe(provider.issuer);
    const landing = await callback(jar, back);
    expect(landing.pathname + landing.search).toBe(
      `/signin?sso=ok&next=${encodeURIComponent(ROOM_PATH)}`,
    );
    expect(jar.get('parley_sso')).toBeUndefined(); // spent
    const res = await refresh(jar, server);
    expect(res.status).toBe(200);
    const first = (await res.json()) as SessionResponse;
    expect(first.user).toMatchObject({ email, name: expect.stringMatching(/^Person \d+$/) });
    const me = await fetch(`${server.url}/api/me`, {
      headers: { authorization: `Bearer ${first.accessToken}` },
    });
    expect(me.status).toBe(200);

    // Again, from a fresh browser: the same account, not a second one.
    const again = new CookieJar();
    await callback(again, await signInAtProvider(again, server, login));
    const second = (await (await refresh(again, server)).json()) as SessionResponse;
    expect(second.user.id).toBe(first.user.id);

    // No password opens an account made by single sign-on.
    const password = await fetch(`${server.url}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'anything at all' }),
    });
    expect(password.status).toBe(401);
  });

  it('links an existing account by its verified email', async () => {
    const { login, email } = person(provider, { verified: true });
    const signUp = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery staple', name: 'Pat' }),
    });
    const account = (await signUp.json()) as SessionResponse;
    const jar = new CookieJar();
    await callback(jar, await signInAtProvider(jar, server, login));
    const session = (await (await refresh(jar, server)).json()) as SessionResponse;
    expect(session.user).toEqual(account.user);
  });

  it('takes a pre-registered account from the password that waited for its owner', async () => {
    const victim = person(provider, { verified: true });
    // The attacker signs up with the victim's address first (sign-ups verify no email), and
    // holds two sessions: the sign-up's, and a second device's rotated once.
    const attacker = { email: victim.email, password: 'the attacker knows this one' };
    const attackerJar = new CookieJar();
    const signUp = await withPassword(attackerJar, server, 'signup', { ...attacker, name: 'M' });
    expect(signUp.status).toBe(201);
    const account = (await signUp.json()) as SessionResponse;
    const secondDevice = new CookieJar();
    expect((await withPassword(secondDevice, server, 'signin', attacker)).status).toBe(200);
    expect((await refresh(secondDevice, server)).status).toBe(200);

    const jar = new CookieJar();
    const landing = await callback(jar, await signInAtProvider(jar, server, victim.login));
    expect(landing.searchParams.get('sso')).toBe('ok');
    const session = (await (await refresh(jar, server)).json()) as SessionResponse;
    expect(session.user.id).toBe(account.user.id);

    // The attacker's password and both sessions stopped working, on every node.
    expect((await withPassword(new CookieJar(), other, 'signin', attacker)).status).toBe(401);
    expect((await refresh(attackerJar, server)).status).toBe(401);
    expect((await refresh(secondDevice, other)).status).toBe(401);
    // The owner's session is untouched by those refusals.
    const again = await refresh(jar, server);
    expect(again.status).toBe(200);
    const { accessToken } = (await again.json()) as SessionResponse;
    const me = await fetch(`${server.url}/api/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(200);
  });

  it('revokes nothing at later sign-ins of a linked account', async () => {
    const { login, email } = person(provider, { verified: true });
    const password = { email, password: 'my own password, before sso' };
    const signUp = await withPassword(new CookieJar(), server, 'signup', {
      ...password,
      name: 'O',
    });
    expect(signUp.status).toBe(201);
    const laptop = new CookieJar(); // the first sign-on links the account
    await callback(laptop, await signInAtProvider(laptop, server, login));
    expect((await refresh(laptop, server)).status).toBe(200);
    const phone = new CookieJar(); // the second finds it by its identity
    await callback(phone, await signInAtProvider(phone, server, login));
    expect((await refresh(phone, server)).status).toBe(200);
    expect((await refresh(laptop, server)).status).toBe(200);
  });

  it('never opens an existing account for an unverified email', async () => {
    const owner = person(provider);
    // Someone else at the provider claims the owner's address, unverified.
    const intruder = person(provider, { email: owner.email, verified: false });
    const jar = new CookieJar();
    await callback(jar, await signInAtProvider(jar, server, owner.login)); // the owner's account
    const refused = new CookieJar();
    const landing = await callback(
      refused,
      await signInAtProvider(refused, server, intruder.login),
    );
    expect(landing.pathname).toBe('/signin');
    expect(landing.searchParams.get('sso_error')).toBe('SSO_EMAIL_UNVERIFIED');
    expect(landing.searchParams.get('next')).toBe(ROOM_PATH);
    expect((await refresh(refused, server)).status).toBe(401);
  });

  it('keeps an account to the identity that made it: another one with its email is refused', async () => {
    const owner = person(provider);
    const jar = new CookieJar();
    await callback(jar, await signInAtProvider(jar, server, owner.login));
    // A second identity at the same provider, with the same (verified) address.
    const twin = person(provider, { email: owner.email, verified: true });
    const refused = new CookieJar();
    const landing = await callback(refused, await signInAtProvider(refused, server, twin.login));
    expect(landing.searchParams.get('sso_error')).toBe('SSO_ACCOUNT_CONFLICT');
  });

  it('creates an account for an unverified email that has none', async () => {
    const { login, email } = person(provider, { verified: false });
    const jar = new CookieJar();
    await callback(jar, await signInAtProvider(jar, server, login));
    const session = (await (await refresh(jar, server)).json()) as SessionResponse;
    expect(session.user.email).toBe(email);
  });

  it('finishes on another node a sign-in that one node started', async () => {
    const { login, email } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login);
    const onOther = new URL(back.pathname + back.search, other.url);
    const landing = await callback(jar, onOther);
    expect(landing.searchParams.get('sso')).toBe('ok');
    const session = (await (await refresh(jar, other)).json()) as SessionResponse;
    expect(session.user.email).toBe(email);
  });

  it('refuses a tampered state', async () => {
    const { login } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login);
    back.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const landing = await callback(jar, back);
    expect(landing.searchParams.get('sso_error')).toBe('SSO_STATE_MISMATCH');
    expect((await refresh(jar, server)).status).toBe(401);
  });

  it('refuses an ID token whose nonce is not this sign-in’s', async () => {
    const { login } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login, (url) =>
      url.searchParams.set('nonce', 'a-nonce-parley-never-made'),
    );
    const landing = await callback(jar, back);
    expect(landing.searchParams.get('sso_error')).toBe('SSO_NONCE_MISMATCH');
    expect((await refresh(jar, server)).status).toBe(401);
  });

  it('refuses a code issued for another PKCE challenge than this sign-in’s', async () => {
    const { login } = person(provider);
    const jar = new CookieJar();
    // A code injected from another authorization request: its verifier is not ours.
    const back = await signInAtProvider(jar, server, login, (url) =>
      url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
    );
    const landing = await callback(jar, back);
    expect(landing.searchParams.get('sso_error')).toBe('SSO_CODE_REJECTED');
    expect((await refresh(jar, server)).status).toBe(401);
  });

  it('refuses a code that expired at the provider', async () => {
    const { login } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login);
    // The provider's codes live 60 s; the sign-in's cookie 10 min. Two minutes on the clock
    // (Date only: the provider, openid-client and Parley all read it) expire the first only.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    try {
      const landing = await callback(jar, back);
      expect(landing.searchParams.get('sso_error')).toBe('SSO_CODE_REJECTED');
    } finally {
      vi.useRealTimers();
    }
    expect((await refresh(jar, server)).status).toBe(401);
  });

  it('refuses a code used already, and a callback whose sign-in is spent', async () => {
    const { login } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login);
    const sealed = jar.get('parley_sso') ?? '';
    expect((await callback(jar, back)).searchParams.get('sso')).toBe('ok');
    // Replayed as it was: the browser no longer holds the sign-in.
    const replay = new CookieJar();
    expect((await callback(replay, back)).searchParams.get('sso_error')).toBe('SSO_LOGIN_EXPIRED');
    // Replayed with a copy of the sign-in's cookie: the provider refuses the code itself.
    replay.set(server.url, 'parley_sso', sealed, '/api/auth/oidc');
    const landing = await callback(replay, back);
    expect(landing.searchParams.get('sso_error')).toBe('SSO_CODE_REJECTED');
    expect((await refresh(replay, server)).status).toBe(401);
  });

  it('refuses an answer that names another issuer', async () => {
    const { login } = person(provider);
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, server, login);
    back.searchParams.set('iss', 'https://attacker.example');
    const landing = await callback(jar, back);
    expect(landing.searchParams.get('sso_error')).toBe('SSO_ISSUER_MISMATCH');
  });

  it('passes on a refusal from the provider', async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${server.url}/api/auth/oidc/start`);
    const state = new URL(location(start, server.url)).searchParams.get('state') ?? '';
    const query = new URLSearchParams({ error: 'access_denied', state, iss: provider.issuer });
    const landing = await callback(jar, `${server.url}/api/auth/oidc/callback?${query}`);
    expect(landing.pathname).toBe('/signin');
    expect(landing.searchParams.get('sso_error')).toBe('SSO_DENIED');
    expect(landing.searchParams.get('next')).toBe('/');
  });

  it.each([
    ['?next=//evil.example/r/x', 'a protocol-relative next'],
    ['?next=https://evil.example/', 'an absolute next'],
    ['?next=/%5Cevil.example', 'a backslash next'],
    ['?next=/a&next=/b', 'two nexts'],
    ['?next=/a&other=1', 'an unknown parameter'],
  ])('refuses to start with %s (%s)', async (query) => {
    const res = await fetch(`${server.url}/api/auth/oidc/start${query}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_MESSAGE');
  });

  it.each([
    ['', 'nothing'],
    ['?code=abc', 'no state'],
    ['?state=abc', 'neither code nor error'],
    ['?state=a&state=b&code=c', 'a repeated state'],
  ])('refuses a callback with %s (%s)', async (query) => {
    const res = await fetch(`${server.url}/api/auth/oidc/callback${query}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_MESSAGE');
  });

  it('answers only GET', async () => {
    const res = await fetch(`${server.url}/api/auth/oidc/start`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('single sign-on with a provider that is not the configured issuer', () => {
  let provider: TestProvider;
  let server: TestServer;

  beforeAll(async () => {
    provider = await startTestProvider(); // its issuer is http://127.0.0.1:<port>
    const issuer = provider.issuer.replace('127.0.0.1', 'localhost');
    const oidc = { issuer, clientId: TEST_CLIENT.id, clientSecret: 'x', name: 'Elsewhere' };
    server = await startTestServer({ oidc });
    provider.allow(server.url);
  });
  afterAll(async () => {
    await server?.dispose();
    await provider?.close();
  });

  it('sends nobody to it', async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${server.url}/api/auth/oidc/start?next=/`);
    expect(start.status).toBe(303);
    const landing = new URL(location(start, server.url));
    expect(landing.origin).toBe(server.url);
    expect(landing.searchParams.get('sso_error')).toBe('SSO_ISSUER_MISMATCH');
  });
});

describe('single sign-on when it is not configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('offers no provider, and its routes say so', async () => {
    const info = await fetch(`${server.url}/api/auth/oidc`);
    expect((await info.json()) as SsoInfoResponse).toEqual({ provider: null });
    for (const path of ['/api/auth/oidc/start?next=/', '/api/auth/oidc/callback?state=a&code=b']) {
      const res = await fetch(server.url + path, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect((await res.json()) as unknown).toEqual({
        error: { code: 'SSO_NOT_CONFIGURED', message: 'single sign-on is not configured here' },
      });
    }
  });
});
