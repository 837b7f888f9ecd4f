import Database from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Mail, Mailer } from '../mail/mailer.ts';
import { migrate } from '../store/sqlite/db.ts';
import { SqlitePasswordResetStore } from '../store/sqlite/passwordResetStore.ts';
import { SqliteRefreshTokenStore } from '../store/sqlite/refreshTokenStore.ts';
import { SqliteUserStore } from '../store/sqlite/userStore.ts';
import { quietLog } from '../telemetry/log.ts';
import { Accounts } from './accounts.ts';
import { MAX_SENDS_IN_FLIGHT, PasswordResets } from './passwordReset.ts';

/**
 * A mail server that takes every message and answers none until released: what a stalled one
 * looks like from here (the real SMTP path is tests/integration/passwordReset.test.ts).
 */
class HeldMailer implements Mailer {
  readonly held: Array<{ mail: Mail; release: () => void }> = [];
  send(mail: Mail): Promise<void> {
    return new Promise((release) => this.held.push({ mail, release }));
  }
  close(): void {}
}

describe('PasswordResets: what one flood may cost', () => {
  let resets: PasswordResets;
  let mailer: HeldMailer;
  const limits: string[] = [];

  beforeEach(async () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    const users = new SqliteUserStore(db);
    const refreshTokens = new SqliteRefreshTokenStore(db);
    const accounts = new Accounts({
      users,
      refreshTokens,
      jwtSecret: new TextEncoder().encode('reset-test-secret-0123456789abcdefgh'),
      accessTokenTtlS: 900,
      refreshTtlDays: 30,
      log: quietLog,
    });
    mailer = new HeldMailer();
    resets = new PasswordResets({
      store: new SqlitePasswordResetStore(db),
      users,
      accounts,
      mailer,
      siteUrl: () => 'https://meet.example.test',
      limits: { perEmail: 3, perAddress: 1000, windowMs: 3_600_000 },
      log: quietLog,
      onLimit: (limit) => limits.push(limit),
    });
    for (let i = 0; i < MAX_SENDS_IN_FLIGHT + 5; i++) {
      await users.create({ email: `p${i}@example.test`, name: `P${i}`, passwordHash: 'h' });
    }
  });

  it('holds at most MAX_SENDS_IN_FLIGHT mails at once, and sends again once they end', async () => {
    const many = Array.from({ length: MAX_SENDS_IN_FLIGHT + 5 }, (_, i) => `p${i}@example.test`);
    await Promise.all(many.map((email) => resets.request(email, '::1')));
    await nextTurn();
    expect(mailer.held).toHaveLength(MAX_SENDS_IN_FLIGHT);
    expect(limits).toEqual(Array(5).fill('password_resets'));
    for (const { release } of mailer.held.splice(0)) release();
    await nextTurn();
    await resets.request('p0@example.test', '::1');
    await nextTurn();
    expect(mailer.held.map((h) => h.mail.to)).toEqual(['p0@example.test']);
  });
});
