import { createHmac } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { z } from 'zod';

/**
 * The transient state of one sign-in at the provider: what the callback must check (state,
 * nonce), prove (the PKCE verifier) and do (where to go back). It travels in a cookie, sealed
 * (AES-256-GCM, a key derived from JWT_SECRET), so any node of a cluster can finish a sign-in
 * another node started, nothing is stored server-side, and the browser can neither read the
 * verifier nor change the return path.
 */
export interface LoginState {
  state: string;
  nonce: string;
  /** The PKCE code_verifier (RFC 7636); only its S256 challenge went to the provider. */
  verifier: string;
  /** Where the person goes once signed in: a path on this site. */
  next: string;
  /** The redirect_uri the authorization request named; the token request must repeat it. */
  redirectUri: string;
}

export const SSO_COOKIE = 'parley_sso';
/** Sent back only to the callback (and the start, which replaces it). */
export const SSO_COOKIE_PATH = '/api/auth/oidc';
/** Ten minutes to sign in at the provider, then start again. */
export const LOGIN_TTL_S = 600;

const AUDIENCE = 'parley sso login';
const ISSUER = 'parley';

const token = z.string().min(16).max(256);
const LoginStateSchema = z.object({
  state: token,
  nonce: token,
  verifier: token,
  next: z.string().min(1).max(2048),
  redirectUri: z.url().max(2048),
});

export class LoginStates {
  readonly #key: Uint8Array;

  constructor(
    jwtSecret: Uint8Array,
    private readonly now: () => number = Date.now,
  ) {
    // A key of its own: a sealed login can never pass for another kind of token.
    this.#key = createHmac('sha256', jwtSecret).update('parley sso login v1').digest();
  }

  /** The cookie value for `login`, valid LOGIN_TTL_S from now. */
  seal(login: LoginState): Promise<string> {
    const nowS = Math.floor(this.now() / 1000);
    return new EncryptJWT({ ...login })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + LOGIN_TTL_S)
      .encrypt(this.#key);
  }

  /** The login a cookie value seals; undefined when it is missing, forged, altered or expired. */
  async open(value: string | undefined): Promise<LoginState | undefined> {
    if (!value || value.length > 4096) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      const parsed = LoginStateSchema.safeParse(payload);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined; // every failure (malformed, forged, expired) is the same "start again"
    }
  }
}
