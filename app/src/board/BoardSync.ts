import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as sync from 'y-protocols/sync';
import { ERROR_CODES, LIMITS } from '@parley/protocol';
import { log } from '../log.ts';
import type { BoardLink } from './api.ts';
import { fromBase64, toBase64 } from './base64.ts';

/** The origin of what the server sent: never sent back. Everything else is ours to send. */
export const REMOTE = { board: 'remote' };

export interface BoardSyncEvents {
  /** The doc was replaced (the server refused a change: ours had diverged). */
  onDoc(doc: Y.Doc): void;
  /** A short line for the user. */
  onNotice(text: string): void;
}

export interface BoardSyncOptions {
  /** How long local updates gather before one message goes; default 30 ms (~30 msgs/s). */
  flushMs?: number;
  /** Longest message, in base64 characters; default LIMITS.BOARD_MESSAGE_MAX. */
  maxChars?: number;
}

/**
 * Failures that mean "maybe not delivered", not "refused" (the client's RequestChannel codes:
 * no socket, no reply, socket gone): the step 1 / step 2 exchange after the reconnect resends
 * what the server lacks, and applying something twice is harmless in Yjs.
 */
const NOT_DELIVERED = new Set(['OFFLINE', 'TIMEOUT', 'CLOSED']);

const NOTICES: Partial<Record<string, string>> = {
  [ERROR_CODES.FORBIDDEN]: 'Drawing is off for guests',
  [ERROR_CODES.BOARD_FULL]: 'The board is full: clear a page to draw again',
  [ERROR_CODES.RATE_LIMITED]: 'Drawing too fast: your last stroke was not saved',
};

/**
 * Binds a Y.Doc to the call's socket with the y-protocols sync messages: step 1 on start and
 * on each reconnect, then every local change as an update. The server is the authority: when
 * it refuses a change, ours has diverged, so the doc is rebuilt from the server's.
 */
export class BoardSync {
  doc = new Y.Doc();
  private pending: Uint8Array[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the last batch of our changes went out (performance.now()). */
  private lastSent = -Infinity;
  /** Bumped on each rebuild, so a late refusal of an old doc's message is ignored. */
  private generation = 0;
  /** Something of ours may not have reached the server: answer its step 1 with a step 2. */
  private unsynced = false;
  private closed = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly flushMs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly link: BoardLink,
    private readonly events: BoardSyncEvents,
    options: BoardSyncOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 30;
    // A message is its type and length varints (<= 6 bytes) and the update, base64-encoded.
    this.maxBytes = Math.floor((options.maxChars ?? LIMITS.BOARD_MESSAGE_MAX) / 4) * 3 - 6;
    this.doc.on('update', this.onUpdate);
  }

  start(): void {
    this.unsubscribe.push(
      this.link.onData((data) => this.receive(data)),
      this.link.onReconnect(() => this.sendStep1()),
    );
    this.sendStep1();
  }

  /** Sends what is pending, then stops. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.doc.off('update', this.onUpdate);
  }

  /**
   * A change goes out at once (after the current task, so one gesture's changes go together)
   * when nothing went in the last `flushMs`; otherwise at the end of that window, with
   * whatever came meanwhile. A stroke's start is seen without delay, and a stroke being drawn
   * costs at most one message per window.
   */
  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REMOTE || this.closed) return;
    this.pending.push(update);
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastSent + this.flushMs - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  };

  private sendStep1(): void {
    if (this.closed) return;
    const encoder = encoding.createEncoder();
    sync.writeSyncStep1(encoder, this.doc);
    // A step 1 changes nothing: if it fails, the next reconnect sends another.
    this.link.send(toBase64(encoding.toUint8Array(encoder))).catch((err: unknown) => {
      log.warn('board: step 1 not delivered', err);
    });
  }

  private receive(data: string): void {
    if (this.closed) return;
    try {
      const decoder = decoding.createDecoder(fromBase64(data));
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case sync.messageYjsSyncStep1:
          this.answerStep1(decoding.readVarUint8Array(decoder));
          break;
        case sync.messageYjsSyncStep2:
          sync.readSyncStep2(decoder, this.doc, REMOTE);
          break;
        case sync.messageYjsUpdate:
          sync.readUpdate(decoder, this.doc, REMOTE);
          break;
        default:
          log.warn(`board: unknown sync message ${type}`);
      }
    } catch (err) {
      log.warn('board: bad sync message', err);
    }
  }

  /**
   * The server's step 1 (after ours) asks for what it lacks. Usually that is nothing, and a
   * member who may not draw must not send a step 2 at all (it would be refused), so one goes
   * only when we hold structs the server has not seen or a change of ours went undelivered.
   */
  private answerStep1(stateVector: Uint8Array): void {
    if (!this.unsynced && !aheadOf(this.doc, stateVector)) return;
    const encoder = encoding.createEncoder();
    sync.writeSyncStep2(encoder, this.doc, stateVector);
    const bytes = encoding.toUint8Array(encoder);
    if (bytes.length > this.maxBytes) {
      this.rebuild('That change is too large to share');
      return;
    }
    this.unsynced = false;
    this.sendMessage(bytes);
  }

  /** Sends the pending updates, merged into as few messages as the size limit allows. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || this.pending.length === 0) return;
    const batches = batchBySize(this.pending, this.maxBytes);
    this.pending = [];
    this.lastSent = performance.now();
    let tooBig = false;
    for (const batch of batches) {
      const update = batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch);
      if (update.length > this.maxBytes) {
        tooBig = true;
        continue;
      }
      const encoder = encoding.createEncoder();
      sync.writeUpdate(encoder, update);
      this.sendMessage(encoding.toUint8Array(encoder));
    }
    // One change alone over the limit (a huge paste) cannot be split: the server will never
    // have it, so drop it here by taking the server's doc again.
    if (tooBig) this.rebuild('That change is too large to share');
  }

  private sendMessage(bytes: Uint8Array): void {
    const generation = this.generation;
    this.link.send(toBase64(bytes)).catch((err: unknown) => this.refused(err, generation));
  }

  private refused(err: unknown, generation: number): void {
    if (this.closed || generation !== this.generation) return;
    const code = codeOf(err);
    if (NOT_DELIVERED.has(code)) {
      this.unsynced = true;
      // A reconnect sends a step 1 anyway; a timeout on a live socket would wait for none.
      if (code === 'TIMEOUT') this.sendStep1();
      return;
    }
    log.warn('board: change refused', err);
    this.rebuild(NOTICES[code] ?? 'Your last change could not be saved');
  }

  /** Drops our doc for the server's: a new Y.Doc and a fresh step 1. */
  private rebuild(notice: string): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.unsynced = false;
    const old = this.doc;
    old.off('update', this.onUpdate);
    this.doc = new Y.Doc();
    this.doc.on('update', this.onUpdate);
    this.events.onDoc(this.doc);
    old.destroy();
    this.events.onNotice(notice);
    this.sendStep1();
  }
}

/** The doc has structs the state vector lacks. */
export function aheadOf(doc: Y.Doc, stateVector: Uint8Array): boolean {
  const theirs = Y.decodeStateVector(stateVector);
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if (clock > (theirs.get(client) ?? 0)) return true;
  }
  return false;
}

/** Groups updates in order so each group's total stays under `maxBytes` (merging only shrinks). */
export function batchBySize(updates: Uint8Array[], maxBytes: number): Uint8Array[][] {
  const batches: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let size = 0;
  for (const update of updates) {
    if (current.length > 0 && size + update.length > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(update);
    size += update.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function codeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) return String(err.code);
  return '';
}
