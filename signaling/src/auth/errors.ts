import { AUTH_ERROR_CODES as API_CODES, ERROR_CODES } from '@parley/protocol';

/**
 * The REST codes of accounts. RATE_LIMITED and UNAUTHORIZED are the protocol's own; the other
 * two exist only over HTTP.
 */
export const AUTH_ERROR_CODES = {
  ...API_CODES,
  /** Too many attempts; `Retry-After` says when to try again. */
  RATE_LIMITED: ERROR_CODES.RATE_LIMITED,
  /** Missing, invalid or expired access token or refresh cookie. */
  UNAUTHORIZED: ERROR_CODES.UNAUTHORIZED,
} as const;

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[keyof typeof AUTH_ERROR_CODES];

const STATUS: Record<AuthErrorCode, number> = {
  EMAIL_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  WEAK_PASSWORD: 400,
  MAIL_NOT_CONFIGURED: 404,
  RESET_LINK_INVALID: 400,
  RATE_LIMITED: 429,
  UNAUTHORIZED: 401,
};

/** The one error accounts throw for a refused request; routes turn it into `{error}` + status. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** For RATE_LIMITED: seconds until another attempt may succeed. */
  readonly retryAfterS: number | undefined;

  constructor(code: AuthErrorCode, message: string, retryAfterS?: number) {
    super(message);
    this.name = 'AuthError';
    this.code = code;
    this.retryAfterS = retryAfterS;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const unauthorized = (): AuthError =>
  new AuthError(AUTH_ERROR_CODES.UNAUTHORIZED, 'sign in again');
