import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** The refresh token's cookie. Path=/api/auth: sent to refresh and signout, nowhere else. */
export const REFRESH_COOKIE = 'parley_refresh';
const REFRESH_PATH = '/api/auth';

/** The value of cookie `name` in the request, if any. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Whether the browser reached us over TLS: directly, or through a proxy that terminated it and
 * said so in `X-Forwarded-Proto`. Such cookies get `Secure`. Trusting the header costs nothing:
 * a forged one only makes the forger's own browser drop the cookie over plain HTTP.
 */
export function cameOverTls(req: IncomingMessage): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0];
  return first?.trim().toLowerCase() === 'https';
}

/**
 * One Set-Cookie value. Always HttpOnly (no script, so no XSS, can read it) and by default
 * SameSite=Strict (no other site can make the browser send it, which is the CSRF defence of the
 * routes that read it); `Secure` whenever the request came over TLS. Lax only for a cookie that
 * must come back on a top-level navigation from another site (the single sign-on callback,
 * which checks its own `state` against it instead).
 */
export function cookie(
  req: IncomingMessage,
  name: string,
  value: string,
  options: { path: string; maxAgeS: number; sameSite?: 'Strict' | 'Lax' },
): string {
  const secure = cameOverTls(req) ? '; Secure' : '';
  const sameSite = options.sameSite ?? 'Strict';
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAgeS}; HttpOnly; SameSite=${sameSite}${secure}`;
}

export function refreshCookie(req: IncomingMessage, token: string, maxAgeS: number): string {
  return cookie(req, REFRESH_COOKIE, token, { path: REFRESH_PATH, maxAgeS });
}

export function clearRefreshCookie(req: IncomingMessage): string {
  return cookie(req, REFRESH_COOKIE, '', { path: REFRESH_PATH, maxAgeS: 0 });
}
