import { createHash, randomBytes } from 'node:crypto';
import type { LimitsConfig } from '../config/index.ts';
import type { Mailer } from '../mail/mailer.ts';
import { passwordResetMail } from '../mail/templates.ts';
import { hashPassword, isCommonPassword } from '../rooms/passwords.ts';
import type { PasswordResetStore, UserStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { localAttempts } from '../util/attempts.ts';
import type { Attempts, AttemptsFactory } from '../util/attempts.ts';
import { background } from '../util/background.ts';
import type { OnLimit } from '../util/limits.ts';
import type { Accounts, Session } from './accounts.ts';
import { AUTH_ERROR_CODES, AuthError } from './errors.ts';

/** How long a mailed link works (issue 21): long enough to find the mail, short if it leaks. */
export const RESET_TTL_MS = 30 * 60_000;
/**
 * Reset mails being looked up and sent at once; beyond it a request is still answered as any
 * other but mails nothing (and says so in the log), so a flood from many addresses cannot pile
 * up SMTP connections. Each send ends within SMTP_TIMEOUT_MS per stage.
 */
export const MAX_SENDS_IN_FLIGHT = 20;
/** The app's page a link opens; the token rides in the fragment, never sent to a server. */
export const RESET_PAGE = '/reset-password';

export interface PasswordResetsOptions {
  store: PasswordResetStore;
  users: UserStore;
  accounts: Accounts;
  /** Undefined: no SMTP_URL, and every request is MAIL_NOT_CONFIGURED. */
  mailer: Mailer | undefined;
  /** The origin links start with (SITE_URL, else the address this server listens on). */
  siteUrl: () => string;
  limits: LimitsConfig['passwordReset'];
  log: Log;
  onLimit?: OnLimit;
  /** Where requests are counted: this node's memory (default), or a cluster's Redis. */
  attempts?: AttemptsFactory;
  /** The clock links expire by; tests move it. */
  now?: () => number;
}

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const emailKey = (email: string): string => email.trim().toLowerCase();

/**
 * Password reset by mail (issue 21). A request is answered at once and the same for every
 * email: looking the account up, storing the link and sending the mail all happen after the
 * answer, so neither the answer nor its timing tells whether the email has an account, and a
 * mail server that is slow or down never holds the request (a failure is logged).
 *
 * A link works once, for RESET_TTL_MS; only its token's hash is stored, and a newer link
 * replaces an older one. Spending it sets the password and ends every session of the
 * account in one transaction. An account single sign-on made or took (no password) may set
 * one this way: the mail proves the same thing the provider's verified email did.
 */
export class PasswordResets {
  readonly #o: PasswordResetsOptions;
  readonly #now: () => number;
  readonly #perEmail: Attempts;
  readonly #perAddress: Attempts;
  #inFlight = 0;

  constructor(options: PasswordResetsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const { perEmail, perAddress, windowMs } = options.limits;
    const attempts = options.attempts ?? localAttempts(this.#now);
    this.#perEmail = attempts({ name: 'reset-email', limit: perEmail, windowMs });
    this.#perAddress = attempts({ name: 'reset-address', limit: perAddress, windowMs });
  }

  /** Mail is set up here (SMTP_URL). */
  get available(): boolean {
    return this.#o.mailer !== undefined;
  }

  /**
   * Sends a link to `email` when it has an account; throws MAIL_NOT_CONFIGURED or
   * RATE_LIMITED only, never anything that depends on the account.
   */
  async request(email: string, ip: string): Promise<void> {
    const mailer = this.#o.mailer;
    if (!mailer) {
      throw new AuthError(AUTH_ERROR_CODES.MAIL_NOT_CONFIGURED, 'email is not set up here');
    }
    const key = emailKey(email);
    const waits = await Promise.all([
      this.#perAddress.retryAfterS(ip),
      this.#perEmail.retryAfterS(key),
    ]);
    const wait = Math.max(...waits);
    if (wait > 0) {
      this.#o.onLimit?.('password_resets');
      throw new AuthError(AUTH_ERROR_CODES.RATE_LIMITED, 'too many reset requests', wait);
    }
    await Promise.all([this.#perAddress.record(ip), this.#perEmail.record(key)]);
    if (this.#inFlight >= MAX_SENDS_IN_FLIGHT) {
      this.#o.onLimit?.('password_resets');
      this.#o.log.warn('password reset mail dropped: too many being sent', { ip });
      return;
    }
    this.#inFlight++;
    const sent = this.#send(mailer, email.trim()).finally(() => this.#inFlight--);
    background(sent, 'password reset mail', this.#o.log);
  }

  async #send(mailer: Mailer, email: string): Promise<void> {
    const user = await this.#o.users.byEmail(email);
    if (!user) {
      this.#o.log.info('password reset asked for an email without an account');
      return;
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.#now();
    await this.#o.store.insert(sha256(token), user.id, now + RESET_TTL_MS, now);
    const link = `${this.#o.siteUrl()}${RESET_PAGE}#${token}`;
    const mail = passwordResetMail({ name: user.name, link, ttlMin: RESET_TTL_MS / 60_000 });
    await mailer.send({ to: user.email, ...mail });
    this.#o.log.info('password reset mail sent', { userId: user.id });
  }

  /**
   * Spends the link's `token` on `password` and signs the account in, every other session
   * ended. Throws WEAK_PASSWORD or RESET_LINK_INVALID (unknown, used or expired: one answer).
   */
  async complete(token: string, password: string): Promise<Session> {
    if (isCommonPassword(password)) {
      const message = 'that password is one of the most common ones: choose another';
      throw new AuthError(AUTH_ERROR_CODES.WEAK_PASSWORD, message);
    }
    const hash = sha256(token);
    // Checked before the argon2 hash, so a dead link costs a lookup, not a hash.
    const link = await this.#o.store.get(hash);
    if (!link || link.expiresAt <= this.#now()) throw invalidLink();
    const passwordHash = await hashPassword(password);
    const userId = await this.#o.store.redeem(hash, passwordHash, this.#now());
    const user = userId === undefined ? undefined : await this.#o.users.byId(userId);
    if (!user) throw invalidLink();
    this.#o.log.info('password reset: new password set, other sessions ended', { userId });
    return this.#o.accounts.signInWith(user);
  }
}

const invalidLink = (): AuthError =>
  new AuthError(
    AUTH_ERROR_CODES.RESET_LINK_INVALID,
    'this reset link has expired or was used already: ask for a new one',
  );
