import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.ts';
import { deriveViewerSecret, loadJwtSecret } from './secret.ts';

describe('JWT secret', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-secret-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into <dataDir>/jwt-secret, readable by the owner only', () => {
    const first = loadJwtSecret(undefined, dir);
    const file = path.join(dir, 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(loadJwtSecret(undefined, dir))).toEqual(Buffer.from(first));
  });

  it('prefers the configured secret and writes no file', () => {
    const secret = loadJwtSecret('c'.repeat(40), dir);
    expect(new TextDecoder().decode(secret)).toBe('c'.repeat(40));
    expect(() => readFileSync(path.join(dir, 'jwt-secret'))).toThrow();
  });

  it('refuses a file too short to be a key', () => {
    writeFileSync(path.join(dir, 'jwt-secret'), 'short\n');
    expect(() => loadJwtSecret(undefined, dir)).toThrow(/fewer than 32/);
  });

  it('derives a viewer secret that differs from the JWT key and from other keys', () => {
    const a = deriveViewerSecret(new TextEncoder().encode('a'.repeat(32)));
    const b = deriveViewerSecret(new TextEncoder().encode('b'.repeat(32)));
    expect(a).not.toBe(b);
    expect(a).not.toContain('a'.repeat(32));
    expect(deriveViewerSecret(new TextEncoder().encode('a'.repeat(32)))).toBe(a);
  });
});

describe('accounts configuration', () => {
  it('has defaults', () => {
    const config = loadConfig({});
    expect(config.jwtSecret).toBeUndefined();
    expect(config.accessTokenTtlS).toBe(900);
    expect(config.refreshTtlDays).toBe(30);
  });

  it('reads and validates the variables', () => {
    const env = { JWT_SECRET: 's'.repeat(32), ACCESS_TOKEN_TTL_S: '60', REFRESH_TTL_DAYS: '7' };
    expect(loadConfig(env)).toMatchObject({
      jwtSecret: 's'.repeat(32),
      accessTokenTtlS: 60,
      refreshTtlDays: 7,
    });
    const bad: Record<string, string>[] = [
      { JWT_SECRET: 'too-short' },
      { ACCESS_TOKEN_TTL_S: '0' },
      { ACCESS_TOKEN_TTL_S: 'soon' },
      { REFRESH_TTL_DAYS: '0' },
      { REFRESH_TTL_DAYS: '1.5' },
    ];
    for (const env of bad) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(Object.keys(env)[0]);
    }
  });
});
