import { newUserId } from '../settings.ts';
import { IDENTITY_COLUMNS, USER_COLUMNS, identityLinkOf } from '../rows.ts';
import type { IdentityRow } from '../rows.ts';
import type { IdentityLink, IdentityStore, NewUser, UserRecord } from '../types.ts';
import type { PgPool, Tx } from './pool.ts';

// No conflict target: either unique index (the identity, or the account's issuer) refuses.
const LINK = `INSERT INTO user_identities (${IDENTITY_COLUMNS}) VALUES ($1, $2, $3, $4)
  ON CONFLICT DO NOTHING RETURNING user_id`;

const linkValues = (l: IdentityLink): unknown[] => [l.issuer, l.subject, l.userId, l.linkedAt];

/** OpenID identities over the `user_identities` table (issue 21). */
export class PgIdentityStore implements IdentityStore {
  constructor(private readonly pool: PgPool) {}

  async userOf(issuer: string, subject: string): Promise<string | undefined> {
    const [row] = await this.pool.query<{ user_id: string }>(
      'SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2',
      [issuer, subject],
    );
    return row?.user_id;
  }

  async link(link: IdentityLink): Promise<boolean> {
    return this.pool.transaction(async (tx) => {
      if ((await tx.query(LINK, linkValues(link))).length !== 1) return false;
      // The row lock before the revocation: a sign-in's passwordHashOf (FOR SHARE) that does
      // not wait for it ran before, so that sign-in's session exists for the DELETE to see.
      await tx.query("UPDATE users SET password_hash = '' WHERE id = $1", [link.userId]);
      await tx.query('DELETE FROM refresh_tokens WHERE user_id = $1', [link.userId]);
      return true;
    });
  }

  async createLinked(
    user: NewUser,
    identity: Omit<IdentityLink, 'userId' | 'linkedAt'>,
  ): Promise<UserRecord | undefined> {
    const record: UserRecord = { id: newUserId(), createdAt: Date.now(), ...user };
    const link = { ...identity, userId: record.id, linkedAt: record.createdAt };
    try {
      return await this.pool.transaction(async (tx) => {
        if (!(await insertUser(tx, record))) return undefined;
        if ((await tx.query(LINK, linkValues(link))).length === 1) return record;
        throw new Rollback();
      });
    } catch (error) {
      if (error instanceof Rollback) return undefined;
      throw error;
    }
  }

  async linksOf(userId: string): Promise<IdentityLink[]> {
    const rows = await this.pool.query<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM user_identities WHERE user_id = $1 ORDER BY linked_at`,
      [userId],
    );
    return rows.map(identityLinkOf);
  }
}

async function insertUser(tx: Tx, user: UserRecord): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
    [user.id, user.email, user.name, user.passwordHash, user.createdAt],
  );
  return rows.length === 1;
}

/** Thrown inside the transaction so the account it inserted is rolled back with it. */
class Rollback extends Error {}
