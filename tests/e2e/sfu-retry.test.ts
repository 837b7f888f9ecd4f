import { describe, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import {
  createRoom,
  expectMediaFromAll,
  expectTilesLive,
  joinRoom,
  selfId,
} from './support/call.ts';

/**
 * Runs in the page (test instrumentation): swallows the first `sfu-transport` request this
 * page sends, as if it were lost, so the app's request times out and its SFU side fails.
 */
function loseFirstTransportRequest() {
  const g = globalThis as unknown as {
    WebSocket: { prototype: { send(data: unknown): void } };
  };
  const send = g.WebSocket.prototype.send;
  let lost = false;
  g.WebSocket.prototype.send = function (this: unknown, data: unknown) {
    if (!lost && typeof data === 'string' && data.includes('"type":"sfu-transport"')) {
      lost = true;
      return;
    }
    send.call(this, data);
  };
}

describe('a peer whose move to the SFU fails', () => {
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 2 });

  it('says it is reconnecting, retries, and ends up decoding everyone via the SFU', async () => {
    const ada = (await newPeerPage(env.browser, { label: 'Ada' })).page;
    const bob = (await newPeerPage(env.browser, { label: 'Bob' })).page;
    const cy = (await newPeerPage(env.browser, { label: 'Cy' })).page;
    await bob.addInitScript(loseFirstTransportRequest);
    const url = await createRoom(ada, env.server.url);
    await joinRoom(ada, url, 'Ada');
    await joinRoom(bob, url, 'Bob');
    await Promise.all([expectMediaFromAll(ada, 1), expectMediaFromAll(bob, 1)]);

    await joinRoom(cy, url, 'Cy');
    await bob.getByRole('status').filter({ hasText: 'Switching to the media server' }).waitFor();
    // The lost request times out (10 s); Bob's tile of Ada keeps showing the mesh meanwhile.
    await bob.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 20_000 });
    const ids = await Promise.all([ada, bob, cy].map(selfId));
    const others = (me: number) => ids.filter((_, i) => i !== me);
    await Promise.all(
      [ada, bob, cy].map((p: Page, i) => expectTilesLive(p, others(i), 'sfu', 40_000)),
    );
    // And the status line goes away once the SFU side is up.
    await bob
      .getByRole('status')
      .filter({ hasText: /Reconnecting|Switching/ })
      .waitFor({ state: 'detached' });
  });
});
