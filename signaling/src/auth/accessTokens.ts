import { SignJWT, jwtVerify } from 'jose';
import type { AuthUser, TokenVerifier } from './types.ts';

const ISSUER = 'parley';
const AUDIENCE = 'parley';
const ALG = 'HS256';

/**
 * Short-lived access tokens: HS256 JWTs with `sub` = user id and a `name` claim. Stateless on
 * purpose (no database read per request or `join`); their short life bounds what a stolen one
 * can do, and the refresh token is the revocable part of a session.
 */
export class AccessTokens implements TokenVerifier {
  constructor(
    private readonly key: Uint8Array,
    /** Lifetime, seconds (config ACCESS_TOKEN_TTL_S, default 900). */
    readonly ttlS: number,
  ) {}

  sign(user: AuthUser): Promise<string> {
    return new SignJWT({ name: user.name })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlS}s`)
      .sign(this.key);
  }

  /**
   * Pinning the algorithm is what refuses `alg: none` and algorithm-confusion tokens (RFC 8725,
   * 3.1); issuer and audience keep tokens of another system with the same key out.
   */
  async verify(token: string): Promise<AuthUser | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
      });
      const { sub, name } = payload;
      if (typeof sub !== 'string' || typeof name !== 'string') return undefined;
      return { id: sub, name };
    } catch {
      return undefined; // every failure (malformed, forged, expired) is the same "no"
    }
  }
}
