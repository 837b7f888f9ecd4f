import type { Page } from 'playwright-core';
import { waitFor } from './wait.ts';

/** What the app's debug hook (`window.__parley.stats()`, app/src/call/debugHook.ts) returns. */
export interface LinkStats {
  peerId: string;
  connected: boolean;
  framesDecoded: number;
  audioBytesReceived: number;
}

/** Opens the home page and creates a room through the UI; returns the room's URL. */
export async function createRoom(page: Page, baseUrl: string): Promise<string> {
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
  return page.url();
}

/** Opens a room link (unless already there), types the name and joins; waits for the call. */
export async function joinRoom(page: Page, url: string, name: string): Promise<void> {
  if (page.url() !== url) await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  const join = page.getByRole('button', { name: 'Join', exact: true });
  await waitFor('the Join button to be enabled', () => join.isEnabled());
  await join.click();
  await page.getByRole('button', { name: 'Leave' }).waitFor({ timeout: 30_000 });
}

export async function linkStats(page: Page): Promise<LinkStats[]> {
  return page.evaluate(() => {
    const hook = (globalThis as { __parley?: { stats(): Promise<LinkStats[]> } }).__parley;
    return hook ? hook.stats() : [];
  });
}

/**
 * Proves `page` is receiving live media from `expectedLinks` peers: on every link, decoded
 * video frames (and, when `audio`, received audio bytes) grow between two samples.
 */
export async function expectMediaFromAll(
  page: Page,
  expectedLinks: number,
  { audio = true }: { audio?: boolean } = {},
): Promise<LinkStats[]> {
  const first = await waitFor(`${expectedLinks} links decoding video`, async () => {
    const s = await linkStats(page);
    const flowing = s.filter((l) => l.framesDecoded > 0 && (!audio || l.audioBytesReceived > 0));
    return s.length === expectedLinks && flowing.length === expectedLinks && s;
  });
  return waitFor(`media counters to grow on all ${expectedLinks} links`, async () => {
    const now = await linkStats(page);
    const grown = first.every((before) => {
      const after = now.find((l) => l.peerId === before.peerId);
      return (
        after !== undefined &&
        after.framesDecoded > before.framesDecoded &&
        (!audio || after.audioBytesReceived > before.audioBytesReceived)
      );
    });
    return grown && now;
  });
}

/** The texts of the chat list, as rendered (textContent, so markup shows up literally). */
export async function chatTexts(page: Page): Promise<string[]> {
  return page.locator('.chat-list .chat-text').allTextContents();
}

export async function sendChat(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}
