// Issue 17, polls, over real sockets and storage. A voter is a person as the server knows
// them (the guest id of their cookie, or their account), so a reload, a second tab or a
// server restart cannot vote twice; late joiners get the open poll in `joined`.
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { PollView, ServerMessage } from '@parley/protocol';
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

/** A tab of the browser holding `cookie`, joined to `roomId`. */
const tab = (server: TestServer, roomId: string, name: string, cookie: string, extra = {}) =>
  guestTab(clients, server.url, cookie, roomId, name, extra);

/** The next `poll` view `c` gets (or got) that `match` accepts. */
async function pollSeen(c: TestClient, match: (p: PollView) => boolean): Promise<PollView> {
  const m = await c.next((x: ServerMessage) => x.type === 'poll' && match(x.poll));
  if (m.type !== 'poll') throw new Error('not a poll');
  return m.poll;
}

const LUNCH = {
  question: 'Where shall we eat?',
  options: ['Pizza', 'Noodles', 'Salad'],
  multiple: false,
  anonymous: false,
  changeable: false,
};

async function classroom(server?: TestServer) {
  const s = server ?? (await startTestServer());
  if (!server) servers.push(s);
  const { id, hostKey } = await s.createRoom();
  const [hostCookie, annCookie, bobCookie] = await Promise.all(
    [1, 2, 3].map(() => guestCookie(s.url)),
  );
  const host = await tab(s, id, 'Teacher', hostCookie as string, { hostKey });
  return { server: s, id, hostKey, host, annCookie: annCookie!, bobCookie: bobCookie! };
}

describe('polls (issue 17)', () => {
  it('reach a late joiner, take one vote per person across a reload and a second tab, and count exactly', async () => {
    const { server, id, host, annCookie, bobCookie } = await classroom();
    const bob = await tab(server, id, 'Bob', bobCookie);
    expect(await host.c.request({ type: 'poll-launch', ...LUNCH })).toMatchObject({ type: 'ok' });
    const launched = await pollSeen(bob.c, (p) => p.state === 'open');
    expect(launched).toMatchObject({ question: LUNCH.question, myChoices: null });
    expect(launched.results).toBeUndefined(); // guests see no results until shared
    const { pollId } = launched;
    // One poll at a time.
    const second = await host.c.request({ type: 'poll-launch', ...LUNCH });
    expect(second).toMatchObject({ type: 'error', code: ERROR_CODES.POLL_ALREADY_OPEN });

    // Ann joins after the launch: `joined` carries the open poll, and she answers it.
    const ann = await tab(server, id, 'Ann', annCookie);
    expect(ann.joined.poll).toMatchObject({ pollId, state: 'open', myChoices: null });
    expect(await ann.c.request({ type: 'poll-vote', pollId, choices: [1] })).toMatchObject({
      type: 'ok',
    });
    expect(await pollSeen(ann.c, (p) => p.myChoices !== null)).toMatchObject({ myChoices: [1] });
    await bob.c.request({ type: 'poll-vote', pollId, choices: [1] });
    const atHost = await pollSeen(host.c, (p) => p.results?.voters === 2);
    expect(atHost.results).toEqual({
      counts: [0, 2, 0],
      voters: 2,
      named: [
        { name: 'Ann', choices: [1] },
        { name: 'Bob', choices: [1] },
      ],
    });

    // Ann reloads (her tab leaves, a new one joins with the same cookie): it knows her vote,
    // and a hand-made second vote is refused. So is one from a second tab of hers.
    await ann.c.request({ type: 'leave' });
    const reloaded = await tab(server, id, 'Ann', annCookie);
    expect(reloaded.joined.peerId).not.toBe(ann.joined.peerId);
    expect(reloaded.joined.poll).toMatchObject({ pollId, myChoices: [1] });
    const again = await reloaded.c.request({ type: 'poll-vote', pollId, choices: [0] });
    expect(again).toMatchObject({ type: 'error', code: ERROR_CODES.ALREADY_VOTED });
    const secondTab = await tab(server, id, 'Ann', annCookie);
    const fromTab = await secondTab.c.request({ type: 'poll-vote', pollId, choices: [2] });
    expect(fromTab).toMatchObject({ type: 'error', code: ERROR_CODES.ALREADY_VOTED });

    // Choices the poll does not have, and several in a one-choice poll, are typed errors.
    for (const choices of [[3], [0, 2]]) {
      const bad = await host.c.request({ type: 'poll-vote', pollId, choices });
      expect(bad).toMatchObject({ type: 'error', code: ERROR_CODES.INVALID_VOTE });
    }
    // Only hosts and co-hosts launch, end and share.
    const refused = await bob.c.request({ type: 'poll-end', pollId });
    expect(refused).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });

    // The host's count did not move; the host votes too.
    await host.c.request({ type: 'poll-vote', pollId, choices: [0] });
    const final = await pollSeen(host.c, (p) => p.results?.voters === 3);
    expect(final.results?.counts).toEqual([1, 2, 0]);

    // Ended: everyone is told, no more votes; results stay with the host until shared.
    expect(await host.c.request({ type: 'poll-end', pollId })).toMatchObject({ type: 'ok' });
    const ended = await pollSeen(bob.c, (p) => p.state === 'ended');
    expect(ended.results).toBeUndefined();
    const late = await bob.c.request({ type: 'poll-vote', pollId, choices: [0] });
    expect(late).toMatchObject({ type: 'error', code: ERROR_CODES.POLL_CLOSED });
    await host.c.request({ type: 'poll-share', pollId });
    const shared = await pollSeen(bob.c, (p) => p.shared);
    // Shared with everyone: counts and voters, never who voted what.
    expect(shared.results).toEqual({ counts: [1, 2, 0], voters: 3 });
    // A newcomer after the share sees the shared results; unknown polls are typed errors.
    const cat = await tab(server, id, 'Cat', await guestCookie(server.url));
    expect(cat.joined.poll).toMatchObject({ pollId, state: 'ended', shared: true });
    const unknown = await host.c.request({ type: 'poll-share', pollId: 'x'.repeat(16) });
    expect(unknown).toMatchObject({ type: 'error', code: ERROR_CODES.NO_SUCH_POLL });
  });

  it('shows a guest made co-host the open poll’s live results at once, and hides them again', async () => {
    const { server, id, host, annCookie } = await classroom();
    const ann = await tab(server, id, 'Ann', annCookie);
    await host.c.request({ type: 'poll-launch', ...LUNCH });
    const { pollId } = await pollSeen(ann.c, (p) => p.state === 'open');
    await host.c.request({ type: 'poll-vote', pollId, choices: [1] });
    await host.c.request({ type: 'set-role', peerId: ann.joined.peerId, role: 'cohost' });
    const asCohost = await pollSeen(ann.c, (p) => p.results !== undefined);
    expect(asCohost.results).toMatchObject({ counts: [0, 1, 0], voters: 1 });
    ann.c.received.length = 0;
    await host.c.request({ type: 'set-role', peerId: ann.joined.peerId, role: 'guest' });
    expect((await pollSeen(ann.c, () => true)).results).toBeUndefined();
  });

  it('never sends an anonymous poll’s voter names, and lets a changeable vote be replaced', async () => {
    const { server, id, hostKey, host, annCookie } = await classroom();
    const ann = await tab(server, id, 'Annabelle', annCookie);
    const poll = { ...LUNCH, anonymous: true, changeable: true, multiple: true };
    await host.c.request({ type: 'poll-launch', ...poll });
    const { pollId } = await pollSeen(ann.c, (p) => p.state === 'open');
    await ann.c.request({ type: 'poll-vote', pollId, choices: [0, 2] });
    expect((await pollSeen(host.c, (p) => p.results?.voters === 1)).results).toEqual({
      counts: [1, 0, 1],
      voters: 1,
    });
    // Changed: replaced, not added.
    await ann.c.request({ type: 'poll-vote', pollId, choices: [1] });
    const changed = await pollSeen(host.c, (p) => p.results?.counts[1] === 1);
    expect(changed.results).toEqual({ counts: [0, 1, 0], voters: 1 });
    await host.c.request({ type: 'poll-share', pollId });
    await pollSeen(ann.c, (p) => p.shared);
    // Nobody's poll messages carry the voter's name, the host's included.
    for (const c of [host.c, ann.c]) {
      expect(JSON.stringify(c.of('poll'))).not.toContain('Annabelle');
    }
    // Nor does the download: the name was never stored.
    const csv = await fetch(`${server.url}/api/rooms/${id}/polls.csv`, {
      headers: { 'x-host-key': hostKey },
    });
    expect(await csv.text()).not.toContain('Annabelle');
  });

  it('keeps an open poll and its votes across a server restart, and hands hosts the CSV', async () => {
    const first = await startTestServer();
    const { id, hostKey, host, annCookie, bobCookie } = await classroom(first);
    const ann = await tab(first, id, 'Ann', annCookie);
    await host.c.request({ type: 'poll-launch', ...LUNCH, question: '=Best, "really"?' });
    const { pollId } = await pollSeen(ann.c, (p) => p.state === 'open');
    await ann.c.request({ type: 'poll-vote', pollId, choices: [2] });
    await pollSeen(host.c, (p) => p.results?.voters === 1);
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir });
    servers.push(second);
    const back = await tab(second, id, 'Ann', annCookie);
    expect(back.joined.poll).toMatchObject({ pollId, state: 'open', myChoices: [2] });
    const twice = await back.c.request({ type: 'poll-vote', pollId, choices: [0] });
    expect(twice).toMatchObject({ type: 'error', code: ERROR_CODES.ALREADY_VOTED });
    const bob = await tab(second, id, 'Bob', bobCookie);
    await bob.c.request({ type: 'poll-vote', pollId, choices: [0] });
    const teacher = await tab(second, id, 'Teacher', await guestCookie(second.url), { hostKey });
    expect(teacher.joined.poll?.results?.counts).toEqual([1, 0, 1]);
    await teacher.c.request({ type: 'poll-end', pollId });

    const url = `${second.url}/api/rooms/${id}/polls.csv`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'x-host-key': 'wrong' } })).status).toBe(401);
    const missing = `${second.url}/api/rooms/${'A'.repeat(22)}/polls.csv`;
    expect((await fetch(missing, { headers: { 'x-host-key': hostKey } })).status).toBe(404);
    const res = await fetch(url, { headers: { 'x-host-key': hostKey } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await res.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'poll,launched_at,ended_at,question,choice,anonymous,option,votes,voters,names',
    );
    expect(rows.slice(1).map((r) => r.split(',').slice(-4))).toEqual([
      ['Pizza', '1', '2', 'Bob'],
      ['Noodles', '0', '2', ''],
      ['Salad', '1', '2', 'Ann'],
    ]);
    // Formula-like text is defused and quotes are escaped.
    expect(rows[1]).toContain(`"'=Best, ""really""?"`);
  });
});
