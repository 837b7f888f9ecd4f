// The longest time each remote camera tile went without presenting a new frame, from every
// frame its <video> hands to the compositor (requestVideoFrameCallback): millisecond
// resolution, where tests/e2e/support/gapSampler.ts polls decode counters every 50-100 ms.
// Per peer, not per element, so a tile re-rendered into a new <video> is one tile.

import type { Page } from 'playwright-core';

type Worst = Record<string, number>;

export async function startFrameGaps(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Video = {
      dataset: Record<string, string | undefined>;
      requestVideoFrameCallback(cb: () => void): number;
      cancelVideoFrameCallback(h: number): void;
    };
    const g = globalThis as unknown as {
      document: { querySelectorAll(s: string): Iterable<Video> };
      MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void; disconnect(): void }; // prettier-ignore
      __frameGaps?: { last: Record<string, number>; worst: Worst; stop(): void };
    };
    g.__frameGaps?.stop();
    const last: Record<string, number> = {};
    const worst: Worst = {};
    const handles = new Map<Video, number>();
    const watch = (video: Video): void => {
      if (handles.has(video)) return;
      const peer = video.dataset.tilePeer ?? '';
      const onFrame = (): void => {
        const now = performance.now();
        const prev = last[peer];
        if (prev !== undefined) worst[peer] = Math.max(worst[peer] ?? 0, now - prev);
        last[peer] = now;
        handles.set(video, video.requestVideoFrameCallback(onFrame));
      };
      handles.set(video, video.requestVideoFrameCallback(onFrame));
    };
    const scan = (): void => {
      for (const v of g.document.querySelectorAll('video[data-tile-peer][data-tile-source="camera"]')) watch(v); // prettier-ignore
    };
    const observer = new g.MutationObserver(scan);
    observer.observe(g.document, { subtree: true, childList: true });
    scan();
    g.__frameGaps = {
      last,
      worst,
      stop: () => {
        observer.disconnect();
        for (const [video, h] of handles) video.cancelVideoFrameCallback(h);
      },
    };
  });
}

/**
 * Stops and returns each tile's longest gap, ms, counting the time since its last frame as a
 * gap too (a tile frozen at the end is not missed).
 */
export async function stopFrameGaps(page: Page): Promise<Worst> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      __frameGaps?: { last: Record<string, number>; worst: Worst; stop(): void };
    };
    const state = g.__frameGaps;
    if (!state) return {};
    state.stop();
    delete g.__frameGaps;
    const now = performance.now();
    const out: Worst = {};
    for (const [peer, t] of Object.entries(state.last)) {
      out[peer] = Math.round(Math.max(state.worst[peer] ?? 0, now - t));
    }
    return out;
  });
}
