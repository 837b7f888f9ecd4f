// Issue 17, raised hands and reactions, over real sockets and storage. A person is who the
// server says (its guest cookie), so a reload (a new socket, a new peer) keeps its hand and
// its place in line; a resume keeps it without anyone seeing it go.
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, LIMITS, PROTOCOL_VERSION } from '@parley/protocol';
import type { ServerMessage, ServerMessageOf } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { guestCookie, guestTab } from './support/guests.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

type Joined = ServerMessageOf<'joined'>;

/** A tab of the browser holding `cookie`, joined to `roomId`. */
const tab = (server: TestServer, roomId: string, name: string, cookie: string, extra = {}) =>
  guestTab(clients, server.url, cookie, roomId, name, extra);

/**
 * Waits for a `hands` list naming `names`, in order, among what `c` receives from now on (what
 * it had is dropped first); the last list it got when none does, so a failure shows it.
 */
function handsNext(c: TestClient, names: string[]): () => Promise<string[]> {
  c.received.length = 0;
  const listed = (m: ServerMessage) => (m.type === 'hands' ? m.raised.map((h) => h.name) : []);
  return async () => {
    const want = names.join(',');
    const seen = await c
      .next((m) => m.type === 'hands' && listed(m).join(',') === want)
      .catch(() => c.of('hands').at(-1));
    return seen ? listed(seen) : [];
  };
}

async function classOfFour() {
  const server = await startTestServer();
  servers.push(server);
  const { id, hostKey } = await server.createRoom();
  const cookies = await Promise.all([1, 2, 3, 4].map(() => guestCookie(server.url)));
  const host = await tab(server, id, 'Teacher', cookies[0] as string, { hostKey });
  const ann = await tab(server, id, 'Ann', cookies[1] as string);
  const bob = await tab(server, id, 'Bob', cookies[2] as string);
  const cat = await tab(server, id, 'Cat', cookies[3] as string);
  return { server, id, cookies, host, ann, bob, cat };
}

describe('raised hands (issue 17)', () => {
  it('are listed in the order they went up, and keep their place across a reload', async () => {
    const { server, id, cookies, host, ann, bob, cat } = await classOfFour();
    let hands = handsNext(host.c, ['Bob', 'Cat', 'Ann']);
    for (const s of [bob, cat, ann]) {
      expect(await s.c.request({ type: 'hand', raised: true })).toMatchObject({ type: 'ok' });
    }
    expect(await hands()).toEqual(['Bob', 'Cat', 'Ann']);
    // Raising again (a second press, a resend) keeps the place.
    await bob.c.request({ type: 'hand', raised: true });

    // Cat reloads: her old tab leaves, a new one joins with the same cookie (a new peer).
    hands = handsNext(host.c, ['Bob', 'Ann']);
    await cat.c.request({ type: 'leave' });
    expect(await hands()).toEqual(['Bob', 'Ann']);
    hands = handsNext(host.c, ['Bob', 'Cat', 'Ann']);
    const cat2 = await tab(server, id, 'Cat', cookies[3] as string);
    expect(cat2.joined.peerId).not.toBe(cat.joined.peerId);
    expect(cat2.joined.hands.map((h) => [h.name, h.peerId])).toEqual([
      ['Bob', bob.joined.peerId],
      ['Cat', cat2.joined.peerId],
      ['Ann', ann.joined.peerId],
    ]);
    expect(await hands()).toEqual(['Bob', 'Cat', 'Ann']);

    // Only hosts and co-hosts lower other people's hands.
    const refused = await ann.c.request({ type: 'hand-lower', peerId: bob.joined.peerId });
    expect(refused).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });
    hands = handsNext(ann.c, ['Cat', 'Ann']);
    await host.c.request({ type: 'hand-lower', peerId: bob.joined.peerId });
    expect(await hands()).toEqual(['Cat', 'Ann']);
    hands = handsNext(host.c, ['Cat']);
    await ann.c.request({ type: 'hand', raised: false });
    expect(await hands()).toEqual(['Cat']);
    hands = handsNext(cat2.c, []);
    await host.c.request({ type: 'hand-lower' });
    expect(await hands()).toEqual([]);
    const nobody = await host.c.request({ type: 'hand-lower', peerId: 'x'.repeat(16) });
    expect(nobody).toMatchObject({ type: 'error', code: ERROR_CODES.PEER_NOT_FOUND });
  });

  it('stay up through a resume, and nobody sees them go', async () => {
    const server = await startTestServer({ resumeWindowMs: 5000 });
    servers.push(server);
    const { id, hostKey } = await server.createRoom();
    const [hostCookie, annCookie] = [await guestCookie(server.url), await guestCookie(server.url)];
    const host = await tab(server, id, 'Teacher', hostCookie, { hostKey });
    const ann = await tab(server, id, 'Ann', annCookie);
    const hands = handsNext(host.c, ['Ann']);
    await ann.c.request({ type: 'hand', raised: true });
    expect(await hands()).toEqual(['Ann']);
    const before = host.c.of('hands').length;

    ann.c.ws.terminate(); // the network vanished: no leave
    const back = await TestClient.connect(server.url, { headers: { cookie: annCookie } });
    clients.push(back);
    await back.request({ type: 'hello', version: PROTOCOL_VERSION });
    const resumed = (await back.request({
      type: 'resume',
      roomId: id,
      peerId: ann.joined.peerId,
      resumeToken: ann.joined.resumeToken,
      lastSeq: 0,
    })) as Joined;
    expect(resumed).toMatchObject({ type: 'joined', resumed: true });
    expect(resumed.hands.map((h) => h.name)).toEqual(['Ann']);
    await host.c.request({ type: 'ping' });
    expect(host.c.of('hands')).toHaveLength(before);
  });
});

describe('reactions (issue 17)', () => {
  it('reach everyone, at once or batched, and a flood is cut to the limit with a typed error', async () => {
    const { host, ann, bob, cat } = await classOfFour();
    await Promise.all([
      ann.c.request({ type: 'react', reaction: '👏' }),
      bob.c.request({ type: 'react', reaction: '🎉' }),
      cat.c.request({ type: 'react', reaction: '👏' }),
    ]);
    // Each reaches the host once (which socket's frame the server read first is the network's).
    const items = () => host.c.of('reactions').flatMap((m) => m.items);
    await host.c.next(() => items().length === 3);
    const sorted = (xs: { peerId: string; reaction: string }[]) =>
      xs.map((i) => `${i.peerId} ${i.reaction}`).sort();
    expect(sorted(items())).toEqual(
      sorted([
        { peerId: ann.joined.peerId, reaction: '👏' },
        { peerId: bob.joined.peerId, reaction: '🎉' },
        { peerId: cat.joined.peerId, reaction: '👏' },
      ]),
    );
    // The sender sees its own reactions too (its tile shows them like everyone's).
    await ann.c.next((m) => m.type === 'reactions');

    // Ann sends 12 at once: a burst passes (one token was spent above), the rest are refused.
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => ann.c.request({ type: 'react', reaction: '❤️' })),
    );
    const passed = replies.filter((r) => r.type === 'ok').length;
    expect(passed).toBeGreaterThanOrEqual(LIMITS.REACTION_BURST - 1);
    expect(passed).toBeLessThanOrEqual(LIMITS.REACTION_BURST);
    for (const r of replies.filter((x) => x.type !== 'ok')) {
      expect(r).toMatchObject({ type: 'error', code: ERROR_CODES.RATE_LIMITED });
    }
    await new Promise((r) => setTimeout(r, LIMITS.REACTION_BATCH_MS * 3));
    const withHearts = bob.c
      .of('reactions')
      .map((m) => m.items.filter((i) => i.reaction === '❤️').length)
      .filter((n) => n > 0);
    expect(withHearts.reduce((a, b) => a + b, 0)).toBe(passed);
    // Batched: at most the one that went out at once, then the rest together.
    expect(withHearts.length).toBeLessThanOrEqual(2);
  });
});
