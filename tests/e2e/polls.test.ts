import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, joinRoom } from './support/call.ts';
import { waitFor } from './support/wait.ts';

// Issue 17's proof for polls: three people, each in a browser context of its own (its own
// guest cookie: its own person to the server). A poll launched before a student joins is
// answered by that student; a reload cannot vote again; the host sees exact counts, live, and
// shares them. The hand-made duplicate vote is refused by the server in
// tests/integration/polls.test.ts.

/** What a results row says for `option` ("2 votes (67%)"), or null without results. */
async function resultOf(page: Page, option: string): Promise<string | null> {
  const row = page.locator(`#poll-panel .poll-result[data-option="${option}"] .poll-count`);
  return (await row.count()) === 0 ? null : row.textContent();
}

async function vote(page: Page, option: string): Promise<void> {
  const panel = page.getByRole('region', { name: 'Poll' });
  await panel.getByLabel(option).check();
  await panel.getByRole('button', { name: 'Vote' }).click();
  await panel.getByText('You voted').waitFor();
}

describe('polls in a call (issue 17)', () => {
  const env = useServerAndBrowser();

  it('a host launches a poll, a late joiner votes, a reload cannot vote twice, results are shared', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host', viewport: WIDE })).page;
    const ann = (await newPeerPage(env.browser, { label: 'ann', viewport: PHONE })).page;
    const bob = (await newPeerPage(env.browser, { label: 'bob', viewport: WIDE })).page;
    const url = await createRoom(host, env.server.url);
    await joinRoom(host, url, 'Hana');
    await joinRoom(bob, url, 'Bob');

    // New poll: a question and three options, launched from the form.
    await host.getByRole('button', { name: 'Polls' }).click();
    const polls = host.getByRole('region', { name: 'Polls' });
    await polls.getByRole('textbox', { name: 'Question' }).fill('Which topic next?');
    await polls.getByRole('textbox', { name: 'Option 1' }).fill('Graphs');
    await polls.getByRole('textbox', { name: 'Option 2' }).fill('Trees');
    await polls.getByRole('button', { name: 'Add option' }).click();
    await polls.getByRole('textbox', { name: 'Option 3' }).fill('Heaps');
    await polls.getByRole('button', { name: 'Launch poll' }).click();
    await polls.getByRole('button', { name: 'End poll' }).waitFor();
    expect(await resultOf(host, 'Graphs')).toBe('0 votes (0%)');

    // Bob's panel opens by itself; he votes. The host's counts move live.
    await vote(bob, 'Trees');
    await waitFor(
      'Bob’s vote at the host',
      async () => (await resultOf(host, 'Trees')) !== '0 votes (0%)',
    );
    expect(await resultOf(host, 'Trees')).toBe('1 vote (100%)');
    // Guests see no results until the host shares them.
    expect(await resultOf(bob, 'Trees')).toBeNull();

    // Ann joins after the launch (on a phone): the poll is there, she votes.
    await joinRoom(ann, url, 'Ann');
    await ann
      .getByRole('region', { name: 'Poll' })
      .getByRole('heading', { name: 'Which topic next?' })
      .waitFor();
    await ann.screenshot({ path: '/tmp/polls-student-vote-390x844.png' });
    await vote(ann, 'Graphs');
    await waitFor(
      'Ann’s vote at the host',
      async () => (await resultOf(host, 'Graphs')) === '1 vote (50%)',
    );
    expect(await resultOf(host, 'Trees')).toBe('1 vote (50%)');
    expect(await host.locator('#poll-panel .poll-voters').textContent()).toBe('2 people voted');

    // Ann reloads: her page says she voted, and there is no Vote button to press again.
    await ann.reload();
    await joinRoom(ann, url, 'Ann');
    const annPanel = ann.getByRole('region', { name: 'Poll' });
    await annPanel.getByText('You voted').waitFor();
    expect(await annPanel.getByText('You voted').locator('..').textContent()).toBe(
      'You voted: Graphs',
    );
    expect(await annPanel.getByRole('button', { name: 'Vote' }).count()).toBe(0);
    expect(await resultOf(host, 'Graphs')).toBe('1 vote (50%)');
    await host.screenshot({ path: '/tmp/polls-host-1280x800.png' });

    // The host ends the poll and shares the results: everyone sees the same counts.
    await polls.getByRole('button', { name: 'End poll' }).click();
    await polls.getByRole('button', { name: 'Share results' }).click();
    for (const page of [ann, bob]) {
      await waitFor('shared results', async () => (await resultOf(page, 'Graphs')) !== null);
      expect(await resultOf(page, 'Graphs')).toBe('1 vote (50%)');
      expect(await resultOf(page, 'Trees')).toBe('1 vote (50%)');
      expect(await resultOf(page, 'Heaps')).toBe('0 votes (0%)');
    }
    // Named poll: the host may read who voted what; the students never get the names.
    expect(await bob.getByText('Who voted what').count()).toBe(0);
    await ann.screenshot({ path: '/tmp/polls-student-390x844.png', fullPage: true });
    await bob.screenshot({ path: '/tmp/polls-student-1280x800.png' });
    await host.screenshot({ path: '/tmp/polls-host-ended-1280x800.png' });
    // The host's form is back for the next poll.
    await polls.getByRole('button', { name: 'Launch poll' }).waitFor();

    // Download all polls: a CSV file, fetched with the host key this browser kept.
    const [download] = await Promise.all([
      host.waitForEvent('download'),
      polls.getByRole('button', { name: 'Download all polls (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^polls-.+\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv.slice(1).map((row) => row.split(',').slice(-4))).toEqual([
      ['Graphs', '1', '2', 'Ann'],
      ['Trees', '1', '2', 'Bob'],
      ['Heaps', '0', '2', ''],
    ]);
  }, 120_000);
});

const WIDE = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
