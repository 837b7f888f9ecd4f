import { AUTH_ERROR_CODES, ERROR_CODES, SSO_ERROR_CODES } from '@parley/protocol';
import type { SessionResponse, SsoErrorCode } from '@parley/protocol';

/** A signed-in session as this tab keeps it: in memory only (the refresh token is a cookie). */
export interface Session {
  accessToken: string;
  user: SessionResponse['user'];
  /** When the access token expires, ms since the epoch (our clock). */
  expiresAt: number;
}

export function sessionFrom(body: SessionResponse, now: number): Session {
  return { accessToken: body.accessToken, user: body.user, expiresAt: now + body.expiresIn * 1000 };
}

/** Untrusted JSON to a SessionResponse, or null when it does not look like one. */
export function parseSessionResponse(v: unknown): SessionResponse | null {
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  const u = r.user as Record<string, unknown> | null | undefined;
  if (typeof r.accessToken !== 'string' || typeof r.expiresIn !== 'number') return null;
  if (typeof u !== 'object' || u === null) return null;
  if (typeof u.id !== 'string' || typeof u.email !== 'string' || typeof u.name !== 'string') {
    return null;
  }
  return {
    accessToken: r.accessToken,
    expiresIn: r.expiresIn,
    user: { id: u.id, email: u.email, name: u.name },
  };
}

const REFRESH_MARGIN_MS = 60_000;
const MIN_REFRESH_DELAY_MS = 1_000;

/**
 * When to refresh an access token that lives `expiresInS` seconds: a minute before it expires,
 * or at three quarters of a lifetime too short for that margin.
 */
export function refreshDelayMs(expiresInS: number): number {
  const lifetime = expiresInS * 1000;
  return Math.max(MIN_REFRESH_DELAY_MS, Math.max(lifetime - REFRESH_MARGIN_MS, lifetime * 0.75));
}

/** The token is (nearly) expired: refresh before using it, e.g. after the laptop slept. */
export function needsRefresh(session: Session, now: number): boolean {
  return session.expiresAt - now < 5_000;
}

export type AuthAction = 'signin' | 'signup';

/** What a refused sign-in or sign-up tells the user. */
export interface AuthFailure {
  message: string;
  /** RATE_LIMITED: seconds to wait before another attempt (Retry-After), when known. */
  retryAfterS?: number;
}

/**
 * Reads `Retry-After` (delta seconds, or an HTTP date) into whole seconds from `now`; undefined
 * when absent or unreadable.
 */
export function retryAfterSeconds(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The REST error `{error: {code, message}}` of a refused request, if the body is one. */
export function apiErrorOf(body: unknown): { code: string; message: string } | null {
  if (typeof body !== 'object' || body === null) return null;
  const e = (body as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return null;
  const { code, message } = e as Record<string, unknown>;
  return typeof code === 'string'
    ? { code, message: typeof message === 'string' ? message : '' }
    : null;
}

/** A readable sentence for a refused sign-in or sign-up (status, REST error code, Retry-After). */
export function authFailure(
  action: AuthAction,
  status: number,
  error: { code: string; message: string } | null,
  retryAfterS?: number,
): AuthFailure {
  const code = error?.code;
  if (status === 429 || code === ERROR_CODES.RATE_LIMITED) {
    const wait = retryAfterS === undefined ? 'a minute' : `${Math.max(1, retryAfterS)} s`;
    return {
      message: `Too many attempts. Wait ${wait} before trying again.`,
      ...(retryAfterS === undefined ? {} : { retryAfterS: Math.max(1, retryAfterS) }),
    };
  }
  if (code === AUTH_ERROR_CODES.INVALID_CREDENTIALS || (action === 'signin' && status === 401)) {
    return { message: 'Wrong email or password.' };
  }
  if (code === AUTH_ERROR_CODES.EMAIL_TAKEN || status === 409) {
    return { message: 'An account with this email already exists. Sign in instead.' };
  }
  if (status === 400) {
    return { message: `Check what you entered${error?.message ? `: ${error.message}` : '.'}` };
  }
  const what = action === 'signin' ? 'sign you in' : 'create your account';
  return { message: `The server could not ${what} (HTTP ${status}). Try again later.` };
}

/**
 * Where to go after signing in: only a path on this site (`/r/<id>`), never another origin
 * (`//evil.example`, `https://...`), so a crafted link cannot send a user away.
 */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

/** What the sign-in page tells someone whom single sign-on sent back with `sso_error=<code>`. */
const SSO_FAILURES: Record<SsoErrorCode, string> = {
  [SSO_ERROR_CODES.SSO_NOT_CONFIGURED]: 'Single sign-on is not available on this server.',
  [SSO_ERROR_CODES.SSO_LOGIN_EXPIRED]:
    'That sign-in took too long or was already used. Start again with the button below.',
  [SSO_ERROR_CODES.SSO_STATE_MISMATCH]:
    'That sign-in answer was not for this browser, so it was ignored. Start again.',
  [SSO_ERROR_CODES.SSO_ISSUER_MISMATCH]:
    'The answer did not come from the configured sign-in provider, so it was refused.',
  [SSO_ERROR_CODES.SSO_NONCE_MISMATCH]:
    'The sign-in provider’s answer was not for this sign-in, so it was refused. Start again.',
  [SSO_ERROR_CODES.SSO_CODE_REJECTED]:
    'The sign-in provider refused the sign-in (it expired or was already used). Start again.',
  [SSO_ERROR_CODES.SSO_DENIED]: 'The sign-in provider did not sign you in.',
  [SSO_ERROR_CODES.SSO_PROVIDER_ERROR]:
    'The sign-in provider could not be reached or answered strangely. Try again later.',
  [SSO_ERROR_CODES.SSO_EMAIL_MISSING]:
    'The sign-in provider did not share your email address, which a Parley account needs.',
  [SSO_ERROR_CODES.SSO_EMAIL_UNVERIFIED]:
    'Your email address has a Parley account, but the sign-in provider has not verified it. ' +
    'Sign in the way you did before, or verify the address with the provider first.',
  [SSO_ERROR_CODES.SSO_ACCOUNT_CONFLICT]:
    'The Parley account with your email address belongs to another person at the sign-in ' +
    'provider: only their sign-in opens it.',
};

/** The sentence for a single sign-on refusal code (an unknown code still gets one). */
export function ssoFailureMessage(code: string): string {
  return (
    (SSO_FAILURES as Record<string, string | undefined>)[code] ??
    'Single sign-on did not work. Try again, or sign in with your password.'
  );
}

/** The "Sign in with ..." link: the server's start route, returning to `next` afterwards. */
export function ssoStartHref(startUrl: string, next: string): string {
  return next === '/' ? startUrl : `${startUrl}?${new URLSearchParams({ next })}`;
}
