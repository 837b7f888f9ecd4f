import {
  apiErrorOf,
  authFailure,
  needsRefresh,
  parseSessionResponse,
  refreshDelayMs,
  retryAfterSeconds,
  sessionFrom,
} from './authState.ts';
import type { AuthAction, AuthFailure, Session } from './authState.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

export type { Session } from './authState.ts';

export type AuthResult = { ok: true; session: Session } | { ok: false; failure: AuthFailure };

export interface SessionDeps {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  now(): number;
  setTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout>;
  clearTimer(id: ReturnType<typeof setTimeout> | undefined): void;
  /** Remembers that this browser has a session (no secret: the refresh token is a cookie). */
  hint: { get(): boolean; set(on: boolean): void };
  /** Runs `fn` exclusively across this browser's tabs (Web Locks), so rotations do not race. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** After a failed refresh that was not a refusal (network down): try again this much later. */
const RETRY_REFRESH_MS = 30_000;

/**
 * This tab's sign-in. The access token lives only in memory; the refresh token is an HttpOnly
 * cookie, so a reload restores the session with `POST /api/auth/refresh`. The token is
 * refreshed shortly before it expires and whenever the server says UNAUTHORIZED.
 */
export class SessionStore {
  #session: Session | null = null;
  #restoring: Promise<void> | null = null;
  #restored = false;
  #refreshing: Promise<Session | null> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(private readonly deps: SessionDeps) {}

  get current(): Session | null {
    return this.#session;
  }

  /** True until the page-load restore has settled. */
  get restoring(): boolean {
    return this.#restoring !== null && !this.#restored;
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * On page load (idempotent): a browser that signed in before holds a refresh cookie. Guests
   * never signed in, so they are not asked (no request, no 401 in the console).
   */
  restore(): Promise<void> {
    this.#restoring ??= (async () => {
      if (this.deps.hint.get() && !this.#session) await this.refresh();
      this.#restored = true;
      this.#emit();
    })();
    return this.#restoring;
  }

  signIn(email: string, password: string): Promise<AuthResult> {
    return this.#authenticate('signin', { email, password });
  }

  signUp(name: string, email: string, password: string): Promise<AuthResult> {
    return this.#authenticate('signup', { email, password, name });
  }

  async signOut(): Promise<void> {
    const token = this.#session?.accessToken;
    this.#set(null);
    try {
      await this.deps.fetch('/api/auth/signout', {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    } catch (err) {
      // Signed out here either way; the cookie expires on its own.
      log.warn('sign-out request failed', err);
    }
  }

  /** A usable access token (refreshed first if it is about to expire), or null when signed out. */
  async accessToken(): Promise<string | null> {
    await this.restore();
    const s = this.#session;
    if (!s) return null;
    if (!needsRefresh(s, this.deps.now())) return s.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** A new access token from the refresh cookie; one request at a time. Null: signed out. */
  refresh(): Promise<Session | null> {
    this.#refreshing ??= this.deps
      .exclusive(() => this.#refreshOnce())
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  /** fetch() with `Authorization: Bearer`; on 401 it refreshes once and tries again. */
  async authFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const withToken = (token: string | null) =>
      this.deps.fetch(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...bearer(token) },
      });
    const res = await withToken(await this.accessToken());
    if (res.status !== 401 || !this.#session) return res;
    const fresh = await this.refresh();
    return fresh ? withToken(fresh.accessToken) : res;
  }

  async #refreshOnce(): Promise<Session | null> {
    let res: Response;
    try {
      res = await this.deps.fetch('/api/auth/refresh', { method: 'POST' });
    } catch (err) {
      log.warn('session refresh failed: network', err);
      this.#schedule(RETRY_REFRESH_MS);
      return this.#session;
    }
    const body = res.ok ? parseSessionResponse(await res.json().catch(() => null)) : null;
    if (body) {
      this.#set(sessionFrom(body, this.deps.now()), body.expiresIn);
    } else if (res.status === 401 || res.status === 403 || res.ok) {
      this.#set(null);
    } else {
      this.#schedule(RETRY_REFRESH_MS); // a server hiccup (5xx): keep the session for now
    }
    return this.#session;
  }

  async #authenticate(action: AuthAction, body: Record<string, string>): Promise<AuthResult> {
    let res: Response;
    try {
      res = await this.deps.fetch(`/api/auth/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      return { ok: false, failure: { message: 'Cannot reach the server. Check your connection.' } };
    }
    const json: unknown = await res.json().catch(() => null);
    const parsed = res.ok ? parseSessionResponse(json) : null;
    if (parsed) {
      const session = sessionFrom(parsed, this.deps.now());
      this.#set(session, parsed.expiresIn);
      return { ok: true, session };
    }
    const retryAfter = retryAfterSeconds(res.headers.get('retry-after'), this.deps.now());
    return { ok: false, failure: authFailure(action, res.status, apiErrorOf(json), retryAfter) };
  }

  #set(session: Session | null, expiresInS?: number): void {
    this.#session = session;
    this.deps.hint.set(session !== null);
    this.deps.clearTimer(this.#timer);
    this.#timer = undefined;
    if (session && expiresInS !== undefined) this.#schedule(refreshDelayMs(expiresInS));
    this.#emit();
  }

  #schedule(ms: number): void {
    this.deps.clearTimer(this.#timer);
    this.#timer = this.deps.setTimer(() => background(this.refresh(), 'session refresh'), ms);
  }

  #emit(): void {
    for (const fn of this.#listeners) fn();
  }
}

function bearer(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

const HINT_KEY = 'parley.signedIn';

function browserDeps(): SessionDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (id) => clearTimeout(id),
    hint: {
      get: () => {
        try {
          return localStorage.getItem(HINT_KEY) === '1';
        } catch {
          return false;
        }
      },
      set: (on) => {
        try {
          if (on) localStorage.setItem(HINT_KEY, '1');
          else localStorage.removeItem(HINT_KEY);
        } catch {
          // Storage unavailable: a reload simply does not restore the session.
        }
      },
    },
    exclusive: <T>(fn: () => Promise<T>): Promise<T> =>
      'locks' in navigator
        ? // The lock is held until fn settles; its result passes through.
          (navigator.locks.request('parley.session', fn) as Promise<T>)
        : fn(),
  };
}

/** The page's one session (module singleton: the home page and the room share it). */
export const session = new SessionStore(browserDeps());
