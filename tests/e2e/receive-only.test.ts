import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom, expectMediaFromAll, joinRoom, linkStats } from './support/call.ts';
import { waitFor } from './support/wait.ts';

describe('joining without camera or microphone', () => {
  const env = useServerAndBrowser();

  it('explains the problem, joins receive-only and still decodes the other peer', async () => {
    const host = await newPeerPage(env.browser, { label: 'host' });
    const viewer = await newPeerPage(env.browser, { label: 'viewer', denyMedia: true });
    const url = await createRoom(host.page, env.server.url);
    await joinRoom(host.page, url, 'Host');

    await viewer.page.goto(url);
    const problem = viewer.page.getByRole('alert').filter({ hasText: 'unavailable' });
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/permission denied.*can still join/i);
    await joinRoom(viewer.page, url, 'Viewer');

    // The receive-only newcomer initiates and still gets the host's video and audio.
    await expectMediaFromAll(viewer.page, 1);
    // It sends nothing: the host's link connects but decodes no video from it.
    await waitFor('the host’s link to the viewer to connect', async () => {
      const s = await linkStats(host.page);
      return s.length === 1 && s[0]?.connected === true;
    });
    expect((await linkStats(host.page))[0]?.framesDecoded).toBe(0);
    // The viewer's own tile shows it is muted and has no camera.
    const own = viewer.page.locator('figure[data-peer-name="Viewer"]');
    await own.getByText('Muted').waitFor();
    await own.getByText('Camera off').waitFor();
  });
});
