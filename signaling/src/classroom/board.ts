import * as Y from 'yjs';
import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { BoardPresenter, PeerId, RoomId, ServerMessage } from '@parley/protocol';
import type { BoardStore } from '../store/types.ts';
import { ProtocolError } from '../util/errors.ts';
import { SerialQueue } from '../util/serialQueue.ts';
import { background } from '../util/background.ts';
import type { Log } from '../telemetry/log.ts';
import { TokenBucket } from '../ws/rateLimiter.ts';
import { continuesDoc, readSyncMessage, step1Of, step2For, updateMessage } from './boardSync.ts';

/** What a Board needs of its room. */
export interface BoardHost {
  sendTo(peerId: PeerId, message: ServerMessage): void;
  /** To every admitted peer. */
  broadcast(message: ServerMessage): void;
  log: Log;
}

/** Who sends a sync message, and whether they may change the board (permissions.ts `mayDraw`). */
export interface BoardSender {
  id: PeerId;
  name: string;
  mayDraw: boolean;
}

export interface BoardOptions {
  /** Fold the stored updates into one snapshot after this many (default 500)... */
  compactEvery?: number;
  /** ...or after this many bytes of them (default 512 KiB). */
  compactBytes?: number;
  /** The largest board as stored, compacted (default LIMITS.BOARD_DOC_MAX_BYTES). */
  maxBytes?: number;
  now?: () => number;
}

/**
 * A room's whiteboard (issue 17): one Yjs document, the server's copy of it. A member opens it
 * with a sync step 1 and from then on receives every change; a change is applied, passed on to
 * the others at once, and stored (the `ok` waits for the store, so an acknowledged stroke
 * survives a crash). Stored updates are folded into a snapshot now and then, which also keeps
 * a restart's load short. Loaded from the store on first use, not when the room opens.
 *
 * Changes are serialized on the board's own queue, not the room's: a pen stroke streams ~30
 * small updates a second and must not wait behind a join.
 */
export class Board {
  readonly #queue = new SerialQueue();
  readonly #open = new Set<PeerId>();
  readonly #budgets = new Map<PeerId, TokenBucket>();
  readonly #doc = new Y.Doc({ gc: true });
  #loading: Promise<void> | undefined;
  #lastSeq = 0;
  #bytes = 0;
  #sinceSnapshot = { count: 0, bytes: 0 };
  #presenter: BoardPresenter | null = null;
  #closed = false;
  readonly #options: Required<BoardOptions>;

  constructor(
    readonly roomId: RoomId,
    private readonly host: BoardHost,
    private readonly store: BoardStore,
    options: BoardOptions = {},
  ) {
    this.#options = {
      compactEvery: 500,
      compactBytes: 512 * 1024,
      maxBytes: LIMITS.BOARD_DOC_MAX_BYTES,
      now: () => performance.now(),
      ...options,
    };
  }

  get presenter(): BoardPresenter | null {
    return this.#presenter;
  }

  /**
   * Handles one `board-sync` from `sender`; resolves once its change is stored. Reading is
   * everyone's; a change needs `mayDraw` (FORBIDDEN), fits the member's byte budget
   * (RATE_LIMITED) and the board's size (BOARD_FULL).
   */
  async receive(sender: BoardSender, data: string): Promise<void> {
    const message = readSyncMessage(data);
    if (message.kind === 'change' && !message.meta.empty) {
      if (!sender.mayDraw) {
        throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'only hosts may draw on this board');
      }
      if (!this.#budget(sender.id).take(message.update.length)) {
        const perSec = LIMITS.BOARD_BYTES_PER_SEC / 1024;
        throw new ProtocolError(ERROR_CODES.RATE_LIMITED, `board: at most ${perSec} KiB a second`);
      }
    }
    await this.#queue.run(async () => {
      await this.#load();
      if (message.kind === 'step1') return this.#opened(sender.id, message.stateVector);
      if (!message.meta.empty) await this.#change(sender.id, message.update, message.meta);
    });
  }

  /** Moderators (checked by the permission table): present on `pageId`, or stop (null). */
  present(by: { id: PeerId; name: string }, pageId: string | null): void {
    this.#presenter = pageId === null ? null : { peerId: by.id, name: by.name, pageId };
    this.host.broadcast({ type: 'board-presenting', presenter: this.#presenter });
  }

  /** `peerId` is out of the meeting: it gets no more updates, and stops presenting. */
  left(peerId: PeerId): void {
    this.#open.delete(peerId);
    this.#budgets.delete(peerId);
    if (this.#presenter?.peerId === peerId) this.present({ id: peerId, name: '' }, null);
  }

  /** The room closed: the document goes (it is stored); waiting changes still finish. */
  close(): void {
    this.#closed = true;
    this.#open.clear();
    this.#budgets.clear();
    background(
      this.#queue.run(() => this.#doc.destroy()),
      'board close',
      this.host.log,
    );
  }

  #budget(peerId: PeerId): TokenBucket {
    let bucket = this.#budgets.get(peerId);
    if (!bucket) {
      const rate = LIMITS.BOARD_BYTES_PER_SEC;
      bucket = new TokenBucket(rate, rate * 4, this.#options.now);
      this.#budgets.set(peerId, bucket);
    }
    return bucket;
  }

  #load(): Promise<void> {
    this.#loading ??= (async () => {
      const stored = await this.store.load(this.roomId);
      Y.transact(this.#doc, () => {
        if (stored.snapshot) Y.applyUpdate(this.#doc, stored.snapshot);
        for (const update of stored.updates) Y.applyUpdate(this.#doc, update);
      });
      this.#lastSeq = stored.lastSeq;
      this.#bytes = stored.bytes;
      this.#sinceSnapshot = {
        count: stored.updates.length,
        bytes: stored.updates.reduce((sum, u) => sum + u.length, 0),
      };
    })().catch((error: unknown) => {
      this.#loading = undefined; // the next member to open the board tries again
      throw error;
    });
    return this.#loading;
  }

  /** Step 1: what the member lacks, then our own step 1 (it answers with what we lack). */
  #opened(peerId: PeerId, stateVector: Uint8Array): void {
    if (this.#closed) return;
    this.#open.add(peerId);
    this.host.sendTo(peerId, { type: 'board-sync', data: step2For(this.#doc, stateVector) });
    this.host.sendTo(peerId, { type: 'board-sync', data: step1Of(this.#doc) });
  }

  async #change(from: PeerId, update: Uint8Array, meta: { deletesOnly: boolean }): Promise<void> {
    if (this.#closed) throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'the meeting has ended');
    if (this.#bytes > this.#options.maxBytes && !meta.deletesOnly) {
      await this.#compact();
      if (this.#bytes > this.#options.maxBytes) {
        throw new ProtocolError(ERROR_CODES.BOARD_FULL, 'the board is full: clear a page first');
      }
    }
    if (!continuesDoc(this.#doc, update)) {
      throw new ProtocolError(ERROR_CODES.BAD_MESSAGE, 'board-sync: a change out of order');
    }
    const applied = this.#apply(from, update);
    if (!applied) return; // nothing new (a change the board already had)
    const push = { type: 'board-sync', data: updateMessage(applied) } as const;
    for (const peerId of this.#open) if (peerId !== from) this.host.sendTo(peerId, push);
    this.#lastSeq = await this.store.append(this.roomId, applied);
    this.#bytes += applied.length;
    this.#sinceSnapshot.count += 1;
    this.#sinceSnapshot.bytes += applied.length;
    const { compactEvery, compactBytes } = this.#options;
    if (this.#sinceSnapshot.count >= compactEvery || this.#sinceSnapshot.bytes >= compactBytes) {
      await this.#compact();
    }
  }

  /** Applies `update` and returns what it added to the document (undefined: nothing). */
  #apply(from: PeerId, update: Uint8Array): Uint8Array | undefined {
    let applied: Uint8Array | undefined;
    const listen = (u: Uint8Array): void => {
      applied = u;
    };
    this.#doc.on('update', listen);
    try {
      Y.applyUpdate(this.#doc, update, from);
    } catch {
      throw new ProtocolError(ERROR_CODES.BAD_MESSAGE, 'board-sync: not a Yjs update');
    } finally {
      this.#doc.off('update', listen);
    }
    return applied;
  }

  async #compact(): Promise<void> {
    if (this.#sinceSnapshot.count === 0) return;
    const snapshot = Y.encodeStateAsUpdate(this.#doc);
    await this.store.compact(this.roomId, snapshot, this.#lastSeq);
    this.#bytes = snapshot.length;
    this.#sinceSnapshot = { count: 0, bytes: 0 };
  }
}
