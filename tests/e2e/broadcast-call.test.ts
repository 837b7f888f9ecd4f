import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, makeMedia } from './support/colourMedia.ts';
import { createRoom, goLive, joinRoom, roomStatus } from './support/call.ts';
import { startBroadcastServer, videoState } from './support/watch.ts';
import type { BroadcastServer } from './support/watch.ts';
import { waitFor } from './support/wait.ts';

/**
 * A meeting goes on air from the call page, and the viewer page shows whoever speaks: each
 * participant's browser gets its own colour as its camera (red host, blue guest) and tone
 * bursts as its microphone, so the picture on the viewer page tells who is on air.
 */

type Colour = 'red' | 'blue' | 'white' | 'other';

/** The dominant colour of the middle of the frame the viewer's <video> shows now. */
async function viewerColour(page: Page): Promise<Colour> {
  const [r, g, b] = await page.locator('video').evaluate((el) => {
    const video = el as unknown as { videoWidth: number; videoHeight: number };
    const doc = (globalThis as unknown as { document: { createElement(t: string): unknown } })
      .document;
    const canvas = doc.createElement('canvas') as {
      width: number;
      height: number;
      getContext(t: string): {
        drawImage(v: unknown, ...box: number[]): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    canvas.width = 32;
    canvas.height = 18;
    const ctx = canvas.getContext('2d');
    const { videoWidth: w, videoHeight: h } = video;
    if (w === 0) return [0, 0, 0];
    // The middle of the picture: a board on air is letterboxed into the broadcast's frame.
    ctx.drawImage(el, w * 0.3, h * 0.3, w * 0.4, h * 0.4, 0, 0, 32, 18);
    const data = ctx.getImageData(0, 0, 32, 18).data;
    let [r, g, b] = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) {
      r += data[i] ?? 0;
      g += data[i + 1] ?? 0;
      b += data[i + 2] ?? 0;
    }
    const n = data.length / 4;
    return [r / n, g / n, b / n];
  });
  if ((r ?? 0) > 120 && (b ?? 0) < 90 && (g ?? 0) < 90) return 'red';
  if ((b ?? 0) > 120 && (r ?? 0) < 90 && (g ?? 0) < 90) return 'blue';
  if ((r ?? 0) > 200 && (g ?? 0) > 200 && (b ?? 0) > 200) return 'white';
  return 'other';
}

describe('going on air from a call', () => {
  let server: BroadcastServer;
  let dir: string;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    server = await startBroadcastServer();
    dir = mkdtempSync(path.join(tmpdir(), 'parley-onair-'));
  });
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a host goes live, the viewer follows the speaker, and Stop ends it for the viewer', async () => {
    const [hostBrowser, guestBrowser, viewerBrowser] = await Promise.all([
      launch(makeMedia(dir, 'red')),
      launch(makeMedia(dir, 'blue')),
      launch(),
    ]);
    browsers.push(hostBrowser, guestBrowser, viewerBrowser);
    const host = await (await hostBrowser.newContext()).newPage();
    const guest = await (await guestBrowser.newContext()).newPage();
    const url = await createRoom(host, server.url, { title: 'Friday town hall' });
    await joinRoom(host, url, 'Host');
    // The link leads to a pre-join that names the meeting.
    await guest.goto(url);
    await guest.getByRole('heading', { name: 'Friday town hall' }).waitFor();
    expect(await guest.title()).toBe('Join Friday town hall - Parley');
    await joinRoom(guest, url, 'Guest');
    const roomId = url.split('/').pop() as string;
    // The tab says who is in which meeting.
    await waitFor(
      'the title in the tab',
      async () => (await host.title()) === '2 people - Friday town hall',
    );

    // Only the guest's microphone is open: the guest is the active speaker.
    await host.getByRole('button', { name: 'Mute', exact: true }).click();
    await guest.getByRole('button', { name: 'Go live' }).waitFor({ state: 'detached' }); // hosts only
    await goLive(host);
    for (const page of [host, guest]) {
      await page.getByRole('status').filter({ hasText: 'On air' }).waitFor({ timeout: 30_000 });
    }
    expect(await roomStatus(server.url, url)).toMatchObject({ live: true, mode: 'sfu' });

    // The host's "Viewer link" names the broadcast, not the room.
    const watchUrl = (await host.locator('a.watch-link').getAttribute('href')) ?? '';
    expect(watchUrl).toBe(`${server.url}/watch/${server.broadcastIdOf(roomId)}`);
    expect(watchUrl).not.toContain(roomId);
    const viewer = await (await viewerBrowser.newContext()).newPage();
    await viewer.goto(watchUrl);
    const first = await waitFor(
      'the viewer to play',
      async () => {
        const v = await videoState(viewer);
        return v.totalVideoFrames > 10 && v.currentTime > 0.5 && v;
      },
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'the broadcast to show the speaking guest (blue)',
      async () => (await viewerColour(viewer)) === 'blue',
      { timeoutMs: 60_000 },
    );
    const later = await videoState(viewer);
    expect(later.currentTime).toBeGreaterThan(first.currentTime);
    // The viewer page names the meeting and whose picture is on air (issue 19).
    await viewer.getByRole('heading', { name: 'Friday town hall' }).waitFor();
    expect(await viewer.title()).toBe('Friday town hall - Live broadcast - Parley');
    await viewer.getByText('On screen: Guest', { exact: true }).waitFor({ timeout: 15_000 });
    // The host sees how many watch (asked every 10 s while on air).
    await host.getByText('1 viewer', { exact: true }).waitFor({ timeout: 30_000 });

    // The speaker changes: the broadcast follows to the host (red).
    await guest.getByRole('button', { name: 'Mute', exact: true }).click();
    await host.getByRole('button', { name: 'Unmute', exact: true }).click();
    // The call highlights the new speaker (the SFU's active-speaker observer)...
    await waitFor(
      'the guest to see the host as the speaker',
      async () =>
        (await guest.locator('.tile[data-speaking="true"]').allTextContents()).some((t) =>
          t.includes('Host'),
        ),
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'the broadcast to follow the host (red)',
      async () => (await viewerColour(viewer)) === 'red',
      { timeoutMs: 60_000 },
    );
    await viewer.getByText('On screen: Host', { exact: true }).waitFor({ timeout: 15_000 });

    await host.getByRole('button', { name: 'Stop broadcast' }).click();
    await viewer.getByText('The broadcast has ended.').waitFor({ timeout: 30_000 });
    await waitFor(
      'the on-air badge to go',
      async () => (await guest.getByRole('status').filter({ hasText: 'On air' }).count()) === 0,
    );
    // Their calls would go on beside the next test's: two cores.
    await Promise.all([hostBrowser, guestBrowser, viewerBrowser].map((b) => b.close()));
  });

  it('a host presents the whiteboard on air: the viewers see the board, then the host again', async () => {
    const [hostBrowser, viewerBrowser] = await Promise.all([
      launch(makeMedia(dir, 'blue')),
      launch(),
    ]);
    browsers.push(hostBrowser, viewerBrowser);
    const host = await (
      await hostBrowser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    const url = await createRoom(host, server.url);
    await joinRoom(host, url, 'Host');
    await goLive(host);
    await host.getByRole('status').filter({ hasText: 'On air' }).waitFor({ timeout: 30_000 });
    const watchUrl = (await host.locator('a.watch-link').getAttribute('href')) ?? '';
    const viewer = await (await viewerBrowser.newContext()).newPage();
    await viewer.goto(watchUrl);
    await waitFor(
      'the viewer to show the host (blue)',
      async () => (await viewerColour(viewer)) === 'blue',
      {
        timeoutMs: 90_000,
      },
    );

    // Presenting the board while on air puts the board's canvas on air (as a shared screen).
    await host.getByRole('button', { name: 'Whiteboard', exact: true }).click();
    const board = host.getByRole('region', { name: 'Whiteboard' });
    await board.getByRole('button', { name: 'Present' }).click();
    await waitFor(
      'the broadcast to show the board (white)',
      async () => (await viewerColour(viewer)) === 'white',
      {
        timeoutMs: 60_000,
      },
    );
    await board.getByRole('button', { name: 'Stop presenting' }).click();
    await waitFor(
      'the broadcast back on the host (blue)',
      async () => (await viewerColour(viewer)) === 'blue',
      {
        timeoutMs: 60_000,
      },
    );
    await host.getByRole('button', { name: 'Stop broadcast' }).click();
  });
});
