import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, joinRoom, sendChat } from './support/call.ts';
import { waitFor } from './support/wait.ts';

// Issue 17's proof for hands and reactions: three people, each in a browser context of its
// own (its own guest cookie: its own person to the server). Hands raised in a known order
// reach the host in that order, and keep it after one of them reloads the page.

/** In the page: the element has the focus (the tests' TypeScript has no DOM types). */
const isFocused = (el: unknown) =>
  (el as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === el;

/** The names in the host's Raised hands panel, top to bottom. */
async function handsListed(host: Page): Promise<string[]> {
  const panel = host.getByRole('region', { name: /^Raised hands/ });
  if ((await panel.count()) === 0) return [];
  return panel.locator('.hands-name').allTextContents();
}

/** What the hand badge on `name`'s tile says ("✋ 1st"), or null without one. */
async function tileHand(page: Page, name: string): Promise<string | null> {
  const badge = page.locator(`figure[data-peer-name="${name}"] .hand-raised`);
  return (await badge.count()) === 0 ? null : badge.textContent();
}

describe('raised hands and reactions in a call (issue 17)', () => {
  const env = useServerAndBrowser();

  it('lists hands in the order they went up, after a reload too; the host lowers them; reactions float; a closed chat counts what is new', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host' })).page;
    const ann = (await newPeerPage(env.browser, { label: 'ann' })).page;
    const bob = (await newPeerPage(env.browser, { label: 'bob' })).page;
    const url = await createRoom(host, env.server.url);
    await joinRoom(host, url, 'Hana');
    await joinRoom(ann, url, 'Ann');
    await joinRoom(bob, url, 'Bob');

    // Bob first, then Ann. The host's panel opens by itself and keeps that order.
    await bob.getByRole('button', { name: 'Raise hand' }).click();
    await waitFor('Bob’s hand at the host', async () => (await handsListed(host)).length === 1);
    await ann.getByRole('button', { name: 'Raise hand' }).click();
    await waitFor('both hands at the host', async () => (await handsListed(host)).length === 2);
    expect(await handsListed(host)).toEqual(['Bob', 'Ann']);
    expect(await tileHand(host, 'Bob')).toBe('✋ 1st');
    expect(await tileHand(host, 'Ann')).toBe('✋ 2nd');
    // Everyone sees the hands on the tiles, their own included.
    expect(await tileHand(ann, 'Bob')).toBe('✋ 1st');
    await waitFor(
      'Ann’s own tile to show her hand',
      async () => (await tileHand(ann, 'Ann')) === '✋ 2nd',
    );
    // The label says what a press does; no `aria-pressed` on top of it (issue 19).
    const lower = ann.getByRole('button', { name: 'Lower hand' });
    expect(await lower.getAttribute('aria-pressed')).toBeNull();

    // Bob reloads and joins again: his hand is still up, still first.
    await bob.reload();
    await joinRoom(bob, url, 'Bob');
    await bob.getByRole('button', { name: 'Lower hand' }).waitFor();
    await waitFor(
      'Bob back in the host’s list',
      async () => (await handsListed(host)).length === 2,
    );
    expect(await handsListed(host)).toEqual(['Bob', 'Ann']);
    expect(await tileHand(host, 'Bob')).toBe('✋ 1st');

    // The host lowers Ann's hand: her button says Raise hand again, and Bob's stays.
    const panel = host.getByRole('region', { name: /^Raised hands/ });
    await panel.getByRole('button', { name: 'Lower Ann’s hand' }).click();
    await ann.getByRole('button', { name: 'Raise hand' }).waitFor();
    await waitFor('Ann gone from the list', async () => (await handsListed(host)).length === 1);
    expect(await handsListed(host)).toEqual(['Bob']);
    await panel.getByRole('button', { name: 'Lower all hands' }).click();
    await bob.getByRole('button', { name: 'Raise hand' }).waitFor();
    await panel.getByText('No hands are up.').waitFor();

    // A reaction from Ann floats over her tile on the others' pages (and on her own).
    await ann.getByRole('button', { name: 'Reactions' }).click();
    await ann.getByRole('button', { name: 'Clapping' }).click();
    for (const [page, tile] of [
      [host, 'Ann'],
      [bob, 'Ann'],
      [ann, 'Ann'],
    ] as const) {
      const float = page.locator(`figure[data-peer-name="${tile}"] .reaction-float`);
      await float.first().waitFor({ timeout: 10_000 });
      expect(await float.first().textContent()).toBe('👏');
    }
    // Escape closes the picker and gives the focus back to its button.
    await ann.keyboard.press('Escape');
    expect(await ann.getByRole('group', { name: 'Send a reaction' }).count()).toBe(0);
    expect(await ann.getByRole('button', { name: 'Reactions' }).evaluate(isFocused)).toBe(true);

    // Bob closes the chat (issue 19); Ann writes; his Chat button counts it until he opens it.
    await bob.getByRole('button', { name: 'Close chat' }).click();
    expect(await bob.getByRole('region', { name: 'Chat' }).count()).toBe(0);
    await sendChat(ann, 'Page 42, everyone');
    await bob.getByRole('button', { name: 'Chat 1 new' }).click();
    await bob.getByText('Page 42, everyone').waitFor();
    expect(await bob.getByRole('button', { name: 'Chat', exact: true }).count()).toBe(1);
  }, 120_000);
});
