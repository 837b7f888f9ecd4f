import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ROOM_SETTINGS } from '@parley/protocol';
import type { ClientMessage, ServerMessage, WaitingPeer } from '@parley/protocol';
import { Moderation } from './Moderation.ts';
import { RequestChannel } from '../../session/RequestChannel.ts';
import { SnapshotStore } from '../../SnapshotStore.ts';

const w = (peerId: string, name: string) => ({ peerId, name, since: 0 }) as WaitingPeer;

/** A Moderation on a real RequestChannel whose socket is a list; `reply` answers the last send. */
function setup() {
  const sent: (ClientMessage & { rid?: number })[] = [];
  let rid = 1;
  const rpc = new RequestChannel(
    (msg) => (sent.push(msg), true),
    () => rid++,
  );
  const store = new SnapshotStore();
  store.update({ phase: 'in-call', role: 'host' });
  const turnedOff: string[] = [];
  const teardown = vi.fn();
  const moderation = new Moderation({
    rpc,
    store,
    turnOff: (kind) => turnedOff.push(kind),
    teardown,
  });
  const reply = (msg: Record<string, unknown>) => {
    const last = sent.at(-1);
    rpc.onMessage({ ...msg, rid: last?.rid } as ServerMessage);
  };
  return { sent, rpc, store, moderation, reply, turnedOff, teardown };
}

describe('Moderation', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the queue and tells quietly who arrived, for a while', () => {
    const { store, moderation } = setup();
    moderation.onLobby([w('a', 'Ada')]);
    expect(store.current.lobby.map((x) => x.name)).toEqual(['Ada']);
    expect(store.current.lobbyNotice).toBe('Ada is waiting to join.');
    moderation.onLobby([w('a', 'Ada'), w('b', 'Bob')]);
    expect(store.current.lobbyNotice).toBe('Bob is waiting to join.');
    vi.advanceTimersByTime(10_000);
    expect(store.current.lobbyNotice).toBeNull();
    // Someone leaving the queue is no news.
    moderation.onLobby([w('b', 'Bob')]);
    expect(store.current.lobbyNotice).toBeNull();
  });

  it('sends each control with a rid and resolves on `ok`', async () => {
    const { sent, rpc, moderation, reply } = setup();
    const admitted = moderation.admit('p1');
    expect(sent.at(-1)).toMatchObject({ type: 'admit', peerId: 'p1' });
    reply({ type: 'ok' });
    expect(await admitted).toBe(true);

    const actions: [Promise<boolean>, Record<string, unknown>][] = [
      [moderation.admitAll(), { type: 'admit-all' }],
      [moderation.deny('p2'), { type: 'deny', peerId: 'p2' }],
      [moderation.tileAction('p3', 'mute'), { type: 'mute', peerId: 'p3', kind: 'audio' }],
      [moderation.tileAction('p3', 'stop-video'), { type: 'mute', peerId: 'p3', kind: 'video' }],
      [moderation.tileAction('p3', 'remove'), { type: 'remove', peerId: 'p3' }],
      [
        moderation.tileAction('p3', 'make-cohost'),
        { type: 'set-role', peerId: 'p3', role: 'cohost' },
      ],
      [
        moderation.tileAction('p3', 'make-guest'),
        { type: 'set-role', peerId: 'p3', role: 'guest' },
      ],
      [moderation.tileAction('p3', 'make-host'), { type: 'set-role', peerId: 'p3', role: 'host' }],
    ];
    for (const [i, [promise, expected]] of actions.entries()) {
      expect(sent[i + 1]).toMatchObject(expected);
      expect(typeof sent[i + 1]?.rid).toBe('number');
      // Replies may come in any order: each settles its own request.
      rpc.onMessage({ type: 'ok', rid: sent[i + 1]?.rid } as ServerMessage);
      expect(await promise).toBe(true);
    }
  });

  it('shows a refused control in words and resolves false', async () => {
    const { store, moderation, reply } = setup();
    const p = moderation.remove('p1');
    reply({ type: 'error', code: 'FORBIDDEN', message: 'not a host', ref: 'remove' });
    expect(await p).toBe(false);
    expect(store.current.hostNotice).toBe('You cannot remove them: only a host or co-host can.');
  });

  it('applies the settings the server confirms', async () => {
    const { sent, store, moderation, reply } = setup();
    const p = moderation.changeSettings({ locked: true });
    expect(sent.at(-1)).toMatchObject({ type: 'settings', settings: { locked: true } });
    reply({ type: 'settings', settings: { ...DEFAULT_ROOM_SETTINGS, locked: true } });
    expect(await p).toBe(true);
    expect(store.current.settings.locked).toBe(true);
  });

  it('ending the meeting leaves it, saying we ended it', async () => {
    const { store, moderation, reply, teardown } = setup();
    const p = moderation.end();
    reply({ type: 'ok' });
    expect(await p).toBe(true);
    expect(teardown).toHaveBeenCalledOnce();
    expect(store.current).toMatchObject({
      phase: 'removed',
      removal: { reason: 'ended', byYou: true },
    });
  });

  it('a `removed {ended}` that overtakes the ok is still ours', () => {
    const { store, moderation } = setup();
    void moderation.end();
    moderation.onRemoved('ended');
    expect(store.current.removal).toEqual({ reason: 'ended', byYou: true });
  });

  it('being removed leaves once, for good', () => {
    const { store, moderation, teardown } = setup();
    store.update({
      peers: [
        {
          peerId: 'x',
          name: 'X',
          role: 'guest',
          media: { audio: true, video: true },
          connected: true,
        },
      ],
    });
    moderation.onRemoved('removed');
    moderation.onRemoved('ended');
    expect(teardown).toHaveBeenCalledOnce();
    expect(store.current).toMatchObject({
      phase: 'removed',
      removal: { reason: 'removed', byYou: false },
      peers: [],
    });
  });

  it('being muted turns our microphone off like the button and says so', () => {
    const { store, moderation, turnedOff } = setup();
    moderation.onMuted('audio');
    moderation.onMuted('video');
    expect(turnedOff).toEqual(['audio', 'video']);
    expect(store.current.hostNotice).toBe('A host turned off your camera.');
    moderation.dismissNotice();
    expect(store.current.hostNotice).toBeNull();
  });

  it('a guest held by a host mute may not unmute until a host allows it', () => {
    const { store, moderation, turnedOff } = setup();
    store.update({ role: 'guest', settings: { ...DEFAULT_ROOM_SETTINGS, selfUnmute: false } });
    moderation.onMuted('audio');
    expect(moderation.heldByHost('audio')).toBe(true);
    expect(moderation.heldByHost('video')).toBe(false);
    moderation.onUnmuteRefused();
    expect(turnedOff).toEqual(['audio', 'audio']);
    expect(store.current.hostNotice).toBe(
      'A host muted you. You can turn it back on once a host allows it.',
    );
    moderation.onUnmuteAllowed('audio');
    expect(moderation.heldByHost('audio')).toBe(false);
    expect(store.current.hostNotice).toBe('A host lets you unmute your microphone.');
    // Where guests may unmute themselves, a host's mute holds nothing back.
    moderation.onMuted('audio');
    store.update({ settings: { ...DEFAULT_ROOM_SETTINGS, selfUnmute: true } });
    expect(moderation.heldByHost('audio')).toBe(false);
  });

  it('a co-host made guest again forgets the queue', () => {
    const { store, moderation } = setup();
    store.update({ role: 'cohost' });
    moderation.onLobby([w('a', 'Ada')]);
    moderation.onRole('guest');
    expect(store.current).toMatchObject({ role: 'guest', lobby: [], lobbyNotice: null });
    expect(store.current.hostNotice).toBe('You are no longer a co-host.');
  });
});
