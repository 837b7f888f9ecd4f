import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { waitFor } from './support/wait.ts';
import { joinAsHost, setLive, startBroadcastServer, videoState } from './support/watch.ts';
import { TestClient } from '../integration/support/client.ts';
import type { BroadcastServer } from './support/watch.ts';

describe('the viewer page (/watch/<room>) against a real broadcast', () => {
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

  it('waits for the broadcast, plays it live with a viewer count, and shows its end', async () => {
    const { id, hostKey } = await server.createRoom();
    const host = await joinAsHost(server, id, hostKey);
    const { page } = await newPeerPage(browser, { label: 'viewer' });
    await page.goto(`${server.url}/watch/${server.broadcastIdOf(id)}`);
    await page.getByText('The broadcast has not started yet').waitFor();

    const t0 = Date.now();
    await setLive(host, true);
    // The page notices through its status poll (every 3 s) and waits for the first segments.
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });
    const first = await waitFor('decoded frames', async () => {
      const s = await videoState(page);
      return s.totalVideoFrames > 0 && !s.paused && s;
    });
    const firstFrameMs = Date.now() - t0;
    const later = await waitFor('playback to advance', async () => {
      const s = await videoState(page);
      return s.currentTime > first.currentTime + 1.5 &&
        s.totalVideoFrames > first.totalVideoFrames + 15
        ? s
        : false;
    });
    expect(later.muted).toBe(true); // muted autoplay...
    await page.getByText('1 watching').waitFor({ timeout: 15_000 });
    await page.getByText(/\d+ s behind live/).waitFor();
    await page.getByRole('button', { name: 'Unmute' }).click(); // ...with an Unmute button
    await page.getByRole('button', { name: 'Mute' }).waitFor();
    expect((await videoState(page)).muted).toBe(false);
    expect(await page.title()).toBe('Live broadcast - Parley');
    // The volume slider sets the player's volume; full screen takes the picture and its bar.
    await page.getByRole('slider', { name: 'Volume' }).fill('0.5');
    const volume = () => page.locator('video').evaluate((v) => (v as { volume: number }).volume);
    await waitFor('the volume to follow the slider', async () => (await volume()) === 0.5);
    const fullscreen = () =>
      page.evaluate(
        () =>
          (
            globalThis as unknown as {
              document: { fullscreenElement: { className: string } | null };
            }
          ).document.fullscreenElement?.className ?? null,
      );
    await page.getByRole('button', { name: 'Full screen' }).click();
    await waitFor('the stage in full screen', async () => (await fullscreen()) === 'watch-stage');
    await page.getByRole('button', { name: 'Full screen', pressed: true }).click();
    await waitFor('full screen to end', async () => (await fullscreen()) === null);

    // Held back (a pause stands in for a long stall), the page offers to jump to the edge.
    await page.locator('video').evaluate((v) => (v as unknown as { pause(): void }).pause());
    const jump = page.getByRole('button', { name: 'Jump to live' });
    await jump.waitFor({ timeout: 15_000 });
    const behind = await page.getByText(/\d+ s behind live/).textContent();
    await page.locator('video').evaluate((v) => (v as unknown as { play(): unknown }).play());
    await jump.click();
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 15_000 });
    await jump.waitFor({ state: 'detached' });

    const t1 = Date.now();
    await setLive(host, false);
    await page.getByText('The broadcast has ended').waitFor({ timeout: 30_000 });
    const endedMs = Date.now() - t1;
    expect(await page.getByText('LIVE', { exact: true }).count()).toBe(0);

    // The same page picks up the room's next broadcast (not the ended one's lingering playlist).
    const t2 = Date.now();
    await setLive(host, true);
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });
    const again = await videoState(page);
    await waitFor('the second broadcast to play', async () => {
      const s = await videoState(page);
      return s.currentTime > again.currentTime + 1 && s.totalVideoFrames > again.totalVideoFrames;
    });
    const againMs = Date.now() - t2;
    await setLive(host, false);
    await page.getByText('The broadcast has ended').waitFor({ timeout: 30_000 });
    console.log(
      `[watch] on air -> first frame ${firstFrameMs} ms; ${later.totalVideoFrames} frames, ` +
        `${later.currentTime.toFixed(1)} s played; stop -> ended shown ${endedMs} ms; ` +
        `on air again -> playing ${againMs} ms; paused: "${behind}"`,
    );
    await host.close();
  });

  it('recovers playback after the network drops the stream for a while', async () => {
    const { id, hostKey } = await server.createRoom();
    const host = await joinAsHost(server, id, hostKey);
    await setLive(host, true);
    const { page } = await newPeerPage(browser, { label: 'viewer' });
    await page.goto(`${server.url}/watch/${server.broadcastIdOf(id)}`);
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });

    // Every HLS request fails (in the browser) until playback visibly stalls.
    const t0 = Date.now();
    await page.route(/\/hls\//, (route) => route.abort('connectionfailed'));
    const stalled = await waitFor('the page to show the stall', async () => {
      const text = (await page.locator('.watch-bar, .watch-notice').allTextContents()).join(' ');
      return /Reconnecting/.test(text) && text;
    });
    const stallMs = Date.now() - t0;
    await page.unroute(/\/hls\//);
    const before = await videoState(page);
    const t1 = Date.now();
    await waitFor('playback to resume', async () => {
      const s = await videoState(page);
      return s.currentTime > before.currentTime + 1 && s.totalVideoFrames > before.totalVideoFrames;
    });
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 20_000 });
    await page.locator('.watch-notice').waitFor({ state: 'detached' });
    console.log(
      `[watch] outage: stall shown after ${stallMs} ms ("${stalled}"), ` +
        `playing again ${Date.now() - t1} ms after the network returned`,
    );
    await setLive(host, false);
    await host.close();
  });

  it("plays a password-protected room's broadcast only with the host's watch token", async () => {
    const { id, hostKey } = await server.createRoom({
      settings: { waitingRoom: false },
      password: 'open sesame',
    });
    const host = await TestClient.ready(server.url);
    const joined = await host.request({
      type: 'join',
      roomId: id,
      name: 'Host',
      media: { audio: true, video: true },
      hostKey,
      password: 'open sesame',
    });
    expect(joined.type).toBe('joined');
    const live = await host.request({ type: 'broadcast', live: true });
    if (live.type !== 'broadcast-state' || !live.watchToken) {
      throw new Error(`no watch token: ${JSON.stringify(live)}`);
    }

    // The watch link names the broadcast, never the room (the join link).
    const broadcastId = live.broadcastId ?? '';
    expect(broadcastId).toBe(server.broadcastIdOf(id));
    expect(broadcastId).not.toBe(id);
    // Without the token a private room's broadcast looks like no broadcast at all.
    const { page: outsider } = await newPeerPage(browser, { label: 'outsider' });
    await outsider.goto(`${server.url}/watch/${broadcastId}`);
    await outsider
      .getByRole('alert')
      .filter({ hasText: 'This broadcast does not exist' })
      .waitFor();

    // With it, the status, check-ins, playlist and segments are all let through.
    const { page } = await newPeerPage(browser, { label: 'viewer' });
    const hls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/hls/')) hls.push(r.url());
    });
    await page.goto(`${server.url}/watch/${broadcastId}?t=${encodeURIComponent(live.watchToken)}`);
    await page.getByText('LIVE', { exact: true }).waitFor({ timeout: 30_000 });
    const first = await waitFor('decoded frames', async () => {
      const v = await videoState(page);
      return v.totalVideoFrames > 0 && v;
    });
    await waitFor('playback to advance', async () => {
      const v = await videoState(page);
      return v.totalVideoFrames > first.totalVideoFrames + 10;
    });
    await page.getByText('1 watching').waitFor({ timeout: 15_000 });
    expect(hls.length).toBeGreaterThan(2);
    expect(hls.filter((u) => !new URL(u).searchParams.has('t'))).toEqual([]);
    await setLive(host, false);
    await host.close();
  });

  it('says so when the broadcast does not exist, or is asked for by the room id', async () => {
    const { id } = await server.createRoom();
    for (const made of ['C'.repeat(22), id]) {
      const { page } = await newPeerPage(browser, { label: 'lost viewer' });
      await page.goto(`${server.url}/watch/${made}`);
      await page.getByRole('alert').filter({ hasText: 'This broadcast does not exist' }).waitFor();
      expect(await page.locator('video').isVisible()).toBe(false);
    }
  });
});
