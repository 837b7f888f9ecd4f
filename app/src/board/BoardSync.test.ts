import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as sync from 'y-protocols/sync';
import type { BoardLink } from './api.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { BoardDoc, FIRST_PAGE, type NewItem } from './BoardDoc.ts';
import { BoardSync, batchBySize } from './BoardSync.ts';

/**
 * The server's side of the board protocol (protocol/src/board.ts), in memory: a step 1 is
 * answered with a step 2 and the server's own step 1; a step 2 or update from someone who may
 * draw is applied and passed on to the others, and refused with FORBIDDEN otherwise.
 */
class FakeServer {
  readonly doc = new Y.Doc();
  readonly links = new Set<FakeLink>();

  constructor() {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const encoder = encoding.createEncoder();
      sync.writeUpdate(encoder, update);
      const data = toBase64(encoding.toUint8Array(encoder));
      for (const link of this.links) if (link !== origin) link.push(data);
    });
  }

  async handle(from: FakeLink, data: string): Promise<void> {
    await Promise.resolve();
    const decoder = decoding.createDecoder(fromBase64(data));
    const type = decoding.readVarUint(decoder);
    if (type === sync.messageYjsSyncStep1) {
      const step2 = encoding.createEncoder();
      sync.writeSyncStep2(step2, this.doc, decoding.readVarUint8Array(decoder));
      from.push(toBase64(encoding.toUint8Array(step2)));
      const step1 = encoding.createEncoder();
      sync.writeSyncStep1(step1, this.doc);
      from.push(toBase64(encoding.toUint8Array(step1)));
      return;
    }
    if (!from.canDraw) throw Object.assign(new Error('not allowed'), { code: 'FORBIDDEN' });
    from.changes++;
    if (type === sync.messageYjsSyncStep2) sync.readSyncStep2(decoder, this.doc, from);
    else sync.readUpdate(decoder, this.doc, from);
  }
}

class FakeLink implements BoardLink {
  online = true;
  changes = 0;
  sent: string[] = [];
  private readonly data = new Set<(data: string) => void>();
  private readonly reconnect = new Set<() => void>();

  constructor(
    private readonly server: FakeServer,
    public canDraw = true,
  ) {
    server.links.add(this);
  }

  send(data: string): Promise<void> {
    this.sent.push(data);
    if (!this.online)
      return Promise.reject(Object.assign(new Error('offline'), { code: 'OFFLINE' }));
    return this.server.handle(this, data);
  }

  onData(listener: (data: string) => void): () => void {
    this.data.add(listener);
    return () => this.data.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnect.add(listener);
    return () => this.reconnect.delete(listener);
  }

  /** The socket delivers later, in order; an offline socket misses it. */
  push(data: string): void {
    if (!this.online) return;
    queueMicrotask(() => this.data.forEach((l) => l(data)));
  }

  comeBack(): void {
    this.online = true;
    this.reconnect.forEach((l) => l());
  }
}

interface Client {
  link: FakeLink;
  sync: BoardSync;
  board(): BoardDoc;
  notices: string[];
}

function client(server: FakeServer, canDraw = true): Client {
  const link = new FakeLink(server, canDraw);
  const notices: string[] = [];
  let board: BoardDoc | null = null;
  const s = new BoardSync(
    link,
    { onDoc: () => (board = null), onNotice: (t) => notices.push(t) },
    { flushMs: 5 },
  );
  s.start();
  return { link, sync: s, notices, board: () => (board ??= new BoardDoc(s.doc)) };
}

const stroke = (x: number): NewItem => ({
  kind: 'pen',
  color: '#000',
  size: 4,
  points: [x, 10, 0],
});

/** Polls until `check` passes or the deadline. */
async function until(check: () => void, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const itemCount = (c: Client) => c.board().items(FIRST_PAGE).length;
const serverItems = (s: FakeServer) => s.doc.getArray(`items:${FIRST_PAGE}`).length;

describe('BoardSync', () => {
  afterEach(() => vi.useRealTimers());

  it('converges two clients after concurrent strokes', async () => {
    const server = new FakeServer();
    const a = client(server);
    const b = client(server);
    for (let i = 0; i < 5; i++) {
      a.board().addItem(FIRST_PAGE, stroke(i));
      b.board().addItem(FIRST_PAGE, stroke(100 + i));
    }
    await until(() => {
      expect(itemCount(a)).toBe(10);
      expect(itemCount(b)).toBe(10);
    });
    expect(a.board().items(FIRST_PAGE)).toEqual(b.board().items(FIRST_PAGE));
  });

  it('a late joiner gets the board from the server', async () => {
    const server = new FakeServer();
    const a = client(server);
    a.board().addItem(FIRST_PAGE, stroke(1));
    a.board().addPages([null]);
    await until(() => expect(serverItems(server)).toBe(1));
    const c = client(server, false);
    await until(() => expect(itemCount(c)).toBe(1));
    expect(c.board().pageList()).toHaveLength(2);
  });

  it('catches up after a reconnect, both ways', async () => {
    const server = new FakeServer();
    const a = client(server);
    const b = client(server);
    b.link.online = false;
    a.board().addItem(FIRST_PAGE, stroke(1));
    b.board().addItem(FIRST_PAGE, stroke(2));
    const gone = b.board().items(FIRST_PAGE)[0]!.id;
    await until(() => expect(serverItems(server)).toBe(1));
    // A delete made offline carries no new struct: it still has to reach the server.
    b.board().removeItems(FIRST_PAGE, new Set([gone]));
    b.board().addItem(FIRST_PAGE, stroke(3));
    await new Promise((r) => setTimeout(r, 20));
    b.link.comeBack();
    await until(() => {
      expect(itemCount(b)).toBe(2);
      expect(itemCount(a)).toBe(2);
    });
    expect(b.notices).toEqual([]);
  });

  it('a guest who may not draw syncs without sending any change', async () => {
    const server = new FakeServer();
    const a = client(server);
    a.board().addItem(FIRST_PAGE, stroke(1));
    const guest = client(server, false);
    await until(() => expect(itemCount(guest)).toBe(1));
    guest.link.comeBack();
    await new Promise((r) => setTimeout(r, 30));
    expect(guest.link.changes).toBe(0);
    expect(guest.notices).toEqual([]);
  });

  it('rebuilds from the server when a change is refused', async () => {
    const server = new FakeServer();
    const a = client(server);
    a.board().addItem(FIRST_PAGE, stroke(1));
    const guest = client(server, false);
    await until(() => expect(itemCount(guest)).toBe(1));
    const before = guest.sync.doc;
    guest.board().addItem(FIRST_PAGE, stroke(2));
    expect(itemCount(guest)).toBe(2);
    await until(() => expect(guest.notices).toEqual(['Drawing is off for guests']));
    expect(guest.sync.doc).not.toBe(before);
    await until(() => expect(itemCount(guest)).toBe(1));
    // And it keeps following the board.
    a.board().addItem(FIRST_PAGE, stroke(3));
    await until(() => expect(itemCount(guest)).toBe(2));
    expect(serverItems(server)).toBe(2);
  });

  it('drops a single change over the size limit, with a notice', async () => {
    const server = new FakeServer();
    const link = new FakeLink(server);
    const notices: string[] = [];
    const s = new BoardSync(
      link,
      { onDoc: () => undefined, onNotice: (t) => notices.push(t) },
      { maxChars: 400 },
    );
    s.start();
    new BoardDoc(s.doc).addItem(FIRST_PAGE, { ...stroke(1), kind: 'text', text: 'x'.repeat(1000) });
    await until(() => expect(notices).toEqual(['That change is too large to share']));
    expect(serverItems(server)).toBe(0);
    expect(link.sent.every((d) => d.length <= 400)).toBe(true);
  });

  it('sends a 1 s, 120-point stroke in at most ~35 messages, and all of it', async () => {
    vi.useFakeTimers();
    const server = new FakeServer();
    const link = new FakeLink(server);
    const s = new BoardSync(link, { onDoc: () => undefined, onNotice: () => undefined });
    s.start();
    const board = new BoardDoc(s.doc);
    const item = board.addItem(FIRST_PAGE, stroke(0));
    for (let i = 1; i < 120; i++) {
      await vi.advanceTimersByTimeAsync(1000 / 120);
      board.appendPoints(item, [i, i, 0]);
    }
    await vi.advanceTimersByTimeAsync(100);
    const updates = link.sent.filter((d) => fromBase64(d)[0] === sync.messageYjsUpdate);
    expect(updates.length).toBeLessThanOrEqual(35);
    expect(updates.length).toBeGreaterThan(20);
    const points = server.doc.getArray<Y.Map<unknown>>(`items:${FIRST_PAGE}`).get(0).get('points');
    expect((points as Y.Array<number>).length).toBe(360);
  });

  it('batches updates under the size limit, in order', () => {
    const u = (n: number) => new Uint8Array(n);
    const sizes = (b: Uint8Array[][]) => b.map((g) => g.map((x) => x.length));
    expect(sizes(batchBySize([u(3), u(3), u(3), u(9), u(1)], 6))).toEqual([[3, 3], [3], [9], [1]]);
    expect(sizes(batchBySize([], 6))).toEqual([]);
  });
});
