import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../store/sqlite/db.ts';
import type { Db } from '../store/sqlite/db.ts';
import { SqliteRefreshTokenStore } from '../store/sqlite/refreshTokenStore.ts';
import { SqliteUserStore } from '../store/sqlite/userStore.ts';
import { RefreshTokens } from './refreshTokens.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('RefreshTokens', () => {
  let db: Db;
  let clock: { t: number };
  let tokens: RefreshTokens;
  let userId: string;
  beforeEach(async () => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    clock = { t: 1_700_000_000_000 };
    tokens = new RefreshTokens(new SqliteRefreshTokenStore(db), 30 * DAY, () => clock.t);
    const user = await new SqliteUserStore(db).create({
      email: 'a@example.com',
      name: 'A',
      passwordHash: 'h',
    });
    userId = user?.id ?? '';
  });
  afterEach(() => db.close());

  it('stores only a sha256 of each token', async () => {
    const token = await tokens.issue(userId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = db.prepare('SELECT token_hash FROM refresh_tokens').all() as {
      token_hash: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('rotates: the successor works once, the spent token does not', async () => {
    const first = await tokens.issue(userId);
    const second = await tokens.rotate(first);
    expect(second).toMatchObject({ ok: true, userId });
    if (!second.ok) return;
    expect(second.token).not.toBe(first);
    expect(await tokens.rotate(second.token)).toMatchObject({ ok: true, userId });
  });

  it('treats a reused token as theft and revokes every token of the account', async () => {
    const other = await tokens.issue(userId); // another device
    const first = await tokens.issue(userId);
    const second = await tokens.rotate(first);
    if (!second.ok) throw new Error('the first rotation must succeed');
    expect(await tokens.rotate(first)).toEqual({ ok: false, reason: 'reused', userId });
    expect(await tokens.rotate(second.token)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(await tokens.rotate(other)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('refuses an expired token and an unknown one', async () => {
    const token = await tokens.issue(userId);
    clock.t += 30 * DAY;
    expect(await tokens.rotate(token)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await tokens.rotate('x'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('revokes one token on sign-out and leaves the others', async () => {
    const a = await tokens.issue(userId);
    const b = await tokens.issue(userId);
    await tokens.revoke(a);
    expect(await tokens.rotate(a)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(await tokens.rotate(b)).toMatchObject({ ok: true });
  });

  it('sweeps expired rows, spent ones included', async () => {
    const spent = await tokens.issue(userId);
    await tokens.rotate(spent);
    clock.t += 31 * DAY;
    await tokens.issue(userId);
    expect(db.prepare('SELECT count(*) AS n FROM refresh_tokens').get()).toEqual({ n: 1 });
  });
});
