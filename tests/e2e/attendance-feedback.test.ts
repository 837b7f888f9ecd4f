import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, joinRoom } from './support/call.ts';
import { waitFor } from './support/wait.ts';
import { SCREEN_SIZES, wcagAtBothSizes } from './support/axe.ts';

// Issue 21's proof for "after the session", in the browser: a guest joins, leaves and rates the
// meeting 4 stars with a comment from the keyboard alone; the host leaves and opens
// "Attendance and feedback", which shows both people and the rating; after the room's second
// meeting the page sums up both as one series. Each screen passes axe
// (WCAG 2.1 A/AA, serious or critical) at a laptop's and a phone's size, and is saved as
// screenshots (ATTEND_SHOTS, default /tmp/parley-attendance-shots).

const SHOTS = process.env.ATTEND_SHOTS ?? '/tmp/parley-attendance-shots';

interface Target {
  tag: string;
  type?: string;
  name?: string;
  text?: string;
}

/** Presses Tab until the focused element is `target` (at most 30 times). */
async function tabTo(page: Page, target: Target): Promise<void> {
  for (let i = 0; i < 30; i += 1) {
    const reached = await page.evaluate((t) => {
      type El = { tagName: string; type?: string; name?: string; textContent: string | null };
      const doc = (globalThis as unknown as { document: { activeElement: El | null } }).document;
      const el = doc.activeElement;
      if (!el || el.tagName !== t.tag) return false;
      if (t.type !== undefined && el.type !== t.type) return false;
      if (t.name !== undefined && el.name !== t.name) return false;
      return t.text === undefined || el.textContent === t.text;
    }, target);
    if (reached) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${JSON.stringify(target)}`);
}

describe('attendance and feedback (issue 21)', () => {
  const env = useServerAndBrowser();

  it('a guest rates the meeting from the keyboard; the host sees the attendance and the rating', async () => {
    const host = (await newPeerPage(env.browser, { label: 'host', viewport: SCREEN_SIZES.laptop }))
      .page;
    const ann = (await newPeerPage(env.browser, { label: 'ann', viewport: SCREEN_SIZES.laptop }))
      .page;
    const url = await createRoom(host, env.server.url, { title: 'Physics 101' });
    await joinRoom(host, url, 'Hana');
    await joinRoom(ann, url, 'Ann');

    await ann.getByRole('button', { name: 'Leave', exact: true }).click();
    const prompt = ann.getByRole('form', { name: 'How was it?' });
    await prompt.waitFor();
    expect(await wcagAtBothSizes(ann, 'rating-prompt', SHOTS)).toEqual([]);
    await ann.setViewportSize(SCREEN_SIZES.laptop);

    // Keyboard only: Tab into the radio group, arrows to 4 stars, Tab to the comment, Send.
    await tabTo(ann, { tag: 'INPUT', type: 'radio', name: 'stars' });
    await ann.keyboard.press('Space');
    for (let i = 0; i < 3; i += 1) await ann.keyboard.press('ArrowRight');
    expect(await ann.getByLabel('4 stars: Very good').isChecked()).toBe(true);
    // What a keyboard user sees now: four stars lit, the focus ring on the fourth.
    await ann.screenshot({ path: `${SHOTS}/rating-prompt-chosen-laptop.png` });
    await ann.keyboard.press('Tab');
    await ann.keyboard.type('Clear explanations, thank you');
    await tabTo(ann, { tag: 'BUTTON', text: 'Send' });
    await ann.keyboard.press('Enter');
    await ann.getByText('Thank you for your feedback.').waitFor();

    // The host leaves last (the meeting ends) and opens the page from the left screen.
    await host.getByRole('button', { name: 'Leave', exact: true }).click();
    await host.getByRole('link', { name: 'Attendance and feedback' }).click();
    await host.getByRole('heading', { name: 'Attendance and feedback' }).waitFor();
    const table = host.getByRole('table');
    await table.waitFor();
    await waitFor(
      'both attendance rows',
      async () => (await table.locator('tbody tr').count()) === 2,
    );
    const rows = await table.locator('tbody tr th').allTextContents();
    expect(rows.map((r) => r.replace(/\s+guest$/, ''))).toEqual(['Hana', 'Ann']);
    await host.getByText('4.0 ★ (1 rating)').first().waitFor();
    await host.getByText('Clear explanations, thank you').waitFor();
    expect(await wcagAtBothSizes(host, 'meetings-page', SHOTS)).toEqual([]);

    // The CSV downloads with both rows.
    await host.setViewportSize(SCREEN_SIZES.laptop);
    const download = host.waitForEvent('download');
    await host.getByRole('button', { name: 'Download attendance (CSV)' }).click();
    const file = await (await download).path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(file, 'utf8').split('\r\n');
    expect(csv[0]).toBe('name,account_email,first_joined,last_left,minutes,stays');
    expect(csv.slice(1, 3).map((line) => line.split(',')[0])).toEqual(['Hana', 'Ann']);

    // The room meets again (next week's class, in small): the page now starts with all its
    // meetings as one series, Ann's rating and comment counted, her comment dated.
    await joinRoom(host, url, 'Hana');
    await host.getByRole('button', { name: 'Leave', exact: true }).click();
    await host.getByRole('link', { name: 'Attendance and feedback' }).click();
    const series = host.getByRole('region', { name: 'All meetings in this room' });
    await series.getByText('over 2 meetings').waitFor();
    expect(await series.locator('.rating-average').textContent()).toContain('4.0 ★ (1 rating)');
    const comment = series.getByRole('listitem').filter({ hasText: 'Clear explanations' });
    expect(await comment.textContent()).toMatch(/Meeting of \w+/);
    expect(await wcagAtBothSizes(host, 'meetings-series', SHOTS)).toEqual([]);
  });
});
