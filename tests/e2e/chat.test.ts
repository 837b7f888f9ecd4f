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
    // On a phone the chat opens from its button (it would cover the call).
    await bob.getByRole('button', { name: 'Chat', exact: true }).click();
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

  it('opens on a phone as a sheet over the call, above the pinned controls', async () => {
    const alice = (await newPeerPage(env.browser, { label: 'alice', viewport: LAPTOP })).page;
    const bob = (await newPeerPage(env.browser, { label: 'bob', viewport: PHONE })).page;
    const url = await createRoom(alice, env.server.url);
    await joinRoom(alice, url, 'Alice');
    await joinRoom(bob, url, 'Bob');
    // Beside the call on the laptop, open from the start; on the phone it would cover the call,
    // so it waits for the Chat button.
    await alice.locator('#chat-panel').waitFor();
    expect(await bob.locator('#chat-panel').count()).toBe(0);

    const box = async (page: Page, selector: string) => {
      const b = await page.locator(selector).boundingBox();
      if (!b) throw new Error(`${selector} is not shown`);
      return { top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width };
    };
    /** The sheet lies over the call and ends where the controls start, at the screen's bottom. */
    const expectSheet = async (size: { width: number; height: number }) => {
      const sheet = await box(bob, '.side-panels');
      const controls = await box(bob, '.controls');
      const tiles = await box(bob, '.grid');
      expect(Math.abs(controls.bottom - size.height), 'controls at the bottom').toBeLessThan(2);
      expect(sheet.top).toBeGreaterThanOrEqual(0);
      expect(Math.abs(sheet.bottom - controls.top), 'sheet ends on the controls').toBeLessThan(2);
      expect(sheet.top, 'sheet over the tiles').toBeLessThan(tiles.bottom);
      // Nothing covers Leave or the Chat button: a trial click checks what a tap would hit.
      await bob.locator('.controls .leave').click({ trial: true, timeout: 2_000 });
      await bob.getByRole('button', { name: 'Close chat' }).click({ trial: true, timeout: 2_000 });
    };

    await bob.getByRole('button', { name: 'Chat', exact: true }).click();
    await expectSheet(PHONE);
    // A message comes and goes from the sheet, and the page never scrolled to reach it.
    await alice.getByLabel('Message').fill('Can you hear me on the train?');
    await alice.getByLabel('Message').press('Enter');
    await waitFor('the message in the sheet', async () =>
      (await chatTexts(bob)).includes('Can you hear me on the train?'),
    );
    await bob.getByLabel('Message').fill('Yes, loud and clear');
    await bob.getByLabel('Message').press('Enter');
    await waitFor('the answer on the laptop', async () =>
      (await chatTexts(alice)).includes('Yes, loud and clear'),
    );
    const scrollY = () =>
      bob.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    expect(await scrollY()).toBe(0);

    // On its side the sheet is a drawer on the right half, still above the controls.
    const LANDSCAPE = { width: PHONE.height, height: PHONE.width };
    await bob.setViewportSize(LANDSCAPE);
    await waitFor('the drawer on the right', async () => {
      const sheet = await box(bob, '.side-panels');
      return sheet.left >= LANDSCAPE.width / 2 - 1 && Math.abs(sheet.right - LANDSCAPE.width) < 2;
    });
    await expectSheet(LANDSCAPE);

    // People opens in the same sheet, under the chat; closed, the call is whole again.
    await bob.setViewportSize(PHONE);
    await bob.getByRole('button', { name: /^People/ }).click();
    await bob.locator('.side-panels #people-panel').waitFor();
    await bob.getByRole('button', { name: 'Close chat' }).click();
    await bob.locator('#people-panel').getByRole('button', { name: 'Close' }).click();
    expect(await bob.locator('.side-panels').boundingBox()).toBeNull();
    await bob.locator('.controls .leave').click({ trial: true, timeout: 2_000 });
  });
});
