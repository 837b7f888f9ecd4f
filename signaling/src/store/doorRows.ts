import { RoleSchema } from '@parley/protocol';
import type { PeerId } from '@parley/protocol';
import type { DoorMarkKind, DoorState, SeatRecord, StoredHand } from './types.ts';

/** A seat as both engines read it back (identity keys: SQLite's JSON text, PostgreSQL's array). */
export interface SeatRow {
  peer_id: string;
  token_hash: string;
  name: string;
  role: string;
  identity_keys: unknown;
}

export interface MarkRow {
  kind: string;
  identity_key: string;
}

export interface HandRow {
  identity_key: string;
  /** PostgreSQL's BIGINT arrives as a string. */
  raised_at: number | string;
}

/**
 * The rows of one room as a DoorState. A damaged role reads as `guest` and damaged keys as
 * none: the least a seat can be worth, never more than it was given.
 */
export function doorState(
  marks: readonly MarkRow[],
  seats: readonly SeatRow[],
  hands: readonly HandRow[],
  aliveAt: unknown,
): DoorState {
  const keysOf = (kind: DoorMarkKind) =>
    marks.filter((m) => m.kind === kind).map((m) => m.identity_key);
  return {
    bans: keysOf('ban'),
    cohosts: keysOf('cohost'),
    seats: seats.map(seatRecord),
    hands: hands.map((h): StoredHand => ({ key: h.identity_key, at: Number(h.raised_at) })),
    // PostgreSQL's BIGINT arrives as a string.
    aliveAt: aliveAt === undefined || aliveAt === null ? null : Number(aliveAt),
  };
}

function seatRecord(row: SeatRow): SeatRecord {
  const role = RoleSchema.safeParse(row.role);
  return {
    peerId: row.peer_id as PeerId,
    tokenHash: row.token_hash,
    name: row.name,
    role: role.success ? role.data : 'guest',
    identityKeys: parseKeys(row.identity_keys),
  };
}

function parseKeys(stored: unknown): string[] {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      value = []; // a damaged row: no keys
    }
  }
  return Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string') : [];
}
