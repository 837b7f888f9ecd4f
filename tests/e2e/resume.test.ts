import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import {
  chatTexts,
  createRoom,
  dropSocket,
  expectTilesLive,
  joinRoom,
  selfId,
  sendChat,
  tileStats,
} from './support/call.ts';
import { samplerReady, startGapSampler, stopGapSampler, worstGap } from './support/gapSampler.ts';
import { waitFor } from './support/wait.ts';

const RESUME_WINDOW_MS = 4_000;

/** The "Reconnecting…" banner is gone: the page is in the call again. */
async function backInCall(page: Page): Promise<void> {
  await waitFor(
    'the page to be back in the call',
    async () => (await page.getByRole('status').filter({ hasText: 'Reconnecting' }).count()) === 0,
    { intervalMs: 50 },
  );
}

/** The browser's `online` event: the app reconnects at once instead of sitting out its backoff. */
async function goOnline(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as { dispatchEvent(e: Event): boolean };
    g.dispatchEvent(new Event('online'));
  });
}

async function cameraTiles(page: Page): Promise<string[]> {
  return (await tileStats(page)).filter((t) => t.source === 'camera').map((t) => t.peerId);
}

describe('resuming after the socket drops', () => {
  const env = useServerAndBrowser({ resumeWindowMs: RESUME_WINDOW_MS });

  it('resumes unseen within the window, and rejoins as a new peer after it', async () => {
    const alice = await newPeerPage(env.browser, { label: 'alice' });
    const bob = await newPeerPage(env.browser, { label: 'bob' });
    const a = alice.page;
    const b = bob.page;
    const url = await createRoom(a, env.server.url);
    await joinRoom(a, url, 'Alice');
    await joinRoom(b, url, 'Bob');
    const idA = await selfId(a);
    const idB = await selfId(b);
    await Promise.all([expectTilesLive(a, [idB], 'mesh'), expectTilesLive(b, [idA], 'mesh')]);

    // Alice's new sockets go nowhere while `blocked` (WebRTC is untouched by this route).
    let blocked = false;
    await a.routeWebSocket(/\/ws(\?|$)/, async (ws) => {
      if (blocked) await ws.close({ code: 1011, reason: 'blocked by the test' });
      else ws.connectToServer();
    });
    await Promise.all([startGapSampler(a), startGapSampler(b)]);
    await Promise.all([samplerReady(a, 1), samplerReady(b, 1)]);

    // 1. A plain drop: back at once, same seat.
    let t0 = Date.now();
    await dropSocket(a);
    await a.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    await backInCall(a);
    const plainResumeMs = Date.now() - t0;
    expect(await selfId(a)).toBe(idA);

    // 2. A longer gap (still within the window): Bob chats meanwhile.
    blocked = true;
    t0 = Date.now();
    await dropSocket(a);
    await sendChat(b, 'while Alice was away');
    await waitFor('a gap of 1.5 s', () => Date.now() - t0 > 1_500);
    blocked = false;
    await goOnline(a);
    await backInCall(a);
    const gapResumeMs = Date.now() - t0;
    expect(await selfId(a)).toBe(idA);
    await waitFor('Alice to get the chat sent in the gap', async () =>
      (await chatTexts(a)).includes('while Alice was away'),
    );
    await Promise.all([expectTilesLive(a, [idB], 'mesh'), expectTilesLive(b, [idA], 'mesh')]);

    const gaps = await Promise.all([stopGapSampler(a), stopGapSampler(b)]);
    console.log(
      `resume: plain drop ${plainResumeMs} ms, 1.5 s gap ${gapResumeMs} ms; ` +
        `longest decoding gap ${worstGap(gaps)} ms; missing tile samples on Bob ${gaps[1].missing[idA]}`,
    );
    // Bob never lost Alice (her tile was there in every sample) and video never stalled.
    expect(gaps[1].missing[idA]).toBe(0);
    expect(worstGap(gaps)).toBeLessThan(2_000);
    expect((await chatTexts(a)).filter((t) => t === 'while Alice was away')).toHaveLength(1);

    // 3. Away for longer than the window: Bob sees her leave; she comes back as a new peer.
    blocked = true;
    await dropSocket(a);
    await waitFor('Bob to see Alice leave', async () => !(await cameraTiles(b)).includes(idA), {
      timeoutMs: RESUME_WINDOW_MS + 10_000,
    });
    blocked = false;
    await goOnline(a);
    const idA2 = await waitFor('Alice to join again as a new peer', async () => {
      const id = await a.evaluate(() =>
        (globalThis as { __parley?: { selfId(): string | null } }).__parley?.selfId(),
      );
      return typeof id === 'string' && id !== idA && id;
    });
    await backInCall(a);
    await Promise.all([expectTilesLive(a, [idB], 'mesh'), expectTilesLive(b, [idA2], 'mesh')]);
    expect(await cameraTiles(a)).toEqual([idB]);
    expect(await cameraTiles(b)).toEqual([idA2]);
  });
});
