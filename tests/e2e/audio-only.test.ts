import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom, expectTilesLive, joinRoom, receivedFrom, selfId } from './support/call.ts';
import type { Received } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

const tile = (page: Page, name: string) => page.locator(`figure[data-peer-name="${name}"]`);

/** The View menu's "Audio only" checkbox, the menu opened for it. */
async function audioOnlyBox(page: Page) {
  const box = page.getByRole('checkbox', { name: 'Audio only' });
  if (!(await box.isVisible()))
    await page.getByRole('button', { name: 'View', exact: true }).click();
  return box;
}

async function setAudioOnly(page: Page, on: boolean): Promise<void> {
  const box = await audioOnlyBox(page);
  if ((await box.isChecked()) !== on) await box.press('Space');
  expect(await box.isChecked()).toBe(on);
}

/** What arrives of `peerId` on `page` over 2 s, as the growth of each counter. */
async function growth(page: Page, peerId: string): Promise<Received> {
  const a = await receivedFrom(page, peerId);
  await new Promise((r) => setTimeout(r, 2_000));
  const b = await receivedFrom(page, peerId);
  return {
    audioBytes: b.audioBytes - a.audioBytes,
    energy: b.energy - a.energy,
    videoBytes: b.videoBytes - a.videoBytes,
    frames: b.frames - a.frames,
  };
}

// Issue 20: "Audio only" stops video both ways to save data, keeps the sound, and is
// remembered on the device.
describe.each([
  ['mesh', 'mesh', {}],
  ['SFU', 'sfu', { sfu: true, meshMaxPeers: 1 }],
] as const)('audio only in a %s call', (_mode, via, serverOptions) => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer(serverOptions);
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('stops video both ways, keeps the sound, is remembered, and brings video back', async () => {
    const pages = await Promise.all([
      newPeerPage(browser, { label: 'ann' }),
      newPeerPage(browser, { label: 'bo' }),
    ]);
    contexts.push(...pages.map((p) => p.context));
    const [ann, bo] = pages.map((p) => p.page) as [Page, Page];
    const url = await createRoom(ann, server.url);
    await joinRoom(ann, url, 'Ann');
    await joinRoom(bo, url, 'Bo');
    const [annId, boId] = [await selfId(ann), await selfId(bo)];
    await expectTilesLive(ann, [boId], via);
    await expectTilesLive(bo, [annId], via);

    await setAudioOnly(ann, true);
    await expect
      .poll(() => tile(ann, 'Bo').locator('.tile-note').textContent())
      .toBe('Video off - audio only');
    await expect.poll(() => tile(bo, 'Ann').getByText('Camera off').count()).toBe(1);
    const shots = process.env.PARLEY_SHOTS;
    if (shots && via === 'sfu') {
      for (const [w, h] of [
        [1280, 800],
        [390, 844],
      ] as const) {
        await ann.setViewportSize({ width: w, height: h });
        await audioOnlyBox(ann);
        await ann.screenshot({ path: `${shots}/audio-only-${w}.png` });
      }
      await ann.setViewportSize({ width: 800, height: 600 });
    }
    // Give what was in flight time to land, then nothing of Bo's video arrives; his sound does.
    await waitFor(
      'Bo’s video to stop arriving',
      async () => (await growth(ann, boId)).videoBytes === 0,
    );
    const meanwhile = await growth(ann, boId);
    expect(meanwhile.frames).toBe(0);
    expect(meanwhile.audioBytes).toBeGreaterThan(4_000);
    expect(meanwhile.energy).toBeGreaterThan(0);
    // And Ann sends none: her camera is off.
    expect((await growth(bo, annId)).videoBytes).toBe(0);

    // Remembered on this device: after a reload, Ann is back in audio only.
    await ann.reload();
    await joinRoom(ann, url, 'Ann');
    const annAgain = await selfId(ann);
    expect(await (await audioOnlyBox(ann)).isChecked()).toBe(true);
    await expect.poll(() => tile(ann, 'Bo').locator('.tile-note').count()).toBe(1);
    await waitFor(
      'no video of Bo after the reload',
      async () => (await growth(ann, boId)).videoBytes === 0,
    );

    // Off again: video both ways.
    await setAudioOnly(ann, false);
    await expect.poll(() => tile(ann, 'Bo').locator('.tile-note').count()).toBe(0);
    await expectTilesLive(ann, [boId], via);
    await expectTilesLive(bo, [annAgain], via);
  });
});
