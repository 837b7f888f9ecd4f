import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import { createRoom, joinRoom, selfId, tileStats } from './support/call.ts';
import { waitFor } from './support/wait.ts';

const PHONE = { width: 390, height: 844 };
/** How long the tile is watched on its page, and then kept off it. */
const WINDOW_MS = 5_000;

/** Counters of `peerId`'s camera tile on `page`, or undefined when it is not on screen. */
async function countersOf(page: Page, peerId: string) {
  const tile = (await tileStats(page)).find((t) => t.peerId === peerId && t.source === 'camera');
  if (!tile?.trackId) return undefined;
  return { frames: tile.framesDecoded, bytes: tile.videoBytesReceived };
}

describe('the grid on a phone with ten people', () => {
  const env = useServerAndBrowser({ sfu: true });

  it('shows 9 tiles a page, pages with Next/Previous, and pauses video that is off the page', async () => {
    // The phone and the last joiner send video; eight receive-only peers keep the load low.
    const phone = (await newPeerPage(env.browser, { label: 'phone', viewport: PHONE })).page;
    const url = await createRoom(phone, env.server.url);
    await joinRoom(phone, url, 'Phone');
    for (let i = 1; i <= 8; i++) {
      const { page } = await newPeerPage(env.browser, { label: `ro${i}`, denyMedia: true });
      await joinRoom(page, url, `Viewer ${i}`);
    }
    const last = (await newPeerPage(env.browser, { label: 'last' })).page;
    await joinRoom(last, url, 'Last');
    const lastId = await selfId(last);

    const tiles = phone.locator('.grid figure.tile');
    await waitFor('9 tiles on the first page', async () => (await tiles.count()) === 9);
    await phone.getByText('Page 1 of 2').waitFor();
    expect(await phone.locator('figure[data-peer-name="Last"]').count()).toBe(0);

    // Page 2: the last joiner's tile decodes.
    await phone.getByRole('button', { name: 'Next page' }).click();
    await phone.locator('figure[data-peer-name="Last"]').waitFor();
    await waitFor('the off-page peer decoding on page 2', async () => {
      const c = await countersOf(phone, lastId);
      return c !== undefined && c.frames > 10;
    });
    const shown = await countersOf(phone, lastId);
    if (!shown) throw new Error('the tile vanished');

    // The floor, in the same run: what the tile receives in WINDOW_MS while it is shown.
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const onPage = await countersOf(phone, lastId);
    if (!onPage) throw new Error('the tile vanished');

    // Back to page 1 for as long: its consumer is paused, so only what was in flight and the
    // key frame that restarts it on the way back arrive meanwhile.
    await phone.getByRole('button', { name: 'Previous page' }).click();
    await waitFor('9 tiles again', async () => (await tiles.count()) === 9);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    await phone.getByRole('button', { name: 'Next page' }).click();
    const back = await waitFor('the tile on page 2 again', () => countersOf(phone, lastId));
    const shownBytes = onPage.bytes - shown.bytes;
    const hiddenBytes = back.bytes - onPage.bytes;
    console.log(
      `in ${WINDOW_MS} ms: ${shownBytes} video bytes, ${onPage.frames - shown.frames} frames ` +
        `shown; ${hiddenBytes} bytes, ${back.frames - onPage.frames} frames off the page`,
    );
    expect(shownBytes).toBeGreaterThan(0);
    expect(hiddenBytes).toBeGreaterThanOrEqual(0);
    expect(hiddenBytes).toBeLessThan(shownBytes / 3);
    await waitFor('it to decode again once shown', async () => {
      const c = await countersOf(phone, lastId);
      return c !== undefined && c.frames > back.frames + 10;
    });
  });
});
