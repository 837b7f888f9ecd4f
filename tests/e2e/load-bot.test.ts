// A load bot and a browser share a room: Chromium shows the bot like anyone else and decodes
// its pre-encoded clip through the SFU; the bot receives the browser's camera and microphone.

import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../load/Bot.ts';
import { loadClip } from '../load/clip.ts';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { expectTilesLive, joinRoom } from './support/call.ts';
import { waitFor } from './support/wait.ts';

describe('a browser in a room with a load bot', () => {
  // Two people are already an SFU room: bots speak only the SFU so far.
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 1 });
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.close()));
  });

  it('decodes the bot’s video and shows its name; the bot receives the browser', async () => {
    const res = await fetch(`${env.server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    const { id, hostKey } = (await res.json()) as { id: string; hostKey: string };
    const bot = new Bot({
      url: env.server.url,
      roomId: id,
      name: 'bot-pub-0',
      hostKey,
      publish: ['audio', 'video'],
      clip: loadClip(),
    });
    bots.push(bot);
    await bot.join();

    const viewer = await newPeerPage(env.browser, { label: 'viewer' });
    await joinRoom(viewer.page, `${env.server.url}/r/${id}`, 'Viewer');
    const botId = bot.snapshot().peerId ?? '';
    const [tile] = await expectTilesLive(viewer.page, [botId], 'sfu', 60_000);
    expect(tile?.frameWidth).toBe(640);
    await viewer.page.locator('figure[data-peer-name="bot-pub-0"]').waitFor();

    await waitFor('the bot to receive the browser’s audio and video', () => {
      const consumers = bot.snapshot().consumers;
      return (
        consumers.length === 2 &&
        consumers.every((c) => c.counts.packets > 0) &&
        consumers.some((c) => c.kind === 'video' && c.counts.keyframes > 0)
      );
    });
    expect(bot.snapshot().errors).toEqual([]);
  });
});
