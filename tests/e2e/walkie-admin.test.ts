import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';
import type { Hooked } from './support/walkiePages.ts';
import {
  DESKTOP,
  PHONE,
  hold,
  joinTeam,
  openMembers,
  permitTones,
  shoot,
} from './support/walkiePages.ts';

// Issue 16, a team's admins: a team that approves newcomers and queues presses. Dan waits
// until Ann (its creator, an admin) lets him in from her page, she makes him an admin, and
// when he talks she holds Space to talk after him (in line: one admin does not pre-empt
// another), then ends his turn: the floor comes to her with the permit tone. Last she removes
// him. Dan is on a phone: the Hold to talk button stays in reach with four channels.

const MEMBERS = {
  Ann: { tone: 440, viewport: DESKTOP },
  Dan: { tone: 660, viewport: PHONE },
};
type Name = keyof typeof MEMBERS;

/** Ann's row for someone in her People list. */
function personRow(page: Page, name: string) {
  return page.locator(`li.person[data-person="${name}"]`);
}

/** Ann's page at a phone's size and a desktop's, for the screenshots. */
async function shootBoth(page: Page, file: string): Promise<void> {
  await page.setViewportSize(PHONE);
  await shoot(page, `${file}-390x844.png`);
  await page.setViewportSize(DESKTOP);
  await shoot(page, `${file}-1280x800.png`);
}

describe('walkie-talkie team admins (issue 16)', () => {
  let server: TestServer;
  let wavDir: string;
  let browsers: Browser[] = [];
  let pages = {} as Record<Name, Page>;

  beforeAll(async () => {
    wavDir = mkdtempSync(path.join(tmpdir(), 'parley-walkie-admin-'));
    [server, { browsers, pages }] = await Promise.all([
      startTestServer({ sfu: true }),
      openMembers(wavDir, MEMBERS),
    ]);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
    rmSync(wavDir, { recursive: true, force: true });
  });

  it('lets a newcomer in, makes them admin, ends their turn, removes them', async () => {
    const started = Date.now();
    const lap = (what: string) =>
      console.info(`[walkie-admin] ${what} at ${Date.now() - started} ms`);
    const { Ann: ann, Dan: dan } = pages;

    // Ann makes a team that approves newcomers, with four channels.
    await ann.goto(server.url);
    await ann.getByLabel(/team name/i).fill('Gate crew');
    await ann.getByLabel(/approval/i).check();
    await ann.getByLabel(/queue/i).check();
    await ann.getByRole('button', { name: 'Create team' }).click();
    await ann.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
    const url = ann.url();
    await joinTeam(ann, url, 'Ann');
    for (const channel of ['Ops', 'Kitchen', 'Gate']) {
      await ann.getByLabel('New channel').fill(channel);
      await ann.getByRole('button', { name: 'Add channel' }).click();
      await ann.getByRole('checkbox', { name: `Listen to ${channel}` }).waitFor();
    }
    lap('Ann in, four channels');

    // Dan comes by the link and waits.
    await dan.goto(url);
    await dan.getByLabel('Your name').fill('Dan');
    await dan.getByRole('button', { name: 'Join the team' }).click();
    await dan.getByRole('heading', { name: 'Waiting for an admin to let you in' }).waitFor();
    await shoot(dan, 'waiting-390x844.png');

    // Ann sees him under Waiting for approval and lets him in.
    const approval = ann.getByRole('region', { name: /waiting for approval/i });
    await approval.getByText('Dan').waitFor();
    await shootBoth(ann, 'approval');
    await approval.getByRole('button', { name: 'Let in' }).click();
    await waitFor('Dan to be in, his microphone produced', () =>
      dan.evaluate(() => (globalThis as Hooked).__parleyTeam?.hasMic() ?? false),
    );
    await personRow(ann, 'Dan').waitFor();
    expect(await approval.getByText('Nobody is waiting.').isVisible()).toBe(true);
    lap('Dan let in');

    // On his phone, with four channels, Hold to talk is on screen and big, without scrolling.
    const box = await hold(dan).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.height).toBeGreaterThanOrEqual(96);
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    expect(box!.y).toBeGreaterThanOrEqual(0);
    await shoot(dan, 'member-390x844-screen.png', { fullPage: false });

    // Ann makes Dan an admin: his page shows the admin controls.
    await expect(dan.getByLabel('New channel').count()).resolves.toBe(0);
    await ann.getByRole('button', { name: 'Make Dan admin' }).click();
    await dan.getByLabel('New channel').waitFor();
    await personRow(ann, 'Dan').locator('.admin-badge').waitFor();
    await ann.getByRole('button', { name: 'Remove Dan as admin' }).waitFor();
    lap('Dan is an admin');

    // Dan talks on General; Ann, from the keyboard, holds Space to talk there too: she waits.
    await hold(dan).hover();
    await dan.mouse.down();
    await dan.locator('button[data-floor="granted"]').waitFor();
    await personRow(ann, 'Dan').getByText('talking on General').waitFor();
    await shootBoth(ann, 'people-admin');
    await hold(ann).focus();
    await ann.keyboard.down('Space');
    await hold(ann).getByText('Waiting to talk on General: 1st in line').waitFor();
    expect(await permitTones(ann)).toBe(0);
    await ann.setViewportSize(PHONE);
    await shoot(ann, 'queued-390x844.png', { fullPage: false });
    await ann.setViewportSize(DESKTOP);
    lap('Ann in line behind Dan');

    // Ann ends Dan's turn from his row in People: he is told, and the floor comes to her.
    await ann.getByRole('button', { name: "End Dan's turn" }).click();
    await dan.locator('.floor-reason', { hasText: 'An admin ended your turn' }).waitFor();
    await dan.locator('button[data-floor="idle"]').waitFor();
    await ann.locator('button[data-floor="granted"]').waitFor();
    expect(await permitTones(ann)).toBe(1);
    await dan.mouse.up();
    await shoot(dan, 'turn-ended-390x844.png', { fullPage: false });
    // Ann lets go of Space: her turn ends.
    await ann.keyboard.up('Space');
    await ann.locator('button[data-floor="idle"]').waitFor();
    await personRow(ann, 'Dan').getByText('talking on General').waitFor({ state: 'detached' });
    lap('Ann ended Dan’s turn');

    // Ann removes Dan: his page says so and offers the way home; her People list lets him go.
    await ann.getByRole('button', { name: 'Remove Dan from the team' }).click();
    await dan.getByRole('alert').getByText('An admin removed you from this team.').waitFor();
    await dan.getByRole('button', { name: 'Back to home' }).waitFor();
    await personRow(ann, 'Dan').waitFor({ state: 'detached' });
    await shoot(dan, 'removed-390x844.png', { fullPage: false });
  });
});
