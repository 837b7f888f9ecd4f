import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { waitFor } from './support/wait.ts';

interface ServiceWorkerNavigator {
  serviceWorker: { controller: unknown };
}

describe('the app shell offline', () => {
  const env = useServerAndBrowser();

  it('loads the home page from the service worker with the network cut', async () => {
    const { context, page } = await newPeerPage(env.browser, { label: 'offline' });
    await page.goto(env.server.url);
    await page.getByRole('button', { name: 'Create room' }).waitFor();
    await waitFor('the service worker to control the page', () =>
      page.evaluate(() => {
        // Runs in the page; the test tsconfig has no DOM lib, hence the narrow cast.
        const nav = (globalThis as unknown as { navigator: ServiceWorkerNavigator }).navigator;
        return nav.serviceWorker.controller !== null;
      }),
    );
    // Nothing is reported offline while the network is there.
    expect(await page.getByText('You are offline').count()).toBe(0);

    // Chromium finds the app installable, and installed it runs full screen (issue 19): the
    // manifest as the browser parsed it, and the browser's own installability check.
    const cdp = await context.newCDPSession(page);
    const parsed = (await cdp.send('Page.getAppManifest')) as unknown as {
      data: string;
      errors: unknown[];
    };
    expect(parsed.errors).toEqual([]);
    const manifest = JSON.parse(parsed.data) as { display: string; display_override?: string[] };
    expect(manifest.display).toBe('fullscreen');
    const installable = (await cdp.send('Page.getInstallabilityErrors')) as unknown as {
      installabilityErrors: { errorId: string }[];
    };
    // A Playwright context is an incognito one, where nothing installs: that is the rig's.
    const errors = installable.installabilityErrors.filter((e) => e.errorId !== 'in-incognito');
    expect(errors).toEqual([]);
    await cdp.detach();

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('button', { name: 'Create room' }).waitFor();
    const banner = page.getByRole('status').filter({ hasText: 'You are offline' });
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/network is unavailable/);

    // A room page also comes from the shell (navigation fallback), still saying so.
    await page.goto(`${env.server.url}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();

    // Server endpoints are never answered with the shell: offline they simply fail.
    await expect(page.goto(`${env.server.url}/healthz`)).rejects.toThrow();
  });
});
