import type { Page } from 'playwright-core';
import { launchChromium, newPeerPage } from '../../e2e/support/browser.ts';
import { createRoom, expectMediaFromAll, joinRoom } from '../../e2e/support/call.ts';
import { NetRig } from '../../e2e/support/netns.ts';
import { startTestServer } from '../../e2e/support/server.ts';

/** A mesh call between "Watcher" on the host and "Impaired" in a namespace the rig impairs. */
export interface ImpairedCall {
  rig: NetRig;
  watcher: Page;
  impaired: Page;
  close(): Promise<void>;
}

/**
 * Starts the call of the connection-quality benchmarks, media flowing both ways. Impaired
 * sends the app's own HD capture, not the tests' small one: a picture 150 kbit/s cannot
 * carry, as a real camera's would not be.
 */
export async function impairedCall(): Promise<ImpairedCall> {
  const rig = await NetRig.create();
  const server = await startTestServer({ host: rig.hostIp });
  const outside = await launchChromium({ secureOrigins: [server.url] });
  const inside = await rig.launchChromium({ secureOrigins: [server.url] });
  const close = async () => {
    await inside.close();
    await outside.close();
    await server.close();
    await rig.close();
  };
  try {
    const watcher = (await newPeerPage(outside, { label: 'watcher' })).page;
    const inner = await newPeerPage(inside, { label: 'impaired' });
    await inner.context.addInitScript(() => {
      const storage = (globalThis as unknown as { localStorage: { removeItem(k: string): void } })
        .localStorage;
      storage.removeItem('parley:capture');
    });
    const url = await createRoom(watcher, server.url);
    await joinRoom(watcher, url, 'Watcher');
    await joinRoom(inner.page, url, 'Impaired');
    await Promise.all([expectMediaFromAll(watcher, 1), expectMediaFromAll(inner.page, 1)]);
    return { rig, watcher, impaired: inner.page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
