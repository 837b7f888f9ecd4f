import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { startTestServer, testAppDir } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/** In-page state read through a narrow cast (the test tsconfig has no DOM lib). */
type PageGlobals = {
  navigator: {
    serviceWorker: {
      controller: unknown;
      getRegistration(): Promise<{ update(): Promise<unknown>; waiting: unknown } | undefined>;
    };
  };
  __marker?: boolean;
};

const controlled = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as PageGlobals).navigator.serviceWorker.controller !== null,
  );

describe('a new version of the app', () => {
  let server: TestServer;
  let browser: Browser;
  let staticDir: string;

  beforeAll(async () => {
    // A private copy of the build, so the test can publish a "new version" of the worker.
    staticDir = mkdtempSync(path.join(tmpdir(), 'parley-dist-'));
    cpSync(testAppDir(), staticDir, { recursive: true });
    server = await startTestServer({ staticDir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('is announced with a reload prompt, and Reload switches to it', async () => {
    const { page } = await newPeerPage(browser, { label: 'update' });
    await page.goto(server.url);
    await waitFor('the service worker to control the page', () => controlled(page));
    expect(await page.getByText('A new version is available').count()).toBe(0);

    appendFileSync(path.join(staticDir, 'sw.js'), '\n// a new release\n');
    await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      await (await g.navigator.serviceWorker.getRegistration())?.update();
      g.__marker = true;
    });
    await page.getByText('A new version is available').waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'Reload' }).click();
    // The page reloads under the new worker: our marker is gone and nothing is waiting.
    await waitFor('the page to reload', () =>
      page.evaluate(() => (globalThis as unknown as PageGlobals).__marker !== true),
    );
    await page.getByRole('button', { name: 'Create room' }).waitFor();
    await waitFor('no worker left waiting', () =>
      page.evaluate(async () => {
        const g = globalThis as unknown as PageGlobals;
        const reg = await g.navigator.serviceWorker.getRegistration();
        return reg !== undefined && !reg.waiting && g.navigator.serviceWorker.controller !== null;
      }),
    );
    expect(await page.getByText('A new version is available').count()).toBe(0);
  });
});
