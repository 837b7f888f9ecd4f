// Joining a room already on the SFU: the pre-join screen opens the signaling socket and a
// receive transport that connects (ICE, DTLS) while the person looks at the preview; Join then
// takes that transport, and the first picture comes over it. A pre-join page left open past
// the server's join timeout loses that socket, and warms up again when the person comes back.

import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Bot } from '../load/Bot.ts';
import { loadClip } from '../load/clip.ts';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { expectTilesLive, inCall } from './support/call.ts';
import { waitFor } from './support/wait.ts';

const JOIN_TIMEOUT_MS = 4_000;

type WarmState = { state: string | null; taken: number };

function warmState(page: Page): Promise<WarmState | null> {
  return page.evaluate(() => {
    const hook = (globalThis as { __parley?: { warm(): WarmState } }).__parley;
    return hook ? hook.warm() : null;
  });
}

describe('joining a room on the SFU from a warm pre-join screen', () => {
  // One person already fills the mesh: two bots are a room on the SFU before the page comes.
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 1, joinTimeoutMs: JOIN_TIMEOUT_MS });
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.close()));
  });

  async function roomWithBots(): Promise<{ id: string; botIds: string[] }> {
    const res = await fetch(`${env.server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    const { id, hostKey } = (await res.json()) as { id: string; hostKey: string };
    for (const name of ['bot-a', 'bot-b']) {
      const bot = new Bot({
        url: env.server.url,
        roomId: id,
        name,
        hostKey,
        publish: ['audio', 'video'],
        clip: loadClip(),
      });
      bots.push(bot);
      await bot.join();
      await bot.published;
    }
    return { id, botIds: bots.map((b) => b.snapshot().peerId ?? '') };
  }

  it('connects on the pre-join screen, and the first pictures come over that transport', async () => {
    const { id, botIds } = await roomWithBots();
    const { page } = await newPeerPage(env.browser, { label: 'joiner' });
    await page.goto(`${env.server.url}/r/${id}`);
    await page.getByLabel('Your name').fill('Joiner');
    await waitFor('the warm transport to connect on the pre-join screen', async () => {
      return (await warmState(page))?.state === 'connected';
    });
    // Nothing comes before admission: the warm transport carries no media.
    expect(await page.locator('video[data-tile-peer]').count()).toBe(0);

    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await inCall(page);
    await expectTilesLive(page, botIds, 'sfu', 30_000);
    expect(await warmState(page)).toEqual({ state: null, taken: 1 });
    // The bots hear and see the joiner too (its send side is unchanged).
    await waitFor('both bots to receive the joiner', () =>
      bots.every((b) => b.snapshot().consumers.filter((c) => c.counts.packets > 0).length >= 4),
    );
  });

  it('warms up again when the person comes back to a pre-join screen whose socket timed out', async () => {
    const { id, botIds } = await roomWithBots();
    const { page } = await newPeerPage(env.browser, { label: 'late joiner' });
    await page.goto(`${env.server.url}/r/${id}`);
    await page.getByLabel('Your name').fill('Late');
    await waitFor('the warm transport', async () => (await warmState(page))?.state === 'connected');
    // The server closes a socket that has not joined within its join timeout.
    await waitFor(
      'the pre-join socket to be closed',
      async () => (await warmState(page))?.state === null,
      { timeoutMs: JOIN_TIMEOUT_MS + 10_000 },
    );
    // Back to the form (a key, a pointer): a new socket, a new warm transport.
    const field = page.getByLabel('Your name');
    await field.blur();
    await field.focus();
    const connected = async () => (await warmState(page))?.state === 'connected';
    await waitFor('a new warm transport', connected);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await inCall(page);
    await expectTilesLive(page, botIds, 'sfu', 30_000);
    expect(await warmState(page)).toEqual({ state: null, taken: 1 });
  });
});
