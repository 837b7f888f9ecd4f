import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

// `net-check` (issue 20): TURN credentials for the pre-join connection check, short-lived and
// few per socket, because such a socket is in no meeting yet.
describe('net-check', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 'not-a-real-secret' },
      turnTtlS: 600,
    });
  });
  afterAll(() => server?.dispose());

  it('gives a socket outside a room a TURN credential that lives NET_CHECK_TURN_TTL_S', async () => {
    const client = await TestClient.ready(server.url);
    const before = Math.floor(Date.now() / 1000);
    const reply = await client.request({ type: 'net-check' });
    if (reply.type !== 'ice-servers') throw new Error(JSON.stringify(reply));
    const turn = reply.iceServers.find((s) => s.username !== undefined);
    const [expiry, user] = (turn?.username ?? '').split(':');
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(LIMITS.NET_CHECK_TURN_TTL_S - 1);
    expect(Number(expiry) - before).toBeLessThanOrEqual(LIMITS.NET_CHECK_TURN_TTL_S + 1);
    expect(user).toMatch(/^check-/);
    expect(turn?.credential).toBeTruthy();
  });

  it(`refuses more than NET_CHECKS_PER_SOCKET checks with LIMIT_REACHED`, async () => {
    const client = await TestClient.ready(server.url);
    for (let i = 0; i < LIMITS.NET_CHECKS_PER_SOCKET; i += 1) {
      expect((await client.request({ type: 'net-check' })).type).toBe('ice-servers');
    }
    const refused = await client.request({ type: 'net-check' });
    expect(refused).toMatchObject({ type: 'error', code: 'LIMIT_REACHED', ref: 'net-check' });
    // A refusal, not a close: the socket still joins.
    const { id } = await server.createRoom();
    expect((await client.join(id, 'Someone')).type).toBe('joined');
  });
});
