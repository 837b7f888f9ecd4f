// Issue 20, a phone in the background: its camera stops sending while the app is hidden and
// comes back when it returns; the microphone stays on. A laptop's hidden tab keeps its camera
// (someone who went to their slides is still seen).

import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, expectTilesLive, joinRoom, selfId, tileStats } from './support/call.ts';
import { waitFor } from './support/wait.ts';

const PHONE = { width: 390, height: 844 };

/** What the browser does when the app goes to the background, or comes back. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    const doc = (
      globalThis as unknown as {
        document: { dispatchEvent(e: unknown): void };
        Event: new (type: string) => unknown;
      }
    ).document;
    Object.defineProperty(doc, 'visibilityState', {
      configurable: true,
      get: () => (h ? 'hidden' : 'visible'),
    });
    doc.dispatchEvent(
      new (globalThis as unknown as { Event: new (t: string) => unknown }).Event(
        'visibilitychange',
      ),
    );
  }, hidden);
}

/** The frames decoded so far on `page` from `peerId`'s camera. */
async function framesFrom(page: Page, peerId: string): Promise<number> {
  const tile = (await tileStats(page)).find((t) => t.peerId === peerId && t.source === 'camera');
  return tile?.framesDecoded ?? 0;
}

describe('a phone in the background', () => {
  const env = useServerAndBrowser();

  it('stops its camera while hidden and brings it back; a laptop tab keeps its own', async () => {
    const ada = (await newPeerPage(env.browser, { label: 'ada' })).page;
    const bob = (await newPeerPage(env.browser, { label: 'bob', viewport: PHONE, touch: true }))
      .page;
    const url = await createRoom(ada, env.server.url);
    await joinRoom(ada, url, 'Ada');
    await joinRoom(bob, url, 'Bob');
    const [adaId, bobId] = [await selfId(ada), await selfId(bob)];
    await expectTilesLive(ada, [bobId], 'mesh');
    const bobOnAda = ada.locator('figure[data-peer-name="Bob"]');

    // Bob's phone goes to the background: Ada sees his camera off, not a frozen picture...
    await setHidden(bob, true);
    await bobOnAda.getByText('Camera off').waitFor({ timeout: 10_000 });
    // ...while his microphone stays on (no Muted on his tile).
    expect(await bobOnAda.getByText('Muted', { exact: true }).count()).toBe(0);

    // Back: his camera sends again, decoded on Ada's side; his own button says it is on.
    await setHidden(bob, false);
    await waitFor(
      'Camera off to go',
      async () => (await bobOnAda.getByText('Camera off').count()) === 0,
    );
    const before = await framesFrom(ada, bobId);
    await waitFor(
      'Bob decoding again on Ada',
      async () => (await framesFrom(ada, bobId)) > before + 10,
    );
    await bob.getByRole('button', { name: 'Camera off', exact: true }).waitFor();

    // A camera Bob turned off himself stays off when he comes back.
    await bob.getByRole('button', { name: 'Camera off', exact: true }).click();
    await bobOnAda.getByText('Camera off').waitFor();
    await setHidden(bob, true);
    await setHidden(bob, false);
    await bob.getByRole('button', { name: 'Camera on', exact: true }).waitFor();
    expect(await bobOnAda.getByText('Camera off').count()).toBe(1);

    // Ada's laptop tab hidden: her camera keeps sending.
    await setHidden(ada, true);
    const adaBefore = await framesFrom(bob, adaId);
    await waitFor(
      'Ada still decoding on Bob',
      async () => (await framesFrom(bob, adaId)) > adaBefore + 10,
    );
    expect(await bob.locator('figure[data-peer-name="Ada"]').getByText('Camera off').count()).toBe(
      0,
    );
  });
});
