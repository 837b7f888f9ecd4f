// Issue 13, "End-to-end" and "Failures" item 1: three Parley processes behind HAProxy (the
// topology of `npm run cluster`), real Chromium pages that only ever open the load balancer's
// URL, and a node killed with SIGKILL while it holds a mesh room and an SFU room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CreateRoomResponse, RoomStatus } from '@parley/protocol';
import type { LocalCluster } from '../../deploy/local/index.ts';
import type { TestClient } from '../integration/support/client.ts';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { chatTexts, expectTilesLive, goLive, joinRoom, selfId, sendChat } from './support/call.ts';
import {
  PlacementView,
  cameraTracks,
  createRoomAt,
  holdHostKey,
  protocolMember,
  startE2eCluster,
  statusAt,
  timeRecovery,
} from './support/cluster.ts';
import { waitFor } from './support/wait.ts';
import { videoState } from './support/watch.ts';

/**
 * The call's pages. The nodes run with MESH_MAX_PEERS=2 (support/cluster.ts), so two pages
 * are a mesh and the third moves the call to the SFU: every path of a bigger meeting, with four
 * Chromium pages rather than six. Six pages (and seven in the failover) on two cores starved
 * each other: the sixth took 22-33 s to join, and requests went unanswered for 10 s and more.
 */
const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret'];
/** Pages on the mesh before the next one moves the call to the SFU (the nodes' MESH_MAX_PEERS). */
const MESH_PAGES = 2;
/**
 * A correctness deadline for a room to come back after its node died, not a target (the
 * issue's target, p95 <= 10 s, is the benchmark's to measure). Generous: five pages rebuild
 * their calls at once, and on a busy two-core machine the SFU room took over 30 s.
 */
const FAILOVER_DEADLINE_MS = 45_000;

/** The app's console warnings of each page (the last ones), for a failure message. */
const warnings = new Map<Page, string[]>();
/** The running cluster, for failure messages outside the describe block. */
let clusterRef: LocalCluster | undefined;

/** Every page shows every other page's camera, decoding, through `via`. */
async function expectAllLive(pages: Page[], ids: string[], via: 'mesh' | 'sfu') {
  await Promise.all(
    pages.map(async (p, i) => {
      try {
        await expectTilesLive(
          p,
          ids.filter((_, j) => j !== i),
          via,
          60_000,
        );
      } catch (error) {
        const said = (warnings.get(p) ?? []).join('\n  ');
        throw new Error(
          `${String(error)}\nits warnings:\n  ${said || '(none)'}\nthe nodes' warnings:\n${nodeWarnings()}`,
          { cause: error },
        );
      }
    }),
  );
}

/** The warnings and errors each node logged last, for a failure message. */
function nodeWarnings(): string {
  return (clusterRef?.nodes ?? [])
    .map((n) => {
      const lines = n
        .logs()
        .split('\n')
        .filter((l) => /warn|error/i.test(l));
      return `--- ${n.id}\n${lines.slice(-25).join('\n').slice(-4000)}`;
    })
    .join('\n');
}

async function expectChatEverywhere(pages: Page[], text: string): Promise<void> {
  await Promise.all(
    pages.map((p) =>
      waitFor(`"${text}" in the chat`, async () => (await chatTexts(p)).includes(text)),
    ),
  );
}

/** Leaves the call from the UI, so the seat is freed now rather than after the resume window. */
async function leave(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Leave' }).click();
  await page.getByText('You left the call.').waitFor();
}

describe('three nodes behind HAProxy', () => {
  let cluster: LocalCluster;
  let browser: Browser;
  let placement: PlacementView;
  const contexts: BrowserContext[] = [];
  const clients: TestClient[] = [];
  /**
   * The first test's call, which the second one goes on with (its pages are the costliest
   * part of this file on two cores: they join once). Set once it is in the SFU.
   */
  let call: { room: CreateRoomResponse; link: string; pages: Page[] } | undefined;
  /** Admitted peers of every room the tests keep open, for reading placement's loads. */
  const members = new Map<string, number>();

  beforeAll(async () => {
    const started = Date.now();
    // Side by side, but each kept as soon as it is up, so afterAll closes whatever started.
    const [up, launched] = await Promise.allSettled([startE2eCluster(3), launchChromium()]);
    if (launched.status === 'fulfilled') browser = launched.value;
    if (up.status === 'rejected') throw up.reason;
    cluster = up.value;
    clusterRef = cluster;
    if (launched.status === 'rejected') throw launched.reason;
    placement = await PlacementView.open(cluster.redis.url);
    console.log(
      `[cluster] 3 nodes, Redis, PostgreSQL and HAProxy up in ${Date.now() - started} ms`,
    );
  });
  afterAll(async () => {
    // What kept a socket's next messages waiting (see connection.ts), for reading a slow run.
    const slow = (cluster?.nodes ?? []).flatMap((n) =>
      n
        .logs()
        .split('\n')
        .filter((l) => l.includes('slow message'))
        .map((l) => `${n.id}: ${l.slice(0, 300)}`),
    );
    if (slow.length > 0) console.log(`[cluster] slow messages:\n${slow.join('\n')}`);
    for (const c of clients) c.ws.terminate();
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
    placement?.close();
    await cluster?.stop();
  });

  /** A page in a context of its own; the room's host when given the room's host key. */
  async function openPage(label: string, hostOf?: CreateRoomResponse): Promise<Page> {
    const { context, page } = await newPeerPage(browser, { label });
    contexts.push(context);
    const said: string[] = [];
    warnings.set(page, said);
    page.on('console', (msg) => {
      if (msg.type() !== 'warning') return;
      said.push(`${new Date().toISOString().slice(11, 23)} ${msg.text().slice(0, 300)}`);
      said.splice(0, said.length - 30);
    });
    if (hostOf) await holdHostKey(context, hostOf);
    return page;
  }

  const status = (roomId: string): Promise<RoomStatus> => statusAt(cluster.url, roomId);
  const joinTimes: number[] = [];

  /** joinRoom, saying what the page showed and what the nodes logged when it fails. */
  async function join(page: Page, link: string, name: string): Promise<void> {
    const started = Date.now();
    try {
      await joinRoom(page, link, name);
      joinTimes.push(Date.now() - started);
    } catch (error) {
      const text = await page
        .locator('body')
        .innerText()
        .catch(() => '(no page)');
      const logs = cluster.nodes.map((n) => `--- ${n.id}\n${n.logs().slice(-1500)}`).join('\n');
      throw new Error(
        `${name} is not in the call after ${Date.now() - started} ms. Page:\n${text}\n${logs}`,
        {
          cause: error,
        },
      );
    }
  }

  it('four browsers share one call through the load balancer; rooms spread; chat and broadcast reach everyone', async () => {
    const lb = cluster.url;
    const room = await createRoomAt(lb);
    const link = `${lb}/r/${room.id}`;
    const pages: Page[] = [];
    for (const [i, name] of NAMES.entries())
      pages.push(await openPage(name, i === 0 ? room : undefined));

    // The mesh for the first two...
    const meshed = pages.slice(0, MESH_PAGES);
    for (const [i, page] of meshed.entries()) await join(page, link, NAMES[i] as string);
    await expectAllLive(meshed, await Promise.all(meshed.map(selfId)), 'mesh');
    expect(await status(room.id)).toMatchObject({ mode: 'mesh', admitted: MESH_PAGES });

    // ...the SFU from the third on.
    await join(pages[MESH_PAGES] as Page, link, NAMES[MESH_PAGES] as string);
    await waitFor('the room to report sfu', async () => (await status(room.id)).mode === 'sfu');
    for (let i = MESH_PAGES + 1; i < pages.length; i += 1)
      await join(pages[i] as Page, link, NAMES[i] as string);
    const ids = await Promise.all(pages.map(selfId));
    await expectAllLive(pages, ids, 'sfu');
    const first = await status(room.id);
    expect(first).toMatchObject({
      mode: 'sfu',
      admitted: NAMES.length,
      node: expect.stringMatching(/^node/),
    });
    console.log(`[cluster] join (open link -> in call) per page, ms: ${joinTimes.join(', ')}`);
    call = { room, link, pages };
    members.set(room.id, pages.length);
    // Every node answers the same about the room, naming its owner.
    for (const node of cluster.nodes) {
      expect(await statusAt(node.url, room.id)).toMatchObject({
        node: first.node,
        admitted: NAMES.length,
      });
    }

    // Two more rooms go to the least loaded nodes: not the one holding the call.
    const more: { id: string; node: string | null | undefined }[] = [];
    for (const name of ['Second', 'Third']) {
      const other = await createRoomAt(lb);
      clients.push(await protocolMember(lb, other.id, name));
      members.set(other.id, 1);
      more.push({ id: other.id, node: (await status(other.id)).node });
    }
    console.log(
      `[cluster] placement: ${first.node} <- call, ${more.map((r) => r.node).join(', ')}`,
    );
    // The requirement: new rooms go to other nodes than the busy one. (Which of the two
    // idle nodes takes each is placement's tie-break and the last renewal's timing.)
    expect(more.map((r) => r.node)).not.toContain(first.node);

    // Chat from one page reaches all of them.
    await sendChat(pages[2] as Page, 'hello from Linus');
    await expectChatEverywhere(pages, 'hello from Linus');

    // The host goes on air; a viewer watches through the load balancer.
    const host = pages[0] as Page;
    const onAirAt = Date.now();
    await goLive(host);
    await host.getByRole('status').filter({ hasText: 'On air' }).waitFor({ timeout: 30_000 });
    expect(await status(room.id)).toMatchObject({ live: true });
    // The HLS files live on the owner; a node that does not hold the room fetches them from it.
    const elsewhere = cluster.nodes.find((n) => n.id !== first.node);
    // The host's viewer link names the broadcast (not the room), and any node finds its owner.
    const watchUrl = new URL((await host.locator('a.watch-link').getAttribute('href')) ?? '');
    const broadcastId = watchUrl.pathname.split('/').pop() ?? '';
    expect(broadcastId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(broadcastId).not.toBe(room.id);
    await waitFor(
      'the playlist through a node that does not hold the room',
      async () => {
        const res = await fetch(`${elsewhere?.url}/hls/${broadcastId}/index.m3u8`);
        return res.status === 200 && (await res.text()).includes('#EXTINF');
      },
      { timeoutMs: 120_000 },
    );
    const viewer = await openPage('viewer');
    await viewer.goto(`${lb}/watch/${broadcastId}`);
    const playing = await waitFor(
      'the viewer to play the broadcast',
      async () => {
        const v = await videoState(viewer);
        return v.totalVideoFrames > 10 && v.currentTime > 0.5 && v;
      },
      { timeoutMs: 120_000 },
    );
    await waitFor('playback to advance', async () => {
      const v = await videoState(viewer);
      return v.currentTime > playing.currentTime + 1 && v;
    });
    console.log(`[cluster] on air -> viewer playing through HAProxy: ${Date.now() - onAirAt} ms`);

    await host.getByRole('button', { name: 'Stop broadcast' }).click();
    const stoppedAt = Date.now();
    // The server has taken the room off air once the host is offered Go live again.
    await host.getByRole('button', { name: 'Go live' }).waitFor({ timeout: 30_000 });
    expect(await status(room.id)).toMatchObject({ live: false });
    // The viewer learns it from its next status poll (every 3 s), then lets the last segments
    // play out (up to 15 s, WatchController's DRAIN_MS): a bound of 60 s leaves room for a
    // machine this busy, where a poll through HAProxy and a node can take seconds.
    await viewer.getByText('The broadcast has ended.').waitFor({ timeout: 60_000 });
    console.log(`[cluster] stop -> viewer shows the end: ${Date.now() - stoppedAt} ms`);
    await viewer.context().close();
  }, 420_000); // four Chromium pages, FFmpeg and three nodes share two cores

  it('a node killed with SIGKILL: its mesh and SFU rooms come back on another node, same link, same chat, video again', async () => {
    if (!call) throw new Error('needs the call of the first test');
    const lb = cluster.url;
    // The SFU room: the first test's call, one page fewer (still above the mesh's limit).
    const sfuRoom = call.room;
    const sfuLink = call.link;
    const sfuPages = call.pages.slice(0, -1);
    await leave(call.pages.at(-1) as Page);
    members.set(sfuRoom.id, sfuPages.length);
    const owner = (
      await waitFor(`the call to count ${sfuPages.length} peers`, async () => {
        const s = await status(sfuRoom.id);
        return s.admitted === sfuPages.length && s.mode === 'sfu' && s;
      })
    ).node as string;

    // Placement sends a new room to the least loaded node, which the SFU room's node is not:
    // give the other nodes rooms of their own (one protocol client each) until it is. The
    // loads are read from the nodes' last renewals, so a room another node lets go of between
    // that check and the placement can still win (seen once in CI): then the two pages leave
    // that room and the set-up tries again with one more filler. The kill is what is tested.
    let fillers = 0;
    let mesh: { room: CreateRoomResponse; link: string; pages: Page[] } | undefined;
    for (let attempt = 1; !mesh; attempt += 1) {
      fillers += await makeLeastLoaded(owner);
      const room = await createRoomAt(lb);
      const link = `${lb}/r/${room.id}`;
      const pages: Page[] = [];
      for (const name of ['Frances', 'Alan']) {
        const page = await openPage(name);
        await join(page, link, name);
        pages.push(page);
      }
      const placed = (await status(room.id)).node;
      if (placed === owner) {
        mesh = { room, link, pages };
        break;
      }
      if (attempt >= 3) throw new Error(`the mesh room went to ${placed}, not ${owner}, 3 times`);
      console.log(`[cluster] the mesh room went to ${placed}, not ${owner}: trying again`);
      for (const page of pages) await leave(page);
    }
    const { room: meshRoom, link: meshLink, pages: meshPages } = mesh;
    await expectAllLive(meshPages, await Promise.all(meshPages.map(selfId)), 'mesh');
    expect(await status(meshRoom.id)).toMatchObject({ node: owner, mode: 'mesh', admitted: 2 });
    members.set(meshRoom.id, 2);
    console.log(`[cluster] both rooms on ${owner} after ${fillers} filler room(s) elsewhere`);

    await sendChat(sfuPages[1] as Page, 'sfu room: before the kill');
    await expectChatEverywhere(sfuPages, 'sfu room: before the kill');
    await sendChat(meshPages[0] as Page, 'mesh room: before the kill');
    await expectChatEverywhere(meshPages, 'mesh room: before the kill');

    const rooms = [
      { name: 'sfu', room: sfuRoom, link: sfuLink, pages: sfuPages, via: 'sfu' as const },
      { name: 'mesh', room: meshRoom, link: meshLink, pages: meshPages, via: 'mesh' as const },
    ];
    const allPages = [...sfuPages, ...meshPages];
    // A reload would lose this: the pages must come back by themselves, in the same document.
    await Promise.all(
      allPages.map((p) => p.evaluate(() => ((globalThis as { __kept?: boolean }).__kept = true))),
    );
    const before = new Map(
      await Promise.all(allPages.map(async (p) => [p, await cameraTracks(p)] as const)),
    );

    const victim = cluster.nodes.find((n) => n.id === owner);
    if (!victim) throw new Error(`no node ${owner}`);
    const killedAt = Date.now();
    await victim.kill('SIGKILL');

    const recovered = await timeRecovery(rooms, before, killedAt, FAILOVER_DEADLINE_MS);
    const times = recovered.map((r) => r.ms).sort((a, b) => a - b);
    console.log(
      `[cluster] SIGKILL ${owner} -> video decoding again: ` +
        recovered.map((r) => `${r.room}#${r.page} ${r.ms} ms`).join(', ') +
        ` (median ${times[Math.floor(times.length / 2)]} ms, worst ${times.at(-1)} ms)`,
    );

    for (const r of rooms) {
      const back = await waitFor(
        `the ${r.name} room on another node with everyone admitted`,
        async () => {
          const s = await status(r.room.id);
          const moved = typeof s.node === 'string' && s.node !== owner;
          return moved && s.admitted === r.pages.length && s;
        },
      );
      expect(back.mode).toBe(r.via);
      console.log(`[cluster] the ${r.name} room is back on ${back.node}`);
      for (const page of r.pages) {
        expect(page.url()).toBe(r.link);
        expect(await page.evaluate(() => (globalThis as { __kept?: boolean }).__kept)).toBe(true);
        const texts = await chatTexts(page);
        expect(texts.filter((t) => t === `${r.name} room: before the kill`)).toHaveLength(1);
      }
      await expectAllLive(r.pages, await Promise.all(r.pages.map(selfId)), r.via);
      // The history a newcomer gets comes from the new owner (PostgreSQL), not a page's memory.
      const late = await protocolMember(lb, r.room.id, 'Latecomer');
      clients.push(late);
      expect(await late.request({ type: 'chat-sync', since: 0 })).toMatchObject({
        type: 'chat-history',
        messages: expect.arrayContaining([
          expect.objectContaining({ text: `${r.name} room: before the kill` }),
        ]),
      });
    }
  }, 180_000);

  /**
   * Adds filler rooms (a protocol client each, through HAProxy) until `target` is the node
   * placement picks next: the one with the strictly lowest load. Returns how many it took.
   */
  async function makeLeastLoaded(target: string): Promise<number> {
    for (let added = 0; ; added += 1) {
      const expected = new Map<string, number>();
      for (const [roomId, peers] of members) {
        const node = (await status(roomId)).node ?? '';
        expected.set(node, (expected.get(node) ?? 0) + peers);
      }
      // Loads count peers as of each node's last renewal (every second): wait until they do.
      const nodes = await waitFor('every node to report its peers', async () => {
        const list = await placement.nodes();
        return list.every((n) => n.peers === (expected.get(n.id) ?? 0)) && list;
      });
      const mine = nodes.find((n) => n.id === target);
      if (mine && nodes.every((n) => n.id === target || n.load > mine.load)) return added;
      if (added >= 6)
        throw new Error(`placement never favoured ${target}: ${JSON.stringify(nodes)}`);
      const filler = await createRoomAt(cluster.url);
      clients.push(await protocolMember(cluster.url, filler.id, `Filler ${added}`));
      members.set(filler.id, 1);
    }
  }
});
