import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom } from './support/call.ts';

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

  it('says so when the room does not exist (or the password is wrong), and asks for one', async () => {
    const { page } = await newPeerPage(env.browser, { label: 'lost' });
    await page.goto(`${env.server.url}/r/AAAAAAAAAAAAAAAAAAAAAA`);
    await page.getByLabel('Your name').fill('Lost');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'No room at this link, or the password is wrong' })
      .waitFor();
    // Still on the pre-join screen, now with the password field.
    await page.getByLabel('Room password').waitFor();
    expect(await page.getByRole('button', { name: 'Join', exact: true }).isEnabled()).toBe(true);
  });
});
