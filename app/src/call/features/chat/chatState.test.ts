import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@parley/protocol';
import {
  addPending,
  addPresence,
  applyAck,
  chatView,
  emptyChat,
  highestSeq,
  mergeMessages,
} from './chatState.ts';

const SELF = { peerId: 'peer-self-1', name: 'Ada' };

function msg(seq: number, clientId: string, name = 'Bob', text = `message ${seq}`): ChatMessage {
  return { seq, clientId, from: `peer-${name}`, name, text, ts: 1_000 * seq } as ChatMessage;
}

const seqs = (state: ReturnType<typeof emptyChat>) => state.confirmed.map((m) => m.seq);

describe('chat state', () => {
  it('starts empty', () => {
    const state = emptyChat();
    expect(chatView(state, 'Ada')).toEqual([]);
    expect(highestSeq(state)).toBe(0);
  });

  it('shows a message being sent as pending and mine, under our name, without a time', () => {
    const state = addPending(emptyChat(), { clientId: 'c-1', text: 'hello' });
    expect(chatView(state, 'Ada')).toEqual([
      {
        key: 'pc-1',
        kind: 'message',
        name: 'Ada',
        text: 'hello',
        ts: null,
        pending: true,
        mine: true,
      },
    ]);
  });

  it('keeps pending messages in send order, after the confirmed ones', () => {
    let state = mergeMessages(emptyChat(), [msg(1, 'other-1')]);
    state = addPending(state, { clientId: 'c-1', text: 'first' });
    state = addPending(state, { clientId: 'c-2', text: 'second' });
    expect(chatView(state, 'Ada').map((e) => e.text)).toEqual(['message 1', 'first', 'second']);
  });

  it('does not change the state it was given', () => {
    const before = emptyChat();
    addPending(before, { clientId: 'c-1', text: 'hello' });
    expect(before.pending).toEqual([]);
    expect(before.sentIds.size).toBe(0);
  });

  it('orders messages by seq whatever order they arrive in', () => {
    const state = mergeMessages(emptyChat(), [msg(3, 'x3'), msg(1, 'x1'), msg(2, 'x2')]);
    expect(seqs(state)).toEqual([1, 2, 3]);
    expect(highestSeq(state)).toBe(3);
  });

  it('shows a message received twice (broadcast, then history page) once', () => {
    let state = mergeMessages(emptyChat(), [msg(1, 'x1'), msg(2, 'x2')]);
    state = mergeMessages(state, [msg(2, 'x2'), msg(3, 'x3'), msg(1, 'x1')]);
    expect(seqs(state)).toEqual([1, 2, 3]);
    expect(chatView(state, 'Ada')).toHaveLength(3);
  });

  it('keeps the first copy of a seq it already has', () => {
    let state = mergeMessages(emptyChat(), [msg(1, 'x1', 'Bob', 'original')]);
    state = mergeMessages(state, [msg(1, 'x1', 'Bob', 'replayed')]);
    expect(state.confirmed.map((m) => m.text)).toEqual(['original']);
  });

  it('returns the same state for an empty batch', () => {
    const state = mergeMessages(emptyChat(), [msg(1, 'x1')]);
    expect(mergeMessages(state, [])).toBe(state);
  });

  it('our own message coming back in a broadcast stops being pending and stays mine', () => {
    let state = addPending(emptyChat(), { clientId: 'c-1', text: 'hello' });
    state = mergeMessages(state, [msg(7, 'c-1', 'Ada', 'hello')]);
    expect(state.pending).toEqual([]);
    expect(chatView(state, 'Ada')).toEqual([
      {
        key: 's7',
        kind: 'message',
        name: 'Ada',
        text: 'hello',
        ts: 7_000,
        pending: false,
        mine: true,
      },
    ]);
  });

  it('an ack turns the pending message into a confirmed one with the server seq and time', () => {
    let state = addPending(emptyChat(), { clientId: 'c-1', text: 'hello' });
    state = applyAck(state, { clientId: 'c-1', seq: 4, ts: 123 }, SELF);
    expect(state.pending).toEqual([]);
    expect(state.confirmed).toEqual([
      { seq: 4, clientId: 'c-1', from: SELF.peerId, name: 'Ada', text: 'hello', ts: 123 },
    ]);
    expect(highestSeq(state)).toBe(4);
  });

  it('the broadcast arriving after the ack does not duplicate the message', () => {
    let state = addPending(emptyChat(), { clientId: 'c-1', text: 'hello' });
    state = applyAck(state, { clientId: 'c-1', seq: 4, ts: 123 }, SELF);
    state = mergeMessages(state, [msg(4, 'c-1', 'Ada', 'hello')]);
    expect(chatView(state, 'Ada')).toHaveLength(1);
  });

  it('ignores an ack for a message it is not waiting for', () => {
    const state = addPending(emptyChat(), { clientId: 'c-1', text: 'hello' });
    expect(applyAck(state, { clientId: 'c-unknown', seq: 9, ts: 1 }, SELF)).toBe(state);
  });

  it('an ack settles only its own message', () => {
    let state = addPending(emptyChat(), { clientId: 'c-1', text: 'one' });
    state = addPending(state, { clientId: 'c-2', text: 'two' });
    state = applyAck(state, { clientId: 'c-2', seq: 1, ts: 5 }, SELF);
    expect(state.pending).toEqual([{ clientId: 'c-1', text: 'one' }]);
    expect(chatView(state, 'Ada').map((e) => [e.text, e.pending])).toEqual([
      ['two', false],
      ['one', true],
    ]);
  });

  it('tells mine from others by client id, even when the server lists another peer id', () => {
    let state = addPending(emptyChat(), { clientId: 'c-mine', text: 'mine' });
    // After a reconnect our old messages carry our previous peer id.
    state = mergeMessages(state, [msg(1, 'c-mine', 'Ada'), msg(2, 'c-theirs', 'Bob')]);
    expect(chatView(state, 'Ada').map((e) => [e.name, e.mine])).toEqual([
      ['Ada', true],
      ['Bob', false],
    ]);
  });

  describe('join and leave lines', () => {
    const joined = (name: string, ts = 1) => ({ name, change: 'joined' as const, ts });
    const left = (name: string, ts = 1) => ({ name, change: 'left' as const, ts });
    const view = (state: ReturnType<typeof emptyChat>) =>
      chatView(state, 'Ada').map((e) => `${e.kind}: ${e.text}`);

    it('shows a line, with its time, after the messages that came before it', () => {
      let state = mergeMessages(emptyChat(), [msg(1, 'x1')]);
      state = addPresence(state, joined('Cy', 42_000));
      expect(chatView(state, 'Ada').at(-1)).toEqual({
        key: 'j1',
        kind: 'joined',
        name: 'Cy',
        text: 'Cy joined',
        ts: 42_000,
        pending: false,
        mine: false,
      });
    });

    it('keeps lines and messages in the order they came, whatever the clocks say', () => {
      let state = mergeMessages(emptyChat(), [msg(1, 'x1')]);
      state = addPresence(state, joined('Cy', 999_999));
      state = mergeMessages(state, [msg(2, 'x2')]);
      state = addPresence(state, left('Cy', 0));
      state = addPresence(state, joined('Dee', 0));
      expect(view(state)).toEqual([
        'message: message 1',
        'joined: Cy joined',
        'message: message 2',
        'left: Cy left',
        'joined: Dee joined',
      ]);
    });

    it('puts a message that arrives late (a history page) before the line that followed it', () => {
      let state = mergeMessages(emptyChat(), [msg(1, 'x1'), msg(3, 'x3')]);
      state = addPresence(state, left('Bob'));
      state = mergeMessages(state, [msg(2, 'x2')]);
      expect(view(state)).toEqual([
        'message: message 1',
        'message: message 2',
        'message: message 3',
        'left: Bob left',
      ]);
    });

    it('shows lines in an empty chat, and messages being sent after them', () => {
      let state = addPresence(emptyChat(), joined('Cy'));
      state = addPending(state, { clientId: 'c-1', text: 'hi Cy' });
      expect(view(state)).toEqual(['joined: Cy joined', 'message: hi Cy']);
    });

    it('gives every line its own key', () => {
      let state = addPresence(emptyChat(), joined('Cy'));
      state = addPresence(state, left('Cy'));
      state = addPresence(state, joined('Cy'));
      const keys = chatView(state, 'Ada').map((e) => e.key);
      expect(new Set(keys).size).toBe(3);
    });
  });
});
