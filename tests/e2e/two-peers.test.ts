import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom, expectMediaFromAll, joinRoom } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

describe('a two-person mesh call', () => {
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

  it('each page decodes the other one’s video and receives its audio', async () => {
    const a = await newPeerPage(browser, { label: 'alice' });
    const b = await newPeerPage(browser, { label: 'bob' });
    const url = await createRoom(a.page, server.url);
    await joinRoom(a.page, url, 'Alice');
    await joinRoom(b.page, url, 'Bob');

    const [fromBob, fromAlice] = await Promise.all([
      expectMediaFromAll(a.page, 1),
      expectMediaFromAll(b.page, 1),
    ]);
    expect(fromBob).toHaveLength(1);
    expect(fromAlice).toHaveLength(1);

    // The tiles carry the names, and the creator's tile says who it is.
    await a.page.getByText('Bob', { exact: true }).waitFor();
    await b.page.getByText('Alice', { exact: true }).waitFor();
    await b.page.getByText('Bob (you)').waitFor();

    // Muting updates the other side's indicator through `media` / `peer-updated`.
    await a.page.getByRole('button', { name: 'Mute' }).click();
    await b.page
      .locator('figure[data-peer-name="Alice"] .indicator', { hasText: 'Muted' })
      .waitFor();
    await a.page.getByRole('button', { name: 'Unmute' }).click();
    await b.page
      .locator('figure[data-peer-name="Alice"] .indicator', { hasText: 'Muted' })
      .waitFor({ state: 'detached' });
  });
});
