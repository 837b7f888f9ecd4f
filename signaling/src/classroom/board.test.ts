import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { PeerId, RoomId, ServerMessage } from '@parley/protocol';
import type { BoardStore, StoredBoard } from '../store/types.ts';
import { createLog } from '../telemetry/log.ts';
import { Board } from './board.ts';
import type { BoardOptions } from './board.ts';

// The Board's rules with real Yjs documents on both sides. The store here is a plain in-memory
// BoardStore; both real engines run the same interface in store/contract.test.ts, and the
// whole path (socket, SQLite, restart) in tests/integration/board.test.ts.

class MemoryBoards implements BoardStore {
  snapshot: Uint8Array | null = null;
  updates: { seq: number; data: Uint8Array }[] = [];
  seq = 0;
  async load(): Promise<StoredBoard> {
    const updates = this.updates.map((u) => u.data);
    const bytes = (this.snapshot?.length ?? 0) + updates.reduce((n, u) => n + u.length, 0);
    return { snapshot: this.snapshot, updates, lastSeq: this.seq, bytes };
  }
  async append(_room: RoomId, update: Uint8Array): Promise<number> {
    this.updates.push({ seq: ++this.seq, data: update });
    return this.seq;
  }
  async compact(_room: RoomId, snapshot: Uint8Array, through: number): Promise<void> {
    this.snapshot = snapshot;
    this.updates = this.updates.filter((u) => u.seq > through);
  }
}

const ROOM = 'room-board' as RoomId;
const A = 'peer-a' as PeerId;
const B = 'peer-b' as PeerId;
const C = 'peer-c' as PeerId;

function setup(options: BoardOptions = {}, store = new MemoryBoards()) {
  const sent: { to: PeerId | 'all'; message: ServerMessage }[] = [];
  const host = {
    sendTo: (to: PeerId, message: ServerMessage) => sent.push({ to, message }),
    broadcast: (message: ServerMessage) => sent.push({ to: 'all', message }),
    log: createLog(() => undefined),
  };
  return { board: new Board(ROOM, host, store, options), sent, store };
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
function sync(kind: number, payload: Uint8Array): string {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, kind);
  encoding.writeVarUint8Array(e, payload);
  return b64(encoding.toUint8Array(e));
}
const step1 = (doc: Y.Doc) => sync(0, Y.encodeStateVector(doc));
const update = (u: Uint8Array) => sync(2, u);
const drawer = (id: PeerId) => ({ id, name: id, mayDraw: true });
const viewer = (id: PeerId) => ({ id, name: id, mayDraw: false });

/** Applies every board-sync sent to `peer` (step 2s and updates) to `doc`. */
function deliver(sent: { to: PeerId | 'all'; message: ServerMessage }[], peer: PeerId, doc: Y.Doc) {
  for (const { to, message } of sent) {
    if (to !== peer || message.type !== 'board-sync') continue;
    const d = decoding.createDecoder(new Uint8Array(Buffer.from(message.data, 'base64')));
    const kind = decoding.readVarUint(d);
    if (kind !== 0) Y.applyUpdate(doc, decoding.readVarUint8Array(d));
  }
}

/** A stroke as a client draws it: its update, and the doc that made it. */
function stroke(doc: Y.Doc, label: string): Uint8Array {
  let made: Uint8Array | undefined;
  const listen = (u: Uint8Array) => (made = u);
  doc.on('update', listen);
  doc.getArray<string>('items').push([label]);
  doc.off('update', listen);
  return made as Uint8Array;
}

describe('Board', () => {
  it('opens with what the member lacks and its own state vector, then passes changes on', async () => {
    const { board, sent } = setup();
    const a = new Y.Doc();
    const b = new Y.Doc();
    await board.receive(drawer(A), step1(a));
    await board.receive(viewer(B), step1(b));
    expect(sent.filter((s) => s.to === A)).toHaveLength(2);
    await board.receive(drawer(A), update(stroke(a, 'first')));
    deliver(sent, B, b);
    expect(b.getArray('items').toArray()).toEqual(['first']);
    // The sender is not sent its own change back; someone who never opened gets nothing.
    expect(sent.filter((s) => s.to === A)).toHaveLength(2);
    expect(sent.some((s) => s.to === C)).toBe(false);
  });

  it('refuses a change from someone who may not draw, and the board stays as it was', async () => {
    const { board, sent, store } = setup();
    const b = new Y.Doc();
    await board.receive(viewer(B), step1(b));
    await expect(board.receive(viewer(B), update(stroke(b, 'scribble')))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(store.updates).toHaveLength(0);
    // Answering the server's step 1 with nothing to add is not a change: allowed.
    await board.receive(viewer(B), sync(1, Y.encodeStateAsUpdate(new Y.Doc())));
    const late = new Y.Doc();
    await board.receive(viewer(C), step1(late));
    deliver(sent, C, late);
    expect(late.getArray('items').length).toBe(0);
  });

  it.each([
    ['not base64 bytes of a sync message', b64(new Uint8Array([9, 9, 9, 9]))],
    ['a truncated update', update(new Uint8Array([1, 2, 3]))],
    ['trailing bytes', b64(new Uint8Array([0, 1, 0, 7]))],
  ])('answers %s with BAD_MESSAGE', async (_what, data) => {
    const { board } = setup();
    await expect(board.receive(drawer(A), data)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('refuses an update that skips what the board has not seen (it would wait in memory)', async () => {
    const { board, store } = setup();
    const a = new Y.Doc();
    stroke(a, 'one'); // never sent
    const second = stroke(a, 'two');
    await expect(board.receive(drawer(A), update(second))).rejects.toMatchObject({
      code: 'BAD_MESSAGE',
    });
    expect(store.updates).toHaveLength(0);
  });

  it('stores every change and folds them into a snapshot that loads back the same', async () => {
    const { board, store } = setup({ compactEvery: 5 });
    const a = new Y.Doc();
    for (let i = 0; i < 12; i++) await board.receive(drawer(A), update(stroke(a, `s${i}`)));
    expect(store.snapshot).not.toBeNull();
    expect(store.updates.length).toBeLessThan(5);
    // A new server (a restart) loads the snapshot and the updates after it.
    const again = setup({}, store);
    const fresh = new Y.Doc();
    await again.board.receive(viewer(B), step1(fresh));
    deliver(again.sent, B, fresh);
    expect(fresh.getArray('items').toArray()).toEqual(a.getArray('items').toArray());
  });

  it('refuses new drawing on a full board but lets a page be cleared', async () => {
    const { board, sent, store } = setup({ maxBytes: 200, compactEvery: 1 });
    const a = new Y.Doc();
    let full: unknown;
    for (let i = 0; i < 50 && !full; i++) {
      await board.receive(drawer(A), update(stroke(a, 'x'.repeat(40)))).catch((e) => (full = e));
    }
    expect(full).toMatchObject({ code: 'BOARD_FULL' });
    // Start over from what the board has (as the app does after a refusal), clear it...
    const b = new Y.Doc();
    await board.receive(drawer(B), step1(b));
    deliver(sent, B, b);
    const kept = b.getArray<string>('items');
    expect(kept.length).toBeGreaterThan(0);
    let cleared: Uint8Array | undefined;
    b.on('update', (u: Uint8Array) => (cleared = u));
    kept.delete(0, kept.length);
    await board.receive(drawer(B), update(cleared as Uint8Array));
    // ...and draw again: the compacted board is small once more.
    await board.receive(drawer(B), update(stroke(b, 'after clearing')));
    expect(store.snapshot?.length ?? 0).toBeLessThan(200);
  });

  it('limits how many bytes a member may draw a second', async () => {
    let now = 0;
    const { board } = setup({ now: () => now });
    const a = new Y.Doc();
    const big = 'y'.repeat(20_000);
    const tries = [];
    for (let i = 0; i < 20; i++) {
      tries.push(
        await board.receive(drawer(A), update(stroke(a, big))).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      );
      if (tries.at(-1) !== 'ok') break;
    }
    expect(tries.at(-1)).toBe('RATE_LIMITED');
    expect(tries.filter((t) => t === 'ok').length).toBeGreaterThanOrEqual(10);
    now += 1_000; // a second later the budget has refilled by BOARD_BYTES_PER_SEC
    // (From a fresh document: `a` holds the refused stroke, which the board never got.)
    await board.receive(drawer(A), update(stroke(new Y.Doc(), big)));
  });

  it('tells everyone who presents, and stops when the presenter leaves', () => {
    const { board, sent } = setup();
    board.present({ id: A, name: 'Ada' }, 'p1');
    expect(board.presenter).toEqual({ peerId: A, name: 'Ada', pageId: 'p1' });
    board.left(B);
    expect(board.presenter).not.toBeNull();
    board.left(A);
    expect(board.presenter).toBeNull();
    const told = sent.filter((s) => s.to === 'all').map((s) => s.message);
    expect(told).toEqual([
      { type: 'board-presenting', presenter: { peerId: A, name: 'Ada', pageId: 'p1' } },
      { type: 'board-presenting', presenter: null },
    ]);
  });
});
