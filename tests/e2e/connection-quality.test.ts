import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import {
  createRoom,
  expectTilesLive,
  joinRoom,
  receivedFrom,
  selfId,
  tileStats,
} from './support/call.ts';
import { NetRig } from './support/netns.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

const tile = (page: Page, name: string) => page.locator(`figure[data-peer-name="${name}"]`);
const qualityOf = (page: Page, name: string) => tile(page, name).getAttribute('data-quality');
const selfBanner = (page: Page) => page.locator('.self-quality');
const VIDEO_PAUSED = 'Video paused - poor connection';
const INCOMING_PAUSED = 'Video paused - your connection';
const LOWERED = /Picture lowered to fit your connection/;

/** Waits until `name`'s tile on `page` shows one of `levels`; returns how long it took (ms). */
async function tileShows(page: Page, name: string, levels: string[], timeoutMs = 10_000) {
  const start = Date.now();
  await waitFor(
    `${name}'s tile to show ${levels.join(' or ')}`,
    async () => {
      if (levels.includes((await qualityOf(page, name)) ?? '')) return true;
      // Thrown, so that a timeout says what the tile showed.
      const bars = tile(page, name).locator('.quality-bars');
      throw new Error(
        (await bars.count()) > 0 ? String(await bars.getAttribute('title')) : 'no indicator',
      );
    },
    { timeoutMs, intervalMs: 100 },
  );
  return Date.now() - start;
}

// Issue 20: connection quality shown per person, under a real impairment. "Impaired" is a
// browser in its own network namespace (support/netns.ts); Ann and Bo are on the host.
describe.each([
  ['mesh', 'mesh', {}],
  ['SFU', 'sfu', { sfu: true, meshMaxPeers: 2 }],
] as const)('connection quality in a %s call', (mode, via, serverOptions) => {
  let rig: NetRig;
  let server: TestServer;
  let outside: Browser;
  let inside: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    rig = await NetRig.create();
    server = await startTestServer({ host: rig.hostIp, ...serverOptions });
    outside = await launchChromium({ secureOrigins: [server.url] });
    inside = await rig.launchChromium({ secureOrigins: [server.url] });
  });
  afterEach(async () => {
    await rig.clear();
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await inside?.close();
    await outside?.close();
    await server?.close();
    await rig?.close();
  });

  /**
   * Ann and Bo on the host and "Impaired" in the namespace, in one call with every tile live.
   * `hd` says who sends the app's HD camera instead of the tests' small one. Every page's
   * fallback steps go to the log, timed by `at`, so that a pause where none is due says whose
   * it was and why.
   */
  async function threeInCall(
    hd: 'impaired' | 'others',
    impairedViewport?: { width: number; height: number },
  ) {
    const others = hd === 'others';
    const pages = await Promise.all([
      newPeerPage(outside, { label: 'ann', hdCamera: others }),
      newPeerPage(outside, { label: 'bo', hdCamera: others }),
      newPeerPage(inside, {
        label: 'impaired',
        hdCamera: !others,
        ...(impairedViewport ? { viewport: impairedViewport } : {}),
      }),
    ]);
    contexts.push(...pages.map((p) => p.context));
    const all = pages.map((p) => p.page) as [Page, Page, Page];
    const [ann, bo, impaired] = all;
    const start = Date.now();
    const at = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
    all.forEach((page, i) => {
      page.on('console', (m) => {
        const who = ['ann', 'bo', 'impaired'][i];
        if (/video fallback/.test(m.text())) console.log(`[${mode}] ${at()} ${who}: ${m.text()}`);
      });
    });
    const url = await createRoom(ann, server.url);
    await joinRoom(ann, url, 'Ann');
    await joinRoom(bo, url, 'Bo');
    await joinRoom(impaired, url, 'Impaired');
    const ids = await Promise.all(all.map((p) => selfId(p)));
    await Promise.all(
      all.map((p, i) =>
        expectTilesLive(
          p,
          ids.filter((_, j) => j !== i),
          via,
        ),
      ),
    );
    return { ann, bo, impaired, ids, at };
  }

  it('shows whose connection is poor, pauses video it cannot carry, and a lost one as lost', async () => {
    // The impaired person sends the app's HD camera, not the tests' small one: at 150 kbit/s a
    // 320x180 picture still fits one SFU uplink, and the tile would rightly stay fair.
    const { ann, bo, impaired, ids, at } = await threeInCall('impaired');
    // Measured, and not poor, before anything is impaired.
    await tileShows(ann, 'Impaired', ['good', 'fair']);
    await tileShows(impaired, 'Ann', ['good', 'fair']);

    await rig.impair({ rateKbit: 150 });
    const shown = await tileShows(ann, 'Impaired', ['poor']);
    console.log(`[${mode}] 150 kbit/s shown poor on another's screen after ${shown} ms`);
    await waitFor('the impaired person to be told', async () =>
      /Your connection is poor|Your video is paused/.test(
        (await selfBanner(impaired).textContent()) ?? '',
      ),
    );
    // The tooltip names whose connection it is; the others are not told theirs is poor.
    await waitFor("Ann's tooltip to name the impaired person's connection", async () =>
      /Impaired's connection/.test(
        (await tile(ann, 'Impaired').locator('.quality-bars').getAttribute('title')) ?? '',
      ),
    );
    for (const page of [ann, bo]) {
      const told = await selfBanner(page).allTextContents();
      expect(told, `nobody else is told their own connection is poor (${told.join()})`).toEqual([]);
    }
    expect(
      await qualityOf(ann, 'Bo'),
      (await tile(ann, 'Bo').locator('.quality-bars').getAttribute('title')) ?? '',
    ).not.toBe('poor');

    // 150 kbit/s cannot carry the HD camera: its video pauses, and its sound goes on.
    const note = tile(ann, 'Impaired').locator('.tile-note');
    await expect.poll(() => note.textContent(), { timeout: 15_000 }).toBe(VIDEO_PAUSED);
    await waitFor('the impaired person to be told their video is paused', async () =>
      /Your video is paused/.test((await selfBanner(impaired).textContent()) ?? ''),
    );
    expect(await tile(ann, 'Impaired').locator('video').count()).toBe(0);
    const before = await receivedFrom(ann, ids[2]!);
    await waitFor('the impaired person to be heard while their video is paused', async () => {
      const now = await receivedFrom(ann, ids[2]!);
      return now.audioBytes > before.audioBytes + 4_000 && now.energy > before.energy;
    });
    expect(await qualityOf(ann, 'Impaired')).not.toBe('lost');

    // The limit goes: a probe finds the way clear, and the picture comes back for everyone.
    await rig.clear();
    const lifted = Date.now();
    console.log(`[${mode}] ${at()} limit lifted`);
    // The time it takes is a figure of the `quality` benchmark, not a bound here: on a loaded
    // machine the sender's bandwidth estimate climbs back slowly.
    await expect.poll(() => note.count(), { timeout: 60_000 }).toBe(0);
    await Promise.all([ann, bo].map((p) => expectTilesLive(p, [ids[2]!], via)));
    console.log(`[${mode}] video back ${Date.now() - lifted} ms after the limit was lifted`);

    await rig.impair({ blockAll: true });
    const lost = await tileShows(bo, 'Impaired', ['lost']);
    console.log(`[${mode}] a dead network shown lost after ${lost} ms`);
    await expect
      .poll(() => tile(bo, 'Impaired').locator('.tile-lost').textContent())
      .toBe('Connection lost - Impaired');

    await rig.clear();
    await tileShows(bo, 'Impaired', ['poor', 'fair', 'good'], 20_000);
    expect(await tile(bo, 'Impaired').locator('.tile-lost').count()).toBe(0);
    // The picture is back for everyone. (The level itself recovers as the sender's bandwidth
    // estimate climbs back: in SFU mode with an HD camera, that took over 30 s in one run.)
    await expectTilesLive(ann, [ids[2]!], via);
  });

  it('shows 20 % packet loss as poor, naming whose connection it is', async () => {
    const { ann, bo, impaired } = await threeInCall('impaired');
    await tileShows(ann, 'Impaired', ['good', 'fair']);

    // A fifth of the packets in each direction, dropped where the sender cannot see it.
    await rig.impair({ lossPercent: 20 });
    const shown = await tileShows(ann, 'Impaired', ['poor']);
    console.log(`[${mode}] 20 % loss shown poor on another's screen after ${shown} ms`);
    await waitFor("Ann's tooltip to name the impaired person's packet loss", async () =>
      /Impaired's connection: packet loss/.test(
        (await tile(ann, 'Impaired').locator('.quality-bars').getAttribute('title')) ?? '',
      ),
    );
    await waitFor('the impaired person to be told', async () =>
      /Your connection is poor|Your video is paused/.test(
        (await selfBanner(impaired).textContent()) ?? '',
      ),
    );
    for (const page of [ann, bo]) {
      const told = await selfBanner(page).allTextContents();
      expect(told, `nobody else is told their own connection is poor (${told.join()})`).toEqual([]);
    }
  });

  // In a mesh each sender sends to us directly: what reaches us is only lessened by our own
  // pause. On the SFU, the SFU first lowers the layers to fit (the test after this one). At
  // 150 kbit/s the lowest layers of two HD cameras did not fit in 4 runs of 5 and our pause
  // followed; in the fifth they did, and the smaller pictures went on: both are right, so
  // neither is asserted there.
  if (via === 'mesh') {
    it("pauses others' video to someone whose downlink cannot carry it, and brings it back", async () => {
      // Ann and Bo send the app's HD camera: two of them do not fit 150 kbit/s.
      const { ann, bo, impaired, ids, at } = await threeInCall('others');

      // Only what comes to the impaired person is limited.
      await rig.impair({ downRateKbit: 150 });
      console.log(`[${mode}] ${at()} the limit is on`);
      const annNote = tile(impaired, 'Ann').locator('.tile-note');
      const boNote = tile(impaired, 'Bo').locator('.tile-note');
      await expect.poll(() => annNote.textContent(), { timeout: 20_000 }).toBe(INCOMING_PAUSED);
      expect(await boNote.textContent()).toBe(INCOMING_PAUSED);
      await waitFor('the impaired person to be told why', async () =>
        /Others' video is paused/.test((await selfBanner(impaired).textContent()) ?? ''),
      );
      // Their voices still come through.
      const before = await receivedFrom(impaired, ids[0]!);
      await waitFor('Ann to be heard while her video does not come', async () => {
        const now = await receivedFrom(impaired, ids[0]!);
        return now.audioBytes > before.audioBytes + 4_000 && now.energy > before.energy;
      });
      // Nobody else is told anything about their own connection.
      for (const page of [ann, bo]) {
        expect(await selfBanner(page).allTextContents()).toEqual([]);
      }

      await rig.clear();
      const lifted = Date.now();
      await expect.poll(() => annNote.count(), { timeout: 60_000 }).toBe(0);
      await expectTilesLive(impaired, [ids[0]!, ids[1]!], via);
      console.log(
        `[${mode}] others' video back ${Date.now() - lifted} ms after the limit was lifted`,
      );
    });
  }

  // The SFU chooses each receiver's simulcast layer within its estimate of that receiver's
  // downlink: under a cap that fits a smaller picture, the picture goes on, smaller, and the
  // tile says why.
  if (via === 'sfu') {
    it('lowers the layer for a receiver whose downlink is short, and says so on the tile', async () => {
      // Wide tiles ask for the middle layer (640 px), which the cap then does not fit.
      const { impaired, ids } = await threeInCall('others', { width: 1800, height: 1000 });
      const tooltip = async () =>
        (await tile(impaired, 'Ann').locator('.quality-bars').getAttribute('title')) ?? '';
      const width = async () =>
        (await tileStats(impaired)).find((t) => t.peerId === ids[0] && t.source === 'camera')
          ?.frameWidth ?? 0;
      await waitFor('the middle layer to come before the cap', async () => (await width()) >= 640);
      expect(await tooltip()).not.toMatch(LOWERED);

      await rig.impair({ downRateKbit: 350 });
      await waitFor(
        'the tile to say its picture was lowered',
        async () => LOWERED.test(await tooltip()),
        {
          timeoutMs: 30_000,
        },
      );
      // The decoder shows the smaller layer once its first keyframe arrives.
      await waitFor('a smaller picture to be decoded', async () => (await width()) < 640, {
        timeoutMs: 15_000,
      });
      // Smaller, but still a moving picture.
      await expectTilesLive(impaired, [ids[0]!], 'sfu');

      await rig.clear();
      await waitFor(
        'the note to go once the cap is lifted',
        async () => !LOWERED.test(await tooltip()),
        {
          timeoutMs: 60_000,
        },
      );
    });
  }
});
