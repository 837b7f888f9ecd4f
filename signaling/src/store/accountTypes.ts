import type { UserInfo } from '@parley/protocol';

// The storage interfaces of accounts and signing in: users, their single sign-on identities,
// refresh tokens and password reset links.
// Part of types.ts's Storage, kept apart by subject.

/** A user as stored: what the API shows plus the argon2id hash of their password. */
export interface UserRecord extends UserInfo {
  /** '' for an account made by single sign-on: no password opens it (NO_PASSWORD). */
  passwordHash: string;
  createdAt: number;
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
}

/** Accounts. Emails compare case-insensitively. */
export interface UserStore {
  /** The new user, or undefined when the email is taken (decided by a unique index, not a race). */
  create(user: NewUser): Promise<UserRecord | undefined>;
  byEmail(email: string): Promise<UserRecord | undefined>;
  byId(id: string): Promise<UserRecord | undefined>;
  /**
   * The account's password hash, read again after a sign-in stored its session: a single
   * sign-on link that took the account meanwhile (`IdentityStore.link`) either shows here as
   * the emptied hash, or deleted that session. So the read waits for a change to the row in
   * progress (PostgreSQL: FOR SHARE; SQLite serializes its writers, a session's insert too).
   */
  passwordHashOf(id: string): Promise<string | undefined>;
}

/** An account's link to an identity at an OpenID provider (issue 21, single sign-on). */
export interface IdentityLink {
  /** The provider's issuer identifier, exactly as its ID tokens say (`iss`). */
  issuer: string;
  /** The person's stable id at that provider (`sub`). */
  subject: string;
  userId: string;
  /** ms since the epoch. */
  linkedAt: number;
}

/**
 * Which account an OpenID identity signs in to. An identity is linked to one account, and an
 * account to at most one identity per issuer: both decided by unique indexes, not a race.
 */
export interface IdentityStore {
  /** The account linked to (issuer, subject). */
  userOf(issuer: string, subject: string): Promise<string | undefined>;
  /**
   * Links the identity to an existing account and, in the same transaction, takes the account
   * back from whoever could open it before: its password is removed (an empty hash, as for an
   * account single sign-on created) and all its refresh tokens are deleted. An unverified
   * sign-up may have been someone else's (account pre-hijacking, issue 21). False, writing
   * nothing, when the identity is linked already (to any account) or the account has another
   * identity of this issuer.
   */
  link(link: IdentityLink): Promise<boolean>;
  /**
   * Creates an account already linked to the identity, in one transaction. Undefined, writing
   * nothing, when the email has an account or the identity is linked already.
   */
  createLinked(
    user: NewUser,
    identity: Omit<IdentityLink, 'userId' | 'linkedAt'>,
  ): Promise<UserRecord | undefined>;
  /** The account's links, the oldest first. */
  linksOf(userId: string): Promise<IdentityLink[]>;
}

export interface RefreshTokenRow {
  userId: string;
  expiresAt: number;
}

/** Refresh tokens by the hash of the token (the token itself is never stored). */
export interface RefreshTokenStore {
  insert(tokenHash: string, userId: string, expiresAt: number): Promise<void>;
  /**
   * Spends a token: deletes its row and returns it, atomically (of two concurrent rotations,
   * one gets the row). When the row had not expired at `now`, the same transaction stores the
   * marker `rotatedHash` (the row's expiry, for spotting reuse) and the successor `next`. It
   * holds the account's row meanwhile (PostgreSQL: FOR SHARE), so a single sign-on link
   * (`IdentityStore.link`, issue 21) either finds the successor to revoke or leaves no row.
   */
  rotate(
    tokenHash: string,
    rotatedHash: string,
    next: { tokenHash: string; expiresAt: number },
    now: number,
  ): Promise<RefreshTokenRow | undefined>;
  get(tokenHash: string): Promise<RefreshTokenRow | undefined>;
  delete(tokenHash: string): Promise<void>;
  revokeUser(userId: string): Promise<void>;
  /** Removes every row that expired at or before `now`. */
  sweep(now: number): Promise<void>;
}

/** A password reset link, as stored: only its token's hash (issue 21). */
export interface PasswordResetRow {
  userId: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/**
 * Password reset links (issue 21): one live link per account (a new one replaces it), keyed by
 * the sha256 of its token, so a copy of the database opens nothing.
 */
export interface PasswordResetStore {
  /** Stores the account's link, replacing any earlier one, and drops every expired link. */
  insert(tokenHash: string, userId: string, expiresAt: number, now: number): Promise<void>;
  get(tokenHash: string): Promise<PasswordResetRow | undefined>;
  /**
   * Spends the link, in one transaction: deletes it and, when it had not expired at `now`, sets
   * the account's password hash and deletes all its refresh tokens (every session ends).
   * Returns the account's id then; undefined for an unknown, spent or expired link (of two
   * concurrent redemptions, one wins).
   */
  redeem(tokenHash: string, passwordHash: string, now: number): Promise<string | undefined>;
}
