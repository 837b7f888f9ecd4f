import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freeTcpUdpPort, startLocalCoturn } from '@parley/turn';
import type { LocalCoturn } from '@parley/turn';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom, expectMediaFromAll, joinRoom, linkStats } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

// A relay-only deployment (ICE_RELAY_ONLY) through a real coturn on 127.0.0.1: the mesh
// works with the TURN REST credentials the server mints, and every selected pair is relayed.
describe('a mesh call relayed through coturn', () => {
  let coturn: LocalCoturn;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    coturn = await startLocalCoturn({
      port: await freeTcpUdpPort(),
      minPort: 49400,
      maxPort: 49499,
    });
    server = await startTestServer({
      turn: { urls: coturn.urls, secret: coturn.secret },
      iceRelayOnly: true,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await coturn?.stop();
  });

  it('decodes video both ways over relay candidates only', async () => {
    const a = await newPeerPage(browser, { label: 'alice' });
    const b = await newPeerPage(browser, { label: 'bob' });
    const url = await createRoom(a.page, server.url);
    await joinRoom(a.page, url, 'Alice');
    await joinRoom(b.page, url, 'Bob');
    await Promise.all([expectMediaFromAll(a.page, 1), expectMediaFromAll(b.page, 1)]);
    for (const page of [a.page, b.page]) {
      const links = await waitFor('the selected candidate pair', async () => {
        const s = await linkStats(page);
        return s.length === 1 && s.every((l) => l.candidateType !== null) && s;
      });
      expect(links.map((l) => l.candidateType)).toEqual(['relay']);
    }
  });
});
