import { SSO_ERROR_CODES } from '@parley/protocol';
import type { SsoErrorCode } from '@parley/protocol';

export { SSO_ERROR_CODES, type SsoErrorCode };

const STATUS: Record<SsoErrorCode, number> = {
  SSO_NOT_CONFIGURED: 404,
  SSO_LOGIN_EXPIRED: 400,
  SSO_STATE_MISMATCH: 400,
  SSO_ISSUER_MISMATCH: 400,
  SSO_NONCE_MISMATCH: 400,
  SSO_CODE_REJECTED: 400,
  SSO_DENIED: 403,
  SSO_PROVIDER_ERROR: 502,
  SSO_EMAIL_MISSING: 403,
  SSO_EMAIL_UNVERIFIED: 403,
  SSO_ACCOUNT_CONFLICT: 409,
};

/**
 * The one error single sign-on throws for a refused sign-in. The routes turn it into a JSON
 * answer (before the browser went to the provider) or a redirect to the sign-in page with
 * `sso_error=<code>` (after), in one place each.
 */
export class SsoError extends Error {
  readonly code: SsoErrorCode;

  constructor(code: SsoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoError';
    this.code = code;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const notConfigured = (): SsoError =>
  new SsoError(SSO_ERROR_CODES.SSO_NOT_CONFIGURED, 'single sign-on is not configured here');
