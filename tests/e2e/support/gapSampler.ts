import type { Page } from 'playwright-core';
import { waitFor } from './wait.ts';

/**
 * In-page measurement of what each remote camera tile shows, every `interval` ms:
 * - progress: the decoded-frame count of the track its <video> shows (window.__parley.tiles());
 *   a swap to another path with frames already decoded counts as progress;
 * - blank: the shown track has decoded nothing (or is no longer known), or there is no <video>;
 * - picture: the mean luma of the <video> painted onto a tiny canvas (a black or empty tile is
 *   ~0; the fake camera's picture is ~80).
 * A tile is measured from its first decoded frame. Runs in the page (no DOM lib in the test
 * tsconfig, hence the narrow local types).
 */
function samplerScript(interval: number): void {
  type Tile = { peerId: string; source: string; via: string | null; framesDecoded: number };
  type Seen = {
    frames: number;
    via: string | null;
    since: number;
    worst: number;
    blank: number;
    missing: number;
    luma: number;
  };
  type Ctx = {
    clearRect(x: number, y: number, w: number, h: number): void;
    drawImage(img: unknown, x: number, y: number, w: number, h: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
  type Doc = {
    createElement(t: 'canvas'): { width: number; height: number; getContext(k: '2d'): Ctx | null };
    querySelector(s: string): unknown;
  };
  const g = globalThis as unknown as {
    document: Doc;
    __parley?: { tiles(): Promise<Tile[]> };
    __gaps?: { seen: Record<string, Seen>; timer: ReturnType<typeof setInterval> };
  };
  if (g.__gaps) clearInterval(g.__gaps.timer);
  const canvas = g.document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 18;
  const ctx = canvas.getContext('2d');
  const luma = (peerId: string): number => {
    const video = g.document.querySelector(
      `video[data-tile-peer="${peerId}"][data-tile-source="camera"]`,
    );
    if (!video || !ctx) return 0;
    ctx.clearRect(0, 0, 32, 18);
    ctx.drawImage(video, 0, 0, 32, 18);
    const px = ctx.getImageData(0, 0, 32, 18).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      sum += 0.299 * (px[i] ?? 0) + 0.587 * (px[i + 1] ?? 0) + 0.114 * (px[i + 2] ?? 0);
    }
    return sum / (px.length / 4);
  };
  const seen: Record<string, Seen> = {};
  const observe = (t: Tile, now: number) => {
    const s = seen[t.peerId];
    if (!s) {
      if (t.framesDecoded > 0) {
        seen[t.peerId] = { frames: t.framesDecoded, via: t.via, since: now, worst: 0, blank: 0, missing: 0, luma: 255 }; // prettier-ignore
      }
      return;
    }
    if (t.framesDecoded === 0) s.blank += 1;
    if (t.framesDecoded > s.frames || (t.via !== s.via && t.framesDecoded > 0)) {
      s.since = now;
      s.frames = t.framesDecoded;
      s.via = t.via;
    }
    s.worst = Math.max(s.worst, now - s.since);
    s.luma = Math.min(s.luma, luma(t.peerId));
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy || !g.__parley) return;
    busy = true;
    void g.__parley
      .tiles()
      .then((tiles) => {
        const now = performance.now();
        const shown = tiles.filter((t) => t.source === 'camera');
        for (const t of shown) observe(t, now);
        for (const [id, s] of Object.entries(seen)) {
          if (shown.some((t) => t.peerId === id)) continue;
          s.worst = Math.max(s.worst, now - s.since);
          s.blank += 1;
          s.missing += 1;
          s.luma = 0;
        }
      })
      .finally(() => {
        busy = false;
      });
  }, interval);
  g.__gaps = { seen, timer };
}

export async function startGapSampler(page: Page, intervalMs = 100): Promise<void> {
  await page.evaluate(samplerScript, intervalMs);
}

/** Waits until the sampler measures `count` tiles (each has shown a decoded frame). */
export async function samplerReady(page: Page, count: number): Promise<void> {
  await waitFor(`the sampler to see ${count} decoding tiles`, () =>
    page.evaluate(
      (n) =>
        Object.keys((globalThis as unknown as { __gaps?: { seen: object } }).__gaps?.seen ?? {})
          .length >= n,
      count,
    ),
  );
}

export interface TileGaps {
  /** Longest stall per remote peer's camera tile, ms. */
  worstMs: Record<string, number>;
  /** Samples per tile that found it blank (nothing decoded behind it, or no <video>). */
  blanks: Record<string, number>;
  /** Of those, samples that found no <video> at all (a placeholder instead of a picture). */
  missing: Record<string, number>;
  /** Darkest mean luma (0..255) each tile's <video> showed. */
  luma: Record<string, number>;
}

/** Stops the sampler and returns what it measured. */
export async function stopGapSampler(page: Page): Promise<TileGaps> {
  return page.evaluate(() => {
    type S = { worst: number; blank: number; missing: number; luma: number };
    const g = globalThis as unknown as {
      __gaps?: { seen: Record<string, S>; timer: ReturnType<typeof setInterval> };
    };
    const out: TileGaps = { worstMs: {}, blanks: {}, missing: {}, luma: {} };
    if (!g.__gaps) return out;
    clearInterval(g.__gaps.timer);
    for (const [id, s] of Object.entries(g.__gaps.seen)) {
      out.worstMs[id] = Math.round(s.worst);
      out.blanks[id] = s.blank;
      out.missing[id] = s.missing;
      out.luma[id] = Math.round(s.luma);
    }
    delete g.__gaps;
    return out;
  });
}

/** Summaries over several pages' measurements. */
export function worstGap(gaps: TileGaps[]): number {
  return Math.max(0, ...gaps.flatMap((g) => Object.values(g.worstMs)));
}
export function blankSamples(gaps: TileGaps[]): number {
  return gaps.flatMap((g) => Object.values(g.blanks)).reduce((a, b) => a + b, 0);
}
export function missingSamples(gaps: TileGaps[]): number {
  return gaps.flatMap((g) => Object.values(g.missing)).reduce((a, b) => a + b, 0);
}
export function darkestLuma(gaps: TileGaps[]): number {
  return Math.min(255, ...gaps.flatMap((g) => Object.values(g.luma)));
}
