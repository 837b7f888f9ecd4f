import type { SessionResponse } from '@parley/protocol';
import type { Log } from '../telemetry/log.ts';
import { hashPassword, verifyPassword } from '../rooms/passwords.ts';
import { AccessTokens } from './accessTokens.ts';
import { AttemptLimiter } from '../util/attemptLimiter.ts';
import { AUTH_ERROR_CODES, AuthError, unauthorized } from './errors.ts';
import { RefreshTokens } from './refreshTokens.ts';
import type { RefreshTokenStore, UserRecord, UserStore } from '../store/index.ts';
import { userInfo } from './userInfo.ts';

export interface AccountsOptions {
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  jwtSecret: Uint8Array;
  /** Access token lifetime, seconds (ACCESS_TOKEN_TTL_S, default 900). */
  accessTokenTtlS: number;
  /** Refresh token lifetime, days (REFRESH_TTL_DAYS, default 30). */
  refreshTtlDays: number;
  log: Log;
  now?: () => number;
}

/** A new session: the JSON body, and the refresh token that goes only into the cookie. */
export interface Session {
  body: SessionResponse;
  refreshToken: string;
}

const MINUTE = 60_000;
/**
 * Sign-in failures: 5 per email per 15 min stops guessing one account's password; 30 per IP
 * per 15 min stops spraying many accounts from one address. Sign-ups: 30 per IP per hour.
 */
const LIMITS = {
  signInEmail: { limit: 5, windowMs: 15 * MINUTE },
  signInIp: { limit: 30, windowMs: 15 * MINUTE },
  signUpIp: { limit: 30, windowMs: 60 * MINUTE },
} as const;

const emailKey = (email: string): string => email.trim().toLowerCase();

/** Sign-up, sign-in, refresh and sign-out over the users and refresh_tokens tables. */
export class Accounts {
  readonly users: UserStore;
  readonly tokens: AccessTokens;
  readonly #refresh: RefreshTokens;
  readonly #log: Log;
  readonly #limits;

  constructor(options: AccountsOptions) {
    const { now = Date.now } = options;
    this.users = options.users;
    this.tokens = new AccessTokens(options.jwtSecret, options.accessTokenTtlS);
    this.#refresh = new RefreshTokens(
      options.refreshTokens,
      options.refreshTtlDays * 24 * 60 * MINUTE,
      now,
    );
    this.#log = options.log;
    this.#limits = {
      signInEmail: new AttemptLimiter({ ...LIMITS.signInEmail, now }),
      signInIp: new AttemptLimiter({ ...LIMITS.signInIp, now }),
      signUpIp: new AttemptLimiter({ ...LIMITS.signUpIp, now }),
    };
  }

  /** Throws EMAIL_TAKEN or RATE_LIMITED. */
  async signUp(
    input: { email: string; password: string; name: string },
    ip: string,
  ): Promise<Session> {
    throwIfLimited(this.#limits.signUpIp.retryAfterS(ip));
    this.#limits.signUpIp.record(ip);
    const passwordHash = await hashPassword(input.password);
    const user = await this.users.create({ email: input.email, name: input.name, passwordHash });
    if (!user) throw new AuthError(AUTH_ERROR_CODES.EMAIL_TAKEN, 'that email has an account');
    this.#log.info('account created', { userId: user.id });
    return this.#session(user);
  }

  /**
   * Throws INVALID_CREDENTIALS or RATE_LIMITED. The attempt is counted before the password is
   * checked (and forgiven on success), so parallel guesses cannot all slip under the limit.
   */
  async signIn(input: { email: string; password: string }, ip: string): Promise<Session> {
    const key = emailKey(input.email);
    const { signInEmail, signInIp } = this.#limits;
    throwIfLimited(Math.max(signInEmail.retryAfterS(key), signInIp.retryAfterS(ip)));
    signInEmail.record(key);
    signInIp.record(ip);
    const user = await this.users.byEmail(input.email.trim());
    // No account: verifyPassword still spends an argon2 verification, so timing is the same.
    if (!(await verifyPassword(user?.passwordHash, input.password)) || !user) {
      this.#log.info('sign-in refused', { ip });
      throw new AuthError(AUTH_ERROR_CODES.INVALID_CREDENTIALS, 'wrong email or password');
    }
    signInEmail.reset(key);
    signInIp.forgive(ip);
    return this.#session(user);
  }

  /** Rotates the refresh token. Throws UNAUTHORIZED; a reused token signs the account out. */
  async refresh(refreshToken: string | undefined): Promise<Session> {
    if (!refreshToken) throw unauthorized();
    const rotation = await this.#refresh.rotate(refreshToken);
    if (!rotation.ok) {
      if (rotation.reason === 'reused') {
        this.#log.warn('refresh token reused: all sessions revoked', { userId: rotation.userId });
      }
      throw unauthorized();
    }
    const user = await this.users.byId(rotation.userId);
    if (!user) throw unauthorized();
    return { body: await this.#body(user), refreshToken: rotation.token };
  }

  async signOut(refreshToken: string | undefined): Promise<void> {
    if (refreshToken) await this.#refresh.revoke(refreshToken);
  }

  async #session(user: UserRecord): Promise<Session> {
    return { body: await this.#body(user), refreshToken: await this.#refresh.issue(user.id) };
  }

  async #body(user: UserRecord): Promise<SessionResponse> {
    const accessToken = await this.tokens.sign({ id: user.id, name: user.name });
    return { accessToken, expiresIn: this.tokens.ttlS, user: userInfo(user) };
  }
}

function throwIfLimited(retryAfterS: number): void {
  if (retryAfterS > 0) {
    throw new AuthError(AUTH_ERROR_CODES.RATE_LIMITED, 'too many attempts', retryAfterS);
  }
}
