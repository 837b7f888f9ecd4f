import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, inCall } from './support/call.ts';
import { waitFor } from './support/wait.ts';

/** What the page opened since it loaded (see countOpenings). */
interface Openings {
  getUserMedia: number;
  webSockets: number;
}

/**
 * Counts, in the page, its calls to getUserMedia (camera and microphone) and the WebSockets it
 * opens, from before the app's first script on every navigation.
 */
async function countOpenings(page: Page): Promise<void> {
  await page.addInitScript(() => {
    // Runs in the page; the test tsconfig has no DOM lib, hence the narrow casts.
    interface Media {
      getUserMedia(constraints: unknown): Promise<unknown>;
    }
    type SocketClass = new (...args: unknown[]) => object;
    const g = globalThis as unknown as {
      __openings: Openings;
      navigator: { mediaDevices: Media };
      WebSocket: SocketClass;
    };
    const openings = { getUserMedia: 0, webSockets: 0 };
    g.__openings = openings;
    const media = g.navigator.mediaDevices;
    const getUserMedia = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      openings.getUserMedia += 1;
      return getUserMedia(constraints);
    };
    const Native = g.WebSocket;
    g.WebSocket = class extends Native {
      constructor(...args: unknown[]) {
        super(...args);
        openings.webSockets += 1;
      }
    };
  });
}

function openings(page: Page): Promise<Openings> {
  return page.evaluate(() => (globalThis as unknown as { __openings: Openings }).__openings);
}

/** The not-found screen for a room link, and nothing of the pre-join behind it. */
async function expectMeetingNotFound(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'This meeting does not exist' }).waitFor();
  await page.getByText('it may be mistyped, or the meeting may have ended').waitFor();
  expect(await page.title()).toBe('Meeting not found - Parley');
  expect(await page.getByLabel('Your name').count()).toBe(0);
  expect(await openings(page)).toEqual({ getUserMedia: 0, webSockets: 0 });
}

describe('home and room pages', () => {
  const env = useServerAndBrowser();

  it('joins by a pasted link and copies the room link', async () => {
    const creator = await newPeerPage(env.browser, { label: 'creator' });
    const url = await createRoom(creator.page, env.server.url);

    const { context, page } = await newPeerPage(env.browser, { label: 'guest' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: env.server.url,
    });
    await page.goto(env.server.url);
    await page.getByLabel('Join by link').fill(`  ${url}  `);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.waitForURL(url);
    await page.getByLabel('Your name').waitFor();

    expect(await page.getByLabel('Room link').inputValue()).toBe(url);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link copied.').waitFor();
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied).toBe(url);
  });

  it('says an unknown room does not exist, before any camera or socket opens', async () => {
    const { page } = await newPeerPage(env.browser, { label: 'lost' });
    await countOpenings(page);
    const asked: string[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/api/rooms/')) asked.push(req.url());
    });

    // Well formed, but no such room: the server says so.
    await page.goto(`${env.server.url}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await expectMeetingNotFound(page);
    expect(asked).toEqual([`${env.server.url}/api/rooms/AAAAAAAAAAAAAAAAAAAAAA`]);

    // Malformed (a character short, a stray one): no room can have that id, nobody is asked.
    for (const id of ['AAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAA.']) {
      await page.goto(`${env.server.url}/r/${id}`);
      await expectMeetingNotFound(page);
    }
    expect(asked).toHaveLength(1);

    // Its one action is keyboard reachable and leads home.
    const home = page.getByRole('link', { name: 'Back to home' });
    await home.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Create room' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('asks for the password of a room that has one, and keeps asking after a wrong one', async () => {
    const creator = await newPeerPage(env.browser, { label: 'creator' });
    const url = await createRoom(creator.page, env.server.url, { password: 'open sesame' });
    // The creator's browser knows its room exists: straight to the pre-join.
    await creator.page.getByLabel('Your name').waitFor();
    expect(await creator.page.getByText('This meeting does not exist').count()).toBe(0);

    const { page } = await newPeerPage(env.browser, { label: 'guest' });
    await countOpenings(page);
    await page.goto(url);
    // The server tells nobody that a room with a password exists: the guest is offered it.
    await expectMeetingNotFound(page);
    await page.getByRole('button', { name: 'Enter the password' }).click();
    await page.getByLabel('Room password').fill('open sesam');
    await page.getByLabel('Your name').fill('Gus');
    const join = page.getByRole('button', { name: 'Join', exact: true });
    await waitFor('the Join button to be enabled', () => join.isEnabled());
    // The pre-join, unlike the not-found screen, does open the camera and the socket.
    const opened = await openings(page);
    expect(opened.getUserMedia).toBeGreaterThan(0);
    expect(opened.webSockets).toBeGreaterThan(0);
    await join.click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'No room at this link, or the password is wrong' })
      .waitFor();
    await page.getByLabel('Room password').fill('open sesame');
    await join.click();
    await inCall(page);
  });

  it('shows a not-found page for a path the app does not serve', async () => {
    const { page } = await newPeerPage(env.browser, { label: 'astray' });
    // A team link with an id no team can have; the server hands the app shell to `/t/*`.
    await page.goto(`${env.server.url}/t/nope`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.title()).toBe('Page not found - Parley');
    // A path the app has no route for, on a first visit: the server sends the shell with 404.
    const first = (await newPeerPage(env.browser, { label: 'first visit' })).page;
    const answer = await first.goto(`${env.server.url}/about`);
    expect(answer?.status()).toBe(404);
    await first.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();

    // Any other path, once the service worker serves the shell (an installed app).
    await page.goto(env.server.url);
    await waitFor('the service worker to control the page', () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } })
            .navigator.serviceWorker.controller !== null,
      ),
    );
    await page.goto(`${env.server.url}/about/us`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create room' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to home' }).click();
    await page.getByRole('button', { name: 'Create room' }).waitFor();
  });

  it('joins by itself once the network is back when Join is pressed offline', async () => {
    const creator = await newPeerPage(env.browser, { label: 'creator' });
    const url = await createRoom(creator.page, env.server.url);

    const { context, page } = await newPeerPage(env.browser, { label: 'offline guest' });
    await page.goto(url);
    await page.getByLabel('Your name').fill('Olive');
    const join = page.getByRole('button', { name: 'Join', exact: true });
    await waitFor('the Join button to be enabled', () => join.isEnabled());
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'You are offline' }).first().waitFor();
    await join.click();
    await page
      .getByRole('status')
      .filter({ hasText: 'You will join as soon as the network is back' })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Waiting for the network…' }).isDisabled()).toBe(
      true,
    );

    await context.setOffline(false);
    await inCall(page);
  });
});
