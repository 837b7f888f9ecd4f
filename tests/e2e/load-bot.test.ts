// A load bot and a browser share a room: Chromium shows the bot like anyone else and decodes
// its pre-encoded clip through the SFU; the bot receives the browser's camera and microphone.
// A simulcast bot's layers reach the page as the app's own simulcast does: the tile's size
// picks the layer.

import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../load/Bot.ts';
import { loadClip, simulcastClip } from '../load/clip.ts';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { expectTilesLive, joinRoom, tileStats } from './support/call.ts';
import { waitFor } from './support/wait.ts';

describe('a browser in a room with a load bot', () => {
  // Two people are already an SFU room (the mesh with bots is load-bot-mesh.test.ts).
  const env = useServerAndBrowser({ sfu: true, meshMaxPeers: 1 });
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.close()));
  });

  async function createRoom(): Promise<{ id: string; hostKey: string }> {
    const res = await fetch(`${env.server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    return (await res.json()) as { id: string; hostKey: string };
  }

  it('decodes the bot’s video and shows its name; the bot receives the browser', async () => {
    const { id, hostKey } = await createRoom();
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

  it('decodes the simulcast layer the tile asks for: the full 720p wide, a low one narrow', async () => {
    simulcastClip(3); // FFmpeg (first run only) before the page's deadlines start
    const { id, hostKey } = await createRoom();
    const bot = new Bot({
      url: env.server.url,
      roomId: id,
      name: 'bot-pub-0',
      hostKey,
      publish: ['audio', 'video'],
      videoLayers: 3,
    });
    bots.push(bot);
    await bot.join();
    await bot.published;

    const viewport = { width: 1800, height: 1000 };
    const viewer = await newPeerPage(env.browser, { label: 'viewer', viewport });
    await joinRoom(viewer.page, `${env.server.url}/r/${id}`, 'Viewer');
    const botId = bot.snapshot().peerId ?? '';
    await expectTilesLive(viewer.page, [botId], 'sfu', 60_000);
    const width = async () =>
      (await tileStats(viewer.page)).find((t) => t.peerId === botId && t.source === 'camera')
        ?.frameWidth ?? 0;
    const wide = await waitFor('the 1280x720 layer in a wide tile', async () => {
      const w = await width();
      return w === 1280 && w;
    });
    await viewer.page.setViewportSize({ width: 420, height: 700 });
    const narrow = await waitFor('a low layer in a narrow tile', async () => {
      const w = await width();
      return w > 0 && w <= 640 && w;
    });
    console.log(`simulcast bot: ${wide} px wide in a wide tile, ${narrow} px in a narrow one`);
    expect(bot.snapshot().sent?.keyframeRequests).toBeGreaterThanOrEqual(1);
    expect(bot.snapshot().errors).toEqual([]);
  });
});
