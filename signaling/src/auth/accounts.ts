import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionResponse } from '@parley/protocol';
import type { LimitsConfig } from '../config/index.ts';
import type { Log } from '../telemetry/log.ts';
import { hashPassword, isCommonPassword, verifyPassword } from '../rooms/passwords.ts';
import type { OnLimit } from '../util/limits.ts';
import { AccessTokens } from './accessTokens.ts';
import { localAttempts } from '../util/attempts.ts';
import type { AttemptsFactory } from '../util/attempts.ts';
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
  /** Sign-in and sign-up limits (SIGN_IN_*, SIGN_UPS_PER_HOUR); the defaults below otherwise. */
  limits?: AccountLimits;
  /** Told when a limit refuses or slows a request (the metric). */
  onLimit?: OnLimit;
  /** Where attempts are counted: this node's memory (default), or a cluster's Redis. */
  attempts?: AttemptsFactory;
  now?: () => number;
}

/** The sign-in and sign-up limits, as configured (config/limits.ts says each one's default). */
export type AccountLimits = Pick<LimitsConfig, 'signIn' | 'signUpsPerHour'>;

/** A new session: the JSON body, and the refresh token that goes only into the cookie. */
export interface Session {
  body: SessionResponse;
  refreshToken: string;
}

const MINUTE = 60_000;
/**
 * Sign-ins, counted before the password is checked: 5 per account and address per 15 min stops
 * one address guessing one account's password, without letting a stranger lock the owner out
 * (the owner signs in from another address); 30 per address stops spraying many accounts.
 * Beyond 10 failures on one account from anywhere (many addresses), each attempt on it waits
 * longer (0.25 s doubling, up to 5 s): guessing slows down, the owner still gets in.
 * Sign-ups: 30 per address per hour.
 */
const DEFAULT_LIMITS: AccountLimits = {
  signIn: {
    perAccountAddress: 5,
    perAddress: 30,
    slowAfter: 10,
    slowMaxMs: 5000,
    windowMs: 15 * MINUTE,
  },
  signUpsPerHour: 30,
};
const SLOW_BASE_MS = 250;

const emailKey = (email: string): string => email.trim().toLowerCase();

/** Sign-up, sign-in, refresh and sign-out over the users and refresh_tokens tables. */
export class Accounts {
  readonly users: UserStore;
  readonly tokens: AccessTokens;
  readonly #refresh: RefreshTokens;
  readonly #log: Log;
  readonly #limits;
  readonly #slowAfter: number;
  readonly #slowMaxMs: number;
  readonly #onLimit: OnLimit;

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
    const { signIn, signUpsPerHour } = options.limits ?? DEFAULT_LIMITS;
    const { windowMs } = signIn;
    const attempts = options.attempts ?? localAttempts(now);
    this.#limits = {
      signInAccountIp: attempts({
        name: 'sign-in-account-address',
        limit: signIn.perAccountAddress,
        windowMs,
      }),
      signInIp: attempts({ name: 'sign-in-address', limit: signIn.perAddress, windowMs }),
      // Never refuses (its limit is out of reach): it only counts, for the slow-down.
      signInAccount: attempts({
        name: 'sign-in-account',
        limit: Number.MAX_SAFE_INTEGER,
        windowMs,
      }),
      signUpIp: attempts({ name: 'sign-up-address', limit: signUpsPerHour, windowMs: 60 * MINUTE }),
    };
    this.#slowAfter = signIn.slowAfter;
    this.#slowMaxMs = signIn.slowMaxMs;
    this.#onLimit = options.onLimit ?? (() => undefined);
  }

  /** Throws WEAK_PASSWORD, EMAIL_TAKEN or RATE_LIMITED. */
  async signUp(
    input: { email: string; password: string; name: string },
    ip: string,
  ): Promise<Session> {
    if (isCommonPassword(input.password)) {
      const message = 'that password is one of the most common ones: choose another';
      throw new AuthError(AUTH_ERROR_CODES.WEAK_PASSWORD, message);
    }
    this.#throwIfLimited('sign_ups', await this.#limits.signUpIp.take(ip));
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
    const pair = `${key} ${ip}`;
    const { signInAccountIp, signInIp, signInAccount } = this.#limits;
    const waits = await Promise.all([signInAccountIp.retryAfterS(pair), signInIp.retryAfterS(ip)]);
    this.#throwIfLimited('sign_in_attempts', Math.max(...waits));
    const [, , onAccount] = await Promise.all([
      signInAccountIp.record(pair),
      signInIp.record(ip),
      signInAccount.record(key),
    ]);
    await this.#slowDown(onAccount);
    const user = await this.users.byEmail(input.email.trim());
    // No account: verifyPassword still spends an argon2 verification, so timing is the same.
    if (!(await verifyPassword(user?.passwordHash, input.password)) || !user) {
      this.#log.info('sign-in refused', { ip });
      throw new AuthError(AUTH_ERROR_CODES.INVALID_CREDENTIALS, 'wrong email or password');
    }
    const session = await this.#session(user);
    if ((await this.users.passwordHashOf(user.id)) !== user.passwordHash) {
      // Single sign-on took the account while the password was checked (issue 21): that
      // password no longer opens it, and the session just stored must not outlive the link.
      await this.#refresh.revoke(session.refreshToken);
      this.#log.info('sign-in refused: the password was removed meanwhile', { ip });
      throw new AuthError(AUTH_ERROR_CODES.INVALID_CREDENTIALS, 'wrong email or password');
    }
    await Promise.all([
      signInAccountIp.reset(pair),
      signInIp.forgive(ip),
      signInAccount.forgive(key),
    ]);
    return session;
  }

  /**
   * Past `slowAfter` attempts on one account in the window, each waits 0.25 s doubling per
   * attempt, up to SIGN_IN_SLOW_MAX_MS. Never a refusal: the owner's right password still
   * works, only later.
   */
  async #slowDown(attempts: number): Promise<void> {
    const over = attempts - this.#slowAfter;
    if (over <= 0) return;
    this.#onLimit('sign_in_slowdown');
    await sleep(Math.min(this.#slowMaxMs, SLOW_BASE_MS * 2 ** Math.min(over - 1, 20)));
  }

  #throwIfLimited(limit: 'sign_in_attempts' | 'sign_ups', retryAfterS: number): void {
    if (retryAfterS <= 0) return;
    this.#onLimit(limit);
    throw new AuthError(AUTH_ERROR_CODES.RATE_LIMITED, 'too many attempts', retryAfterS);
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

  /**
   * A session for an account whose owner proved who they are elsewhere (single sign-on): the
   * same access and refresh tokens a password sign-in gives.
   */
  signInWith(user: UserRecord): Promise<Session> {
    return this.#session(user);
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
