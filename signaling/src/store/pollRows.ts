import type { RoomId } from '@parley/protocol';
import type { StoredPoll, StoredVote } from './types.ts';

/**
 * The poll tables' rows as both engines return them, and the records `PollStore` hands out:
 * one mapping, so the engines cannot drift apart. Options and choices are JSON text in both.
 */

export const POLL_COLUMNS =
  'id, room_id, question, options, multiple, anonymous, changeable, launched_at, ended_at, shared';
export const VOTE_COLUMNS = 'person_key, name, choices, voted_at';

export interface PollRow {
  id: string;
  room_id: string;
  question: string;
  options: string;
  /** SQLite: 0 or 1; PostgreSQL: a boolean. */
  multiple: number | boolean;
  anonymous: number | boolean;
  changeable: number | boolean;
  launched_at: number;
  ended_at: number | null;
  shared: number | boolean;
}

export interface VoteRow {
  person_key: string;
  name: string | null;
  choices: string;
  voted_at: number;
}

/** Parses a JSON list, reading a damaged one as empty (nothing is more than it was given). */
function list<T>(text: string, item: (v: unknown) => v is T): T[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter(item) : [];
  } catch {
    return [];
  }
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function pollRecordOf(row: PollRow): StoredPoll {
  return {
    id: row.id,
    roomId: row.room_id as RoomId,
    question: row.question,
    options: list(row.options, isString),
    multiple: Boolean(row.multiple),
    anonymous: Boolean(row.anonymous),
    changeable: Boolean(row.changeable),
    launchedAt: Number(row.launched_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    shared: Boolean(row.shared),
  };
}

export function voteRecordOf(row: VoteRow): StoredVote {
  return {
    key: row.person_key,
    name: row.name,
    choices: list(row.choices, isIndex),
    at: Number(row.voted_at),
  };
}

/** A poll's values in POLL_COLUMNS order (booleans as the engine takes them). */
export function pollValues<B>(poll: StoredPoll, bool: (b: boolean) => B): unknown[] {
  return [
    poll.id,
    poll.roomId,
    poll.question,
    JSON.stringify(poll.options),
    bool(poll.multiple),
    bool(poll.anonymous),
    bool(poll.changeable),
    poll.launchedAt,
    poll.endedAt,
    bool(poll.shared),
  ];
}
