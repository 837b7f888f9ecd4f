// The broadcast ladder (issue 20) in a real Chromium: the viewer page reads the master playlist,
// offers its renditions in a quality menu reachable from the keyboard, and a choice of 360p
// really plays 360-line frames.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { waitFor } from './support/wait.ts';
import { joinAsHost, setLive, startBroadcastServer, videoState } from './support/watch.ts';
import type { BroadcastServer } from './support/watch.ts';

/** Screenshots of the open menu go here when set (they are looked at, not compared). */
const SHOTS = process.env.WATCH_SHOTS_DIR;

function videoHeight(page: Page): Promise<number> {
  return page
    .locator('video')
    .evaluate((v) => (v as unknown as { videoHeight: number }).videoHeight);
}

/** Playback advances: more frames decoded and the clock moving, at the given picture height. */
async function playsAt(page: Page, height: number): Promise<void> {
  await waitFor(`${height}-line frames`, async () => (await videoHeight(page)) === height, {
    timeoutMs: 20_000,
  });
  const before = await videoState(page);
  await waitFor(`playback to advance at ${height} lines`, async () => {
    const s = await videoState(page);
    return (
      (await videoHeight(page)) === height &&
      s.currentTime > before.currentTime + 1 &&
      s.totalVideoFrames > before.totalVideoFrames + 10
    );
  });
}

describe('the viewer page with the ladder on (HLS_LADDER=on)', () => {
  let server: BroadcastServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startBroadcastServer({
      width: 1280,
      height: 720,
      videoKbps: 1200,
      ladder: true,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('offers Auto, 720p and 360p; choosing 360p from the keyboard plays 360-line frames', async () => {
    const { id, hostKey } = await server.createRoom();
    const host = await joinAsHost(server, id, hostKey);
    await setLive(host, true);
    const { page } = await newPeerPage(browser, {
      label: 'viewer',
      viewport: { width: 1280, height: 800 },
    });
    await page.goto(`${server.url}/watch/${server.broadcastIdOf(id)}`);
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });

    // hls.js read two levels from the master playlist: the menu appears, on Auto.
    const button = page.getByRole('button', { name: /^Quality: Auto/ });
    await button.waitFor({ timeout: 15_000 });
    expect(await button.getAttribute('aria-haspopup')).toBe('menu');
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Quality' });
    await menu.waitFor();
    const items = menu.getByRole('menuitemradio');
    expect((await items.allTextContents()).map((t) => t.replace(/ \(.*\)$/, ''))).toEqual([
      'Auto',
      '720p',
      '360p',
    ]);
    expect(await menu.getByRole('menuitemradio', { checked: true }).textContent()).toMatch(/^Auto/);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'watch-quality-1280x800.png') });
    }

    // The focus is on the checked item; two steps down is 360p.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document
          .activeElement.textContent,
    );
    expect(focused).toBe('360p');
    const chosenAt = Date.now();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Quality: 360p' }).waitFor();
    await playsAt(page, 360);
    const to360Ms = Date.now() - chosenAt;

    // And back up by pointer: 720 lines again.
    await page.getByRole('button', { name: 'Quality: 360p' }).click();
    await page.getByRole('menuitemradio', { name: '720p' }).click();
    await playsAt(page, 720);

    // Back to Auto: the button says which rendition the player chose.
    await page.getByRole('button', { name: 'Quality: 720p' }).click();
    await page.getByRole('menuitemradio', { name: /^Auto/ }).click();
    await page.getByRole('button', { name: /^Quality: Auto \(\d+p\)$/ }).waitFor();

    if (SHOTS) {
      const phone = await newPeerPage(browser, {
        label: 'phone',
        viewport: { width: 390, height: 844 },
        touch: true,
      });
      await phone.page.goto(`${server.url}/watch/${server.broadcastIdOf(id)}`);
      await phone.page.getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });
      await phone.page.getByRole('button', { name: /^Quality:/ }).click();
      await phone.page.getByRole('menu', { name: 'Quality' }).waitFor();
      await phone.page.screenshot({ path: path.join(SHOTS, 'watch-quality-390x844.png') });
      await phone.context.close();
    }
    console.log(`[watch-ladder] 360p chosen -> 360-line frames advancing: ${to360Ms} ms`);
    await setLive(host, false);
    await host.close();
  });
});
