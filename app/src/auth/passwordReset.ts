import { AUTH_ERROR_CODES, ERROR_CODES } from '@parley/protocol';
import type { FeaturesResponse } from '@parley/protocol';
import { apiErrorOf, retryAfterSeconds } from './authState.ts';

/** What a reset request or completion came to, in words for the page. */
export type ResetOutcome =
  { ok: true } | { ok: false; message: string; mailOff?: boolean; linkDead?: boolean };

/** `GET /api/features`: whether this server can send mail. Unknown (null) on failure. */
export async function mailAvailable(): Promise<boolean | null> {
  try {
    const res = await fetch('/api/features', { cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<FeaturesResponse> | null;
    return typeof body?.email === 'boolean' ? body.email : null;
  } catch {
    return null;
  }
}

const MAIL_OFF =
  'Email is not set up on this Parley server, so a password cannot be reset by mail here. ' +
  'Ask whoever runs it.';

async function post(path: string, body: unknown): Promise<Response | null> {
  try {
    return await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return null;
  }
}

/** `POST /api/auth/password-reset`: the same answer whether or not the email has an account. */
export async function requestReset(email: string): Promise<ResetOutcome> {
  const res = await post('/api/auth/password-reset', { email });
  if (!res) return { ok: false, message: 'Cannot reach the server. Check your connection.' };
  if (res.status === 202) return { ok: true };
  return failure(res, await res.json().catch(() => null));
}

/**
 * `POST /api/auth/password-reset/complete`: on success the server has set the refresh cookie
 * (the caller starts the session from it) and ended every other session.
 */
export async function completeReset(token: string, password: string): Promise<ResetOutcome> {
  const res = await post('/api/auth/password-reset/complete', { token, password });
  if (!res) return { ok: false, message: 'Cannot reach the server. Check your connection.' };
  if (res.ok) return { ok: true };
  return failure(res, await res.json().catch(() => null));
}

function failure(res: Response, body: unknown): ResetOutcome {
  const error = apiErrorOf(body);
  switch (error?.code) {
    case AUTH_ERROR_CODES.MAIL_NOT_CONFIGURED:
      return { ok: false, message: MAIL_OFF, mailOff: true };
    case AUTH_ERROR_CODES.RESET_LINK_INVALID:
      return {
        ok: false,
        linkDead: true,
        message: 'This link has expired or was used already. Ask for a new one.',
      };
    case AUTH_ERROR_CODES.WEAK_PASSWORD:
      return {
        ok: false,
        message: 'That password is one of the most common ones. Choose another.',
      };
    case ERROR_CODES.RATE_LIMITED: {
      const wait = retryAfterSeconds(res.headers.get('retry-after'), Date.now());
      const when = wait === undefined ? 'later' : `in ${Math.ceil(wait / 60)} min`;
      return { ok: false, message: `Too many requests for this email. Try again ${when}.` };
    }
    default:
      if (res.status === 400) {
        return { ok: false, message: `Check what you entered: ${error?.message ?? ''}`.trim() };
      }
      return { ok: false, message: `The server could not do this (HTTP ${res.status}).` };
  }
}

export { MAIL_OFF };
