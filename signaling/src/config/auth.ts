import { ConfigError, int, urlOf } from './env.ts';
import type { Env } from './env.ts';

/** Signing in: our own tokens, and single sign-on with an OpenID provider. */
export interface AuthSettings {
  /**
   * HS256 key for access tokens (at least 32 characters); undefined: one is generated once and
   * kept in `<dataDir>/jwt-secret` (mode 0600) so sessions survive a restart.
   */
  jwtSecret: string | undefined;
  /** Lifetime of an access token (JWT), seconds. Default 900. */
  accessTokenTtlS: number;
  /** Lifetime of a refresh token (rotated on every use), days. Default 30. */
  refreshTtlDays: number;
  /** Single sign-on with an OpenID provider (OIDC_*, issue 21); undefined: none. */
  oidc: OidcConfig | undefined;
}

export interface OidcConfig {
  /** The provider's issuer URL (OIDC_ISSUER): https://, or http:// on a loopback address. */
  issuer: string;
  /** OIDC_CLIENT_ID, as registered at the provider. */
  clientId: string;
  /** OIDC_CLIENT_SECRET (a confidential client: the code is redeemed server-side). */
  clientSecret: string;
  /** What the button says after "Sign in with" (OIDC_NAME, default the issuer's host name). */
  name: string;
}

export function tokenConfig(
  env: Env,
): Pick<AuthSettings, 'jwtSecret' | 'accessTokenTtlS' | 'refreshTtlDays'> {
  return {
    jwtSecret: jwtSecret(env),
    accessTokenTtlS: int(env, 'ACCESS_TOKEN_TTL_S', 900, 30),
    refreshTtlDays: int(env, 'REFRESH_TTL_DAYS', 30, 1),
  };
}

/** 32 characters is the least that gives HS256 a key as long as its hash (RFC 7518, 3.2). */
const JWT_SECRET_MIN = 32;

function jwtSecret(env: Env): string | undefined {
  const secret = env.JWT_SECRET;
  if (secret === undefined || secret === '') return undefined;
  if (secret.length < JWT_SECRET_MIN) {
    throw new ConfigError(`JWT_SECRET must be at least ${JWT_SECRET_MIN} characters`);
  }
  return secret;
}

const OIDC_NAME_MAX = 40;
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together, or none. Plain http:// is only
 * for a provider on this machine (tests, development): elsewhere tokens would cross the network
 * in the clear.
 */
export function oidcConfig(env: Env): OidcConfig | undefined {
  const names = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const set = names.filter((name) => (env[name] ?? '') !== '');
  if (set.length === 0) {
    if (env.OIDC_NAME) throw new ConfigError('OIDC_NAME is set but OIDC_ISSUER is not');
    return undefined;
  }
  if (set.length < names.length) {
    const missing = names.filter((name) => !set.includes(name)).join(', ');
    throw new ConfigError(`single sign-on needs ${names.join(', ')} together: ${missing} missing`);
  }
  const issuer = urlOf(env, 'OIDC_ISSUER', ['https', 'http']) as string;
  const url = new URL(issuer);
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    throw new ConfigError(
      'OIDC_ISSUER must start with https:// (http:// only on a loopback address)',
    );
  }
  if (url.search || url.hash) {
    throw new ConfigError('OIDC_ISSUER must be the issuer URL alone, without ?query or #fragment');
  }
  const name = (env.OIDC_NAME ?? '').trim() || url.hostname;
  if (name.length > OIDC_NAME_MAX || /[\p{Cc}]/u.test(name)) {
    throw new ConfigError(`OIDC_NAME must be 1-${OIDC_NAME_MAX} printable characters`);
  }
  return {
    issuer,
    clientId: env.OIDC_CLIENT_ID as string,
    clientSecret: env.OIDC_CLIENT_SECRET as string,
    name,
  };
}
