import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import {
  clientMode,
  createRoom,
  expectMediaFromAll,
  expectScreenLive,
  joinRoom,
  roomStatus,
  selfId,
} from './support/call.ts';
import { waitFor } from './support/wait.ts';

/** Runs in the page: wraps getDisplayMedia to remember the streams it returns. */
function keepScreens() {
  const g = globalThis as unknown as {
    __screens: unknown[];
    __asked?: number;
    navigator: { mediaDevices: { getDisplayMedia(c: unknown): Promise<unknown> } };
  };
  g.__screens = [];
  const md = g.navigator.mediaDevices;
  const original = md.getDisplayMedia.bind(md);
  md.getDisplayMedia = async (c: unknown) => {
    g.__asked = (g.__asked ?? 0) + 1;
    const stream = await original(c);
    g.__screens.push(stream);
    return stream;
  };
}

const screenTile = (page: Page, name: string) =>
  page.locator(`figure[data-peer-name="${name} (screen)"]`);

describe('screen sharing', () => {
  // Two peers stay on the mesh; a third moves the room to the SFU.
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 2 });

  it('is decoded by the others on the mesh and on the SFU, stops cleanly, obeys the host', async () => {
    const ada = (await newPeerPage(env.browser, { label: 'Ada' })).page;
    const bob = (await newPeerPage(env.browser, { label: 'Bob' })).page;
    const cy = (await newPeerPage(env.browser, { label: 'Cy' })).page;
    // Test instrumentation: keep each captured screen so the test can end it like the
    // browser's own "Stop sharing" control does.
    for (const page of [ada, bob, cy]) await page.addInitScript(keepScreens);
    const url = await createRoom(ada, env.server.url);
    await joinRoom(ada, url, 'Ada');
    await joinRoom(bob, url, 'Bob');
    await Promise.all([expectMediaFromAll(ada, 1), expectMediaFromAll(bob, 1)]);
    const [adaId, bobId] = [await selfId(ada), await selfId(bob)];

    // Mesh: Ada shares, Bob gets a second tile "Ada (screen)" with decoded frames.
    await ada.getByRole('button', { name: 'Share screen' }).click();
    await ada.getByRole('button', { name: 'Stop sharing' }).waitFor();
    await screenTile(bob, 'Ada').waitFor();
    await expectScreenLive(bob, adaId, 'mesh');
    await ada.getByRole('button', { name: 'Stop sharing' }).click();
    await screenTile(bob, 'Ada').waitFor({ state: 'detached' });

    // SFU: a third peer moves the room; Bob shares and both others decode it via the SFU.
    await joinRoom(cy, url, 'Cy');
    await waitFor('the room on the SFU', async () => {
      return (await roomStatus(env.server.url, url)).mode === 'sfu';
    });
    await waitFor('Bob on the SFU', async () => (await clientMode(bob)).mode === 'sfu');
    await bob.getByRole('button', { name: 'Share screen' }).click();
    await Promise.all([expectScreenLive(ada, bobId, 'sfu'), expectScreenLive(cy, bobId, 'sfu')]);
    await screenTile(cy, 'Bob').waitFor();
    // Stopping from the browser's own control ends the track (`ended`): handled like the button.
    await bob.evaluate(() => {
      const g = globalThis as unknown as { __screens: { getVideoTracks(): EventTarget[] }[] };
      const track = g.__screens.at(-1)?.getVideoTracks()[0];
      if (!track) throw new Error('no captured screen');
      (track as unknown as { stop(): void }).stop();
      track.dispatchEvent(new Event('ended'));
    });
    await bob.getByRole('button', { name: 'Share screen' }).waitFor();
    await Promise.all([
      screenTile(ada, 'Bob').waitFor({ state: 'detached' }),
      screenTile(cy, 'Bob').waitFor({ state: 'detached' }),
    ]);

    // The host forbids sharing: a guest sees it before pressing, and nothing is shared.
    await ada.getByRole('button', { name: 'Room settings' }).click();
    await ada.getByLabel('Allow screen sharing').uncheck();
    // The box follows the server's `settings` echo, so once unchecked the room has it.
    await waitFor(
      'the host to see the new setting',
      async () => !(await ada.getByLabel('Allow screen sharing').isChecked()),
    );
    const share = cy.getByRole('button', { name: 'Share screen' });
    await waitFor(
      'the guest to see that sharing is off',
      async () => (await share.getAttribute('aria-disabled')) === 'true',
    );
    expect(await share.getAttribute('title')).toBe(
      'The host turned off screen sharing for guests.',
    );
    // Neither a click nor the shortcut asks the browser for a screen.
    const asked = () => cy.evaluate(() => (globalThis as { __asked?: number }).__asked ?? 0);
    const before = await asked();
    await share.click({ force: true }); // Playwright waits on aria-disabled; a person need not
    await cy.keyboard.press('Control+Alt+KeyS');
    await cy.getByRole('button', { name: 'Chat', exact: true }).click(); // a round trip through the page
    expect(await asked()).toBe(before);
    expect(await cy.getByRole('button', { name: 'Stop sharing' }).count()).toBe(0);
    expect(await screenTile(ada, 'Cy').count()).toBe(0);
  });
});
