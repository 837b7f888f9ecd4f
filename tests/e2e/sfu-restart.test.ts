import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import { createRoom, expectTilesLive, joinRoom, roomStatus, selfId } from './support/call.ts';
import {
  darkestLuma,
  missingSamples,
  samplerReady,
  startGapSampler,
  stopGapSampler,
  worstGap,
} from './support/gapSampler.ts';
import { waitFor } from './support/wait.ts';

describe('the media worker under an SFU room dies', () => {
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 2 });

  it('rebuilds the SFU side; tiles keep their picture meanwhile and then play again', async () => {
    const pages: Page[] = [];
    for (const name of ['Ada', 'Bob', 'Cy']) {
      pages.push((await newPeerPage(env.browser, { label: name })).page);
    }
    const url = await createRoom(pages[0] as Page, env.server.url);
    for (const [i, name] of ['Ada', 'Bob', 'Cy'].entries()) {
      await joinRoom(pages[i] as Page, url, name);
    }
    expect((await roomStatus(env.server.url, url)).mode).toBe('sfu');
    const ids = await Promise.all(pages.map(selfId));
    const others = (me: number) => ids.filter((_, i) => i !== me);
    await Promise.all(pages.map((p, i) => expectTilesLive(p, others(i), 'sfu')));

    await Promise.all(pages.map((p) => startGapSampler(p)));
    await Promise.all(pages.map((p) => samplerReady(p, 2)));
    const [pid] = env.server.sfuWorkerPids();
    if (pid === undefined) throw new Error('no mediasoup worker');
    process.kill(pid, 'SIGKILL');
    await waitFor('a replacement worker', () => {
      const pids = env.server.sfuWorkerPids();
      return pids.length > 0 && !pids.includes(pid);
    });
    await Promise.all(pages.map((p, i) => expectTilesLive(p, others(i), 'sfu', 45_000)));
    const gaps = await Promise.all(pages.map(stopGapSampler));
    console.log(
      `worker restart: longest tile stall ${worstGap(gaps)} ms, darkest luma ${darkestLuma(gaps)}`,
      JSON.stringify(gaps),
    );
    // Frozen on the last frame meanwhile is expected; a tile losing its picture is not.
    expect(missingSamples(gaps)).toBe(0);
    expect(darkestLuma(gaps)).toBeGreaterThan(20);
  });
});
