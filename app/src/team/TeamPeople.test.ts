import { describe, expect, it } from 'vitest';
import type { ClientMessage, PeerInfo, ServerMessage, WaitingPeer } from '@parley/protocol';
import { RequestChannel } from '../call/session/RequestChannel.ts';
import { TeamPeople } from './TeamPeople.ts';
import { TeamStore } from './TeamStore.ts';

const waiting = (peerId: string, name: string) => ({ peerId, name, since: 0 }) as WaitingPeer;
const peer = (peerId: string, name: string, role: PeerInfo['role'] = 'guest') =>
  ({ peerId, name, role, media: { audio: true, video: false } }) as PeerInfo;

/** TeamPeople on a real RequestChannel whose socket is a list; `reply` answers the last send. */
function setup() {
  const sent: (ClientMessage & { rid?: number })[] = [];
  let rid = 1;
  const rpc = new RequestChannel(
    (msg) => (sent.push(msg), true),
    () => rid++,
  );
  const store = new TeamStore();
  store.update({ phase: 'in-team', role: 'host', selfId: 'me' });
  const people = new TeamPeople({ rpc, store });
  const reply = (msg: Record<string, unknown>) =>
    rpc.onMessage({ ...msg, rid: sent.at(-1)?.rid } as ServerMessage);
  return { sent, store, people, reply };
}

describe('TeamPeople', () => {
  it('follows who comes, changes and goes, in the order they came', () => {
    const { store, people } = setup();
    people.onJoined([peer('a', 'Ann', 'host')]);
    people.onPeer(peer('d', 'Dan'));
    people.onPeer(peer('d', 'Dan', 'cohost'));
    expect(store.current.people).toEqual([
      { peerId: 'a', name: 'Ann', role: 'host' },
      { peerId: 'd', name: 'Dan', role: 'cohost' },
    ]);
    expect(store.current.names.d).toBe('Dan');
    people.onLeft('a');
    expect(store.current.people.map((p) => p.name)).toEqual(['Dan']);
  });

  it('tells an arrival, and takes it back once nobody waits', () => {
    const { store, people } = setup();
    people.onLobby([waiting('d', 'Dan')]);
    expect(store.current.notice).toBe('Dan is waiting to join.');
    people.onLobby([]);
    expect(store.current.lobby).toEqual([]);
    expect(store.current.notice).toBeNull();
  });

  it('forgets the waiting list when we stop being an admin', () => {
    const { store, people } = setup();
    people.onLobby([waiting('d', 'Dan')]);
    people.onRole('guest');
    expect(store.current.role).toBe('guest');
    expect(store.current.lobby).toEqual([]);
  });

  it('sends the controls and tells a refusal in the team’s words', async () => {
    const { sent, store, people, reply } = setup();
    const made = people.setAdmin('d', true);
    expect(sent.at(-1)).toMatchObject({ type: 'set-role', peerId: 'd', role: 'cohost' });
    reply({ type: 'ok' });
    expect(await made).toBe(true);

    const ended = people.endTurn('d');
    expect(sent.at(-1)).toMatchObject({ type: 'floor-revoke', peerId: 'd' });
    reply({ type: 'error', code: 'FORBIDDEN', message: 'no' });
    expect(await ended).toBe(false);
    expect(store.current.notice).toBe('You cannot end their turn: only an admin can.');
  });
});
