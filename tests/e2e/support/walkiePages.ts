import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
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

export function hold(page: Page) {
  return page.getByRole('button', { name: /hold to talk|talking on|asking/i });
}

export async function joinTeam(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join the team' }).click();
  await waitFor(`${name}'s microphone to be produced`, () =>
    page.evaluate(() => (globalThis as Hooked).__parleyTeam?.hasMic() ?? false),
  );
}

export async function shoot(page: Page, file: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
}
