// A compact timeline of what a page's remote camera tiles show, every `intervalMs`: the room
// mode, the mesh links up, and per tile its path, decoded frames and kB received. Printed when
// a switch stalls a tile past its bound, it tells a sender that stopped (no bytes) from a
// receiver that stopped decoding (bytes, no frames) from a swap that came late (still on the
// old path). Runs in the page; no DOM lib in the test tsconfig, hence the narrow types.

import type { Page } from 'playwright-core';

export async function startTileTrace(page: Page, intervalMs = 200): Promise<void> {
  await page.evaluate((interval) => {
    type Tile = {
      peerId: string;
      source: string;
      via: string | null;
      framesDecoded: number;
      videoBytesReceived: number;
    };
    const g = globalThis as unknown as {
      __parley?: { tiles(): Promise<Tile[]>; mode(): string; meshLinkCount(): number };
      __tileTrace?: { lines: string[]; timer: ReturnType<typeof setInterval> };
    };
    if (g.__tileTrace) clearInterval(g.__tileTrace.timer);
    const lines: string[] = [];
    const t0 = performance.now();
    let busy = false;
    const timer = setInterval(() => {
      const hook = g.__parley;
      if (busy || !hook) return;
      busy = true;
      void hook
        .tiles()
        .then((tiles) => {
          const shown = tiles
            .filter((t) => t.source === 'camera')
            .map((t) => {
              const kB = Math.round(t.videoBytesReceived / 1000);
              return `${t.peerId.slice(0, 4)}:${t.via ?? '-'}:${t.framesDecoded}f:${kB}kB`;
            });
          const ms = Math.round(performance.now() - t0);
          lines.push([ms, hook.mode(), hook.meshLinkCount(), ...shown].join(' '));
        })
        .finally(() => {
          busy = false;
        });
    }, interval);
    g.__tileTrace = { lines, timer };
  }, intervalMs);
}

/** Stops the trace; returns its lines (`ms mode meshLinks peer:via:frames:kB...`). */
export async function stopTileTrace(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      __tileTrace?: { lines: string[]; timer: ReturnType<typeof setInterval> };
    };
    const trace = g.__tileTrace;
    if (!trace) return [];
    clearInterval(trace.timer);
    delete g.__tileTrace;
    return trace.lines;
  });
}
