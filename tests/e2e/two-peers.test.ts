import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, expectMediaFromAll, joinRoom } from './support/call.ts';

describe('a two-person mesh call', () => {
  const env = useServerAndBrowser();

  it('each page decodes the other one’s video and receives its audio', async () => {
    const a = await newPeerPage(env.browser, { label: 'alice' });
    const b = await newPeerPage(env.browser, { label: 'bob' });
    const url = await createRoom(a.page, env.server.url);
    await joinRoom(a.page, url, 'Alice');
    await joinRoom(b.page, url, 'Bob');

    const [fromBob, fromAlice] = await Promise.all([
      expectMediaFromAll(a.page, 1),
      expectMediaFromAll(b.page, 1),
    ]);
    expect(fromBob).toHaveLength(1);
    expect(fromAlice).toHaveLength(1);

    // The tiles carry the names, and the creator's tile says who it is.
    await a.page.getByText('Bob', { exact: true }).waitFor();
    await b.page.getByText('Alice', { exact: true }).waitFor();
    await b.page.getByText('Bob (you)').waitFor();

    // Muting updates the other side's indicator through `media` / `peer-updated`.
    await a.page.getByRole('button', { name: 'Mute' }).click();
    await b.page
      .locator('figure[data-peer-name="Alice"] .indicator', { hasText: 'Muted' })
      .waitFor();
    await a.page.getByRole('button', { name: 'Unmute' }).click();
    await b.page
      .locator('figure[data-peer-name="Alice"] .indicator', { hasText: 'Muted' })
      .waitFor({ state: 'detached' });
  });
});
