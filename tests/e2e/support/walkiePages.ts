import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { newPeerPage } from './browser.ts';
import { launchChromiumWithMic, toneWav } from './fakeMic.ts';
import { waitFor } from './wait.ts';

// A team's page as the walkie-talkie tests drive it (tests/e2e/walkie*.test.ts).

/** Screenshots of the team page go here when set (WALKIE_SHOTS=/tmp/walkie-shots). */
const SHOTS = process.env.WALKIE_SHOTS;

export interface Level {
  toneDb: number;
  peakDb: number;
}

/** `window.__parleyTeam` (app/src/team/teamDebugHook.ts); channels by name. */
export interface TeamHook {
  selfId(): string | null;
  level(channel: string, frequency: number): Level | null;
  bytesReceived(channel: string): Promise<number | null>;
  hasMic(): boolean;
  busyTones(): number;
  permitTones(): number;
}
export type Hooked = { __parleyTeam?: TeamHook };

export function level(page: Page, channel: string, frequency: number): Promise<Level | null> {
  return page.evaluate(([c, f]) => (globalThis as Hooked).__parleyTeam?.level(c, f) ?? null, [
    channel,
    frequency,
  ] as const);
}

export function bytes(page: Page, channel: string): Promise<number | null> {
  return page.evaluate(
    (c) => (globalThis as Hooked).__parleyTeam?.bytesReceived(c) ?? null,
    channel,
  );
}

export function selfId(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as Hooked).__parleyTeam?.selfId() ?? null);
}

export function busyTones(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as Hooked).__parleyTeam?.busyTones() ?? -1);
}

export function permitTones(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as Hooked).__parleyTeam?.permitTones() ?? -1);
}

export function hold(page: Page) {
  return page.getByRole('button', { name: /hold to talk|talking on|asking|waiting to talk/i });
}

export async function joinTeam(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join the team' }).click();
  await waitFor(`${name}'s microphone to be produced`, () =>
    page.evaluate(() => (globalThis as Hooked).__parleyTeam?.hasMic() ?? false),
  );
}

/** `fullPage: false` shows what the screen shows (where the sticky button sits). */
export async function shoot(page: Page, file: string, { fullPage = true } = {}): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, file), fullPage });
}

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/**
 * One Chromium per member, its fake microphone playing the member's own tone (WAVs made in
 * `wavDir`), and a page at the member's screen size. Close the browsers when done.
 */
export async function openMembers<N extends string>(
  wavDir: string,
  members: Record<N, { tone: number; viewport: { width: number; height: number } }>,
): Promise<{ browsers: Browser[]; pages: Record<N, Page> }> {
  const browsers: Browser[] = [];
  const pages = {} as Record<N, Page>;
  await Promise.all(
    (Object.keys(members) as N[]).map(async (name) => {
      const browser = await launchChromiumWithMic(toneWav(wavDir, members[name].tone));
      browsers.push(browser);
      const opts = { label: name, viewport: members[name].viewport };
      pages[name] = (await newPeerPage(browser, opts)).page;
    }),
  );
  return { browsers, pages };
}

/** A member's network as the recovery test cuts it: the socket and the browser's online state. */
export interface Network {
  /**
   * The network goes away: the browser is offline (its `offline` event fires, fetches fail),
   * the signaling socket is cut under the page (no close from the app: as when the path
   * dies) and every new one is refused until `restore`.
   */
  drop(): Promise<void>;
  /** The network is back: the `online` event fires and new sockets reach the server. */
  restore(): Promise<void>;
}

/**
 * Routes `page`'s signaling sockets through the test so they can be cut (Playwright's
 * `routeWebSocket`). Call before the page opens the team. Chromium's offline emulation alone
 * leaves an open WebSocket and WebRTC untouched, hence the cut.
 */
export async function controlNetwork(page: Page): Promise<Network> {
  let offline = false;
  let current: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws(\?|$)/, async (ws) => {
    if (offline) return ws.close({ code: 1011, reason: 'offline (the test)' });
    current = [ws, ws.connectToServer()];
  });
  return {
    async drop() {
      offline = true;
      await page.context().setOffline(true);
      // Both ends: the page and the server each see their socket go. 4999: a code the
      // page's real socket to the server may send (a browser refuses 1011 there).
      await Promise.all(current.map((end) => end.close({ code: 4999, reason: 'network lost' })));
      current = [];
    },
    async restore() {
      offline = false;
      await page.context().setOffline(false);
    },
  };
}

/**
 * Lets `failIce(page)` fail the ICE of every peer connection in the pages of `context`, as
 * a network change does: each says `failed` until the app restarts its ICE (a new local
 * ufrag), then the browser's real state shows again. Chromium cannot lose a loopback path
 * on demand, so the failure is told, while the restart and what follows are real.
 */
export async function allowIceFailure(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    // Runs in the page; the test tsconfig has no DOM lib, hence the narrow types.
    interface Pc {
      connectionState: string;
      iceConnectionState: string;
      localDescription: { sdp: string } | null;
      signalingState: string;
      setLocalDescription(...args: unknown[]): Promise<void>;
      dispatchEvent(e: unknown): boolean;
    }
    type PcClass = new (...args: unknown[]) => Pc;
    const g = globalThis as unknown as {
      RTCPeerConnection: PcClass;
      Event: new (type: string) => unknown;
      __failIce?: () => number;
      __iceStillFailed?: () => number;
    };
    const ufrag = (pc: Pc) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
    const failed = new Map<Pc, string | undefined>();
    const all = new Set<Pc>();
    const Native = g.RTCPeerConnection;
    const proto = Native.prototype as Pc;
    const state = Object.getOwnPropertyDescriptor(proto, 'connectionState')!;
    const iceState = Object.getOwnPropertyDescriptor(proto, 'iceConnectionState')!;
    const setLocal = proto.setLocalDescription;
    Object.defineProperty(proto, 'connectionState', {
      get(this: Pc) {
        return failed.has(this) ? 'failed' : (state.get!.call(this) as string);
      },
    });
    Object.defineProperty(proto, 'iceConnectionState', {
      get(this: Pc) {
        return failed.has(this) ? 'failed' : (iceState.get!.call(this) as string);
      },
    });
    proto.setLocalDescription = async function (this: Pc, ...args: unknown[]) {
      await setLocal.apply(this, args);
      // An ICE restart: the failure is over, and the page hears the real state again.
      if (failed.has(this) && ufrag(this) !== failed.get(this)) {
        failed.delete(this);
        this.dispatchEvent(new g.Event('connectionstatechange'));
      }
    };
    g.RTCPeerConnection = class extends Native {
      constructor(...args: unknown[]) {
        super(...args);
        all.add(this);
      }
    };
    g.__iceStillFailed = () =>
      [...failed.keys()].filter((pc) => pc.signalingState !== 'closed').length;
    g.__failIce = () => {
      let n = 0;
      for (const pc of all) {
        if (pc.signalingState === 'closed' || failed.has(pc)) continue;
        failed.set(pc, ufrag(pc));
        pc.dispatchEvent(new g.Event('iceconnectionstatechange'));
        pc.dispatchEvent(new g.Event('connectionstatechange'));
        n += 1;
      }
      return n;
    };
  });
}

type IceFailing = { __failIce?: () => number; __iceStillFailed?: () => number };

/** Fails ICE on the page's peer connections (`allowIceFailure`); returns how many. */
export function failIce(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as IceFailing).__failIce?.() ?? 0);
}

/** The page's open peer connections still failed: their ICE was not restarted yet. */
export function iceStillFailed(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as IceFailing).__iceStillFailed?.() ?? -1);
}
