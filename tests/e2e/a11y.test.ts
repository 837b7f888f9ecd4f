// The accessibility scan of the definition of done: axe-core over every page a user sees (home,
// a room's pre-join screen, a two-person call, a team, a broadcast's viewer page), at a laptop's
// and a phone's size, failing on serious or critical WCAG 2.1 A/AA violations. Then the team
// page from the keyboard alone: Tab reaches its controls in order and shows where focus is.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { askToJoin, createRoom, inCall, joinRoom, openChat, sendChat } from './support/call.ts';
import { waitFor } from './support/wait.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { hold, joinTeam } from './support/walkiePages.ts';

const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

const SIZES = {
  laptop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
type Size = keyof typeof SIZES;

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/** Serious or critical against WCAG 2.1 A/AA fails; the rest (best practice too) is logged. */
const fails = (v: Violation) =>
  FAILING_IMPACTS.has(v.impact ?? '') && v.tags.some((t) => WCAG_TAGS.includes(t));

/** Screenshots of each scanned page go here when set (A11Y_SHOTS=/tmp). */
const SHOTS = process.env.A11Y_SHOTS;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  tags: string[];
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** One line per violation and one per element, so a failure names what to fix and where. */
function summary(page: string, size: Size, violations: Violation[]): string[] {
  return violations.flatMap((v) => [
    `${page} @ ${size}: ${v.id} (${v.impact ?? '?'}, ${v.nodes.length}x) ${v.help}`,
    ...v.nodes.map((n) => `    ${n.target.map(String).join(' > ')}`),
  ]);
}

/**
 * Runs axe on `page` at both sizes and returns the failing violations as readable lines.
 * `page.evaluate` runs through the DevTools protocol, outside the page's Content-Security-Policy
 * (script-src 'self', see csp.test.ts), so axe needs no inline script and no `bypassCSP`.
 */
async function scan(page: Page, name: string): Promise<string[]> {
  const lines: string[] = [];
  for (const size of Object.keys(SIZES) as Size[]) {
    await page.setViewportSize(SIZES[size]);
    const injected = await page.evaluate(() => 'axe' in globalThis);
    if (!injected) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(
      async (tags) => {
        const { axe } = globalThis as unknown as {
          axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Violation[] }> };
        };
        const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
        });
        return result.violations;
      },
      [...WCAG_TAGS, 'best-practice'],
    );
    lines.push(...summary(name, size, violations.filter(fails)));
    const minor = violations.filter((v) => !fails(v));
    if (minor.length) console.info(summary(name, size, minor).join('\n'));
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/a11y-${name}-${size}.png`, fullPage: true });
    }
  }
  return lines;
}

function expectClean(lines: string[]): void {
  if (lines.length) console.error(lines.join('\n'));
  expect(lines).toEqual([]);
}

describe('accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    // The SFU: a team's channels go through it.
    server = await startTestServer({ sfu: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('home, pre-join, a two-person call, its whiteboard, the viewer and recordings pages', async () => {
    const host = (await newPeerPage(browser, { label: 'host' })).page;
    const guest = (await newPeerPage(browser, { label: 'guest' })).page;
    const found: string[] = [];

    await host.goto(server.url);
    await host.getByRole('button', { name: 'Create team' }).waitFor();
    found.push(...(await scan(host, 'home')));

    const url = await createRoom(host, server.url);
    await guest.goto(url);
    await guest.getByLabel('Your name').waitFor();
    found.push(...(await scan(guest, 'prejoin')));

    await joinRoom(host, url, 'Host');
    await askToJoin(guest, url, 'Guest');
    await inCall(guest);
    await host.locator('figure[data-peer-name="Guest"]').waitFor();
    await sendChat(guest, 'Hello from the guest');
    // The scans leave the pages at the phone's size, where the chat starts closed.
    await openChat(host);
    await host.getByText('Hello from the guest').waitFor();
    found.push(...(await scan(host, 'call')));
    // The Devices panel over the toolbar: pickers and the microphone's level (issue 19).
    await guest.getByRole('button', { name: 'Devices' }).click();
    await guest.getByRole('dialog', { name: 'Devices' }).waitFor();
    found.push(...(await scan(guest, 'call-devices')));
    await guest.keyboard.press('Escape');
    // The host's panels, open beside the chat.
    await host.getByRole('button', { name: 'Room settings' }).click();
    await host.getByRole('button', { name: /^Waiting room/ }).click();
    await host.getByRole('button', { name: /^People/ }).click();
    await host.getByRole('heading', { name: 'Room settings' }).waitFor();
    await host.getByRole('heading', { name: /^People/ }).waitFor();
    found.push(...(await scan(host, 'call-panels')));
    // The host's question on leaving (whom to hand the meeting to), then back.
    await host.getByRole('button', { name: 'Leave', exact: true }).click();
    await host.getByRole('dialog', { name: 'Leave the meeting?' }).waitFor();
    found.push(...(await scan(host, 'call-leave')));
    await host.keyboard.press('Escape');
    await host.getByRole('dialog').waitFor({ state: 'detached' });
    // The whiteboard in the stage, with its toolbar (a chunk of its own, issue 17).
    await host.getByRole('button', { name: 'Whiteboard', exact: true }).click();
    await host.getByTestId('board-canvas').waitFor();
    found.push(...(await scan(host, 'call-board')));

    const watchUrl = await host.locator('a.watch-link').getAttribute('href');
    expect(watchUrl).toBeTruthy();
    await guest.goto(watchUrl ?? '');
    // No one is on air: the page waits for the broadcast.
    await guest.getByText('The broadcast has not started yet').waitFor();
    found.push(...(await scan(guest, 'watch')));

    // Record and Stop recording from the keyboard: the focus stays on the button meanwhile.
    await host.getByRole('button', { name: 'Record', exact: true }).focus();
    await host.keyboard.press('Enter');
    await host.getByRole('status').filter({ hasText: 'Recording' }).waitFor({ timeout: 30_000 });
    await host.keyboard.press('Enter');
    await host.getByRole('button', { name: 'Record', exact: true }).waitFor({ timeout: 30_000 });

    // The room's recordings page, for its host (issue 18), reached from the host controls.
    const recordings = await host.getByRole('link', { name: 'Recordings' }).getAttribute('href');
    await host.goto(new URL(recordings ?? '', url).href);
    // The one just made, being composed or ready.
    await host.getByRole('heading', { name: /^Meeting of / }).waitFor();
    found.push(...(await scan(host, 'recordings')));

    expectClean(found);
  });

  it('the call from the keyboard: shortcuts, and their sheet on ?', async () => {
    const page = (await newPeerPage(browser, { label: 'keys' })).page;
    const url = await createRoom(page, server.url);
    await joinRoom(page, url, 'Keys');
    await page.getByRole('button', { name: 'Mute', exact: true }).waitFor();
    const chat = page.getByRole('button', { name: /^Chat/ });
    expect(await chat.getAttribute('aria-expanded')).toBe('true');

    // Meet's keys: each one does what its button does, and the button names it.
    await page.keyboard.press('Control+KeyD');
    await page.getByRole('button', { name: 'Unmute' }).waitFor();
    expect(
      await page.getByRole('button', { name: 'Unmute' }).getAttribute('aria-keyshortcuts'),
    ).toBe('Control+D');
    await page.keyboard.press('Control+KeyE');
    await page.getByRole('button', { name: 'Camera on' }).waitFor();
    await page.keyboard.press('Control+Alt+KeyH');
    await page.getByRole('button', { name: 'Lower hand' }).waitFor();
    await page.keyboard.press('Control+Alt+KeyC');
    await waitFor(
      'the chat to close',
      async () => (await chat.getAttribute('aria-expanded')) === 'false',
    );
    await page.keyboard.press('Control+Alt+KeyC');
    await waitFor(
      'the chat to open',
      async () => (await chat.getAttribute('aria-expanded')) === 'true',
    );

    // In a text field `?` is a character...
    const field = page.locator('#chat-panel').getByRole('textbox');
    await field.focus();
    await page.keyboard.press('?');
    expect(await field.inputValue()).toBe('?');
    expect(await page.getByRole('dialog').count()).toBe(0);
    // ...elsewhere it opens the sheet, which Escape closes, giving the focus back.
    await page.getByRole('button', { name: 'Unmute' }).focus();
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.getByText('Ctrl + Alt + H').waitFor();
    expectClean(await scan(page, 'shortcuts'));
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });
    const focused = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } | null } })
          .document.activeElement?.textContent,
    );
    expect(focused).toBe('Unmute');
  });

  it('the team page, and its controls from the keyboard', async () => {
    const ann = (await newPeerPage(browser, { label: 'ann' })).page;
    const bob = (await newPeerPage(browser, { label: 'bob' })).page;
    await ann.goto(server.url);
    await ann.getByLabel(/team name/i).fill('Night crew');
    await ann.getByRole('button', { name: 'Create team' }).click();
    await ann.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
    const url = ann.url();
    await bob.goto(url);
    await bob.getByLabel('Your name').waitFor();
    const found = await scan(bob, 'team-prejoin');

    await joinTeam(ann, url, 'Ann');
    await ann.getByLabel('New channel').fill('Ops');
    await ann.getByRole('button', { name: 'Add channel' }).click();
    await joinTeam(bob, url, 'Bob');
    await bob.getByRole('checkbox', { name: 'Listen to Ops' }).waitFor();
    await bob.getByText('Ann', { exact: true }).first().waitFor();
    found.push(...(await scan(ann, 'team-admin')));
    found.push(...(await scan(bob, 'team')));
    // Bob talks: his button shows the floor, Ann's page his channel live and End his turn.
    await hold(bob).hover();
    await bob.mouse.down();
    await bob.locator('button[data-floor="granted"]').waitFor();
    await ann.getByRole('button', { name: "End Bob's turn" }).waitFor();
    found.push(...(await scan(bob, 'team-talking')));
    found.push(...(await scan(ann, 'team-admin-hearing')));
    await bob.mouse.up();
    await bob.locator('button[data-floor="idle"]').waitFor();
    expectClean(found);

    // From the top of the page, Tab alone: each channel's Listen, the Talk radios (one stop for
    // the group, on the checked one, as native radios are), then the Hold to talk button.
    await bob.setViewportSize(SIZES.phone);
    const order = await tabOrder(bob, 40);
    const names = order.map((o) => o.name);
    const want = [
      'checkbox:Listen to General',
      'radio:Talk on General',
      'checkbox:Listen to Ops',
      'button:Hold to talk',
    ];
    const at = want.map((w) => names.findIndex((n) => n.startsWith(w)));
    expect(
      at.every((i) => i >= 0),
      `tab order: ${names.join(', ')}`,
    ).toBe(true);
    expect(
      [...at].sort((a, b) => a - b),
      `tab order: ${names.join(', ')}`,
    ).toEqual(at);
    const unseen = order.filter((o) => !o.focusShown).map((o) => o.name);
    expect(unseen, 'controls with no visible focus').toEqual([]);

    // Within the group the arrow keys choose where to talk.
    const [, talkRadio = 0] = at;
    await tabTo(bob, talkRadio + 1);
    await bob.keyboard.press('ArrowDown');
    expect(await bob.getByRole('radio', { name: 'Talk on Ops' }).isChecked()).toBe(true);
    await bob.getByText('Talks on Ops.').waitFor();
  });
});

interface Stop {
  /** `role:accessible name`, e.g. `checkbox:Listen to Ops`. */
  name: string;
  /** An outline or a box-shadow is drawn while it has (keyboard) focus. */
  focusShown: boolean;
}

/** Moves focus to the top of the page, then presses Tab `times` times. */
async function tabTo(page: Page, times: number): Promise<void> {
  await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { activeElement: { blur(): void } } })
      .document;
    doc.activeElement.blur();
  });
  await page.mouse.click(1, 1);
  for (let i = 0; i < times; i++) await page.keyboard.press('Tab');
}

/** Presses Tab up to `max` times from the top of the page, noting each focused control. */
async function tabOrder(page: Page, max: number): Promise<Stop[]> {
  await tabTo(page, 0);
  const stops: Stop[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      type El = {
        tagName: string;
        type?: string;
        textContent: string | null;
        matches(s: string): boolean;
        getAttribute(n: string): string | null;
        closest(s: string): El | null;
        labels?: { textContent: string | null }[];
      };
      const g = globalThis as unknown as {
        document: { activeElement: El | null; body: El };
        getComputedStyle(el: El): { outlineStyle: string; outlineWidth: string; boxShadow: string };
      };
      const el = g.document.activeElement;
      if (!el || el === g.document.body) return null;
      const role =
        el.getAttribute('role') ??
        (el.tagName === 'INPUT' ? (el.type ?? 'text') : el.tagName.toLowerCase());
      const label =
        el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '';
      const style = g.getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      return {
        name: `${role}:${label.replace(/\s+/g, ' ').trim()}`,
        focusShown: el.matches(':focus-visible') && (outline || style.boxShadow !== 'none'),
      };
    });
    if (!stop) break;
    if (stops.some((s) => s.name === stop.name)) break;
    stops.push(stop);
  }
  return stops;
}
