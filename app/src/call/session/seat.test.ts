import { describe, expect, it } from 'vitest';
import type { PeerInfo } from '@parley/protocol';
import type { PeerView } from '../callState.ts';
import { Seat, dedupePeers, reconcilePeers } from './seat.ts';

const ROOM = 'abcdefghijklmnopqrstuv';

function info(peerId: string, name = peerId, audio = true): PeerInfo {
  return { peerId, name, role: 'guest', media: { audio, video: true } } as PeerInfo;
}

function view(peerId: string, connected: boolean, name = peerId): PeerView {
  return { peerId, name, role: 'guest', media: { audio: true, video: true }, connected };
}

const ids = (peers: readonly PeerView[]) => peers.map((p) => p.peerId);

describe('Seat', () => {
  it('has nothing to resume before it is taken', () => {
    const seat = new Seat();
    expect(seat.peerId).toBeNull();
    expect(seat.resumeMessage(ROOM, 0, 1)).toBeNull();
  });

  it('resumes with the peer id and token the server gave', () => {
    const seat = new Seat();
    seat.take('peer-aaaaaaaa', 'token-1');
    expect(seat.peerId).toBe('peer-aaaaaaaa');
    expect(seat.resumeMessage(ROOM, 12, 5)).toEqual({
      type: 'resume',
      rid: 5,
      roomId: ROOM,
      peerId: 'peer-aaaaaaaa',
      resumeToken: 'token-1',
      lastSeq: 12,
    });
  });

  it('offers the seat for a join after a failed resume, until it is released', () => {
    const seat = new Seat();
    expect(seat.claim()).toBeNull();
    seat.take('peer-aaaaaaaa', 'token-1');
    expect(seat.claim()).toEqual({ peerId: 'peer-aaaaaaaa', resumeToken: 'token-1' });
    seat.release();
    expect(seat.claim()).toBeNull();
  });

  it('a newer join replaces the seat', () => {
    const seat = new Seat();
    seat.take('peer-aaaaaaaa', 'token-1');
    seat.take('peer-bbbbbbbb', 'token-2');
    expect(seat.resumeMessage(ROOM, 0, 1)).toMatchObject({
      peerId: 'peer-bbbbbbbb',
      resumeToken: 'token-2',
    });
  });

  it('has nothing to resume once released', () => {
    const seat = new Seat();
    seat.take('peer-aaaaaaaa', 'token-1');
    seat.release();
    expect(seat.peerId).toBeNull();
    expect(seat.resumeMessage(ROOM, 3, 2)).toBeNull();
  });
});

describe('reconcilePeers', () => {
  it('lists the peers of the snapshot, in its order', () => {
    const current = [view('a', true), view('b', true)];
    expect(ids(reconcilePeers(current, [info('c'), info('b'), info('a')]))).toEqual([
      'c',
      'b',
      'a',
    ]);
  });

  it('drops a peer that left while we were away', () => {
    const current = [view('a', true), view('gone', true)];
    expect(ids(reconcilePeers(current, [info('a')]))).toEqual(['a']);
  });

  it('keeps the link state of peers it knew; a newcomer is not connected yet', () => {
    const current = [view('a', true), view('b', false)];
    const peers = reconcilePeers(current, [info('a'), info('b'), info('new')]);
    expect(peers.map((p) => [p.peerId, p.connected])).toEqual([
      ['a', true],
      ['b', false],
      ['new', false],
    ]);
  });

  it('takes names and media from the snapshot', () => {
    const current = [view('a', true, 'Old name')];
    const [peer] = reconcilePeers(current, [info('a', 'New name', false)]);
    expect(peer).toMatchObject({ name: 'New name', media: { audio: false }, connected: true });
  });

  it('shows a peer listed twice in the snapshot once', () => {
    const peers = reconcilePeers([], [info('a'), info('b'), info('a', 'again')]);
    expect(ids(peers)).toEqual(['a', 'b']);
    expect(peers[0]?.name).toBe('a');
  });

  it('an empty snapshot empties the list', () => {
    expect(reconcilePeers([view('a', true)], [])).toEqual([]);
  });
});

describe('dedupePeers', () => {
  it('leaves a list without duplicates as it is', () => {
    const peers = [view('a', true), view('b', false), view('c', true)];
    expect(dedupePeers(peers)).toEqual(peers);
  });

  it('shows a duplicate peer id once', () => {
    const peers = [view('a', false), view('b', false), view('a', false), view('a', false)];
    expect(ids(dedupePeers(peers))).toEqual(['a', 'b']);
  });

  it('the last entry of a peer wins, at the place of its first', () => {
    const peers = [view('a', false, 'stale'), view('b', true), view('a', true, 'fresh')];
    const out = dedupePeers(peers);
    expect(ids(out)).toEqual(['a', 'b']);
    expect(out[0]).toMatchObject({ name: 'fresh', connected: true });
  });

  it('does not change the list it was given', () => {
    const peers = [view('a', false), view('a', true)];
    dedupePeers(peers);
    expect(peers).toHaveLength(2);
  });
});
