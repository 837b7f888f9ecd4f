import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import {
  askToJoin,
  createRoom,
  expectTilesLive,
  inCall,
  joinRoom,
  linkStats,
  selfId,
} from './support/call.ts';
import { waitFor } from './support/wait.ts';

const PASSWORD = 'open sesame';

/** Whether the page plays a live, enabled remote audio track (the call's <audio> sinks). */
function liveAudioSinks(page: Page): Promise<number> {
  return page.evaluate(() => {
    type Track = { kind: string; readyState: string; enabled: boolean; muted: boolean };
    type El = { srcObject: { getAudioTracks(): Track[] } | null; paused: boolean };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): El[] } })
      .document;
    return [...doc.querySelectorAll('.sinks audio')].filter((el) => {
      const track = el.srcObject?.getAudioTracks()[0];
      return !el.paused && track?.readyState === 'live' && track.enabled && !track.muted;
    }).length;
  });
}

describe('a password-protected room with a waiting room, run by its host', () => {
  const env = useServerAndBrowser();

  it('refuses a wrong password, queues, admits, mutes, removes and keeps the removed out', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host' })).page;
    const guest = (await newPeerPage(env.browser, { label: 'guest' })).page;
    const url = await createRoom(host, env.server.url, { waitingRoom: true, password: PASSWORD });
    // The creator's browser remembers the password it set: the host just joins.
    await joinRoom(host, url, 'Hana');

    // A wrong password gets the deliberately vague answer, and the guest stays on the form.
    await askToJoin(guest, url, 'Gus', { password: 'open sesam' });
    await guest
      .getByRole('alert')
      .filter({ hasText: 'No room at this link, or the password is wrong' })
      .waitFor();

    // The right one: the waiting room, with the place in line.
    await guest.getByLabel('Room password').fill(PASSWORD);
    await guest.getByRole('button', { name: 'Join', exact: true }).click();
    await guest
      .getByRole('status')
      .filter({ hasText: 'Waiting for the host to let you in — you are number 1 in line' })
      .waitFor();

    // The host sees them waiting (the panel opens by itself, the toolbar and the title count).
    const lobby = host.getByRole('region', { name: /^Waiting room/ });
    await lobby.getByText('Gus', { exact: true }).waitFor();
    await lobby.getByText('waiting just now').waitFor();
    await host.getByRole('button', { name: 'Waiting room 1' }).waitFor();
    await host.getByRole('status').filter({ hasText: 'Gus is waiting to join.' }).waitFor();
    expect(await host.title()).toBe('(1) 1 person - Parley');
    expect(await guest.title()).toBe('Waiting room - Parley');

    // A second guest queues behind; turned away, they are told so.
    const dee = (await newPeerPage(env.browser, { label: 'dee' })).page;
    await askToJoin(dee, url, 'Dee', { password: PASSWORD });
    await dee.getByText('you are number 2 in line').waitFor();
    await host.getByRole('button', { name: 'Waiting room 2' }).waitFor();
    await lobby.getByRole('button', { name: 'Admit all' }).waitFor();
    await lobby
      .getByRole('listitem')
      .filter({ hasText: 'Dee' })
      .getByRole('button', { name: 'Deny' })
      .click();
    await dee.getByRole('alert').filter({ hasText: "The host didn't let you in." }).waitFor();
    await host.getByRole('button', { name: 'Waiting room 1' }).waitFor();
    await dee.close();

    await lobby.getByRole('button', { name: 'Admit', exact: true }).click();

    // Admitted: the guest is in the call, and the host sees and hears them.
    await inCall(guest);
    await lobby.getByText('Nobody is waiting.').waitFor();
    await waitFor(
      'the host’s title to count Gus',
      async () => (await host.title()) === '2 people - Parley',
    );
    const gusId = await selfId(guest);
    await expectTilesLive(host, [gusId], 'mesh');
    const heard = await waitFor('sound from Gus', async () => {
      const link = (await linkStats(host)).find((l) => l.peerId === gusId);
      return link !== undefined && link.audioEnergy > 0 && link;
    });
    await waitFor('the sound to keep coming', async () => {
      const link = (await linkStats(host)).find((l) => l.peerId === gusId);
      return link !== undefined && link.audioEnergy > heard.audioEnergy;
    });
    await waitFor('a live audio track playing', async () => (await liveAudioSinks(host)) === 1);
    // Guests see the host's badge; nobody but hosts sees host controls.
    await guest.locator('figure[data-peer-name="Hana"] .role-badge', { hasText: 'Host' }).waitFor();
    expect(await guest.getByRole('button', { name: 'Options for Hana' }).count()).toBe(0);
    expect(await guest.getByRole('button', { name: 'Room settings' }).count()).toBe(0);

    // The host mutes them: the guest's microphone goes off as if they pressed the button...
    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Mute' }).click();
    await guest.getByRole('alert').filter({ hasText: 'A host muted you.' }).waitFor();
    await guest.getByRole('button', { name: 'Unmute' }).waitFor();
    // ...and the host sees it (the guest's own `media` update).
    await host.locator('figure[data-peer-name="Gus"] .indicator', { hasText: 'Muted' }).waitFor();

    // Remove asks first, and says the person cannot come back; Cancel (which has the focus,
    // so Enter by habit) keeps them in.
    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Remove' }).click();
    const removing = host.getByRole('dialog', { name: 'Remove Gus from the meeting?' });
    await removing.getByText('cannot join this meeting again').waitFor();
    await host.keyboard.press('Enter');
    await removing.waitFor({ state: 'hidden' });
    expect(await guest.getByRole('toolbar', { name: 'Call controls' }).count()).toBe(1);
    // The host removes them: out for good, media closed.
    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Remove' }).click();
    await removing.getByRole('button', { name: 'Remove', exact: true }).click();
    await guest
      .getByRole('alert')
      .filter({ hasText: 'You were removed from the meeting' })
      .waitFor();
    expect(await linkStats(guest)).toEqual([]);
    await host.locator('figure[data-peer-name="Gus"]').waitFor({ state: 'detached' });

    // A reload and the right password do not bring them back.
    await guest.reload();
    await askToJoin(guest, url, 'Gus', { password: PASSWORD });
    await guest
      .getByRole('alert')
      .filter({ hasText: 'You cannot join this meeting again' })
      .waitFor();
    expect(await guest.getByRole('toolbar', { name: 'Call controls' }).count()).toBe(0);
    await host.getByRole('button', { name: 'Leave' }).click();
  });
});

describe('room settings and roles, changed during the meeting', () => {
  const env = useServerAndBrowser();

  it('turns chat off for guests, locks the room, promotes a co-host and ends the meeting', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host' })).page;
    const guest = (await newPeerPage(env.browser, { label: 'guest' })).page;
    const late = (await newPeerPage(env.browser, { label: 'late' })).page;
    const url = await createRoom(host, env.server.url);
    await joinRoom(host, url, 'Hana');
    await joinRoom(guest, url, 'Gus');

    // Chat off: the guest's input is disabled with a note; the host can still write.
    await host.getByRole('button', { name: 'Room settings' }).click();
    await host.getByLabel('Allow chat').uncheck();
    await guest.getByText('The host turned off chat for guests.').waitFor();
    expect(await guest.getByLabel('Message').isDisabled()).toBe(true);
    expect(await host.getByLabel('Message').isDisabled()).toBe(false);

    // Locked: nobody new gets in, and says so on the pre-join screen.
    await host.getByLabel('Lock meeting').check();
    await waitFor('the lock to be confirmed', () => host.getByLabel('Lock meeting').isChecked());
    await askToJoin(late, url, 'Lou');
    await late.getByRole('alert').filter({ hasText: 'The host has locked this meeting' }).waitFor();

    // A co-host gets the host controls (but not the host-only ones) and a badge.
    await host.getByRole('button', { name: 'Options for Gus' }).click();
    await host.getByRole('menuitem', { name: 'Make co-host' }).click();
    await guest.getByRole('alert').filter({ hasText: 'A host made you a co-host.' }).waitFor();
    await host
      .locator('figure[data-peer-name="Gus"] .role-badge', { hasText: 'Co-host' })
      .waitFor();
    await guest.getByRole('button', { name: 'Room settings' }).waitFor();
    expect(await guest.getByLabel('Message').isDisabled()).toBe(false);
    expect(await guest.getByRole('button', { name: 'End meeting for all' }).count()).toBe(0);

    // Ending needs a confirmation; then everyone is out.
    await host.getByRole('button', { name: 'End meeting for all' }).click();
    const dialog = host.getByRole('dialog', { name: 'End the meeting for everyone?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await host.getByRole('toolbar', { name: 'Call controls' }).count()).toBe(1);
    await host.getByRole('button', { name: 'End meeting for all' }).click();
    await dialog.getByRole('button', { name: 'End meeting', exact: true }).click();
    await guest.getByRole('alert').filter({ hasText: 'The host ended the meeting.' }).waitFor();
    await host
      .getByRole('alert')
      .filter({ hasText: 'You ended the meeting for everyone.' })
      .waitFor();
  });
});
