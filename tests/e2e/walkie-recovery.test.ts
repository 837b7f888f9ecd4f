import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { recordStatus, statusSeen } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';
import type { Network } from './support/walkiePages.ts';
import {
  DESKTOP,
  PHONE,
  allowIceFailure,
  bytes,
  controlNetwork,
  failIce,
  hold,
  iceStillFailed,
  joinTeam,
  level,
  openMembers,
  selfId,
} from './support/walkiePages.ts';

// Issue 16: a team recovers by itself after a network change. Bob listens on his phone; his
// network goes (the signaling socket cut, the browser offline, ICE failed on his transports)
// and comes back: without anyone touching anything he hears Ann again, on the channels and
// at the volume he chose, as the same member. Then Ann's network goes while she talks: the
// floor is free for the others at once, and when she is back she can talk again. Last, Bob
// stays away past the resume window: back, he joins again by himself, his choices kept.

const MEMBERS = {
  Ann: { tone: 440, viewport: DESKTOP },
  Bob: { tone: 660, viewport: PHONE },
};
type Name = keyof typeof MEMBERS;
/** dBFS at the tone's frequency that counts as hearing it (see walkie.test.ts). */
const HEARD_DB = -90;
/** How long a network stays away: long enough for the server to see the drop. */
const OUTAGE_MS = 3_000;
/**
 * How long the server keeps a dropped member's seat: well past an outage and its resume on
 * a slow machine, short enough to outlast in the last step.
 */
const RESUME_WINDOW_MS = 8_000;

/** `page` hears `hz` on `channel`: the loudest part of the spectrum is at the tone. */
async function hears(page: Page, channel: string, hz: number): Promise<boolean> {
  const l = await level(page, channel, hz);
  return l !== null && l.toneDb > HEARD_DB && l.toneDb >= l.peakDb - 6;
}

async function silent(page: Page, channel: string, hz: number): Promise<boolean> {
  return ((await level(page, channel, hz))?.toneDb ?? 0) < HEARD_DB;
}

/**
 * `talker` holds to talk on General until `listener` hears its tone there, then lets go;
 * returns when the listener heard it (Date.now()).
 */
async function talkAndHear(talker: Page, listener: Page): Promise<number> {
  await hold(talker).hover();
  await talker.mouse.down();
  await talker.locator('button[data-floor="granted"]').waitFor();
  await waitFor(
    'the listener to hear the talker on General',
    () => hears(listener, 'General', 440),
    {
      timeoutMs: 10_000,
      intervalMs: 50,
    },
  );
  const heardAt = Date.now();
  await talker.mouse.up();
  await waitFor('the tone to stop at the listener', () => silent(listener, 'General', 440));
  return heardAt;
}

/** Ann sees Bob once; Bob listens to General (at half volume) and Ops, as he chose. */
async function expectBobAsHeWas(ann: Page, bob: Page): Promise<void> {
  await ann.locator('li.person[data-person="Bob"]').waitFor();
  expect(await ann.locator('li.person[data-person="Bob"]').count()).toBe(1);
  expect(await bob.getByRole('checkbox', { name: 'Listen to General' }).isChecked()).toBe(true);
  expect(await bob.getByRole('checkbox', { name: 'Listen to Ops' }).isChecked()).toBe(true);
  const volume = bob.getByRole('slider', { name: 'Volume of General' });
  expect(await volume.inputValue()).toBe('50');
  await waitFor('Bob to consume Ops', async () => (await bytes(bob, 'Ops')) !== null);
}

function reconnecting(page: Page) {
  return page.getByRole('status').filter({ hasText: 'Reconnecting' });
}

/** The page said "Reconnecting…" and no longer does. */
async function backAfterReconnecting(page: Page): Promise<void> {
  await waitFor('the page to have shown Reconnecting…', async () =>
    (await statusSeen(page)).some((t) => t.includes('Reconnecting')),
  );
  await waitFor('the page to be back', async () => (await reconnecting(page).count()) === 0, {
    intervalMs: 50,
  });
}

describe('walkie-talkie team recovery (issue 16)', () => {
  let server: TestServer;
  let wavDir: string;
  let browsers: Browser[] = [];
  let pages = {} as Record<Name, Page>;

  beforeAll(async () => {
    wavDir = mkdtempSync(path.join(tmpdir(), 'parley-walkie-recovery-'));
    [server, { browsers, pages }] = await Promise.all([
      startTestServer({ sfu: true, resumeWindowMs: RESUME_WINDOW_MS }),
      openMembers(wavDir, MEMBERS),
    ]);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
    rmSync(wavDir, { recursive: true, force: true });
  });

  it('a listener and a talker come back by themselves after their network drops', async () => {
    const started = Date.now();
    const lap = (what: string) =>
      console.info(`[walkie-recovery] ${what} at ${Date.now() - started} ms`);
    const { Ann: ann, Bob: bob } = pages;
    const net: Record<Name, Network> = {
      Ann: await controlNetwork(ann),
      Bob: await controlNetwork(bob),
    };
    await allowIceFailure(bob.context());

    // Ann makes the team and adds Ops; Bob listens to General and Ops, General at half volume.
    await ann.goto(server.url);
    await ann.getByLabel(/team name/i).fill('Night crew');
    await ann.getByRole('button', { name: 'Create team' }).click();
    await ann.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
    const url = ann.url();
    await joinTeam(ann, url, 'Ann');
    await ann.getByLabel('New channel').fill('Ops');
    await ann.getByRole('button', { name: 'Add channel' }).click();
    await joinTeam(bob, url, 'Bob');
    await bob.getByRole('checkbox', { name: 'Listen to Ops' }).check();
    const volume = bob.getByRole('slider', { name: 'Volume of General' });
    await volume.focus();
    for (let i = 0; i < 10; i += 1) await bob.keyboard.press('ArrowLeft');
    expect(await volume.inputValue()).toBe('50');
    await waitFor('Bob to consume General and Ops', async () => {
      const [g, o] = await Promise.all([bytes(bob, 'General'), bytes(bob, 'Ops')]);
      return g !== null && o !== null;
    });
    const bobId = await selfId(bob);
    lap('Ann and Bob in, Bob listening');

    // 1. Bob's ICE fails, his socket up: his page says so until the restart brings it back.
    await recordStatus(bob);
    const iceFailed = Date.now();
    expect(await failIce(bob)).toBe(2);
    await backAfterReconnecting(bob);
    await waitFor('Bob’s ICE to be restarted', async () => (await iceStillFailed(bob)) === 0);
    const iceOnlyMs = Date.now() - iceFailed;
    await talkAndHear(ann, bob);
    expect(await selfId(bob)).toBe(bobId);
    lap(`Bob's ICE restarted in ${iceOnlyMs} ms`);

    // 2. Bob's network goes: socket cut, offline, ICE failed on both his transports.
    await recordStatus(bob);
    await net.Bob.drop();
    expect(await failIce(bob)).toBe(2);
    await reconnecting(bob).waitFor();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const restored = Date.now();
    await net.Bob.restore();
    await backAfterReconnecting(bob);
    const backMs = Date.now() - restored;
    await waitFor('Bob’s ICE to be restarted', async () => (await iceStillFailed(bob)) === 0);
    const iceMs = Date.now() - restored;

    // Ann holds to talk on General: Bob hears her, nobody having touched his page.
    const heardMs = (await talkAndHear(ann, bob)) - restored;
    console.log(
      `walkie-recovery: ICE alone restarted in ${iceOnlyMs} ms; after the network change the ` +
        `listener is back ${backMs} ms after the network returned, ICE restarted at ${iceMs} ms, ` +
        `hearing the talker at ${heardMs} ms (press included)`,
    );
    // The same member (resumed: Ann never saw him leave), with the same choices.
    expect(await selfId(bob)).toBe(bobId);
    await expectBobAsHeWas(ann, bob);
    lap('Bob recovered');

    // 3. Ann's network goes while she talks: the floor is free at once for Bob.
    await hold(ann).hover();
    await ann.mouse.down();
    await ann.locator('button[data-floor="granted"]').waitFor();
    await waitFor('Bob to hear Ann', () => hears(bob, 'General', 440), { intervalMs: 50 });
    await recordStatus(ann);
    const dropped = Date.now();
    await net.Ann.drop();
    await bob.locator('li[data-channel="General"] [data-talker=""]').waitFor();
    const freedMs = Date.now() - dropped;
    await waitFor('Ann’s tone to stop at Bob', () => silent(bob, 'General', 440));
    await hold(bob).hover();
    await bob.mouse.down();
    await bob.locator('button[data-floor="granted"]').waitFor();
    await bob.mouse.up();
    await bob.locator('button[data-floor="idle"]').waitFor();
    // Ann's page says her turn ended; she still holds the button.
    await ann.locator('.floor-reason', { hasText: 'Connection lost: your turn ended' }).waitFor();
    await ann.locator('button[data-floor="idle"]').waitFor();
    await reconnecting(ann).waitFor();
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - dropped))));
    const annRestored = Date.now();
    await net.Ann.restore();
    await backAfterReconnecting(ann);
    const annBackMs = Date.now() - annRestored;

    // She lets go and holds again: Bob hears her.
    await ann.mouse.up();
    await hold(ann).hover();
    await ann.mouse.down();
    await ann.locator('button[data-floor="granted"]').waitFor();
    await waitFor('Bob to hear Ann after her return', () => hears(bob, 'General', 440), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const annHeardMs = Date.now() - annRestored;
    await ann.mouse.up();
    console.log(
      `walkie-recovery: talker's floor free for others ${freedMs} ms after her drop; ` +
        `talker back ${annBackMs} ms after the network returned, heard again at ${annHeardMs} ms`,
    );
    await waitFor('Ann’s tone to stop at Bob', () => silent(bob, 'General', 440));
    lap('Ann recovered');

    // 4. Bob's network stays away past the resume window: Ann sees him leave. Back, he joins
    // again by himself, as a new member with the choices he had.
    await recordStatus(bob);
    await net.Bob.drop();
    expect(await failIce(bob)).toBe(2);
    await ann.locator('li.person[data-person="Bob"]').waitFor({ state: 'detached' });
    const rejoinFrom = Date.now();
    await net.Bob.restore();
    await backAfterReconnecting(bob);
    const rejoinedMs = Date.now() - rejoinFrom;
    const rejoinHeardMs = (await talkAndHear(ann, bob)) - rejoinFrom;
    expect(await selfId(bob)).not.toBe(bobId);
    await expectBobAsHeWas(ann, bob);
    console.log(
      `walkie-recovery: past the resume window the listener is back as a new member ` +
        `${rejoinedMs} ms after the network returned, hearing the talker at ${rejoinHeardMs} ms`,
    );
    lap('Bob joined again');
  });
});
