// What the switch scenarios (switch.ts, switchBots.ts) read on the pages that stay in the call
// while it moves between the mesh and the SFU: the gap sampler (decode counters, blank tiles,
// picture) and every presented frame, and when a page is done switching.

import type { Page } from 'playwright-core';
import { clientMode } from '../../e2e/support/call.ts';
import {
  blankSamples,
  darkestLuma,
  samplerReady,
  startGapSampler,
  stopGapSampler,
  worstGap,
  type TileGaps,
} from '../../e2e/support/gapSampler.ts';
import { waitFor } from '../../e2e/support/wait.ts';
import { startFrameGaps, stopFrameGaps } from './frameGaps.ts';

/** The gap sampler's poll interval in the switch scenarios (e2e default 100 ms). */
export const SAMPLE_MS = 50;

export interface Sampled {
  /** Longest stall of any measured tile (decode counters), ms. */
  gapMs: number;
  /** The same from presented frames (requestVideoFrameCallback), ms. */
  presentedGapMs: number;
  blankSamples: number;
  darkestLuma: number;
}

/** Starts both samplers on every page, once each shows `tiles` decoding remote tiles. */
export async function startSampling(pages: Page[], tiles: number): Promise<void> {
  await Promise.all(pages.map((p) => startGapSampler(p, SAMPLE_MS)));
  await Promise.all(pages.map((p) => samplerReady(p, tiles)));
  await Promise.all(pages.map(startFrameGaps));
}

const without = <T extends Record<string, number>>(m: T, skip: string[]): T =>
  Object.fromEntries(Object.entries(m).filter(([id]) => !skip.includes(id))) as T;

/** Stops sampling; the tiles of `skip` (the peer that joined or left) do not count. */
export async function stopSampling(pages: Page[], skip: string[]): Promise<Sampled> {
  const gaps: TileGaps[] = (await Promise.all(pages.map(stopGapSampler))).map((g) => ({
    worstMs: without(g.worstMs, skip),
    blanks: without(g.blanks, skip),
    missing: without(g.missing, skip),
    luma: without(g.luma, skip),
  }));
  const presented = (await Promise.all(pages.map(stopFrameGaps))).map((w) => without(w, skip));
  return {
    gapMs: worstGap(gaps),
    presentedGapMs: Math.max(0, ...presented.flatMap((w) => Object.values(w))),
    blankSamples: blankSamples(gaps),
    darkestLuma: darkestLuma(gaps),
  };
}

/** Every page reports `mode` with `links` mesh links (the old path closed). */
export async function settled(
  pages: Page[],
  mode: 'mesh' | 'sfu',
  links: number,
  intervalMs = 50,
): Promise<void> {
  await Promise.all(
    pages.map((p) =>
      waitFor(
        `the page on ${mode} with ${links} mesh link(s)`,
        async () => {
          const m = await clientMode(p);
          return m.mode === mode && m.meshLinks === links;
        },
        { timeoutMs: 30_000, intervalMs },
      ),
    ),
  );
}
