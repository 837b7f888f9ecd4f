import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { chatTexts, createRoom, joinRoom } from './support/call.ts';
import { waitFor } from './support/wait.ts';

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** "10:41" or "10:41 AM", as the browser's locale writes a line's time. */
const TIME = / \d\d:\d\d( [AP]M)?/;

/** The chat's lines as the page shows them, join and leave lines included, top to bottom. */
async function chatLines(page: Page): Promise<string[]> {
  const items = page.locator('.chat-list > li');
  return (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/**
 * How wide the text of the newest message is drawn (its widest line, measured on the text
 * itself, not on its box) and how wide the chat panel is.
 */
async function widths(page: Page): Promise<{ text: number; panel: number; overflows: boolean }> {
  return page.locator('#chat-panel').evaluate((panel) => {
    type Box = { width: number };
    type El = {
      getBoundingClientRect(): Box;
      scrollWidth: number;
      clientWidth: number;
      querySelector(s: string): El | null;
      querySelectorAll(s: string): ArrayLike<El>;
      ownerDocument: { createRange(): { selectNodeContents(n: El): void } & El };
    };
    const p = panel as unknown as El;
    const texts = p.querySelectorAll('.chat-text');
    const last = texts[texts.length - 1] as El;
    const range = p.ownerDocument.createRange();
    range.selectNodeContents(last);
    const list = p.querySelector('.chat-list') as El;
    return {
      text: range.getBoundingClientRect().width,
      panel: p.getBoundingClientRect().width,
      overflows: list.scrollWidth > list.clientWidth,
    };
  });
}

describe('chat', () => {
  const env = useServerAndBrowser();

  it('shows lines, links and text as typed, across the panel, with join and leave lines', async () => {
    const alice = (await newPeerPage(env.browser, { label: 'alice', viewport: LAPTOP })).page;
    const bob = (await newPeerPage(env.browser, { label: 'bob', viewport: PHONE })).page;
    const url = await createRoom(alice, env.server.url);
    await joinRoom(alice, url, 'Alice');
    await joinRoom(bob, url, 'Bob');
    await alice.locator('.chat-presence', { hasText: 'Bob joined' }).waitFor();

    // Two lines (Shift+Enter), a link ending a sentence, markup typed as text; Enter sends.
    const field = alice.getByLabel('Message');
    await field.click();
    await alice.keyboard.type('first line');
    await alice.keyboard.press('Shift+Enter');
    await alice.keyboard.type('read https://example.org/docs. <b>not bold</b>');
    expect(await field.inputValue()).toBe(
      'first line\nread https://example.org/docs. <b>not bold</b>',
    );
    await alice.keyboard.press('Enter');
    await waitFor('the field to empty once sent', async () => (await field.inputValue()) === '');

    const sent = 'first line\nread https://example.org/docs. <b>not bold</b>';
    for (const page of [alice, bob]) {
      await waitFor('the two-line message', async () => (await chatTexts(page)).includes(sent));
      const text = page.locator('.chat-text').last();
      // innerText is what is drawn: the line break shows, it was not folded into a space.
      expect(await text.innerText()).toBe(sent);
      expect(await page.locator('.chat-list b').count()).toBe(0);
      const link = text.getByRole('link');
      expect(await link.count()).toBe(1);
      expect(await link.textContent()).toBe('https://example.org/docs');
      expect(await link.getAttribute('href')).toBe('https://example.org/docs');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect((await link.getAttribute('rel'))?.split(' ')).toContain('noopener');
    }
    // Bob joined after Alice: he gets no line for those already in the call.
    expect(await bob.locator('.chat-presence').count()).toBe(0);

    // A long message uses the panel's width on the laptop and on the phone, and a long URL
    // breaks inside it.
    const long = `${'a sentence long enough to wrap over several lines of the chat panel, '.repeat(3)}https://example.org/${'x'.repeat(120)}`;
    await bob.getByLabel('Message').fill(long);
    await bob.getByRole('button', { name: 'Send' }).click();
    for (const page of [alice, bob]) {
      await waitFor('the long message', async () => (await chatTexts(page)).includes(long));
      const w = await widths(page);
      expect(w.text, `text ${w.text}px in a panel of ${w.panel}px`).toBeGreaterThanOrEqual(
        0.8 * w.panel,
      );
      expect(w.overflows).toBe(false);
    }

    // Bob closes the chat: Carol's arrival is a line, not an unread message.
    await bob.getByRole('button', { name: 'Close chat' }).click();
    const carol = (await newPeerPage(env.browser, { label: 'carol' })).page;
    await joinRoom(carol, url, 'Carol');
    await alice.locator('.chat-presence', { hasText: 'Carol joined' }).waitFor();
    expect(await carol.locator('.chat-presence').count()).toBe(0);
    expect(await bob.getByRole('button', { name: 'Chat', exact: true }).count()).toBe(1);
    await bob.getByRole('button', { name: 'Chat', exact: true }).click();
    await bob.locator('.chat-presence', { hasText: 'Carol joined' }).waitFor();

    await carol.getByRole('button', { name: 'Leave' }).click();
    for (const page of [alice, bob]) {
      await page.locator('.chat-presence', { hasText: 'Carol left' }).waitFor();
    }
    // In the order it happened, messages and lines together (times left out).
    const order = (await chatLines(alice)).map((line) => line.replace(TIME, '').slice(0, 16));
    expect(order).toEqual([
      'Bob joined',
      'Alice first line',
      'Bob a sentence l',
      'Carol joined',
      'Carol left',
    ]);
  });
});
