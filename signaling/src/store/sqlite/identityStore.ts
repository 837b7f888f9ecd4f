import { newUserId } from '../settings.ts';
import { IDENTITY_COLUMNS, USER_COLUMNS, identityLinkOf } from '../rows.ts';
import type { IdentityRow } from '../rows.ts';
import type { IdentityLink, IdentityStore, NewUser, UserRecord } from '../types.ts';
import type { Db } from './db.ts';

/** OpenID identities over the `user_identities` table (issue 21). */
export class SqliteIdentityStore implements IdentityStore {
  readonly #userOf;
  readonly #link;
  readonly #insertUser;
  readonly #linksOf;
  readonly #createLinked;
  readonly #linkExisting;

  constructor(db: Db) {
    this.#userOf = db.prepare<[string, string], { user_id: string }>(
      'SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?',
    );
    // No conflict target: either unique index (the identity, or the account's issuer) refuses.
    this.#link = db.prepare(
      `INSERT INTO user_identities (${IDENTITY_COLUMNS})
       VALUES (@issuer, @subject, @userId, @linkedAt) ON CONFLICT DO NOTHING`,
    );
    this.#insertUser = db.prepare(
      `INSERT INTO users (${USER_COLUMNS}) VALUES (@id, @email, @name, @passwordHash, @createdAt)
       ON CONFLICT (email) DO NOTHING`,
    );
    this.#linksOf = db.prepare<[string], IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM user_identities WHERE user_id = ? ORDER BY linked_at`,
    );
    const dropPassword = db.prepare("UPDATE users SET password_hash = '' WHERE id = ?");
    const revokeSessions = db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?');
    this.#linkExisting = db.transaction((link: IdentityLink): boolean => {
      if (this.#link.run(link).changes !== 1) return false;
      dropPassword.run(link.userId);
      revokeSessions.run(link.userId);
      return true;
    });
    this.#createLinked = db.transaction((user: UserRecord, link: IdentityLink): boolean => {
      if (this.#insertUser.run(user).changes !== 1) return false;
      if (this.#link.run(link).changes === 1) return true;
      throw new Rollback();
    });
  }

  async userOf(issuer: string, subject: string): Promise<string | undefined> {
    return this.#userOf.get(issuer, subject)?.user_id;
  }

  async link(link: IdentityLink): Promise<boolean> {
    return this.#linkExisting(link);
  }

  async createLinked(
    user: NewUser,
    identity: Omit<IdentityLink, 'userId' | 'linkedAt'>,
  ): Promise<UserRecord | undefined> {
    const record: UserRecord = { id: newUserId(), createdAt: Date.now(), ...user };
    const link = { ...identity, userId: record.id, linkedAt: record.createdAt };
    try {
      return this.#createLinked(record, link) ? record : undefined;
    } catch (error) {
      if (error instanceof Rollback) return undefined;
      throw error;
    }
  }

  async linksOf(userId: string): Promise<IdentityLink[]> {
    return this.#linksOf.all(userId).map(identityLinkOf);
  }
}

/** Thrown inside the transaction so the account it inserted is rolled back with it. */
class Rollback extends Error {}
