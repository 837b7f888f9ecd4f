import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadVapidKeys } from './vapid.ts';

describe('loadVapidKeys', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-vapid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a pair once, readable by this user only, and the same on the next start', () => {
    const first = loadVapidKeys(undefined, dir);
    expect(first.publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/);
    expect(first.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(path.join(dir, 'vapid-keys.json')).mode & 0o777).toBe(0o600);
    expect(loadVapidKeys(undefined, dir)).toEqual(first);
  });

  it('uses the configured pair and writes nothing', () => {
    const configured = loadVapidKeys(undefined, mkdtempSync(path.join(dir, 'other-')));
    expect(loadVapidKeys(configured, dir)).toBe(configured);
    expect(() => statSync(path.join(dir, 'vapid-keys.json'))).toThrow();
  });

  it('refuses a damaged key file rather than replacing the keys browsers subscribed with', () => {
    writeFileSync(path.join(dir, 'vapid-keys.json'), '{"publicKey": "x"}');
    expect(() => loadVapidKeys(undefined, dir)).toThrow(/delete it to generate a new one/);
  });
});
