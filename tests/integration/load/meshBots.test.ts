// Load bots as mesh participants against the real server (signaling relay, a real mediasoup
// worker for the SFU side, werift on both ends of every link): two bots in a mesh room count
// each other's media, and follow the room to the SFU and back, closing each side only after
// the `swapped` notes say both ends moved (make before break).

import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../load/Bot.ts';
import type { ConsumerReport } from '../../load/Bot.ts';
import { loadClip } from '../../load/clip.ts';
import { eventually } from '../support/client.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const servers: TestServer[] = [];
const bots: Bot[] = [];
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function server(options: { meshMaxPeers: number }): Promise<TestServer> {
  const s = await startTestServer({
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 56000,
      rtcMaxPort: 56999,
    },
    meshMaxPeers: options.meshMaxPeers,
    sfuDowngradeHoldS: 1,
    sfuDowngradeGraceS: 20,
  });
  servers.push(s);
  return s;
}

function publisher(s: TestServer, roomId: string, name: string, hostKey?: string): Bot {
  const b = new Bot({
    url: s.url,
    roomId,
    name,
    ...(hostKey ? { hostKey } : {}),
    publish: ['audio', 'video'],
    clip: loadClip(),
  });
  bots.push(b);
  return b;
}

/**
 * `bot` receives `from`'s audio and video through `via` now: for each kind, a consumer (or mesh
 * track) whose packets grow from this call on, the video one with a keyframe. Counts of a path
 * that has since closed do not pass.
 */
async function receives(bot: Bot, from: string, via: 'mesh' | 'sfu'): Promise<void> {
  const mine = () =>
    bot.snapshot().consumers.filter((c) => c.producerPeerId === from && (c.via ?? 'sfu') === via);
  const before = new Map(mine().map((c) => [c.consumerId, c.counts.packets]));
  const grown = (c: ConsumerReport) => c.counts.packets > (before.get(c.consumerId) ?? 0);
  await eventually(() => {
    const now = mine().filter(grown);
    return (
      now.some((c) => c.kind === 'audio') &&
      now.some((c) => c.kind === 'video' && c.counts.keyframes > 0)
    );
  }, 20_000).catch((e: unknown) => {
    const r = bot.snapshot();
    console.info(
      `${r.name} from ${from} via ${via}:`,
      JSON.stringify(r.consumers.map((c) => [c.producerPeerId, c.kind, c.via, c.counts.packets])),
      r.errors,
    );
    throw e;
  });
}

async function mode(s: TestServer, id: string): Promise<string> {
  const res = await fetch(`${s.url}/api/rooms/${id}`);
  return ((await res.json()) as { mode: string }).mode;
}

const idOf = (b: Bot) => b.snapshot().peerId ?? '';
const errorsOf = (list: Bot[]) => list.flatMap((b) => b.snapshot().errors);

describe('load bots in a mesh room', () => {
  it('two publishers and a subscriber count each other over mesh links', async () => {
    const s = await server({ meshMaxPeers: 4 });
    const { id, hostKey } = await s.createRoom();
    const a = publisher(s, id, 'bot-a', hostKey);
    await a.join();
    const b = publisher(s, id, 'bot-b');
    await b.join();
    const sub = new Bot({ url: s.url, roomId: id, name: 'bot-sub', publish: [] });
    bots.push(sub);
    await sub.join();
    expect([a, b, sub].map((x) => x.report.joinedMode)).toEqual(['mesh', 'mesh', 'mesh']);
    await receives(a, idOf(b), 'mesh');
    await receives(b, idOf(a), 'mesh');
    await receives(sub, idOf(a), 'mesh');
    await receives(sub, idOf(b), 'mesh');
    expect([a.meshLinks, b.meshLinks, sub.meshLinks]).toEqual([2, 2, 2]);
    // The subscriber's links only receive: nobody counts a track from it.
    const fromSub = [a, b].flatMap((x) =>
      x.snapshot().consumers.filter((c) => c.producerPeerId === idOf(sub)),
    );
    expect(fromSub).toEqual([]);
    expect(errorsOf([a, b, sub])).toEqual([]);
  });

  it('follows the room to the SFU and back, closing each path after both ends moved', async () => {
    // Above 3 peers: SFU; back to the mesh at 2 after a 1 s hold.
    const s = await server({ meshMaxPeers: 3 });
    const { id, hostKey } = await s.createRoom();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n, i) =>
      publisher(s, id, `bot-${n}`, i === 0 ? hostKey : undefined),
    ) as [Bot, Bot, Bot, Bot];
    for (const x of [a, b, c]) await x.join();
    await receives(a, idOf(b), 'mesh');
    await receives(c, idOf(a), 'mesh');
    expect([a.meshLinks, b.meshLinks, c.meshLinks]).toEqual([2, 2, 2]);

    const toSfu = Date.now();
    await d.join();
    expect(d.report.joinedMode).toBe('sfu');
    await receives(a, idOf(b), 'sfu');
    await receives(b, idOf(a), 'sfu');
    await receives(a, idOf(d), 'sfu');
    // Closed by the notes, not by the 15 s fallback.
    await eventually(() => [a, b, c].every((x) => x.meshLinks === 0), 10_000);
    const linksClosedMs = Date.now() - toSfu;

    await Promise.all([c.close(), d.close()]);
    await eventually(async () => (await mode(s, id)) === 'mesh', 10_000);
    await receives(a, idOf(b), 'mesh');
    await receives(b, idOf(a), 'mesh');
    expect([a.meshLinks, b.meshLinks]).toEqual([1, 1]);
    console.info(
      `mesh -> SFU: the bots closed their links ${linksClosedMs} ms after the 4th joined`,
    );
    expect(errorsOf([a, b, c, d])).toEqual([]);
  });
});
