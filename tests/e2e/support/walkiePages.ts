import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { newPeerPage } from './browser.ts';
import { launchChromiumWithMic, toneWav } from './fakeMic.ts';
import { waitFor } from './wait.ts';

// A team's page as the walkie-talkie tests drive it (tests/e2e/walkie*.test.ts).

/** Screenshots of the team page go here when set (WALKIE_SHOTS=/tmp/walkie-shots). */
const SHOTS = process.env.WALKIE_SHOTS;

export interface Level {
  toneDb: number;
  peakDb: number;
}

/** `window.__parleyTeam` (app/src/team/teamDebugHook.ts); channels by name. */
export interface TeamHook {
  level(channel: string, frequency: number): Level | null;
  bytesReceived(channel: string): Promise<number | null>;
  hasMic(): boolean;
  busyTones(): number;
  permitTones(): number;
}
export type Hooked = { __parleyTeam?: TeamHook };

export function level(page: Page, channel: string, frequency: number): Promise<Level | null> {
  return page.evaluate(([c, f]) => (globalThis as Hooked).__parleyTeam?.level(c, f) ?? null, [
    channel,
    frequency,
  ] as const);
}

export function bytes(page: Page, channel: string): Promise<number | null> {
  return page.evaluate(
    (c) => (globalThis as Hooked).__parleyTeam?.bytesReceived(c) ?? null,
    channel,
  );
}

export function busyTones(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as Hooked).__parleyTeam?.busyTones() ?? -1);
}

export function permitTones(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as Hooked).__parleyTeam?.permitTones() ?? -1);
}

export function hold(page: Page) {
  return page.getByRole('button', { name: /hold to talk|talking on|asking|waiting to talk/i });
}

export async function joinTeam(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join the team' }).click();
  await waitFor(`${name}'s microphone to be produced`, () =>
    page.evaluate(() => (globalThis as Hooked).__parleyTeam?.hasMic() ?? false),
  );
}

/** `fullPage: false` shows what the screen shows (where the sticky button sits). */
export async function shoot(page: Page, file: string, { fullPage = true } = {}): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, file), fullPage });
}

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/**
 * One Chromium per member, its fake microphone playing the member's own tone (WAVs made in
 * `wavDir`), and a page at the member's screen size. Close the browsers when done.
 */
export async function openMembers<N extends string>(
  wavDir: string,
  members: Record<N, { tone: number; viewport: { width: number; height: number } }>,
): Promise<{ browsers: Browser[]; pages: Record<N, Page> }> {
  const browsers: Browser[] = [];
  const pages = {} as Record<N, Page>;
  await Promise.all(
    (Object.keys(members) as N[]).map(async (name) => {
      const browser = await launchChromiumWithMic(toneWav(wavDir, members[name].tone));
      browsers.push(browser);
      const opts = { label: name, viewport: members[name].viewport };
      pages[name] = (await newPeerPage(browser, opts)).page;
    }),
  );
  return { browsers, pages };
}
