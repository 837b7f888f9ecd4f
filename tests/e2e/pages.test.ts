import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

describe('home and room pages', () => {
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

  it('joins by a pasted link and copies the room link', async () => {
    const creator = await newPeerPage(browser, { label: 'creator' });
    const url = await createRoom(creator.page, server.url);

    const { context, page } = await newPeerPage(browser, { label: 'guest' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    await page.goto(server.url);
    await page.getByLabel('Join by link').fill(`  ${url}  `);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.waitForURL(url);
    await page.getByLabel('Your name').waitFor();

    expect(await page.getByLabel('Room link').inputValue()).toBe(url);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link copied.').waitFor();
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied).toBe(url);
  });

  it('says so when the room does not exist', async () => {
    const { page } = await newPeerPage(browser, { label: 'lost' });
    await page.goto(`${server.url}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await page.getByLabel('Your name').fill('Lost');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'This room does not exist' }).waitFor();
  });
});
