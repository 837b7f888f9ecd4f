import * as client from 'openid-client';
import type { OidcConfig } from '../config/index.ts';
import type { Log } from '../telemetry/log.ts';
import { SSO_ERROR_CODES, SsoError } from './errors.ts';
import type { LoginState } from './loginState.ts';

/** What the provider says about the person, once every check has passed. */
export interface ProvenIdentity {
  /** The ID token's `iss`, which openid-client checked against the discovered issuer. */
  issuer: string;
  subject: string;
  email: string | undefined;
  /** Only `email_verified: true` counts; absent means not verified. */
  emailVerified: boolean;
  /** The claims a name can be made of (`name`, `preferred_username`, ...), as strings. */
  names: Partial<Record<'name' | 'preferred_username' | 'given_name' | 'family_name', string>>;
}

/** Seconds before a request to the provider is given up. */
const PROVIDER_TIMEOUT_S = 10;
const SCOPE = 'openid email profile';

/**
 * The OpenID provider, through openid-client: discovery (cached once it succeeds, retried
 * after a failure, so a provider that is down at our start does not need a restart), the
 * authorization URL, and the code exchange with every check (state, issuer, PKCE, nonce, ID
 * token signature and audience). Its failures become SsoError codes here, in one place.
 */
export class OidcProvider {
  #discovered: Promise<client.Configuration> | undefined;

  constructor(
    private readonly config: OidcConfig,
    private readonly log: Log,
  ) {}

  /** The authorization request that starts `login`; throws SSO_PROVIDER_ERROR. */
  async authorizationUrl(login: LoginState): Promise<URL> {
    const configuration = await this.#configuration();
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: login.redirectUri,
      scope: SCOPE,
      state: login.state,
      nonce: login.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Checks the provider's answer (`query`, the callback's parameters) against `login`, redeems
   * the code and returns who signed in. Throws SsoError.
   */
  async redeem(query: URLSearchParams, login: LoginState): Promise<ProvenIdentity> {
    const configuration = await this.#configuration();
    const { issuer } = configuration.serverMetadata();
    // Checked here too (openid-client checks both) to name the failure precisely.
    if (query.get('state') !== login.state) {
      throw new SsoError(SSO_ERROR_CODES.SSO_STATE_MISMATCH, 'the sign-in answer is not this one');
    }
    const iss = query.get('iss');
    if (iss !== null && iss !== issuer) {
      throw new SsoError(SSO_ERROR_CODES.SSO_ISSUER_MISMATCH, `the answer came from ${iss}`);
    }
    const denied = query.get('error');
    if (denied !== null) {
      throw new SsoError(SSO_ERROR_CODES.SSO_DENIED, `the provider said ${denied}`);
    }
    const currentUrl = new URL(login.redirectUri);
    currentUrl.search = query.toString();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: login.verifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SsoError(SSO_ERROR_CODES.SSO_PROVIDER_ERROR, 'no ID token');
      const info = configuration.serverMetadata().userinfo_endpoint
        ? await client.fetchUserInfo(configuration, tokens.access_token, claims.sub)
        : {};
      return identityOf({ ...info, ...claims });
    } catch (error) {
      throw this.#sorted(error);
    }
  }

  #configuration(): Promise<client.Configuration> {
    this.#discovered ??= this.#discover().catch((error: unknown) => {
      this.#discovered = undefined; // the next sign-in tries again
      throw this.#sorted(error);
    });
    return this.#discovered;
  }

  async #discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.config;
    const url = new URL(issuer);
    // config/auth.ts allows plain http only for a provider on a loopback address.
    const execute = url.protocol === 'http:' ? [client.allowInsecureRequests] : [];
    const auth = client.ClientSecretBasic(clientSecret);
    const configuration = await client.discovery(url, clientId, undefined, auth, {
      execute,
      timeout: PROVIDER_TIMEOUT_S,
    });
    configuration.timeout = PROVIDER_TIMEOUT_S;
    return configuration;
  }

  /** Any failure as an SsoError, by what the provider or openid-client said. */
  #sorted(error: unknown): SsoError {
    if (error instanceof SsoError) return error;
    const code = codeOf(error);
    if (code === SSO_ERROR_CODES.SSO_PROVIDER_ERROR) {
      this.log.warn('single sign-on failed at the provider', { error: String(error) });
    }
    return new SsoError(code, messageOf(code), { cause: error });
  }
}

function codeOf(error: unknown): SsoError['code'] {
  if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') {
    return SSO_ERROR_CODES.SSO_CODE_REJECTED;
  }
  if (error instanceof client.AuthorizationResponseError) return SSO_ERROR_CODES.SSO_DENIED;
  // openid-client's own checks (discovery) name the attribute in `cause`; those it passes on
  // from oauth4webapi (the ID token) one level deeper.
  type Compared = { claim?: unknown; attribute?: unknown; cause?: Compared };
  const cause = (error as { cause?: Compared }).cause;
  const claim = cause?.attribute ?? cause?.claim ?? cause?.cause?.claim ?? cause?.cause?.attribute;
  if (claim === 'nonce') return SSO_ERROR_CODES.SSO_NONCE_MISMATCH;
  if (claim === 'iss' || claim === 'issuer') return SSO_ERROR_CODES.SSO_ISSUER_MISMATCH;
  return SSO_ERROR_CODES.SSO_PROVIDER_ERROR;
}

function messageOf(code: SsoError['code']): string {
  switch (code) {
    case SSO_ERROR_CODES.SSO_CODE_REJECTED:
      return 'the provider refused the code: it expired or was used already';
    case SSO_ERROR_CODES.SSO_NONCE_MISMATCH:
      return 'the ID token was not issued for this sign-in';
    case SSO_ERROR_CODES.SSO_ISSUER_MISMATCH:
      return 'the provider is not the configured issuer';
    case SSO_ERROR_CODES.SSO_DENIED:
      return 'the provider refused the sign-in';
    default:
      return 'the provider could not be reached or gave an unusable answer';
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

function identityOf(claims: Record<string, unknown>): ProvenIdentity {
  const { iss, sub } = claims;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub === '') {
    throw new SsoError(SSO_ERROR_CODES.SSO_PROVIDER_ERROR, 'the ID token names nobody');
  }
  return {
    issuer: iss,
    subject: sub,
    email: text(claims.email),
    emailVerified: claims.email_verified === true,
    names: {
      name: text(claims.name),
      preferred_username: text(claims.preferred_username),
      given_name: text(claims.given_name),
      family_name: text(claims.family_name),
    },
  };
}
