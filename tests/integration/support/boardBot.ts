import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as sync from 'y-protocols/sync';
import * as Y from 'yjs';
import type { ServerMessage } from '@parley/protocol';
import type { TestClient } from './client.ts';

/** Marks changes that came from the server, so they are not sent back. */
const REMOTE = Symbol('server');

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * A whiteboard client as the app is one, without a browser: a Yjs document synced over a
 * joined TestClient's socket with the y-protocols sync messages (issue 17). Strokes are items
 * of one Y.Array, which is all the server's rules need; the app's page model is its own.
 */
export class BoardBot {
  readonly doc = new Y.Doc();
  /** Replies to changes we sent, in order. */
  readonly refusals: ServerMessage[] = [];
  readonly #listeners = new Set<() => void>();

  constructor(readonly c: TestClient) {
    c.ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; data?: string; rid?: number };
      if (m.type === 'board-sync' && m.rid === undefined && m.data) this.#receive(m.data);
    });
  }

  get strokes(): Y.Array<string> {
    return this.doc.getArray<string>('strokes');
  }

  /** Opens the board: a step 1; the server's step 2 and step 1 follow. */
  async open(): Promise<ServerMessage> {
    const e = encoding.createEncoder();
    sync.writeSyncStep1(e, this.doc);
    return this.c.request({ type: 'board-sync', data: b64(encoding.toUint8Array(e)) });
  }

  /** Draws (appends `label`) and sends the change; resolves with the server's reply. */
  draw(label: string): Promise<ServerMessage> {
    let update: Uint8Array | undefined;
    const take = (u: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) update = u;
    };
    this.doc.on('update', take);
    this.strokes.push([label]);
    this.doc.off('update', take);
    return this.sendUpdate(update as Uint8Array);
  }

  sendUpdate(update: Uint8Array): Promise<ServerMessage> {
    const e = encoding.createEncoder();
    sync.writeUpdate(e, update);
    return this.c.request({ type: 'board-sync', data: b64(encoding.toUint8Array(e)) });
  }

  /** Resolves once `check` holds for this board (checked after every change from the server). */
  until(check: (bot: BoardBot) => boolean, timeoutMs = 5000): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`board never got there: ${JSON.stringify(this.strokes.toArray())}`));
      }, timeoutMs);
      const listener = () => {
        if (!check(this)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve();
      };
      this.#listeners.add(listener);
    });
  }

  #receive(data: string): void {
    const decoder = decoding.createDecoder(new Uint8Array(Buffer.from(data, 'base64')));
    const reply = encoding.createEncoder();
    sync.readSyncMessage(decoder, reply, this.doc, REMOTE);
    // A step 1 from the server is answered with what it lacks (a step 2).
    if (encoding.length(reply) > 0) {
      this.c.send({ type: 'board-sync', data: b64(encoding.toUint8Array(reply)) });
    }
    for (const listener of [...this.#listeners]) listener();
  }
}
