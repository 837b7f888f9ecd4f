import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../store/db.ts';
import type { Db } from '../store/db.ts';
import { RefreshTokens } from './refreshTokens.ts';
import { UserStore } from '../store/userStore.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('RefreshTokens', () => {
  let db: Db;
  let clock: { t: number };
  let tokens: RefreshTokens;
  let userId: string;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db);
    clock = { t: 1_700_000_000_000 };
    tokens = new RefreshTokens(db, 30 * DAY, () => clock.t);
    const user = new UserStore(db).create({ email: 'a@example.com', name: 'A', passwordHash: 'h' });
    userId = user?.id ?? '';
  });
  afterEach(() => db.close());

  it('stores only a sha256 of each token', () => {
    const token = tokens.issue(userId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = db.prepare('SELECT token_hash FROM refresh_tokens').all() as {
      token_hash: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('rotates: the successor works once, the spent token does not', () => {
    const first = tokens.issue(userId);
    const second = tokens.rotate(first);
    expect(second).toMatchObject({ ok: true, userId });
    if (!second.ok) return;
    expect(second.token).not.toBe(first);
    expect(tokens.rotate(second.token)).toMatchObject({ ok: true, userId });
  });

  it('treats a reused token as theft and revokes every token of the account', () => {
    const other = tokens.issue(userId); // another device
    const first = tokens.issue(userId);
    const second = tokens.rotate(first);
    if (!second.ok) throw new Error('the first rotation must succeed');
    expect(tokens.rotate(first)).toEqual({ ok: false, reason: 'reused', userId });
    expect(tokens.rotate(second.token)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(tokens.rotate(other)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('refuses an expired token and an unknown one', () => {
    const token = tokens.issue(userId);
    clock.t += 30 * DAY;
    expect(tokens.rotate(token)).toMatchObject({ ok: false, reason: 'expired' });
    expect(tokens.rotate('x'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('revokes one token on sign-out and leaves the others', () => {
    const a = tokens.issue(userId);
    const b = tokens.issue(userId);
    tokens.revoke(a);
    expect(tokens.rotate(a)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(tokens.rotate(b)).toMatchObject({ ok: true });
  });

  it('sweeps expired rows, spent ones included', () => {
    const spent = tokens.issue(userId);
    tokens.rotate(spent);
    clock.t += 31 * DAY;
    tokens.issue(userId);
    expect(db.prepare('SELECT count(*) AS n FROM refresh_tokens').get()).toEqual({ n: 1 });
  });
});
