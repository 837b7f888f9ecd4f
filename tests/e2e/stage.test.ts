// The call's stage (issue 19, "a call that feels like Meet and Zoom"): a shared screen takes
// it, large, above a strip of the others; a pin overrides it; the speaker view follows who
// speaks; the self view can be hidden; the view is remembered on the device.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import {
  clientMode,
  createRoom,
  expectScreenLive,
  expectTilesLive,
  joinRoom,
  selfId,
  tileStats,
} from './support/call.ts';
import { waitFor } from './support/wait.ts';

const LAPTOP = { width: 1280, height: 800 };

const tile = (page: Page, name: string) => page.locator(`figure[data-peer-name="${name}"]`);
const stage = (page: Page) => page.getByRole('region', { name: 'Stage' });

/** Who the stage shows now (its tile's name), or null without a stage. */
async function onStage(page: Page): Promise<string | null> {
  const figure = stage(page).locator('figure.tile');
  return (await figure.count()) === 0 ? null : figure.getAttribute('data-peer-name');
}

/** The tile's width on the page, in CSS pixels. */
async function widthOf(page: Page, name: string): Promise<number> {
  const box = await tile(page, name).boundingBox();
  if (!box) throw new Error(`${name}'s tile is not shown`);
  return box.width;
}

/**
 * Runs in the page: getDisplayMedia keeps the constraints it was asked with, and its stream
 * gets a tone as its sound, as when a tab playing a video is shared (Chromium's fake capture
 * of the entire screen has none on Linux).
 */
function screenWithSound() {
  type Stream = { getAudioTracks(): unknown[]; addTrack(t: unknown): void };
  const g = globalThis as unknown as {
    __displayAsked: unknown[];
    __screen: Stream | null;
    AudioContext: new () => {
      createOscillator(): { connect(d: unknown): void; start(): void };
      createMediaStreamDestination(): { stream: Stream };
    };
    navigator: { mediaDevices: { getDisplayMedia(c: unknown): Promise<Stream> } };
  };
  g.__displayAsked = [];
  const md = g.navigator.mediaDevices;
  const original = md.getDisplayMedia.bind(md);
  md.getDisplayMedia = async (c: unknown) => {
    g.__displayAsked.push(c);
    const stream = await original(c);
    if (stream.getAudioTracks().length === 0) {
      const ctx = new g.AudioContext();
      const tone = ctx.createOscillator();
      const out = ctx.createMediaStreamDestination();
      tone.connect(out);
      tone.start();
      stream.addTrack(out.stream.getAudioTracks()[0]);
    }
    g.__screen = stream;
    return stream;
  };
}

/** The content hint of the screen Bob's page shares now. */
async function screenHint(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      __screen: { getVideoTracks(): { contentHint: string }[] } | null;
    };
    return g.__screen?.getVideoTracks()[0]?.contentHint;
  });
}

async function chooseView(page: Page, view: 'Grid' | 'Speaker'): Promise<void> {
  await page.getByRole('button', { name: 'View', exact: true }).click();
  await page.getByRole('group', { name: 'View' }).getByLabel(view).check();
  await page.keyboard.press('Escape');
}

describe('the stage', () => {
  // Three people on the SFU: the screen's sound goes as a producer of its own there.
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 2 });

  it('a shared screen takes it, a pin overrides it, speaker view follows who speaks', async () => {
    const ada = (await newPeerPage(env.browser, { label: 'Ada', viewport: LAPTOP })).page;
    const cy = (await newPeerPage(env.browser, { label: 'Cy' })).page;
    const bob = (await newPeerPage(env.browser, { label: 'Bob' })).page;
    await bob.addInitScript(screenWithSound);
    const url = await createRoom(ada, env.server.url);
    await joinRoom(ada, url, 'Ada');
    // Cy joins before Bob: the speaker view falling back to "the first other person" would
    // show Cy, so Bob on the stage there means Bob was recognised as the speaker.
    await joinRoom(cy, url, 'Cy');
    await joinRoom(bob, url, 'Bob');
    for (const page of [ada, cy])
      await page.getByRole('button', { name: 'Mute', exact: true }).click();
    await waitFor('Bob on the SFU', async () => (await clientMode(bob)).mode === 'sfu');
    await expectTilesLive(ada, [await selfId(bob), await selfId(cy)], 'sfu');

    // The grid by default, ours last: the first slot is for someone else.
    expect(await onStage(ada)).toBeNull();
    const names = await ada
      .locator('.grid figure.tile')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-peer-name')));
    expect(names).toEqual(['Cy', 'Bob', 'Ada']);

    // Bob shares: his screen takes the stage, much larger than the strip's tiles, and decodes,
    // with its sound. It is asked for at up to 1080p and 30 fps, with sound; sharp text first.
    await bob.getByRole('button', { name: 'Share screen' }).click();
    await waitFor('the screen on the stage', async () => (await onStage(ada)) === 'Bob (screen)');
    const bobId = await selfId(bob);
    await expectScreenLive(ada, bobId, 'sfu');
    const screenSound = async () =>
      (await tileStats(ada)).find((t) => t.peerId === bobId && t.source === 'screen')
        ?.audioBytesReceived ?? 0;
    const heard = await waitFor('the screen sound to arrive', async () => {
      const bytes = await screenSound();
      return bytes > 0 && bytes;
    });
    await waitFor('the screen sound to keep arriving', async () => (await screenSound()) > heard);
    expect(
      await bob.evaluate(() => (globalThis as { __displayAsked?: unknown[] }).__displayAsked),
    ).toEqual([
      {
        video: { width: { max: 1920 }, height: { max: 1080 }, frameRate: { ideal: 15, max: 30 } },
        audio: true,
      },
    ]);
    expect(await screenHint(bob)).toBe('detail');
    await bob.getByRole('button', { name: 'Optimize for video' }).click();
    await waitFor('the motion hint', async () => (await screenHint(bob)) === 'motion');
    const [screenWidth, camWidth] = [await widthOf(ada, 'Bob (screen)'), await widthOf(ada, 'Bob')];
    expect(screenWidth).toBeGreaterThan(camWidth * 3);
    // The bar: at 1280x800 a shared screen is at least 60 % of the viewport's width.
    expect(screenWidth).toBeGreaterThanOrEqual(0.6 * LAPTOP.width);

    // Pinning Bob's camera (from the keyboard) puts it on the stage instead; Unpin gives it back.
    const pin = tile(ada, 'Bob').getByRole('button', { name: 'Pin Bob', exact: true });
    await pin.focus();
    await ada.keyboard.press('Enter');
    await waitFor('Bob pinned to the stage', async () => (await onStage(ada)) === 'Bob');
    const pinned = stage(ada).getByRole('button', { name: 'Pin Bob', exact: true });
    expect(await pinned.getAttribute('aria-pressed')).toBe('true');
    // The keyboard user's focus went with the tile, to its Pin button on the stage.
    const hasFocus = await pinned.evaluate(
      (el) =>
        el ===
        (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
    );
    expect(hasFocus).toBe(true);
    await pinned.click();
    await waitFor(
      'the screen back on the stage',
      async () => (await onStage(ada)) === 'Bob (screen)',
    );

    // Full screen on a tile: that tile's figure fills the screen.
    await tile(ada, 'Cy').hover();
    await tile(ada, 'Cy').getByRole('button', { name: 'Full screen Cy' }).click();
    await waitFor('Cy full screen', () =>
      ada.evaluate(
        () =>
          (
            globalThis as unknown as {
              document: { fullscreenElement: { getAttribute(n: string): string | null } | null };
            }
          ).document.fullscreenElement?.getAttribute('data-peer-name') === 'Cy',
      ),
    );
    await tile(ada, 'Cy').getByRole('button', { name: 'Exit full screen' }).click();

    // The share ends: back to the grid.
    await bob.getByRole('button', { name: 'Stop sharing' }).click();
    await waitFor('no stage in the grid view', async () => (await onStage(ada)) === null);

    // Speaker view: the one speaking (Bob, the only open microphone) takes the stage. (Who
    // follows whom as the speaker changes is layout.test.ts's lastSpeaker; a step here that
    // waited for Cy to become the SFU's speaker after Bob muted failed 2 runs in about 10.)
    await chooseView(ada, 'Speaker');
    await waitFor('Bob speaking on the stage', async () => (await onStage(ada)) === 'Bob', {
      timeoutMs: 20_000,
    });

    // Hide self view: our tile goes (from the strip), and the choice outlives a reload.
    await ada.getByRole('button', { name: 'View', exact: true }).click();
    await ada.getByRole('button', { name: 'Hide self view' }).click();
    await tile(ada, 'Ada').waitFor({ state: 'detached' });
    await ada.reload();
    await joinRoom(ada, url, 'Ada');
    await tile(ada, 'Cy').waitFor();
    expect(await tile(ada, 'Ada').count()).toBe(0);
    await ada.getByRole('button', { name: 'View', exact: true }).click();
    expect(await ada.getByRole('group', { name: 'View' }).getByLabel('Speaker').isChecked()).toBe(
      true,
    );
    await ada.getByRole('button', { name: 'Show self view' }).click();
    await tile(ada, 'Ada').waitFor();
  });
});
