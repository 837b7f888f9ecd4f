// Devices in the call (issue 19): the microphone, camera and speaker change without leaving the
// call, in the mesh and on the SFU, with no renegotiation and no new producer (replaceTrack);
// an unplugged camera gives way to the default one with a notice; before joining, a level
// meter follows the microphone and "Test speaker" plays on the chosen output. Ada's browser
// has a second camera that paints magenta (support/secondCamera.ts), so the others' tiles of
// her tell which camera she sends.

import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import { createRoom, expectTilesLive, joinRoom, linkStats, selfId } from './support/call.ts';
import { useServerAndBrowser } from './support/harness.ts';
import {
  MAGENTA_CAMERA,
  addSecondCamera,
  isMagenta,
  tileColour,
  unplugCamera,
} from './support/secondCamera.ts';
import { waitFor } from './support/wait.ts';

/** What Chromium's fake devices are called (--use-fake-device-for-media-stream). */
const FAKE_CAMERA = 'fake_device_0';
const SECOND_MIC = 'Fake Audio Input 1';
const THIRD_MIC = 'Fake Audio Input 2';
const FIRST_SPEAKER = 'Fake Audio Output 1';
const SECOND_SPEAKER = 'Fake Audio Output 2';

/** Signaling a page saw that would mean renegotiation (SDP) or a new SFU producer. */
interface Negotiation {
  sdp: number;
  produce: number;
}

/** Counts, from now on, the SDP offers, answers and renegotiation requests on `page`'s socket. */
function watchNegotiation(page: Page): Negotiation {
  const seen = { sdp: 0, produce: 0 };
  page.on('websocket', (ws) => {
    const read = (payload: string | Buffer) => {
      let msg: { type?: string; data?: { signal?: { type?: string; renegotiate?: boolean } } };
      try {
        msg = JSON.parse(String(payload)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type === 'sfu-produce') seen.produce += 1;
      const signal = msg.type === 'signal' ? msg.data?.signal : undefined;
      if (signal && (signal.type === 'offer' || signal.type === 'answer' || signal.renegotiate)) {
        seen.sdp += 1;
      }
    };
    ws.on('framesent', (f) => read(f.payload));
    ws.on('framereceived', (f) => read(f.payload));
  });
  return seen;
}

/** Opens the call's Devices panel (unless open). */
async function devicesPanel(page: Page): Promise<Locator> {
  const button = page.getByRole('button', { name: 'Devices' });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  return page.getByRole('dialog', { name: 'Devices' });
}

async function meterLevel(page: Page): Promise<number> {
  const meter = page.getByRole('meter', { name: 'Microphone level' });
  return Number(await meter.getAttribute('aria-valuenow'));
}

/** The meter shows sound: loud readings and quieter ones, as the fake microphone beeps. */
async function expectMeterMoving(page: Page): Promise<void> {
  const seen = new Set<number>();
  await waitFor(
    'the microphone level meter to move',
    async () => {
      seen.add(await meterLevel(page));
      return Math.max(...seen) >= 15 && seen.size >= 3;
    },
    { intervalMs: 100, timeoutMs: 10_000 },
  );
}

/** Twenty readings over two seconds, every one of them zero (the microphone is muted). */
async function expectMeterSilent(page: Page): Promise<void> {
  await waitFor('the meter to fall to 0', async () => (await meterLevel(page)) === 0);
  const readings: number[] = [];
  for (let i = 0; i < 20; i++) {
    readings.push(await meterLevel(page));
    await page.waitForTimeout(100);
  }
  expect(readings.filter((r) => r !== 0)).toEqual([]);
}

/** Waits until `page`'s tile of `peerId` shows the magenta camera, or (false) another one. */
async function expectCamera(page: Page, peerId: string, magenta: boolean): Promise<void> {
  await waitFor(`the tile to show ${magenta ? 'the magenta camera' : FAKE_CAMERA}`, async () => {
    const colour = await tileColour(page, peerId);
    if (colour !== null && isMagenta(colour) === magenta) return true;
    throw new Error(`mean colour ${JSON.stringify(colour)}`);
  });
}

/** The sink ids of the remote audio elements of a call page. */
function sinkIds(page: Page): Promise<string[]> {
  return page
    .locator('.sinks audio')
    .evaluateAll((els) => els.map((el) => (el as unknown as { sinkId: string }).sinkId));
}

function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate(
    (el) =>
      el ===
      (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
  );
}

describe('devices', () => {
  // Two people stay on the mesh; a third moves the room to the SFU.
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 2 });

  it('before joining: the level meter follows the microphone, the speaker is tested and remembered', async () => {
    const { context, page } = await newPeerPage(env.browser, { label: 'ada' });
    try {
      await createRoom(page, env.server.url);
      await expectMeterMoving(page);
      await page.getByRole('button', { name: 'Mute' }).click();
      await expectMeterSilent(page);
      await page.getByRole('button', { name: 'Unmute' }).click();
      await expectMeterMoving(page);

      const mic = page.getByLabel('Microphone', { exact: true });
      await mic.selectOption({ label: THIRD_MIC });
      const speaker = page.getByLabel('Speaker', { exact: true });
      await speaker.selectOption({ label: SECOND_SPEAKER });
      const speakerId = await speaker.inputValue();
      const micId = await mic.inputValue();
      await expectMeterMoving(page);

      await page.getByRole('button', { name: 'Test speaker' }).click();
      await page.getByRole('button', { name: 'Playing a test sound…' }).waitFor();
      const testSink = await page
        .locator('audio.speaker-test-audio')
        .evaluate((el) => (el as unknown as { sinkId: string }).sinkId);
      expect(testSink).toBe(speakerId);
      await page.getByRole('button', { name: 'Test speaker' }).waitFor();

      // The next visit starts with the same microphone and speaker.
      await page.reload();
      await waitFor('the remembered choices', async () => {
        const now = [
          await page.getByLabel('Microphone', { exact: true }).inputValue(),
          await speaker.inputValue(),
        ];
        if (now[0] === micId && now[1] === speakerId) return true;
        throw new Error(
          `microphone ${now[0]} (not ${micId}), speaker ${now[1]} (not ${speakerId})`,
        );
      });
    } finally {
      await context.close();
    }
  });

  it('in the call: camera, microphone and speaker change in the mesh and on the SFU; an unplugged camera falls back', async () => {
    const ada = await newPeerPage(env.browser, { label: 'ada' });
    await addSecondCamera(ada.context);
    const adaWire = watchNegotiation(ada.page);
    const bob = await newPeerPage(env.browser, { label: 'bob' });
    const carol = await newPeerPage(env.browser, { label: 'carol' });
    try {
      const url = await createRoom(ada.page, env.server.url);
      await joinRoom(ada.page, url, 'Ada');
      await joinRoom(bob.page, url, 'Bob');
      const adaId = await selfId(ada.page);
      await expectTilesLive(bob.page, [adaId], 'mesh');
      await expectCamera(bob.page, adaId, false);
      const sdpBefore = adaWire.sdp;
      expect(sdpBefore).toBeGreaterThan(0);

      // Mesh, keyboard only: Devices opens on its first field; the camera changes.
      await ada.page.getByRole('button', { name: 'Devices' }).focus();
      await ada.page.keyboard.press('Enter');
      const panel = ada.page.getByRole('dialog', { name: 'Devices' });
      await waitFor('the focus in the panel', () =>
        isFocused(panel.getByLabel('Microphone', { exact: true })),
      );
      await panel
        .getByLabel('Camera', { exact: true })
        .selectOption({ label: MAGENTA_CAMERA.label });
      await expectCamera(bob.page, adaId, true);
      await expectTilesLive(bob.page, [adaId], 'mesh');
      await ada.page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      expect(await isFocused(ada.page.getByRole('button', { name: 'Devices' }))).toBe(true);

      // A muted microphone stays muted on another microphone; unmuted, Bob hears the new one.
      await ada.page.getByRole('button', { name: 'Mute' }).click();
      const mutedPanel = await devicesPanel(ada.page);
      await mutedPanel
        .getByLabel('Microphone', { exact: true })
        .selectOption({ label: SECOND_MIC });
      await ada.page.getByRole('button', { name: 'Unmute' }).waitFor();
      await bob.page
        .locator('figure[data-peer-name="Ada"] .indicator', { hasText: 'Muted' })
        .waitFor();
      await expectMeterSilent(ada.page);
      const energy = async () => (await linkStats(bob.page))[0]?.audioEnergy ?? 0;
      const heardBefore = await energy();
      await ada.page.getByRole('button', { name: 'Unmute' }).click();
      await devicesPanel(ada.page);
      await expectMeterMoving(ada.page);
      await waitFor('Bob to hear Ada again', async () => (await energy()) > heardBefore);
      expect(adaWire.sdp).toBe(sdpBefore);

      // Bob's speaker: every remote audio element plays there.
      const bobPanel = await devicesPanel(bob.page);
      await bobPanel.getByLabel('Speaker', { exact: true }).selectOption({ label: FIRST_SPEAKER });
      const speakerId = await bobPanel.getByLabel('Speaker', { exact: true }).inputValue();
      await waitFor('Bob’s audio on the chosen speaker', async () => {
        const ids = await sinkIds(bob.page);
        return ids.length === 1 && ids.every((id) => id === speakerId);
      });

      // Carol moves the room to the SFU: Ada's tile there comes from the camera she picked,
      // and Bob's audio element for Carol, made now, plays on his speaker too.
      await joinRoom(carol.page, url, 'Carol');
      await expectTilesLive(bob.page, [adaId], 'sfu', 60_000);
      await expectCamera(bob.page, adaId, true);
      await waitFor('Bob’s audio of both on the chosen speaker', async () => {
        const ids = await sinkIds(bob.page);
        return ids.length === 2 && ids.every((id) => id === speakerId);
      });
      const produced = adaWire.produce;
      expect(produced).toBe(2);

      // On the SFU: back to the other camera, on the same producer.
      const sfuPanel = await devicesPanel(ada.page);
      await sfuPanel.getByLabel('Camera', { exact: true }).selectOption({ label: FAKE_CAMERA });
      await expectCamera(bob.page, adaId, false);
      await expectTilesLive(bob.page, [adaId], 'sfu');
      await sfuPanel
        .getByLabel('Camera', { exact: true })
        .selectOption({ label: MAGENTA_CAMERA.label });
      await expectCamera(bob.page, adaId, true);

      // The magenta camera is unplugged: the default one takes over, and Ada is told.
      await unplugCamera(ada.page);
      await ada.page
        .getByRole('status')
        .filter({ hasText: `Your camera was disconnected; using ${FAKE_CAMERA} now.` })
        .waitFor();
      await expectCamera(bob.page, adaId, false);
      await expectTilesLive(bob.page, [adaId], 'sfu');
      expect(adaWire.produce).toBe(produced);
    } finally {
      await Promise.all([ada.context.close(), bob.context.close(), carol.context.close()]);
    }
  });
});
