// #19: the host role is never lost. Guests who knock on an empty meeting are told no host is
// there; a host who leaves is asked whom to hand the role to; one who just leaves is replaced
// by the longest-present person after the server's grace period.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { askToJoin, createRoom, inCall } from './support/call.ts';
import { waitFor } from './support/wait.ts';

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

/** Runs in the page: counts the notes Web Audio starts (the knock chime). */
function countNotes() {
  const g = globalThis as unknown as {
    __notes: number;
    OscillatorNode: { prototype: { start(when?: number): void } };
  };
  g.__notes = 0;
  const start = g.OscillatorNode.prototype.start;
  g.OscillatorNode.prototype.start = function (this: unknown, when?: number) {
    g.__notes++;
    start.call(this, when);
  };
}
const notes = (page: Page) => page.evaluate(() => (globalThis as { __notes?: number }).__notes);

/** The people panel's rows, as "name: state". */
async function people(page: Page): Promise<string[]> {
  const panel = page.getByRole('region', { name: /^People/ });
  return panel.locator('.person').evaluateAll((rows) =>
    rows.map((row) => {
      const text = (sel: string) => row.querySelector(sel)?.textContent?.trim() ?? '';
      return `${text('.person-name')}: ${text('.person-state')}`;
    }),
  );
}

describe('a meeting whose host leaves', () => {
  const env = useServerAndBrowser({ hostGraceMs: 1_000 });

  it('tells the waiting room no host is there, chimes, lists people, hands the role over and promotes', async () => {
    const hana = (await newPeerPage(env.browser, { label: 'Hana' })).page;
    const gus = (await newPeerPage(env.browser, { label: 'Gus' })).page;
    const wes = (await newPeerPage(env.browser, { label: 'Wes' })).page;
    await hana.addInitScript(countNotes);
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
    // A reload takes Gus's seat back without the waiting room (one seat per browser).
    await gus.reload();
    await askToJoin(gus, url, 'Gus');
    await inCall(gus);
    await hana.locator('figure[data-peer-name="Gus"]').waitFor();
    expect(await hana.locator('figure[data-peer-name="Gus"]').count()).toBe(1);
    // The host hears each knock: a soft chime of two notes (Gus's came as she joined).
    expect(await notes(hana)).toBe(2);
    await askToJoin(wes, url, 'Wes');
    await waitFor('the knock chime', async () => (await notes(hana)) === 4);
    await admit(hana, 'Wes');
    await inCall(wes);

    // Gus is told Wes came, and finds everyone in the people panel.
    await gus.getByRole('status').filter({ hasText: 'Wes joined' }).waitFor();
    await gus.getByRole('button', { name: 'People 3' }).click();
    await waitFor('everyone in the people panel', async () => {
      const rows = await people(gus);
      return rows.join('; ') === 'Gus (you): ; Hana: Host; Wes: ' && rows;
    });

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
    await gus.getByRole('status').filter({ hasText: 'Hana left' }).waitFor();
    await waitFor('the people panel to follow', async () => {
      const rows = await people(gus);
      return rows.join('; ') === 'Gus (you): ; Wes: Host' && rows;
    });
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

    // And lets the next guest in.
    await Promise.all([hana.context().close(), wes.context().close()]);
    const ivy = (await newPeerPage(env.browser, { label: 'Ivy' })).page;
    await askToJoin(ivy, url, 'Ivy');
    await ivy
      .getByRole('status')
      .filter({ hasText: 'Waiting for the host to let you in' })
      .waitFor();
    await admit(gus, 'Ivy');
    await inCall(ivy);
  });
});
