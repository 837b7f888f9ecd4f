import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** See /work/shared/notes/environment.md: without the background flags Chromium phones home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // getDisplayMedia without a picker: the whole (virtual) screen.
  '--auto-select-desktop-capture-source=Entire screen',
  '--auto-accept-this-tab-capture',
  '--autoplay-policy=no-user-gesture-required',
  // Real host candidates instead of mDNS names: no multicast leaves the machine, and a page
  // without camera permission (receive-only) stays reachable.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export interface LaunchOptions {
  /** Default: `CHROMIUM_PATH` or /usr/bin/chromium (support/netns.ts passes a wrapper). */
  executablePath?: string;
  /**
   * Origins that get a secure context although they are plain http on an address that is not
   * loopback (camera, service worker), e.g. a server bound to a network rig's `hostIp`.
   */
  secureOrigins?: string[];
}

export function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const secure = opts.secureOrigins ?? [];
  return chromium.launch({
    executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS,
      ...(secure.length > 0
        ? [`--unsafely-treat-insecure-origin-as-secure=${secure.join(',')}`]
        : []),
    ],
  });
}

export interface PeerPageOptions {
  /** Make getUserMedia reject with NotAllowedError, as when the user denies the permission. */
  denyMedia?: boolean;
  /** Prefix for this page's console output in the test log. */
  label?: string;
  /** Default 800x600. */
  viewport?: { width: number; height: number };
  /** A phone's context: a touch screen, no mouse, mobile viewport rules. */
  touch?: boolean;
  /** The app's own camera capture (720p, simulcast) instead of the tests' small one. */
  hdCamera?: boolean;
}

/** A fresh context (own storage, own service worker) with one page in it. */
export async function newPeerPage(
  browser: Browser,
  opts: PeerPageOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 800, height: 600 },
    ...(opts.touch ? { isMobile: true, hasTouch: true } : {}),
  });
  // Small camera capture (app/src/call/local/media.ts): several peers share two cores here.
  if (!opts.hdCamera) {
    await context.addInitScript(() => {
      const storage = (
        globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
      ).localStorage;
      storage.setItem('parley:capture', 'small');
    });
  }
  if (opts.denyMedia) {
    await context.addInitScript(() => {
      const deny = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      // Runs in the page; the test tsconfig has no DOM lib, hence the narrow cast.
      const nav = (globalThis as unknown as { navigator: { mediaDevices: object } }).navigator;
      Object.defineProperty(nav.mediaDevices, 'getUserMedia', { value: deny });
    });
  }
  const page = await context.newPage();
  const label = opts.label ?? 'page';
  page.on('pageerror', (err) => console.error(`[${label}] page error:`, err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[${label}] console:`, msg.text());
  });
  return { context, page };
}
