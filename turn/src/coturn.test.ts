import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTurnCredential } from './credentials.ts';
import { freeTcpUdpPort, renderTemplate, startLocalCoturn } from './coturn.ts';
import type { LocalCoturn } from './coturn.ts';

let PORT = 0;

/** Runs turnutils_uclient (an allocation + 5 relayed echoes) with the given credential. */
function allocate(username: string, password: string): { ok: boolean; out: string } {
  const args = ['-y', '-n', '5', '-m', '1', '-l', '100', '-u', username, '-w', password];
  const r = spawnSync('turnutils_uclient', [...args, '-p', String(PORT), '127.0.0.1'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const out = r.stdout + r.stderr;
  // uclient echoes through the relay; every sent message must come back.
  const relayed = /tot_recv_msgs=[1-9]/.test(out) && /Total lost packets 0 /.test(out);
  return { ok: r.status === 0 && relayed, out };
}

describe('local coturn (embedded default)', () => {
  let coturn: LocalCoturn;
  beforeAll(async () => {
    PORT = await freeTcpUdpPort();
    coturn = await startLocalCoturn({ port: PORT, minPort: 49300, maxPort: 49340 });
  });
  afterAll(() => coturn?.stop());

  it('relays for a freshly minted credential', () => {
    const c = mintTurnCredential({ secret: coturn.secret, user: 'alice', ttlS: 600 });
    const r = allocate(c.username, c.credential);
    expect(r.ok, r.out).toBe(true);
  });

  it('refuses a credential signed with another secret, a tampered one, and an expired one', () => {
    const wrong = mintTurnCredential({ secret: 'not-the-secret', user: 'bob', ttlS: 600 });
    expect(allocate(wrong.username, wrong.credential).ok).toBe(false);
    const good = mintTurnCredential({ secret: coturn.secret, user: 'bob', ttlS: 600 });
    expect(allocate(good.username.replace('bob', 'eve'), good.credential).ok).toBe(false);
    const old = mintTurnCredential({ secret: coturn.secret, user: 'bob', ttlS: 60, nowS: 1000 });
    expect(allocate(old.username, old.credential).ok).toBe(false);
  });
});

describe('renderTemplate', () => {
  it.each([
    ['a={{A}}', { A: 1 }, 'a=1'],
    ['{{A}}-{{B_C}}', { A: 'x', B_C: 'y' }, 'x-y'],
    ['none', {}, 'none'],
  ])('renders %s', (template, values, expected) => {
    expect(renderTemplate(template, values)).toBe(expected);
  });
  it('fails loudly on a missing value', () => {
    expect(() => renderTemplate('{{MISSING}}', {})).toThrow(/MISSING/);
  });
});
