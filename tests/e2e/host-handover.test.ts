// #19: the host role is never lost. Guests who knock on an empty meeting are told no host is
// there; a host who leaves is asked whom to hand the role to; one who just leaves is replaced
// by the longest-present person after the server's grace period.
import { describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { askToJoin, createRoom, inCall } from './support/call.ts';

/** The host's waiting-room panel: admits the one named. */
async function admit(host: Page, name: string): Promise<void> {
  const lobby = host.getByRole('region', { name: /^Waiting room/ });
  await lobby.getByText(name, { exact: true }).waitFor();
  await lobby
    .getByRole('listitem')
    .filter({ hasText: name })
    .getByRole('button', { name: 'Admit', exact: true })
    .click();
}

const hostControls = (page: Page) => page.getByRole('toolbar', { name: 'Host controls' });

describe('a meeting whose host leaves', () => {
  const env = useServerAndBrowser({ hostGraceMs: 1_000 });

  it('tells the waiting room no host is there, hands the role over, and promotes someone', async () => {
    const hana = (await newPeerPage(env.browser, { label: 'Hana' })).page;
    const gus = (await newPeerPage(env.browser, { label: 'Gus' })).page;
    const wes = (await newPeerPage(env.browser, { label: 'Wes' })).page;
    const url = await createRoom(hana, env.server.url, { waitingRoom: true });

    // Gus knocks before the host is there: he is told, and told again when she comes.
    await askToJoin(gus, url, 'Gus');
    await gus.getByRole('status').filter({ hasText: 'No host is in the meeting yet.' }).waitFor();
    await askToJoin(hana, url, 'Hana');
    await inCall(hana);
    await gus
      .getByRole('status')
      .filter({ hasText: 'Waiting for the host to let you in — you are number 1 in line' })
      .waitFor();
    await admit(hana, 'Gus');
    await inCall(gus);
    await askToJoin(wes, url, 'Wes');
    await admit(hana, 'Wes');
    await inCall(wes);

    // Hana leaves: she is asked whom to hand the meeting to, and picks Wes (keyboard only).
    await hana.getByRole('button', { name: 'Leave', exact: true }).click();
    const ask = hana.getByRole('dialog', { name: 'Leave the meeting?' });
    await ask.waitFor();
    await ask.getByLabel('New host').selectOption({ label: 'Wes' });
    await ask.getByRole('button', { name: 'Make host and leave' }).focus();
    await hana.keyboard.press('Enter');
    await hana.getByText('You left the call.').waitFor();

    // Wes runs the meeting now; Gus sees him as host.
    await wes.getByRole('alert').filter({ hasText: 'You are now the host.' }).waitFor();
    await hostControls(wes).waitFor();
    await gus.locator('figure[data-peer-name="Wes"] .role-badge', { hasText: 'Host' }).waitFor();
    await hostControls(gus).waitFor({ state: 'detached' });

    // Wes just leaves: after the grace period, Gus (the only one left) is made host.
    await wes.getByRole('button', { name: 'Leave', exact: true }).click();
    await wes
      .getByRole('dialog', { name: 'Leave the meeting?' })
      .getByRole('button', { name: 'Just leave' })
      .click();
    await wes.getByText('You left the call.').waitFor();
    await gus.getByRole('alert').filter({ hasText: 'You are now the host.' }).waitFor();
    await hostControls(gus).waitFor();
  });
});
