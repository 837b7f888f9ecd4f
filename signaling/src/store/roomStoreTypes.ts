import type { PeerId, Role, RoomId, RoomSettings } from '@parley/protocol';

// The storage interfaces of rooms and their meetings' door: the room rows with their settings,
// and the bans, co-hosts, seats and raised hands a meeting keeps across nodes.
// Part of types.ts's Storage, kept apart by subject.

/** The settings as stored: everything but `hasPassword`, which follows `passwordHash`. */
export type StoredSettings = Omit<RoomSettings, 'hasPassword'>;

export interface RoomRecord {
  id: RoomId;
  hostKeyHash: string;
  createdAt: number;
  /** The account that created the room (its host); null for a room made by a guest. */
  ownerId: string | null;
  title: string | null;
  settings: StoredSettings;
  /** argon2id hash of the room password; null: no password. */
  passwordHash: string | null;
}

/** Rooms as persisted: which ids exist, who may claim the host role, and their settings. */
export interface RoomStore {
  create(record: RoomRecord): Promise<void>;
  get(id: RoomId): Promise<RoomRecord | undefined>;
  /** A user's rooms, newest first. */
  listByOwner(ownerId: string, limit?: number): Promise<RoomRecord[]>;
  saveSettings(id: RoomId, settings: StoredSettings, passwordHash: string | null): Promise<void>;
}

/** What a door mark says about an identity key: kept out, or made co-host. */
export type DoorMarkKind = 'ban' | 'cohost';

/** An admitted peer's place in a meeting, so it can take it back on another node. */
export interface SeatRecord {
  peerId: PeerId;
  /** sha256 (hex) of the peer's resume token; the token itself is never stored. */
  tokenHash: string;
  name: string;
  role: Role;
  /** Its identity keys (`d:<deviceId>`, `u:<userId>`), as the bans see them. */
  identityKeys: string[];
}

/** A raised hand as stored: the person's key and when it went up (ms since the epoch). */
export interface StoredHand {
  key: string;
  at: number;
}

/** A meeting's door as stored: identity keys per mark, and the admitted peers' seats. */
export interface DoorState {
  bans: string[];
  cohosts: string[];
  seats: SeatRecord[];
  /** Raised hands (issue 17): whose (a `u:` or `g:` key) and since when, first up first. */
  hands: StoredHand[];
  /**
   * When the meeting last showed it was running (ms since the epoch): a mark or seat written,
   * or its node's periodic `touch`. Null: no meeting is stored for the room.
   */
  aliveAt: number | null;
}

/**
 * The door state of each room's current meeting: who was removed or denied (kept out until
 * the meeting ends), who was made co-host, and who was admitted. It outlives the node that
 * serves the meeting, so the node that takes the room over (cluster mode) keeps it; `clear`
 * when the meeting ends. Every write is idempotent.
 */
export interface DoorStore {
  /** The room's door state in one call (empty lists for a room without one). */
  load(roomId: RoomId): Promise<DoorState>;
  mark(roomId: RoomId, kind: DoorMarkKind, identityKeys: readonly string[]): Promise<void>;
  unmark(roomId: RoomId, kind: DoorMarkKind, identityKeys: readonly string[]): Promise<void>;
  /** Stores a seat, replacing the one with the same peer id (a new role or token). */
  seat(roomId: RoomId, seat: SeatRecord): Promise<void>;
  unseat(roomId: RoomId, peerId: PeerId): Promise<void>;
  /** Raises a hand; one already up keeps its time (and so its place). */
  raiseHand(roomId: RoomId, hand: StoredHand): Promise<void>;
  /** Lowers these people's hands; every hand of the room when `keys` is null. */
  lowerHands(roomId: RoomId, keys: readonly string[] | null): Promise<void>;
  /** Forgets the room's marks, seats and hands: the next meeting starts clean. */
  clear(roomId: RoomId): Promise<void>;
  /** The meetings of these rooms are running: their `aliveAt` becomes now (one statement). */
  touch(roomIds: readonly RoomId[]): Promise<void>;
}
