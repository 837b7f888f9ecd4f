import type {
  ChatMessage,
  ClientMessageId,
  PeerId,
  RoomId,
  RoomSettings,
  UserInfo,
} from '@parley/protocol';

/**
 * The storage interfaces: what the rooms, chat and accounts ask of durable state. Each has
 * two engines, SQLite (`sqlite/`, the embedded default) and PostgreSQL (`postgres/`, the
 * cluster mode); `contract.test.ts` runs one suite against both. Every method is async,
 * because a PostgreSQL round trip is; the SQLite engine answers from a synchronous driver.
 */

export interface NewChatMessage {
  clientId: ClientMessageId;
  from: PeerId;
  name: string;
  text: string;
  ts: number;
}

/** What `append` did: a fresh message, or the one already stored under that client id. */
export interface AppendResult {
  message: ChatMessage;
  duplicate: boolean;
}

/**
 * Chat history per room, with a gap-free sequence per room. `append` resolves only after the
 * row is committed, so an acked message survives a crash or restart.
 */
export interface ChatStore {
  /** Stores a message, or returns the stored one when its client id was seen before. */
  append(roomId: RoomId, msg: NewChatMessage): Promise<AppendResult>;
  /** Messages with seq > `since`, oldest first, at most `limit`. */
  after(roomId: RoomId, since: number, limit: number): Promise<ChatMessage[]>;
  /** The `limit` most recent messages, oldest first. */
  recent(roomId: RoomId, limit: number): Promise<ChatMessage[]>;
}

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

/** A user as stored: what the API shows plus the argon2id hash of their password. */
export interface UserRecord extends UserInfo {
  passwordHash: string;
  createdAt: number;
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
}

/** Accounts. Emails compare case-insensitively. */
export interface UserStore {
  /** The new user, or undefined when the email is taken (decided by a unique index, not a race). */
  create(user: NewUser): Promise<UserRecord | undefined>;
  byEmail(email: string): Promise<UserRecord | undefined>;
  byId(id: string): Promise<UserRecord | undefined>;
}

export interface RefreshTokenRow {
  userId: string;
  expiresAt: number;
}

/** Refresh tokens by the hash of the token (the token itself is never stored). */
export interface RefreshTokenStore {
  insert(tokenHash: string, userId: string, expiresAt: number): Promise<void>;
  /** Deletes the row and returns it, atomically: of two concurrent takes, one gets the row. */
  take(tokenHash: string): Promise<RefreshTokenRow | undefined>;
  get(tokenHash: string): Promise<RefreshTokenRow | undefined>;
  delete(tokenHash: string): Promise<void>;
  revokeUser(userId: string): Promise<void>;
  /** Removes every row that expired at or before `now`. */
  sweep(now: number): Promise<void>;
}

/** Every store of one engine, and how to let it go. */
export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  readonly chat: ChatStore;
  readonly rooms: RoomStore;
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  close(): Promise<void>;
}
