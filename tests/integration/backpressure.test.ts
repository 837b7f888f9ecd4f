import type { Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, LIMITS } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

/** The TCP socket under a `ws` client: pausing it stops reading, as a frozen client would. */
const tcpOf = (client: TestClient): NetSocket =>
  (client.ws as unknown as { _socket: NetSocket })._socket;

/** A signal payload just under the relay limit. */
const bulky = { sdp: 'x'.repeat(LIMITS.SIGNAL_MAX_BYTES - 64) };

describe('back-pressure', () => {
  it('closes a socket that stopped reading with 4005, and the others carry on', async () => {
    const server = await startTestServer({
      wsBuffer: { maxBytes: 256 * 1024, graceMs: 200 },
      // The flood below is the point: the rate limit must not stop it first.
      rateLimit: { perSec: 1_000_000, burst: 1_000_000 },
    });
    servers.push(server);
    const { id } = await server.createRoom();
    const slow = await TestClient.ready(server.url);
    const slowId = (await slow.join(id, 'Slow')).peerId;
    const flooder = await TestClient.ready(server.url);
    await flooder.join(id, 'Flooder');

    tcpOf(slow).pause();
    // Relayed signals pile up for the slow reader: first in the kernel's buffers, then in the
    // server's. Keep going until the server gives up on it (the others see it leave).
    const gone = flooder.next((m) => m.type === 'peer-left' && m.peerId === slowId, 30_000);
    let left = false;
    void gone.then(() => (left = true));
    const deadline = Date.now() + 30_000;
    let sent = 0;
    while (!left && Date.now() < deadline) {
      for (let i = 0; i < 20; i++) flooder.send({ type: 'signal', to: slowId, data: bulky });
      sent += 20;
      await new Promise((r) => setTimeout(r, 5));
    }
    await gone;
    // Well over the bound was sent; the server did not hold it all for the slow client.
    expect(sent * LIMITS.SIGNAL_MAX_BYTES).toBeGreaterThan(256 * 1024);

    // The slow client reads again: what was queued before the close, then the close itself.
    tcpOf(slow).resume();
    expect((await slow.closed).code).toBe(CLOSE_CODES.BACKPRESSURE);
    expect(await flooder.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    await flooder.close();
  }, 60_000);
});
