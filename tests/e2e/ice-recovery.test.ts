import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import {
  clientMode,
  createRoom,
  expectTilesLive,
  failIce,
  iceRefreshes,
  joinRoom,
  recordStatus,
  selfId,
  statusSeen,
  tileStats,
} from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

interface Pair {
  a: Page;
  b: Page;
  idA: string;
  idB: string;
}

async function twoPeers(browser: Browser, server: TestServer): Promise<Pair> {
  const a = await newPeerPage(browser, { label: 'alice' });
  const b = await newPeerPage(browser, { label: 'bob' });
  const url = await createRoom(a.page, server.url);
  await joinRoom(a.page, url, 'Alice');
  await joinRoom(b.page, url, 'Bob');
  return { a: a.page, b: b.page, idA: await selfId(a.page), idB: await selfId(b.page) };
}

/** `page` fails ICE; it says "Reconnecting…", asks for fresh TURN credentials, recovers. */
async function failAndRecover(p: Pair, via: 'mesh' | 'sfu'): Promise<void> {
  await Promise.all([expectTilesLive(p.a, [p.idB], via), expectTilesLive(p.b, [p.idA], via)]);
  await recordStatus(p.b);
  const refreshesBefore = await iceRefreshes(p.b);
  const startedAt = Date.now();
  await failIce(p.b);
  await waitFor('"Reconnecting…" on the failing page', async () =>
    (await statusSeen(p.b)).some((t) => t.includes('Reconnecting')),
  );
  await waitFor('fresh TURN credentials to be asked for', async () => {
    return (await iceRefreshes(p.b)) > refreshesBefore;
  });
  await Promise.all([expectTilesLive(p.a, [p.idB], via), expectTilesLive(p.b, [p.idA], via)]);
  console.log(`ice-recovery (${via}): video decoding again after ${Date.now() - startedAt} ms`);
  await waitFor('"Reconnecting…" to clear', async () => {
    return (await p.b.getByRole('status').filter({ hasText: 'Reconnecting' }).count()) === 0;
  });
  for (const page of [p.a, p.b]) {
    const cameras = (await tileStats(page)).filter((t) => t.source === 'camera');
    expect(cameras).toHaveLength(1);
  }
}

describe('recovering from failed ICE', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('in a mesh', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('rebuilds the link with fresh credentials and video decodes again', async () => {
      const p = await twoPeers(browser, server);
      await failAndRecover(p, 'mesh');
    });
  });

  describe('on the SFU', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ sfu: true, meshMaxPeers: 1 });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('restarts ICE on the transports and video decodes again', async () => {
      const p = await twoPeers(browser, server);
      await waitFor('both pages on the SFU', async () => {
        const modes = await Promise.all([clientMode(p.a), clientMode(p.b)]);
        return modes.every((m) => m.mode === 'sfu');
      });
      await failAndRecover(p, 'sfu');
    });
  });
});
