import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { askToJoin, createRoom, inCall, joinRoom } from './support/call.ts';

/**
 * #14: a removed guest cannot come back by forgetting its deviceId. Chromium keeps the guest
 * cookie the server set on the WebSocket upgrade; a browser with nothing of ours at all waits
 * for the host, marked.
 */
describe('a removed guest, back with a new device id or a new browser profile', () => {
  const env = useServerAndBrowser();

  it('is refused while the browser keeps its guest cookie, and held, marked, without it', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host' })).page;
    const guest = await newPeerPage(env.browser, { label: 'guest' });
    const url = await createRoom(host, env.server.url); // waiting room off
    await joinRoom(host, url, 'Hana');
    await joinRoom(guest.page, url, 'Gus');

    const [cookie] = (await guest.context.cookies()).filter((c) => c.name === 'parley_guest');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ws' });

    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Remove' }).click();
    // Remove asks first, and says the person cannot come back.
    const removing = host.getByRole('dialog', { name: 'Remove Gus from the meeting?' });
    await removing.getByText('cannot join this meeting again').waitFor();
    await removing.getByRole('button', { name: 'Remove', exact: true }).click();
    await guest.page
      .getByRole('alert')
      .filter({ hasText: 'You were removed from the meeting' })
      .waitFor();

    // The app's own storage wiped (a new deviceId), the cookie kept: refused.
    await guest.page.evaluate(() =>
      (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear(),
    );
    await guest.page.reload();
    await askToJoin(guest.page, url, 'Gus');
    await guest.page
      .getByRole('alert')
      .filter({ hasText: 'You cannot join this meeting again' })
      .waitFor();

    // A new profile (nothing of ours at all): the waiting room, though it is off, and the host
    // sees who it may be.
    const again = (await newPeerPage(env.browser, { label: 'again' })).page;
    await askToJoin(again, url, 'Gus');
    await again.getByText('you are number 1 in line').waitFor();
    const lobby = host.getByRole('region', { name: /^Waiting room/ });
    await lobby.getByText('Gus, previously removed').waitFor();
    await lobby.getByRole('button', { name: 'Admit', exact: true }).click();
    await inCall(again);
  });
});
