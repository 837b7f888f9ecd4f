// Chromium pages for the browser scenarios, on top of the e2e support (same flags, fake camera
// and microphone, the small capture profile). Rooms are opened by URL (`/r/<id>`), never
// through the home page, so a change to the home page cannot break a benchmark.

import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Locator,
  Page,
} from 'playwright-core';
import { launchChromium } from '../../e2e/support/browser.ts';
import { waitFor } from '../../e2e/support/wait.ts';

export { launchChromium };

/**
 * One Chromium per participant. Pages of one browser share its video capture service: the
 * fake camera stops delivering frames to every page of the browser while some of them are
 * busy (measured here: capture and encoders stalled 0.6-1 s on all pages at once when a 4th
 * page joined), which no real participant, with a camera of their own, would see.
 */
export class Browsers {
  readonly #all: Browser[] = [];

  async launch(): Promise<Browser> {
    const browser = await launchChromium();
    this.#all.push(browser);
    return browser;
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((b) => b.close()));
  }
}

/**
 * tsx compiles the bench with esbuild's keepNames, which wraps named inner functions in
 * `__name(fn, "name")`. A function Playwright serializes into a page (evaluate, init scripts)
 * then calls a helper the page lacks: this defines it first in every document of the context.
 */
export async function defineNameHelper(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
}

export interface BenchPageOptions {
  /** Prefix of the page's errors on stderr. */
  label: string;
  /** Default: 800x600, service workers allowed. */
  contextOptions?: BrowserContextOptions;
  /**
   * Camera profile: `small` (320x180 at 15 fps, what the e2e suites use so several pages fit
   * on two cores; the default) or `hd` (the app's own default, 1280x720 at 30 fps).
   */
  capture?: 'small' | 'hd';
}

/**
 * A fresh context (own storage, cache and service worker) with one page, set up like the e2e
 * suites' pages: the small camera capture (several pages share two cores), errors on stderr.
 */
export async function newBenchPage(
  browser: Browser,
  options: BenchPageOptions,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 800, height: 600 },
    ...options.contextOptions,
  });
  await defineNameHelper(context);
  if (options.capture !== 'hd') {
    await context.addInitScript({ content: "localStorage.setItem('parley:capture', 'small');" });
  }
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${options.label}] page error:`, err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[${options.label}] console:`, msg.text());
  });
  return { context, page };
}

/** A function serialized into the page, or source text (see `withArg`). */
export type InitScript = (() => void) | { content: string };

/** An init script that calls `fn(arg)` in the page (`arg` must survive JSON). */
export function withArg<T>(fn: (arg: T) => void, arg: T): { content: string } {
  return { content: `(${fn.toString()})(${JSON.stringify(arg)});` };
}

export interface RoomPageOptions {
  name: string;
  /** Makes this page the room's host (the creator keeps the key in localStorage). */
  hostKey?: string;
  /** Scripts to run in every document of the page before the app (instrumentation). */
  initScripts?: InitScript[];
  /** Prefix of the page's console errors on stderr. */
  label?: string;
  contextOptions?: BrowserContextOptions;
  capture?: 'small' | 'hd';
}

export interface RoomPage {
  context: BrowserContext;
  page: Page;
  /** The pre-join screen's Join button, enabled (camera preview ready, name filled in). */
  join: Locator;
}

/** Opens `/r/<roomId>` in a fresh context and stops on the pre-join screen, ready to join. */
export async function openRoomPage(
  browser: Browser,
  baseUrl: string,
  roomId: string,
  options: RoomPageOptions,
): Promise<RoomPage> {
  const { context, page } = await newBenchPage(browser, {
    label: options.label ?? options.name,
    contextOptions: options.contextOptions,
    capture: options.capture,
  });
  if (options.hostKey) {
    // The key name is app/src/api.ts's HOST_KEY_PREFIX + room id.
    await context.addInitScript(
      ([key, value]) => {
        const storage = (
          globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
        ).localStorage;
        storage.setItem(key, value);
      },
      [`parley.hostKey.${roomId}`, options.hostKey] as const,
    );
  }
  for (const script of options.initScripts ?? []) await context.addInitScript(script);
  await page.goto(`${baseUrl}/r/${roomId}`);
  return { context, page, join: await preJoin(page, options.name) };
}

/** On the pre-join screen: types the name, waits for the camera preview; returns Join. */
export async function preJoin(page: Page, name: string): Promise<Locator> {
  await page.getByLabel('Your name').fill(name);
  const join = page.getByRole('button', { name: 'Join', exact: true });
  await waitFor('the Join button to be enabled', () => join.isEnabled());
  return join;
}

/** Clicks Join and waits until the call shows (the Leave button). */
export async function joinCall(room: { page: Page; join: Locator }): Promise<void> {
  await room.join.click();
  await room.page.getByRole('button', { name: 'Leave' }).waitFor({ timeout: 30_000 });
}

/** Opens a room page and joins: a participant who is simply there. */
export async function joinedPage(
  browser: Browser,
  baseUrl: string,
  roomId: string,
  options: RoomPageOptions,
): Promise<RoomPage> {
  const room = await openRoomPage(browser, baseUrl, roomId, options);
  await joinCall(room);
  return room;
}
