import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom, expectMediaFromAll, joinRoom, linkStats } from './support/call.ts';
import { NetRig } from './support/netns.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/** Total video frames the page has decoded, over all its links. */
async function framesDecoded(page: Parameters<typeof linkStats>[0]): Promise<number> {
  return (await linkStats(page)).reduce((sum, l) => sum + l.framesDecoded, 0);
}

// The impairment rig itself (issue 20): a browser inside a network namespace really loses
// its network when the rig says so, and gets it back on `clear`.
describe('the network rig', () => {
  let rig: NetRig;
  let server: TestServer;
  let outside: Browser;
  let inside: Browser;

  beforeAll(async () => {
    rig = await NetRig.create();
    server = await startTestServer({ host: rig.hostIp });
    outside = await launchChromium({ secureOrigins: [server.url] });
    inside = await rig.launchChromium({ secureOrigins: [server.url] });
  });
  afterAll(async () => {
    await inside?.close();
    await outside?.close();
    await server?.close();
    await rig?.close();
  });

  it('carries a mesh call, cuts it with blockAll and restores it with clear', async () => {
    const a = await newPeerPage(outside, { label: 'outside' });
    const b = await newPeerPage(inside, { label: 'inside' });
    const url = await createRoom(a.page, server.url);
    await joinRoom(a.page, url, 'Outside');
    await joinRoom(b.page, url, 'Inside');
    await Promise.all([expectMediaFromAll(a.page, 1), expectMediaFromAll(b.page, 1)]);

    await rig.impair({ blockAll: true });
    // Frames already buffered may still decode: wait until the count stands still for a second.
    let before = await framesDecoded(b.page);
    const frozen = await waitFor(
      'the inside page to stop decoding',
      async () => {
        await new Promise((r) => setTimeout(r, 1000));
        const now = await framesDecoded(b.page);
        const still = now === before;
        before = now;
        return still && now;
      },
      { timeoutMs: 5000, intervalMs: 0 },
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await framesDecoded(b.page), 'no frame crosses a dead network').toBe(frozen);

    await rig.clear();
    await waitFor('frames to flow again', async () => (await framesDecoded(b.page)) > frozen, {
      timeoutMs: 15_000,
    });
  });
});
