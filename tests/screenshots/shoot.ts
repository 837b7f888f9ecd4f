// `npm run screenshots`: the call as people see it, at the sizes issue 19 names (a laptop, a
// tablet, a phone upright and on its side), with 2, 3 and 6 people and a shared screen. It
// runs the real server and Chromium pages with the fake camera, and writes JPEGs into
// docs/screenshots/ (README links them). Run it after a change to the call page, and look.
//
// Two pages watch and are photographed: one in a desktop context (1280x800, then 768x1024),
// one in a phone context (touch, 390x844, then 844x390). A third page takes part and shares
// its screen; the other three people are load bots (tests/load, in processes of their own),
// which send a clip as a camera would: six Chromium pages on two cores starve each other.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from '../e2e/support/browser.ts';
import { createRoom, expectTilesLive, joinRoom, selfId } from '../e2e/support/call.ts';
import { startRoomBot } from '../e2e/support/roomBot.ts';
import type { RoomBot } from '../e2e/support/roomBot.ts';
import { startTestServer } from '../e2e/support/server.ts';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

interface Size {
  name: string;
  width: number;
  height: number;
}
const DESKTOP: Size[] = [
  { name: 'laptop-1280x800', width: 1280, height: 800 },
  { name: 'tablet-768x1024', width: 768, height: 1024 },
];
const PHONE: Size[] = [
  { name: 'phone-390x844', width: 390, height: 844 },
  { name: 'phone-landscape-844x390', width: 844, height: 390 },
];
const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Edsger', 'Barbara'];

/** A page in a phone's context: small, touch, mobile viewport rules. */
async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 1,
  });
  // Small camera capture, as newPeerPage sets it: six pages share two cores.
  await context.addInitScript(() => {
    const storage = (
      globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
    ).localStorage;
    storage.setItem('parley:capture', 'small');
  });
  return context.newPage();
}

/** Every size of the two watching pages, as `<scene>-<size>.jpg`; returns the files. */
async function shoot(scene: string, desktop: Page, phone: Page): Promise<string[]> {
  const files: string[] = [];
  for (const [page, sizes] of [
    [desktop, DESKTOP],
    [phone, PHONE],
  ] as const) {
    for (const size of sizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      // Let the grid lay itself out for the new size (it measures its box).
      await page.waitForTimeout(600);
      const file = path.join(OUT, `${scene}-${size.name}.jpg`);
      await page.screenshot({ path: file, type: 'jpeg', quality: 70 });
      const width = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
            .document.documentElement.scrollWidth,
      );
      if (width > size.width)
        console.warn(`${scene} at ${size.name}: the page is ${width} px wide`);
      files.push(path.relative(process.cwd(), file));
    }
    await page.setViewportSize(sizes[0] as Size);
  }
  return files;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startTestServer({ sfu: true });
  const browser = await launchChromium();
  const bots: RoomBot[] = [];
  try {
    const host = await newPeerPage(browser, { label: 'host', viewport: DESKTOP[0] });
    const url = await createRoom(host.page, server.url);
    const desktop = host.page;
    await joinRoom(desktop, url, NAMES[0] as string);
    const phone = await phonePage(browser);
    await joinRoom(phone, url, NAMES[1] as string);
    const watching = [desktop, phone];
    const ids = [await selfId(desktop), await selfId(phone)];
    const live = async () => {
      const via = ids.length > 4 ? 'sfu' : 'mesh';
      await Promise.all(
        watching.map(async (p) => {
          const own = await selfId(p);
          await expectTilesLive(
            p,
            ids.filter((id) => id !== own),
            via,
            60_000,
          );
        }),
      );
    };
    const written: string[] = [];
    await live();
    written.push(...(await shoot('call-2-people', desktop, phone)));

    const sharer = (await newPeerPage(browser, { label: NAMES[2] })).page;
    await joinRoom(sharer, url, NAMES[2] as string);
    ids.push(await selfId(sharer));
    await live();
    written.push(...(await shoot('call-3-people', desktop, phone)));
    // The side panels: beside the call on a laptop, a sheet over it on a phone.
    await desktop.getByRole('button', { name: /^People/ }).click();
    await phone.getByRole('button', { name: 'Chat', exact: true }).click();
    for (const page of watching) {
      await page.getByLabel('Message').fill('The slides are in the shared folder.');
      await page.getByRole('button', { name: 'Send' }).click();
    }
    written.push(...(await shoot('call-3-people-panels', desktop, phone)));
    await desktop.getByRole('button', { name: /^People/ }).click();
    await phone.getByRole('button', { name: 'Close chat' }).click();

    const roomId = new URL(url).pathname.split('/').pop() as string;
    for (const name of NAMES.slice(3)) {
      const bot = await startRoomBot(server.url, roomId, name);
      bots.push(bot);
      ids.push(await bot.join());
    }
    await live();
    written.push(...(await shoot('call-6-people', desktop, phone)));

    // Linus shares his screen (the fake capture: the whole virtual screen).
    await sharer.getByRole('button', { name: 'Share screen' }).click();
    await sharer.getByRole('button', { name: 'Stop sharing' }).waitFor();
    await desktop.waitForTimeout(3_000);
    written.push(...(await shoot('call-6-people-screen-share', desktop, phone)));
    console.log(`screenshots:\n${written.join('\n')}`);
  } finally {
    await Promise.all(bots.map((b) => b.leave()));
    await browser.close();
    await server.close();
  }
}

await main();
