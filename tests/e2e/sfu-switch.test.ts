// The live switch between the mesh and the SFU, seen by one Chromium page whose other
// participants are load bots (tests/load/Bot.ts, each in a process of its own: support/
// roomBot.ts). The bots follow the switch both ways make-before-break as the app does, so the
// page's tiles of them and their reception of the page prove each direction. One page, not one
// per participant: six Chromiums on two cores stalled each other for seconds (issue 15), which
// hid Parley's own figure behind the rig's and forced a 20 s bound.

import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import {
  clientMode,
  createRoom,
  expectMediaFromAll,
  expectTilesLive,
  joinRoom,
  roomStatus,
  selfId,
  tileStats,
} from './support/call.ts';
import {
  blankSamples,
  darkestLuma,
  missingSamples,
  samplerReady,
  startGapSampler,
  stopGapSampler,
  worstGap,
} from './support/gapSampler.ts';
import type { TileGaps } from './support/gapSampler.ts';
import { useServerAndBrowser } from './support/harness.ts';
import { expectBotReceives, startRoomBot } from './support/roomBot.ts';
import type { RoomBot } from './support/roomBot.ts';
import { startTileTrace, stopTileTrace } from './support/tileTrace.ts';
import { waitFor } from './support/wait.ts';

/**
 * The longest a tile may stop advancing while the room switches paths. A picture frozen for
 * under a second reads as a network hiccup; past about two seconds people start asking "can
 * you see me?", which the issue's first allowance (2 s) wrote down. With one page and the bots,
 * and another process keeping one of the two cores busy, a switch stalled a tile 0.1-0.6 s
 * (once 1.0 s) over 20 runs; 1.5 s leaves room for that and still fails a switch that breaks:
 * a tile that never comes back, or only after a keyframe timeout (~3 s) or the 15 s swap
 * fallback. When it fails, compare the printed floor: a machine that stalls a steady call too
 * (other suites' Chromiums and mediasoup workers on the same two cores) fails it as well.
 */
const MAX_STALL_MS = 1_500;

/** How long a steady call is sampled for the floor printed beside each switch's figure. */
const FLOOR_MS = 2_000;

/**
 * The server's default limit: up to 4 on the mesh (the page and three bots), the fifth moves
 * the room to the SFU, and it moves back at 3 (the limit minus one: hysteresis) after the hold.
 */
const SERVER = {
  sfu: true,
  meshMaxPeers: 4,
  sfuDowngradeHoldS: 2,
  // Long enough for the re-upgrade below to land inside it on a slow machine.
  sfuDowngradeGraceS: 60,
} as const;

const LAPTOP = { width: 1280, height: 800 };

/** The names on the tiles not wholly inside the window. */
function tilesOutOfView(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type El = {
      getBoundingClientRect(): { top: number; bottom: number };
      dataset: Record<string, string>;
    };
    const g = globalThis as unknown as {
      innerHeight: number;
      document: { querySelectorAll(s: string): El[] };
    };
    return [...g.document.querySelectorAll('figure.tile')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.top < 0 || r.bottom > g.innerHeight;
      })
      .map((el) => el.dataset.peerName ?? '?');
  });
}

/** Emulates the tab being hidden or shown (Page Visibility API). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    const doc = (globalThis as unknown as { document: EventTarget }).document;
    Object.defineProperty(doc, 'visibilityState', {
      configurable: true,
      get: () => (h ? 'hidden' : 'visible'),
    });
    doc.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** The sampler's figures without the tiles of the peers who left. */
function without(gaps: TileGaps, left: string[]): TileGaps {
  const keep = (m: Record<string, number>) =>
    Object.fromEntries(Object.entries(m).filter(([id]) => !left.includes(id)));
  return {
    worstMs: keep(gaps.worstMs),
    blanks: keep(gaps.blanks),
    missing: keep(gaps.missing),
    luma: keep(gaps.luma),
  };
}

/** Samples the page's `tiles` decoding tiles every 100 ms, and traces them, from now on. */
async function startSampling(page: Page, tiles: number): Promise<void> {
  await startGapSampler(page);
  await samplerReady(page, tiles);
  await startTileTrace(page);
}

/**
 * Stops sampling, prints the switch's stall and blank figures beside the floor, and holds them
 * to the user's bound: no tile stalled past MAX_STALL_MS, none went blank or fell back to a
 * placeholder. The tiles of `left` (peers who left meanwhile) do not count. Past the bound it
 * prints the page's tile trace first.
 */
async function expectSmooth(page: Page, what: string, floorMs: number, left: string[] = []) {
  const gaps = without(await stopGapSampler(page), left);
  const trace = await stopTileTrace(page);
  const worst = worstGap([gaps]);
  console.log(
    `${what}: longest tile stall ${worst} ms (a steady call: ${floorMs} ms), blank samples ` +
      `${blankSamples([gaps])}, darkest tile luma ${darkestLuma([gaps])}`,
    JSON.stringify(gaps),
  );
  if (worst >= MAX_STALL_MS) console.error(`${what}: the page's tiles`, trace.join('\n'));
  expect(worst, `${what}: longest tile stall, ms`).toBeLessThan(MAX_STALL_MS);
  expect([blankSamples([gaps]), missingSamples([gaps])], `${what}: blank, missing`).toEqual([0, 0]);
}

/** Every bot in `bots` receives the page's camera through `via`. */
async function botsReceive(bots: RoomBot[], pageId: string, via: 'mesh' | 'sfu') {
  await Promise.all(bots.map((b) => expectBotReceives(b, pageId, via)));
}

/** The page reports `mode` with `links` mesh links up (the old path closed). */
async function settled(page: Page, mode: 'mesh' | 'sfu', links: number): Promise<void> {
  await waitFor(`the page on ${mode} with ${links} mesh link(s)`, async () => {
    const m = await clientMode(page);
    return m.mode === mode && m.meshLinks === links;
  });
}

describe('the live switch between mesh and SFU', () => {
  const env = useServerAndBrowser(SERVER);
  const bots: RoomBot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.leave()));
  });

  it('moves 4 -> 5 -> 6 peers onto the SFU and back to the mesh at 3, every tile playing again', async () => {
    // A laptop's window. In a smaller one the call page scrolls, and a tile below the fold is
    // hidden to the app (its video paused on the SFU, swapped without waiting for a frame):
    // the switch of what a user sees is this test's subject, so every tile must be in view.
    const { page } = await newPeerPage(env.browser, { label: 'Ada', viewport: LAPTOP });
    const url = await createRoom(page, env.server.url);
    const roomId = url.split('/').pop() ?? '';
    const status = async () => (await roomStatus(env.server.url, url)).mode;
    // Every bot's process starts now, before anything is timed.
    const bot = async (name: string) => {
      const b = await startRoomBot(env.server.url, roomId, name);
      bots.push(b);
      return b;
    };
    const [grace, linus, margaret, edsger, barbara, frances, alan] = await Promise.all([
      bot('Grace'),
      bot('Linus'),
      bot('Margaret'),
      bot('Edsger'),
      bot('Barbara'),
      bot('Frances'),
      bot('Alan'),
    ]);
    const stayers = [grace, linus];

    // A mesh of four: the page and three bots, each pair on a mesh link.
    await joinRoom(page, url, 'Ada');
    const adaId = await selfId(page);
    const stay = [await grace.join(), await linus.join()];
    const margaretId = await margaret.join();
    const four = [...stay, margaretId];
    await expectTilesLive(page, four, 'mesh', 60_000);
    await botsReceive([...stayers, margaret], adaId, 'mesh');
    await settled(page, 'mesh', 3);
    expect(await status()).toBe('mesh');

    // The floor: the same sampler on the same tiles in a steady call, for the figures below.
    await startGapSampler(page);
    await samplerReady(page, 3);
    await new Promise((r) => setTimeout(r, FLOOR_MS));
    const floor = worstGap([await stopGapSampler(page)]);

    // Upgrade: a fifth peer. The page's tiles are sampled throughout.
    await startSampling(page, 3);
    const edsgerId = await edsger.join();
    await waitFor('the room to report sfu', async () => (await status()) === 'sfu');
    const five = [...four, edsgerId];
    await expectTilesLive(page, five, 'sfu', 60_000);
    await botsReceive([...stayers, margaret, edsger], adaId, 'sfu');
    // The mesh links close after both ends swapped (the notes), not on the 15 s fallback.
    await settled(page, 'sfu', 0);
    await expectSmooth(page, 'mesh -> SFU', floor);

    // A sixth peer goes straight to the SFU; the page decodes it and it receives the page.
    const barbaraId = await barbara.join();
    expect((await barbara.report()).joinedMode).toBe('sfu');
    const six = [...five, barbaraId];
    await expectTilesLive(page, six, 'sfu', 60_000);
    await expectBotReceives(barbara, adaId, 'sfu');
    expect(await clientMode(page)).toEqual({ mode: 'sfu', meshLinks: 0 });

    // Hidden, the page pauses its video consumers (nothing decodes), and resumes when shown.
    await setHidden(page, true);
    const frozen = await waitFor('video to stop while hidden', async () => {
      const a = await tileStats(page);
      await new Promise((r) => setTimeout(r, 1_000));
      const b = await tileStats(page);
      const same = a.every(
        (t) => b.find((u) => u.peerId === t.peerId)?.framesDecoded === t.framesDecoded,
      );
      return same && b;
    });
    expect(frozen.filter((t) => t.source === 'camera')).toHaveLength(5);
    await setHidden(page, false);
    await expectTilesLive(page, six, 'sfu');

    // Down to three: after the hold the room goes back to the mesh. Sampled from before the
    // three leave, so the whole downgrade is seen.
    await startSampling(page, 5);
    await Promise.all([barbara, edsger, margaret].map((b) => b.leave()));
    await waitFor('the room to report mesh again', async () => (await status()) === 'mesh', {
      timeoutMs: 20_000,
    });
    const downAt = Date.now();
    await expectTilesLive(page, stay, 'mesh');
    await botsReceive(stayers, adaId, 'mesh');
    await settled(page, 'mesh', 2);
    await expectSmooth(page, 'SFU -> mesh', floor, [margaretId, edsgerId, barbaraId]);
    // Still flowing on the mesh links themselves.
    await expectMediaFromAll(page, 2);

    // Up again while the old router still lives (the downgrade grace): everyone starts their
    // SFU side over on it, and nobody has to leave and rejoin (same peer ids).
    await startSampling(page, 2);
    const back = [await frances.join(), await alan.join()];
    await waitFor('the room to report sfu again', async () => (await status()) === 'sfu');
    // The precondition of this part: the grace (60 s) had not run out, so the router was reused.
    expect(Date.now() - downAt).toBeLessThan(60_000);
    await expectTilesLive(page, [...stay, ...back], 'sfu', 60_000);
    await botsReceive([...stayers, frances, alan], adaId, 'sfu');
    await settled(page, 'sfu', 0);
    expect(await tilesOutOfView(page), 'tiles below the fold (the premise above)').toEqual([]);
    await expectSmooth(page, 'mesh -> SFU within the grace', floor);
    expect(await selfId(page)).toBe(adaId);
    const ids = await Promise.all(stayers.map(async (b) => (await b.report()).peerId));
    expect(ids).toEqual(stay);
    for (const b of [...stayers, frances, alan]) expect((await b.report()).errors).toEqual([]);
  });
});
