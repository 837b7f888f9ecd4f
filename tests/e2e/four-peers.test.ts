import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import { chatTexts, createRoom, expectMediaFromAll, joinRoom, sendChat } from './support/call.ts';
import { waitFor } from './support/wait.ts';

const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret'];

describe('a four-person mesh call', () => {
  const env = useServerAndBrowser();

  it('every peer decodes and hears every other peer, and chat reaches all four', async () => {
    const pages: Page[] = [];
    for (const name of NAMES) pages.push((await newPeerPage(env.browser, { label: name })).page);
    const [first] = pages as [Page, ...Page[]];
    const url = await createRoom(first, env.server.url);
    for (const [i, page] of pages.entries()) await joinRoom(page, url, NAMES[i] as string);

    // 4 pages x 3 links = 12 directed media paths, each proven by growing counters.
    const perPage = await Promise.all(pages.map((p) => expectMediaFromAll(p, 3)));
    expect(perPage.flat()).toHaveLength(12);

    const text = 'hello 👋🎉 <b>not bold</b> & done';
    await sendChat(pages[2] as Page, text);
    for (const page of pages) {
      await waitFor('the chat message on every page', async () =>
        (await chatTexts(page)).includes(text),
      );
      // Rendered as text: the <b> is literal characters, not an element.
      expect(await page.locator('.chat-list b').count()).toBe(0);
    }
    // The sender's copy is acknowledged (no longer pending).
    await waitFor(
      'the sender’s message to be acknowledged',
      async () =>
        (await (pages[2] as Page).locator('.chat-item[data-pending="true"]').count()) === 0,
    );
  });
});
