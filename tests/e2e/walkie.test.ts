import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { newPeerPage } from './support/browser.ts';
import { launchChromiumWithMic, toneWav } from './support/fakeMic.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';
import { busyTones, bytes, hold, joinTeam, level, shoot } from './support/walkiePages.ts';

// Issue 16's proof: three people in a team, each in a Chromium of its own whose fake
// microphone plays its own tone. What a listener hears is measured in its page, after the
// channel's gain, with the app's AnalyserNode (window.__parleyTeam, debug builds only).

/** Each participant's tone, Hz. */
const TONES = { Ann: 440, Bob: 660, Cat: 880 } as const;
type Name = keyof typeof TONES;
/**
 * dBFS near the tone's frequency that counts as hearing it. A channel nobody talks on gets no
 * packets and reads -200 (digital silence); the tone after Chrome's voice processing and Opus
 * reads about -50 here.
 */
const HEARD_DB = -90;

describe('walkie-talkie team (issue 16)', () => {
  let server: TestServer;
  let wavDir: string;
  const browsers: Browser[] = [];
  const pages = {} as Record<Name, Page>;

  beforeAll(async () => {
    server = await startTestServer({ sfu: true });
    wavDir = mkdtempSync(path.join(tmpdir(), 'parley-walkie-'));
    const viewports = {
      Ann: { width: 1280, height: 800 },
      Bob: { width: 390, height: 844 },
      Cat: { width: 390, height: 844 },
    };
    for (const name of Object.keys(TONES) as Name[]) {
      const browser = await launchChromiumWithMic(toneWav(wavDir, TONES[name]));
      browsers.push(browser);
      const opts = { label: name, viewport: viewports[name] };
      pages[name] = (await newPeerPage(browser, opts)).page;
    }
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
    rmSync(wavDir, { recursive: true, force: true });
  });

  it('hears a channel only when listening, and grants one of two simultaneous presses', async () => {
    const started = Date.now();
    const lap = (what: string) => console.info(`[walkie] ${what} at ${Date.now() - started} ms`);
    const { Ann: ann, Bob: bob, Cat: cat } = pages;

    // Ann makes the team from the home page (she is its admin) and adds "Ops".
    await ann.goto(server.url);
    await ann.getByLabel(/team name/i).fill('Night crew');
    await ann.getByRole('button', { name: 'Create team' }).click();
    await ann.waitForURL(/\/t\/[A-Za-z0-9_-]+$/);
    const url = ann.url();
    await joinTeam(ann, url, 'Ann');
    await ann.getByLabel('New channel').fill('Ops');
    await ann.getByRole('button', { name: 'Add channel' }).click();
    await ann.getByRole('checkbox', { name: 'Listen to Ops' }).waitFor();

    // Bob listens to General (the default) and Ops; Cat to Ops only.
    await joinTeam(bob, url, 'Bob');
    await joinTeam(cat, url, 'Cat');
    await bob.getByRole('checkbox', { name: 'Listen to Ops' }).check();
    await cat.getByRole('checkbox', { name: 'Listen to General' }).uncheck();
    await cat.getByRole('checkbox', { name: 'Listen to Ops' }).check();
    await waitFor('Bob and Cat to consume their channels', async () => {
      const [bg, bo, cg, co] = await Promise.all([
        bytes(bob, 'General'),
        bytes(bob, 'Ops'),
        bytes(cat, 'General'),
        bytes(cat, 'Ops'),
      ]);
      return bg !== null && bo !== null && cg === null && co !== null;
    });
    lap('three members in, listening');

    // Before anyone talks, Bob hears nothing on General.
    expect((await level(bob, 'General', TONES.Ann))?.toneDb).toBeLessThan(HEARD_DB);
    const catOpsBefore = (await bytes(cat, 'Ops')) ?? -1;

    // Ann holds to talk on General: Bob hears her tone there, and sees her name.
    await hold(ann).hover();
    await ann.mouse.down();
    await ann.locator('button[data-floor="granted"]').waitFor();
    const pressed = Date.now();
    const heard = await waitFor(
      'Bob to hear Ann’s tone on General',
      async () => {
        const l = await level(bob, 'General', TONES.Ann);
        // The tone itself, not noise: the loudest part of the spectrum is at its frequency.
        return l && l.toneDb > HEARD_DB && l.toneDb >= l.peakDb - 6 ? l : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    lap(
      `Bob hears Ann ${Date.now() - pressed} ms after Ann's page shows the grant (${heard.toneDb.toFixed(1)} dB at 440 Hz, peak ${heard.peakDb.toFixed(1)} dB)`,
    );
    // Bob's other channel, Ops, stays silent.
    expect((await level(bob, 'Ops', TONES.Ann))?.peakDb).toBeLessThan(HEARD_DB);
    await bob.locator('li[data-channel="General"] [data-talker="Ann"]').waitFor();
    await shoot(bob, 'team-390x844-listening.png');
    await shoot(ann, 'team-1280x800-talking.png');

    // Cat, on Ops only, receives not one byte of it, and hears nothing.
    await new Promise((r) => setTimeout(r, 1000)); // a second of Ann's talk to have leaked
    expect(await bytes(cat, 'Ops')).toBe(catOpsBefore);
    expect(await bytes(cat, 'General')).toBeNull();
    expect((await level(cat, 'Ops', TONES.Ann))?.toneDb).toBeLessThan(HEARD_DB);

    // Ann lets go: Bob's General falls silent.
    await ann.mouse.up();
    await waitFor(
      'Ann’s tone to stop at Bob',
      async () => ((await level(bob, 'General', TONES.Ann))?.toneDb ?? 0) < HEARD_DB,
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    await bob.locator('li[data-channel="General"] [data-talker=""]').waitFor();
    lap('Ann released, Bob hears silence');

    // Bob and Cat press on Ops at the same moment: exactly one gets the floor.
    for (const page of [bob, cat]) {
      await page.getByRole('radio', { name: 'Talk on Ops' }).check();
      await hold(page).hover();
    }
    await Promise.all([bob.mouse.down(), cat.mouse.down()]);
    const outcome = await waitFor('both presses to be answered', async () => {
      const states = await Promise.all(
        [bob, cat].map((p) => p.locator('button.hold-to-talk').getAttribute('data-floor')),
      );
      return states.every((s) => s === 'granted' || s === 'idle') ? states : undefined;
    });
    expect(outcome.filter((s) => s === 'granted')).toHaveLength(1);
    const [winner, loser] = outcome[0] === 'granted' ? [bob, cat] : [cat, bob];
    const winnerName = winner === bob ? 'Bob' : 'Cat';
    expect(await busyTones(loser)).toBe(1);
    expect(await busyTones(winner)).toBe(0);
    const reason = await loser.locator('.floor-reason').textContent();
    expect(reason).toBe(`Ops is busy: ${winnerName} is talking`);
    await shoot(loser, 'team-390x844-busy.png');
    await Promise.all([bob.mouse.up(), cat.mouse.up()]);
    lap(`${winnerName} got Ops, the other heard the busy tone`);
  });
});
