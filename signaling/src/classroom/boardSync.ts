import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { ERROR_CODES } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';

/**
 * The y-protocols sync messages as the board's server reads and writes them (the same bytes as
 * `y-protocols/sync`, whose reader applies a change before anyone could check the sender's
 * right to make it; the server must look first).
 */

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** A client's sync message, read but not applied. */
export type SyncMessage =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'change'; update: Uint8Array; meta: UpdateMeta };

export interface UpdateMeta {
  /** It holds nothing: a step 2 answering ours from a client that lacks nothing. */
  empty: boolean;
  /** It only deletes (no new items): allowed on a full board, which it can only shrink. */
  deletesOnly: boolean;
}

const bad = (why: string): ProtocolError =>
  new ProtocolError(ERROR_CODES.BAD_MESSAGE, `board-sync: ${why}`);

/** Decodes base64 data into one sync message; BAD_MESSAGE when it is not one. */
export function readSyncMessage(data: string): SyncMessage {
  const bytes = new Uint8Array(Buffer.from(data, 'base64'));
  try {
    const decoder = decoding.createDecoder(bytes);
    const kind = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) throw bad('trailing bytes');
    if (kind === SYNC_STEP1) {
      Y.decodeStateVector(payload); // throws when it is not one
      return { kind: 'step1', stateVector: payload };
    }
    if (kind !== SYNC_STEP2 && kind !== SYNC_UPDATE) throw bad(`unknown message kind ${kind}`);
    return { kind: 'change', update: payload, meta: metaOf(payload) };
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw bad('not a y-protocols sync message');
  }
}

function metaOf(update: Uint8Array): UpdateMeta {
  const { from } = Y.parseUpdateMeta(update);
  const empty = from.size === 0 && update.length === 2 && update[0] === 0 && update[1] === 0;
  return { empty, deletesOnly: from.size === 0 };
}

/**
 * True when `update` continues what `doc` has for every client it touches. An update with a
 * gap would be held by Yjs as pending, in memory, until the missing part comes, which a
 * client that synced first never needs; a hand-made one could pile them up.
 */
export function continuesDoc(doc: Y.Doc, update: Uint8Array): boolean {
  const have = Y.decodeStateVector(Y.encodeStateVector(doc));
  const { from } = Y.parseUpdateMeta(update);
  for (const [client, clock] of from) if (clock > (have.get(client) ?? 0)) return false;
  return true;
}

function message(kind: number, payload: Uint8Array): string {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kind);
  encoding.writeVarUint8Array(encoder, payload);
  return Buffer.from(encoding.toUint8Array(encoder)).toString('base64');
}

/** Step 2 for a client at `stateVector`: what it lacks. */
export const step2For = (doc: Y.Doc, stateVector: Uint8Array): string =>
  message(SYNC_STEP2, Y.encodeStateAsUpdate(doc, stateVector));

/** The server's own step 1: the client answers with what the server lacks. */
export const step1Of = (doc: Y.Doc): string => message(SYNC_STEP1, Y.encodeStateVector(doc));

export const updateMessage = (update: Uint8Array): string => message(SYNC_UPDATE, update);
