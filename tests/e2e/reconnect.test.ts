import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { chatTexts, createRoom, expectMediaFromAll, joinRoom, sendChat } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

describe('reconnecting after the server restarts', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('rejoins, resends an unacknowledged message once, and the call comes back', async () => {
    const a = await newPeerPage(browser, { label: 'alice' });
    const b = await newPeerPage(browser, { label: 'bob' });
    const url = await createRoom(a.page, server.url);
    await joinRoom(a.page, url, 'Alice');
    await joinRoom(b.page, url, 'Bob');
    await sendChat(a.page, 'before the outage');
    await waitFor('Bob to see the first message', async () =>
      (await chatTexts(b.page)).includes('before the outage'),
    );

    const { port, dataDir } = server;
    await server.close({ keepData: true });
    await a.page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    // Typed while the server is down: shown as pending, sent after the reconnect.
    await sendChat(a.page, 'during the outage');
    await a.page.locator('.chat-item[data-pending="true"]').waitFor();

    server = await startTestServer({ port, dataDir });
    await waitFor('Bob to get the message sent during the outage', async () =>
      (await chatTexts(b.page)).includes('during the outage'),
    );
    await waitFor(
      'Alice’s message to be acknowledged',
      async () => (await a.page.locator('.chat-item[data-pending="true"]').count()) === 0,
    );
    for (const page of [a.page, b.page]) {
      const texts = await chatTexts(page);
      expect(texts.filter((t) => t === 'before the outage')).toHaveLength(1);
      expect(texts.filter((t) => t === 'during the outage')).toHaveLength(1);
    }
    await Promise.all([expectMediaFromAll(a.page, 1), expectMediaFromAll(b.page, 1)]);
  });
});
