import { describe, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, joinRoom } from './support/call.ts';
import { waitFor } from './support/wait.ts';

/**
 * #14: with "Let guests unmute themselves" off, a guest a host muted cannot unmute until a host
 * allows it; the app says why and keeps the microphone off.
 */
describe('a host mute that guests may not lift themselves', () => {
  const env = useServerAndBrowser();

  it('refuses the guest’s unmute, until the host allows it', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host' })).page;
    const guest = (await newPeerPage(env.browser, { label: 'guest' })).page;
    const url = await createRoom(host, env.server.url);
    await joinRoom(host, url, 'Hana');
    await joinRoom(guest, url, 'Gus');

    await host.getByRole('button', { name: 'Room settings' }).click();
    const selfUnmute = host.getByLabel('Let guests unmute themselves');
    await selfUnmute.uncheck();
    await waitFor('the setting to be confirmed', async () => !(await selfUnmute.isChecked()));

    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Mute' }).click();
    await guest.getByRole('alert').filter({ hasText: 'A host muted you.' }).waitFor();

    // The guest tries: refused, told why, and the microphone stays off.
    await guest.getByRole('button', { name: 'Unmute' }).click();
    await guest
      .getByRole('alert')
      .filter({ hasText: 'You can turn it back on once a host allows it.' })
      .waitFor();
    await guest.getByRole('button', { name: 'Unmute' }).waitFor();
    await host.locator('figure[data-peer-name="Gus"] .indicator', { hasText: 'Muted' }).waitFor();

    // The host allows it; now the guest's unmute goes through and everyone sees it.
    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Allow to unmute' }).click();
    await guest.getByRole('alert').filter({ hasText: 'A host lets you unmute' }).waitFor();
    await guest.getByRole('button', { name: 'Unmute' }).click();
    await guest.getByRole('button', { name: 'Mute' }).waitFor();
    await host
      .locator('figure[data-peer-name="Gus"] .indicator', { hasText: 'Muted' })
      .waitFor({ state: 'detached' });
  });
});
