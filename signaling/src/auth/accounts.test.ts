import Database from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../store/sqlite/db.ts';
import type { Db } from '../store/sqlite/db.ts';
import { SqliteIdentityStore } from '../store/sqlite/identityStore.ts';
import { SqliteRefreshTokenStore } from '../store/sqlite/refreshTokenStore.ts';
import { SqliteUserStore } from '../store/sqlite/userStore.ts';
import { quietLog } from '../telemetry/log.ts';
import { Accounts } from './accounts.ts';
import { AUTH_ERROR_CODES } from './errors.ts';

const PASSWORD = 'a password the attacker chose';
const IP = '203.0.113.7';

describe('Accounts and a single sign-on link (issue 21)', () => {
  let db: Db;
  let accounts: Accounts;
  let identities: SqliteIdentityStore;
  const sessionsOf = (userId: string): number =>
    (
      db.prepare('SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ?').get(userId) as {
        n: number;
      }
    ).n;

  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    identities = new SqliteIdentityStore(db);
    accounts = new Accounts({
      users: new SqliteUserStore(db),
      refreshTokens: new SqliteRefreshTokenStore(db),
      jwtSecret: new TextEncoder().encode('accounts-test-secret-0123456789abcdef'),
      accessTokenTtlS: 900,
      refreshTtlDays: 30,
      log: quietLog,
    });
  });
  afterEach(() => db.close());

  it('refuses a password sign-in whose account a link took while argon2 checked it', async () => {
    const email = 'victim@school.example';
    const { body } = await accounts.signUp({ email, password: PASSWORD, name: 'M' }, IP);
    const userId = body.user.id;
    // The account is read and argon2 is running (it takes tens of milliseconds) when the
    // owner's first single sign-on links the account, revoking every session it had.
    const attempt = accounts.signIn({ email, password: PASSWORD }, IP);
    await nextTurn();
    const link = { issuer: 'https://idp.example', subject: 'owner', userId, linkedAt: 1 };
    expect(await identities.link(link)).toBe(true);
    await expect(attempt).rejects.toMatchObject({ code: AUTH_ERROR_CODES.INVALID_CREDENTIALS });
    expect(sessionsOf(userId)).toBe(0);
    // And afterwards, plainly: the password opens nothing.
    await expect(accounts.signIn({ email, password: PASSWORD }, IP)).rejects.toMatchObject({
      code: AUTH_ERROR_CODES.INVALID_CREDENTIALS,
    });
  });

  it('signs in with the password while no link takes the account', async () => {
    const email = 'owner@school.example';
    await accounts.signUp({ email, password: PASSWORD, name: 'O' }, IP);
    const session = await accounts.signIn({ email, password: PASSWORD }, IP);
    expect(session.body.user.email).toBe(email);
    expect((await accounts.refresh(session.refreshToken)).body.user.email).toBe(email);
  });
});
