import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';
import { DESKTOP, PHONE, hold, joinTeam, level, openMembers } from './support/walkiePages.ts';

// Issue 16: a walkie-talkie keeps playing in the background where the browser allows it, and
// says who talks where the phone shows it (Media Session), and keeps the screen on while the
// user talks (wake lock). Bob's team page is hidden, as with the app switched away: he still
// hears Ann, and his Media Session names her. Headless Chromium cannot turn a screen off,
// install the app or hide a page by itself (see below).

const MEMBERS = {
  Ann: { tone: 440, viewport: DESKTOP },
  Bob: { tone: 660, viewport: PHONE },
};
type Name = keyof typeof MEMBERS;
/** dBFS at the tone's frequency that counts as hearing it (see walkie.test.ts). */
const HEARD_DB = -90;

async function hears(page: Page, channel: string, hz: number): Promise<boolean> {
  const l = await level(page, channel, hz);
  return l !== null && l.toneDb > HEARD_DB && l.toneDb >= l.peakDb - 6;
}

/** The page's globals this test reads (the tests' TypeScript has no DOM types). */
type PageGlobals = {
  document: EventTarget & { visibilityState: string };
  navigator: { mediaSession: { metadata: { title: string } | null } };
};

// (Functions run in the page are sent as their source: no helper of this file exists there.)
const visibility = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as PageGlobals).document.visibilityState);
const mediaTitle = (p: Page) =>
  p.evaluate(
    () => (globalThis as unknown as PageGlobals).navigator.mediaSession.metadata?.title ?? null,
  );
/** What the page asked of the Wake Lock API so far (recorded by the init script below). */
const wakeLocks = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __wakeLocks: string[] }).__wakeLocks);

/**
 * Records the page's wake lock requests and releases. Headless Chromium refuses the real
 * lock (no screen to keep on), so the request gets a sentinel that only records.
 */
function recordWakeLocks(): void {
  const log: string[] = [];
  (globalThis as unknown as { __wakeLocks: string[] }).__wakeLocks = log;
  const fake = {
    request: async (type: string) => {
      log.push(`request ${type}`);
      const sentinel = new EventTarget() as EventTarget & Record<string, unknown>;
      sentinel.released = false;
      sentinel.type = type;
      sentinel.release = async () => {
        log.push('release');
        sentinel.released = true;
      };
      return sentinel;
    },
  };
  const { navigator } = globalThis as unknown as { navigator: object };
  Object.defineProperty(navigator, 'wakeLock', { value: fake, configurable: true });
}

describe('walkie-talkie team in the background (issue 16)', () => {
  let server: TestServer;
  let wavDir: string;
  let browsers: Browser[] = [];
  let pages = {} as Record<Name, Page>;

  beforeAll(async () => {
    wavDir = mkdtempSync(path.join(tmpdir(), 'parley-walkie-background-'));
    [server, { browsers, pages }] = await Promise.all([
      startTestServer({ sfu: true }),
      openMembers(wavDir, MEMBERS),
    ]);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
    rmSync(wavDir, { recursive: true, force: true });
  });

  it('a hidden page still plays the channel and names the talker; talking holds a wake lock', async () => {
    const { Ann: ann, Bob: bob } = pages;
    await ann.context().addInitScript(recordWakeLocks);
    await ann.goto(server.url);
    await ann.getByLabel(/team name/i).fill('Night crew');
    await ann.getByRole('button', { name: 'Create team' }).click();
    await ann.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
    const url = ann.url();
    await joinTeam(ann, url, 'Ann');
    await joinTeam(bob, url, 'Bob');
    await waitFor(
      'Bob to listen to General',
      async () => (await level(bob, 'General', 440)) !== null,
    );
    expect(await mediaTitle(bob)).toBe('Nobody is talking');

    // Bob's page goes to the background. Headless Chromium keeps every page visible (a
    // minimised window or a tab behind another one included), so the page is told it is
    // hidden the way a browser tells it: visibilityState and a visibilitychange event. What
    // this shows is that nothing in the app stops listening when its page is hidden; whether a
    // phone keeps a hidden page's audio running is the browser's policy (Chrome does while it
    // plays).
    await bob.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      Object.defineProperty(document, 'visibilityState', {
        get: () => 'hidden',
        configurable: true,
      });
      Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await visibility(bob)).toBe('hidden');

    // Ann talks: the hidden page hears her, and its Media Session says who talks.
    await hold(ann).hover();
    await ann.mouse.down();
    await ann.locator('button[data-floor="granted"]').waitFor();
    expect(await wakeLocks(ann)).toEqual(['request screen']);
    await waitFor('hidden Bob to hear Ann', () => hears(bob, 'General', 440), {
      timeoutMs: 10_000,
    });
    await waitFor('Bob’s Media Session to name Ann', async () =>
      (await mediaTitle(bob))?.includes('Ann'),
    );
    console.log(
      `walkie-background: Bob's page ${await visibility(bob)}, Media Session "${await mediaTitle(bob)}"`,
    );
    // It keeps playing: still heard a second later, the page still hidden.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await visibility(bob)).toBe('hidden');
    expect(await hears(bob, 'General', 440)).toBe(true);

    await ann.mouse.up();
    await waitFor(
      'Bob’s Media Session to say nobody talks',
      async () => (await mediaTitle(bob)) === 'Nobody is talking',
    );
    await waitFor(
      'Ann’s wake lock to be released',
      async () => (await wakeLocks(ann)).join() === 'request screen,release',
    );
  }, 120_000);
});
