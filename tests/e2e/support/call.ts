import type { Page } from 'playwright-core';
import { waitFor } from './wait.ts';

/** What the app's debug hook (`window.__parley.stats()`, app/src/call/debugHook.ts) returns. */
export interface LinkStats {
  peerId: string;
  connected: boolean;
  framesDecoded: number;
  audioBytesReceived: number;
  /** The received audio's `totalAudioEnergy`: grows while the sender's microphone carries sound. */
  audioEnergy: number;
  /** Our candidate's type in the link's selected pair (`host`, `relay`...), or null. */
  candidateType: string | null;
}

export interface NewRoomOptions {
  /** Guests wait to be admitted. Default false here: most tests are not about it (the app's
   * own default is on). */
  waitingRoom?: boolean;
  /** A room password; default none. */
  password?: string;
  /** The meeting's title; default none. */
  title?: string;
}

/**
 * Opens the home page and creates a room through the UI (the page keeps the host key);
 * returns the room's URL.
 */
export async function createRoom(
  page: Page,
  baseUrl: string,
  { waitingRoom = false, password, title }: NewRoomOptions = {},
): Promise<string> {
  await page.goto(baseUrl);
  if (title !== undefined) await page.getByLabel('Title').fill(title);
  await page.getByLabel('Waiting room').setChecked(waitingRoom);
  if (password !== undefined) await page.getByLabel('Room password').fill(password);
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
  return page.url();
}

/** A host puts the call on air: Go live, then the confirmation's Go live. */
export async function goLive(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Go live' }).click();
  const asking = page.getByRole('dialog', { name: 'Go live?' });
  await asking.getByRole('button', { name: 'Go live' }).click();
  await asking.waitFor({ state: 'hidden' });
}

/**
 * Opens a room link (unless already there), types the name and asks to join. With a password,
 * a guest first meets "This meeting does not exist" (the server tells nobody that a room with
 * a password exists) and goes on with "Enter the password", as a person given one would.
 */
export async function askToJoin(
  page: Page,
  url: string,
  name: string,
  { password }: { password?: string } = {},
): Promise<void> {
  if (page.url() !== url) await page.goto(url);
  const nameField = page.getByLabel('Your name');
  if (password !== undefined) {
    const enterPassword = page.getByRole('button', { name: 'Enter the password' });
    await nameField.or(enterPassword).waitFor();
    if (await enterPassword.isVisible()) await enterPassword.click();
  }
  await nameField.fill(name);
  if (password !== undefined) {
    const field = page.getByLabel('Room password');
    if ((await field.count()) === 0) {
      await page.getByRole('button', { name: 'This room has a password' }).click();
    }
    await field.fill(password);
  }
  const join = page.getByRole('button', { name: 'Join', exact: true });
  await waitFor('the Join button to be enabled', () => join.isEnabled());
  await join.click();
}

/** Opens a room link (unless already there), types the name and joins; waits for the call. */
export async function joinRoom(page: Page, url: string, name: string): Promise<void> {
  await askToJoin(page, url, name);
  await inCall(page);
}

/** Waits until the page shows the call (its toolbar), not the pre-join or waiting screen. */
export async function inCall(page: Page, timeout = 30_000): Promise<void> {
  await page.getByRole('toolbar', { name: 'Call controls' }).waitFor({ timeout });
}

export async function linkStats(page: Page): Promise<LinkStats[]> {
  return page.evaluate(() => {
    const hook = (globalThis as { __parley?: { stats(): Promise<LinkStats[]> } }).__parley;
    return hook ? hook.stats() : [];
  });
}

/**
 * Proves `page` is receiving live media from `expectedLinks` peers: on every link, decoded
 * video frames (and, when `audio`, received audio bytes) grow between two samples.
 */
export async function expectMediaFromAll(
  page: Page,
  expectedLinks: number,
  { audio = true }: { audio?: boolean } = {},
): Promise<LinkStats[]> {
  const first = await waitFor(`${expectedLinks} links decoding video`, async () => {
    const s = await linkStats(page);
    const flowing = s.filter((l) => l.framesDecoded > 0 && (!audio || l.audioBytesReceived > 0));
    return s.length === expectedLinks && flowing.length === expectedLinks && s;
  });
  return waitFor(`media counters to grow on all ${expectedLinks} links`, async () => {
    const now = await linkStats(page);
    const grown = first.every((before) => {
      const after = now.find((l) => l.peerId === before.peerId);
      return (
        after !== undefined &&
        after.framesDecoded > before.framesDecoded &&
        (!audio || after.audioBytesReceived > before.audioBytesReceived)
      );
    });
    return grown && now;
  });
}

/** The texts of the chat list, as rendered (textContent, so markup shows up literally). */
export async function chatTexts(page: Page): Promise<string[]> {
  return page.locator('.chat-list .chat-text').allTextContents();
}

/** Opens the chat panel unless it is open (on a phone it starts closed). */
export async function openChat(page: Page): Promise<void> {
  const button = page.locator('button[aria-controls="chat-panel"]');
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
}

export async function sendChat(page: Page, text: string): Promise<void> {
  await openChat(page);
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** What `window.__parley.tiles()` returns (app/src/call/debugHook.ts). */
export interface TileStats {
  peerId: string;
  source: 'camera' | 'screen';
  via: 'mesh' | 'sfu' | null;
  framesDecoded: number;
  frameWidth: number;
  /** Bytes received on the tile's audio track (a microphone, a shared screen's sound). */
  audioBytesReceived: number;
  videoBytesReceived: number;
  trackId: string | null;
  /** The shown video track's receive counters (the debug hook's). */
  video?: { packets: number; keyFrames: number; plis: number; nacks: number } | null;
}

interface Hook {
  tiles(): Promise<TileStats[]>;
  received(peerId: string): Promise<Received>;
  mode(): 'mesh' | 'sfu';
  meshLinkCount(): number;
  selfId(): string | null;
}

export async function tileStats(page: Page): Promise<TileStats[]> {
  return page.evaluate(() => {
    const hook = (globalThis as { __parley?: Hook }).__parley;
    return hook ? hook.tiles() : [];
  });
}

/** What the debug hook's `received` returns (app/src/call/debugHook.ts). */
export interface Received {
  audioBytes: number;
  /** The received sound's total energy: grows while there is sound, not silence. */
  energy: number;
  videoBytes: number;
  frames: number;
}

/**
 * What `page` received of `peerId`'s camera and microphone, whether their tile shows a video
 * or a placeholder.
 */
export async function receivedFrom(page: Page, peerId: string): Promise<Received> {
  const none: Received = { audioBytes: 0, energy: 0, videoBytes: 0, frames: 0 };
  const got = await page.evaluate(
    (id) => (globalThis as { __parley?: Hook }).__parley?.received(id),
    peerId,
  );
  return got ?? none;
}

export async function clientMode(page: Page): Promise<{ mode: string; meshLinks: number }> {
  return page.evaluate(() => {
    const hook = (globalThis as { __parley?: Hook }).__parley;
    return { mode: hook?.mode() ?? 'none', meshLinks: hook?.meshLinkCount() ?? -1 };
  });
}

export async function selfId(page: Page): Promise<string> {
  const id = await page.evaluate(() => (globalThis as { __parley?: Hook }).__parley?.selfId());
  if (!id) throw new Error('page has not joined');
  return id;
}

/**
 * Proves `page` shows live video of each of `peerIds` (camera tiles) arriving through `via`:
 * every such tile's decoded-frame count grows between two samples.
 */
export async function expectTilesLive(
  page: Page,
  peerIds: string[],
  via: 'mesh' | 'sfu',
  timeoutMs = 30_000,
): Promise<TileStats[]> {
  const pick = (all: TileStats[]) =>
    all.filter((t) => t.source === 'camera' && peerIds.includes(t.peerId) && t.via === via);
  const first = await waitFor(
    `${peerIds.length} camera tiles decoding via ${via}`,
    async () => {
      const all = await tileStats(page);
      const tiles = pick(all);
      if (tiles.length === peerIds.length && tiles.every((t) => t.framesDecoded > 0)) return tiles;
      // Thrown, so that a timeout says what this page showed instead of "false".
      throw new Error(await describeTiles(page, all));
    },
    { timeoutMs },
  );
  return waitFor(`camera tiles via ${via} to keep decoding`, async () => {
    const all = await tileStats(page);
    const now = pick(all);
    const grown = first.every((b) => {
      const a = now.find((t) => t.peerId === b.peerId);
      return a !== undefined && a.framesDecoded > b.framesDecoded;
    });
    if (grown) return now;
    throw new Error(await describeTiles(page, all));
  });
}

/**
 * One line per remote tile of `page` (peer, path, frames, whether it is in the viewport,
 * where a tile out of view is paused on the SFU), for a failure message.
 */
export async function describeTiles(page: Page, tiles: TileStats[]): Promise<string> {
  const layout = await page.evaluate(() => {
    type Rect = { top: number; bottom: number; left: number; right: number };
    type El = { getAttribute(name: string): string | null; getBoundingClientRect(): Rect };
    const g = globalThis as unknown as {
      document: { querySelectorAll(s: string): Iterable<El> };
      innerWidth: number;
      innerHeight: number;
      scrollY: number;
      __parley?: Hook;
    };
    const shown = [...g.document.querySelectorAll('figure.tile')].map((el) => {
      const r = el.getBoundingClientRect();
      const inView = r.bottom > 0 && r.top < g.innerHeight && r.right > 0 && r.left < g.innerWidth;
      return `${el.getAttribute('data-peer-name') ?? '?'}${inView ? '' : ' (out of view)'}`;
    });
    return { self: g.__parley?.selfId() ?? 'not joined', scrollY: g.scrollY, shown };
  });
  const each = tiles.map((t) => {
    const v = t.video;
    const received = v
      ? ` (${v.packets} packets, ${v.keyFrames} keyframes, ${v.plis} PLIs, ${v.nacks} NACKs)`
      : '';
    return `${t.peerId}/${t.source} via ${t.via ?? '?'}: ${t.framesDecoded} frames${received}`;
  });
  return `page of ${layout.self}, scrolled ${layout.scrollY}px; tiles ${layout.shown.join(', ')}; ${each.join('; ') || 'no remote tiles'}`;
}

/** `GET /api/rooms/:id` of the room a page URL points at. */
export async function roomStatus(
  baseUrl: string,
  roomUrl: string,
): Promise<{ mode: string; admitted: number }> {
  const id = roomUrl.split('/').pop() ?? '';
  const res = await fetch(`${baseUrl}/api/rooms/${id}`);
  return (await res.json()) as { mode: string; admitted: number };
}

/** Proves `page` decodes `peerId`'s shared screen, through `via`, in a tile of its own. */
export async function expectScreenLive(
  page: Page,
  peerId: string,
  via: 'mesh' | 'sfu',
): Promise<void> {
  const screenOf = async () =>
    (await tileStats(page)).find(
      (t) => t.source === 'screen' && t.peerId === peerId && t.via === via,
    );
  const first = await waitFor(`the screen of ${peerId} decoding via ${via}`, async () => {
    const t = await screenOf();
    return t !== undefined && t.framesDecoded > 0 && t;
  });
  await waitFor(`the screen of ${peerId} to keep decoding`, async () => {
    const t = await screenOf();
    return t !== undefined && t.framesDecoded > first.framesDecoded;
  });
}

interface RecoveryHook {
  dropSocket(): void;
  failIce(peerId?: string): void;
  iceRefreshes(): number;
}

/** `__parley.dropSocket()`: the signaling socket drops as on a network failure (no leave). */
export async function dropSocket(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as { __parley?: RecoveryHook }).__parley?.dropSocket());
}

/** `__parley.failIce(peerId?)`: runs the ICE-failure recovery path. */
export async function failIce(page: Page, peerId?: string): Promise<void> {
  await page.evaluate(
    (id) => (globalThis as { __parley?: RecoveryHook }).__parley?.failIce(id),
    peerId,
  );
}

/** `__parley.iceRefreshes()`: `ice-refresh` requests the page has sent. */
export async function iceRefreshes(page: Page): Promise<number> {
  return page.evaluate(
    () => (globalThis as { __parley?: RecoveryHook }).__parley?.iceRefreshes() ?? -1,
  );
}

/**
 * Starts recording, in the page, every text the call's status banner shows (a
 * MutationObserver, so a banner shown for a few milliseconds is not missed).
 */
export async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    type El = { textContent: string | null };
    type Doc = { querySelectorAll(s: string): Iterable<El>; body: unknown };
    const g = globalThis as unknown as {
      document: Doc;
      MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
      __statusSeen?: string[];
    };
    const seen: string[] = [];
    g.__statusSeen = seen;
    const read = () => {
      for (const el of g.document.querySelectorAll('[role="status"]')) {
        const text = el.textContent ?? '';
        if (text && seen.at(-1) !== text) seen.push(text);
      }
    };
    new g.MutationObserver(read).observe(g.document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    read();
  });
}

/** The status texts seen since recordStatus(). */
export async function statusSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as { __statusSeen?: string[] }).__statusSeen ?? []);
}
