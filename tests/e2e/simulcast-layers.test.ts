import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { createRoom, joinRoom, tileStats } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * Full-size cameras (720p, the app's default) in an SFU room: the sender produces three
 * simulcast layers and each receiver gets the layer its tile needs, switching as it resizes.
 */
describe('simulcast layers follow the tile size', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ sfu: true, meshMaxPeers: 1 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page with the default (720p) capture: no small-capture override. */
  async function hdPage(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    return context.newPage();
  }

  const receivedWidth = async (page: Page): Promise<number> =>
    (await tileStats(page)).find((t) => t.source === 'camera' && t.via === 'sfu')?.frameWidth ?? 0;

  it('a small tile gets a low layer, a large one the full picture', async () => {
    const sender = await hdPage({ width: 640, height: 480 });
    const receiver = await hdPage({ width: 420, height: 700 });
    const url = await createRoom(sender, server.url);
    await joinRoom(sender, url, 'Sender');
    await joinRoom(receiver, url, 'Receiver');
    const small = await waitFor(
      'a low layer in a narrow tile',
      async () => {
        const w = await receivedWidth(receiver);
        return w > 0 && w <= 640 && w;
      },
      { timeoutMs: 60_000 },
    );
    await receiver.setViewportSize({ width: 1800, height: 1000 });
    const large = await waitFor(
      'the full picture in a wide tile',
      async () => {
        const w = await receivedWidth(receiver);
        return w >= 1280 && w;
      },
      { timeoutMs: 60_000 },
    );
    console.log(`simulcast: ${small} px wide in a narrow tile, ${large} px in a wide one`);
    expect(large).toBeGreaterThan(small);
  });
});
