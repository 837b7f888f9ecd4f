import { describe, expect, it } from 'vitest';
import { SessionStore } from './session.ts';
import type { SessionDeps } from './session.ts';

const user = { id: 'u1', email: 'ada@example.org', name: 'Ada' };

type Handler = (path: string, init: RequestInit | undefined) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A store on a fake clock and fake fetch; `calls` records every request path and auth header. */
function setup(handler: Handler, { signedInBefore = false } = {}) {
  let now = 1_000_000;
  let hint = signedInBefore;
  const timers: { fn: () => void; at: number }[] = [];
  const calls: { path: string; auth: string | undefined }[] = [];
  const deps: SessionDeps = {
    fetch: async (path, init) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      calls.push({ path, auth: headers.authorization });
      return handler(path, init);
    },
    now: () => now,
    setTimer: (fn, ms) => {
      timers.push({ fn, at: now + ms });
      return timers.length as unknown as ReturnType<typeof setTimeout>;
    },
    clearTimer: (id) => {
      const t = timers[(id as unknown as number) - 1];
      if (t) t.at = Infinity;
    },
    hint: { get: () => hint, set: (on) => (hint = on) },
    exclusive: (fn) => fn(),
  };
  const store = new SessionStore(deps);
  return {
    store,
    calls,
    hint: () => hint,
    /** Moves the clock and runs what fell due. */
    advance(ms: number) {
      now += ms;
      for (const t of timers) {
        if (t.at <= now) {
          t.at = Infinity;
          t.fn();
        }
      }
    },
  };
}

const tokens = (n: number) => json(200, { accessToken: `jwt${n}`, expiresIn: 900, user });

describe('SessionStore', () => {
  it('does not ask the server on load when this browser never signed in', async () => {
    const env = setup(() => json(401, {}));
    await env.store.restore();
    expect(env.calls).toEqual([]);
    expect(env.store.current).toBeNull();
    expect(await env.store.accessToken()).toBeNull();
  });

  it('restores a session from the refresh cookie on load', async () => {
    const env = setup(() => tokens(1), { signedInBefore: true });
    await env.store.restore();
    expect(env.calls.map((c) => c.path)).toEqual(['/api/auth/refresh']);
    expect(env.store.current?.user).toEqual(user);
    expect(await env.store.accessToken()).toBe('jwt1');
  });

  it('forgets the session when the cookie is refused', async () => {
    const env = setup(() => json(401, { error: { code: 'UNAUTHORIZED', message: '' } }), {
      signedInBefore: true,
    });
    await env.store.restore();
    expect(env.store.current).toBeNull();
    expect(env.hint()).toBe(false);
  });

  it('refreshes a minute before expiry, one request for concurrent callers', async () => {
    let n = 0;
    const env = setup((path) => (path === '/api/auth/refresh' ? tokens(++n + 1) : tokens(1)));
    await env.store.signIn('ada@example.org', 'correct horse');
    expect(env.hint()).toBe(true);
    const [a, b] = await Promise.all([env.store.refresh(), env.store.refresh()]);
    expect(a).toBe(b);
    expect(n).toBe(1);
    env.advance(839_000);
    expect(n).toBe(1);
    env.advance(1_000); // 840 s into a 900 s token
    await Promise.resolve();
    expect(n).toBe(2);
  });

  it('refreshes before handing out a token that is about to expire', async () => {
    let n = 0;
    const env = setup((path) => (path === '/api/auth/refresh' ? tokens(++n + 1) : tokens(1)));
    await env.store.signIn('ada@example.org', 'pw');
    // The tab slept through the timer: the token is stale when asked for.
    env.advance(0);
    (env.store.current as { expiresAt: number }).expiresAt = 0;
    expect(await env.store.accessToken()).toBe('jwt2');
  });

  it('keeps the session through a network failure of the refresh', async () => {
    let fail = false;
    const env = setup(() => {
      if (fail) throw new TypeError('Failed to fetch');
      return tokens(1);
    });
    await env.store.signIn('ada@example.org', 'pw');
    fail = true;
    expect(await env.store.refresh()).not.toBeNull();
    expect(env.store.current?.accessToken).toBe('jwt1');
  });

  it('authFetch sends the bearer token and retries once after a refresh on 401', async () => {
    let refreshed = false;
    const env = setup((path, init) => {
      if (path === '/api/auth/signin') return tokens(1);
      if (path === '/api/auth/refresh') return ((refreshed = true), tokens(2));
      const auth = (init?.headers as Record<string, string>).authorization;
      return auth === 'Bearer jwt2' ? json(200, { rooms: [] }) : json(401, {});
    });
    await env.store.signIn('ada@example.org', 'pw');
    const res = await env.store.authFetch('/api/me/rooms');
    expect(res.status).toBe(200);
    expect(refreshed).toBe(true);
    expect(env.calls.filter((c) => c.path === '/api/me/rooms').map((c) => c.auth)).toEqual([
      'Bearer jwt1',
      'Bearer jwt2',
    ]);
  });

  it('reports refused sign-ins in words, with the wait of a rate limit', async () => {
    const env = setup((path) =>
      path === '/api/auth/signin'
        ? json(
            429,
            { error: { code: 'RATE_LIMITED', message: 'slow down' } },
            { 'retry-after': '12' },
          )
        : json(409, { error: { code: 'EMAIL_TAKEN', message: 'taken' } }),
    );
    expect(await env.store.signIn('a@b.c', 'pw')).toEqual({
      ok: false,
      failure: { message: 'Too many attempts. Wait 12 s before trying again.', retryAfterS: 12 },
    });
    const up = await env.store.signUp('Ada', 'a@b.c', 'long enough');
    expect(up.ok ? null : up.failure.message).toMatch(/already exists/);
    expect(env.store.current).toBeNull();
  });

  it('signs out locally even when the server cannot be reached', async () => {
    let offline = false;
    const env = setup(() => {
      if (offline) throw new TypeError('Failed to fetch');
      return tokens(1);
    });
    await env.store.signIn('ada@example.org', 'pw');
    const seen: (string | null)[] = [];
    env.store.subscribe(() => seen.push(env.store.current?.user.name ?? null));
    offline = true;
    await env.store.signOut();
    expect(env.store.current).toBeNull();
    expect(env.hint()).toBe(false);
    expect(seen).toEqual([null]);
  });
});
