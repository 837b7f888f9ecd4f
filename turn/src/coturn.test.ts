import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTurnCredential } from './credentials.ts';
import { freeTcpUdpPort, renderTemplate, startLocalCoturn } from './coturn.ts';
import type { LocalCoturn } from './coturn.ts';
import { stunBinding } from './stunProbe.ts';

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

/**
 * A refused allocation proves nothing if coturn is not there to refuse it (issue 14): before
 * and after each refusal, its process runs and it answers a STUN Binding request.
 */
async function expectAlive(coturn: LocalCoturn): Promise<void> {
  expect(coturn.running(), 'turnserver process is running').toBe(true);
  expect(await stunBinding('127.0.0.1', PORT), 'coturn answers a STUN Binding').toBe(true);
}

/** An allocation coturn answered and refused (not one that found nobody to ask). */
async function expectRefused(coturn: LocalCoturn, username: string, password: string) {
  await expectAlive(coturn);
  const r = allocate(username, password);
  expect(r.ok, r.out).toBe(false);
  expect(r.out, 'uclient reached coturn and was refused').toMatch(/Cannot complete Allocation/);
  await expectAlive(coturn);
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

  it('refuses a credential signed with another secret, a tampered one, and an expired one', async () => {
    const wrong = mintTurnCredential({ secret: 'not-the-secret', user: 'bob', ttlS: 600 });
    await expectRefused(coturn, wrong.username, wrong.credential);
    const good = mintTurnCredential({ secret: coturn.secret, user: 'bob', ttlS: 600 });
    await expectRefused(coturn, good.username.replace('bob', 'eve'), good.credential);
    const old = mintTurnCredential({ secret: coturn.secret, user: 'bob', ttlS: 60, nowS: 1000 });
    await expectRefused(coturn, old.username, old.credential);
    // And it still relays for a good one: the refusals were about the credentials.
    expect(allocate(good.username, good.credential).ok).toBe(true);
  });

  it('is seen as down once stopped: the liveness check can fail', async () => {
    const port = await freeTcpUdpPort();
    const other = await startLocalCoturn({ port, minPort: 49341, maxPort: 49349 });
    expect(other.running()).toBe(true);
    expect(await stunBinding('127.0.0.1', port)).toBe(true);
    await other.stop();
    expect(other.running()).toBe(false);
    expect(await stunBinding('127.0.0.1', port, 500)).toBe(false);
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
