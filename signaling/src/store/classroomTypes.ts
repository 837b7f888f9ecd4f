import type { RoomId } from '@parley/protocol';

// The storage interfaces of the classroom tools (issue 17) that outlast a meeting: polls and
// their votes, whiteboards, and the slide decks shown on them.
// Part of types.ts's Storage, kept apart by subject.

/** A poll as stored (issue 17): the room's, kept after its meeting ends. */
export interface StoredPoll {
  id: string;
  roomId: RoomId;
  question: string;
  options: string[];
  multiple: boolean;
  anonymous: boolean;
  changeable: boolean;
  /** ms since the epoch. */
  launchedAt: number;
  /** Null while it is open. */
  endedAt: number | null;
  shared: boolean;
}

/** One person's vote in one poll. */
export interface StoredVote {
  /** The person (`u:` account or `g:` guest key): one vote each, decided by the primary key. */
  key: string;
  /** Their name when they voted; null in an anonymous poll, whose names are never stored. */
  name: string | null;
  /** Option indexes, ascending. */
  choices: number[];
  at: number;
}

/** What `vote` did: stored a first vote, replaced one (when asked to), or found one already. */
export type VoteOutcome = 'stored' | 'replaced' | 'duplicate';

/**
 * Polls and their votes, per room (issue 17). Not part of a meeting's door: `clear` leaves
 * them, so they outlast the meeting (and are removed with the room).
 */
export interface PollStore {
  /**
   * Stores a new open poll. False when the room has an open poll already (decided by a
   * unique index, not a race).
   */
  create(poll: StoredPoll): Promise<boolean>;
  /** The room's last launched poll, open or not. */
  latest(roomId: RoomId): Promise<StoredPoll | undefined>;
  /** Every poll of the room, the first launched first. */
  list(roomId: RoomId): Promise<StoredPoll[]>;
  /** Closes an open poll; false when it was closed already (or is unknown). */
  end(pollId: string, at: number): Promise<boolean>;
  share(pollId: string): Promise<void>;
  /**
   * Stores a person's vote. A person who voted already: `duplicate` and nothing written, or
   * with `replace`, their vote becomes this one (`replaced`).
   */
  vote(pollId: string, vote: StoredVote, replace: boolean): Promise<VoteOutcome>;
  /** The poll's votes, the earliest first. */
  votes(pollId: string): Promise<StoredVote[]>;
}

/** A room's whiteboard as stored: its last snapshot and the updates stored after it. */
export interface StoredBoard {
  /** A Yjs state (`Y.encodeStateAsUpdate`); null before the first compaction. */
  snapshot: Uint8Array | null;
  /** Yjs updates stored after the snapshot, the oldest first. */
  updates: Uint8Array[];
  /** The sequence number of the last update (0: none yet); `compact` takes it back. */
  lastSeq: number;
  /** Bytes of the snapshot and the updates together. */
  bytes: number;
}

/**
 * The rooms' whiteboards (issue 17): Yjs updates appended as they come, so nothing drawn is
 * lost in a crash, and now and then folded into one snapshot. Kept with the room after its
 * meeting ends (removed with the room).
 */
export interface BoardStore {
  /** The room's board; an empty one (no snapshot, no updates, lastSeq 0) when never drawn on. */
  load(roomId: RoomId): Promise<StoredBoard>;
  /** Stores one update after the others and returns its sequence number, once committed. */
  append(roomId: RoomId, update: Uint8Array): Promise<number>;
  /**
   * Replaces the snapshot and every update with seq <= `throughSeq` by `snapshot`, in one
   * transaction (updates stored meanwhile, after `throughSeq`, stay).
   */
  compact(roomId: RoomId, snapshot: Uint8Array, throughSeq: number): Promise<void>;
}

/** A slide deck: a PDF a host uploaded to a room's board. */
export interface SlideDeckRecord {
  id: string;
  roomId: RoomId;
  /** The PDF's size in bytes. */
  bytes: number;
  createdAt: number;
}

/** Slide decks (PDF files) per room, with their bytes (so any node of a cluster serves them). */
export interface SlideStore {
  /**
   * Stores a deck. False when the room holds `max` decks already (counted in the same
   * transaction, so two uploads at once cannot pass the limit).
   */
  put(deck: SlideDeckRecord, pdf: Uint8Array, max: number): Promise<boolean>;
  /** The deck's PDF, when that room has it. */
  get(roomId: RoomId, deckId: string): Promise<Uint8Array | undefined>;
  /** The room's decks (without their bytes), the oldest first. */
  list(roomId: RoomId): Promise<SlideDeckRecord[]>;
}
