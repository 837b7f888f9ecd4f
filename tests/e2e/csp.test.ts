// The app under its own Content-Security-Policy (issue 14): a call (mesh, then on air through the
// SFU), the viewer page playing the broadcast with hls.js, and the service worker, with every
// CSP violation the pages report recorded; none may occur.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom, expectMediaFromAll, goLive, joinRoom } from './support/call.ts';
import { waitFor } from './support/wait.ts';
import { startBroadcastServer, videoState } from './support/watch.ts';
import type { BroadcastServer } from './support/watch.ts';

interface Recorded {
  violations: string[];
}

/** Records `securitypolicyviolation` events (from the first script on) and CSP console errors. */
async function recordViolations(page: Page, seen: string[]): Promise<void> {
  await page.addInitScript(() => {
    const g = globalThis as unknown as {
      __csp: Recorded;
      addEventListener(
        type: string,
        fn: (e: { violatedDirective: string; blockedURI: string }) => void,
      ): void;
    };
    g.__csp = { violations: [] };
    g.addEventListener('securitypolicyviolation', (e) =>
      g.__csp.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  page.on('console', (msg) => {
    if (/Content Security Policy|Permissions[- ]Policy/i.test(msg.text())) seen.push(msg.text());
  });
}

async function violationsIn(page: Page): Promise<string[]> {
  return page.evaluate(
    () => (globalThis as unknown as { __csp?: Recorded }).__csp?.violations ?? ['no recorder'],
  );
}

describe('the app with its Content-Security-Policy on', () => {
  let server: BroadcastServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startBroadcastServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('runs a call, goes on air and plays the broadcast without a single violation', async () => {
    const logged: string[] = [];
    const pages: Page[] = [];
    const open = async (label: string): Promise<Page> => {
      const { page } = await newPeerPage(browser, { label });
      await recordViolations(page, logged);
      pages.push(page);
      return page;
    };
    const host = await open('host');
    const guest = await open('guest');

    const home = await host.goto(server.url);
    const csp = home?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(home?.headers()['permissions-policy']).toContain('camera=(self)');

    const url = await createRoom(host, server.url);
    await joinRoom(host, url, 'Host');
    await joinRoom(guest, url, 'Guest');
    await Promise.all([expectMediaFromAll(host, 1), expectMediaFromAll(guest, 1)]);
    // The PWA's service worker registers under the policy.
    expect(
      await host.evaluate(async () => {
        const nav = globalThis as unknown as {
          navigator: { serviceWorker: { ready: Promise<{ active: unknown }> } };
        };
        return !!(await nav.navigator.serviceWorker.ready).active;
      }),
    ).toBe(true);

    await goLive(host);
    await host.getByRole('status').filter({ hasText: 'On air' }).waitFor({ timeout: 30_000 });
    const watchUrl = (await host.locator('a.watch-link').getAttribute('href')) ?? '';
    const viewer = await open('viewer');
    await viewer.goto(watchUrl);
    await waitFor(
      'the viewer to play the broadcast (hls.js: MediaSource blob, worker)',
      async () => {
        const v = await videoState(viewer);
        return v.totalVideoFrames > 10 && v.currentTime > 0.5 && v;
      },
      { timeoutMs: 90_000 },
    );
    await host.getByRole('button', { name: 'Stop broadcast' }).click();

    for (const page of pages) expect(await violationsIn(page)).toEqual([]);
    expect(logged).toEqual([]);
  });
});
