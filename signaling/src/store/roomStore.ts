import { DEFAULT_ROOM_SETTINGS } from '@parley/protocol';
import type { RoomId, RoomSettings } from '@parley/protocol';
import type { Db } from './db.ts';

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

interface RoomRow {
  id: string;
  host_key_hash: string;
  created_at: number;
  owner_id: string | null;
  title: string | null;
  settings: string;
  password_hash: string | null;
}

const COLUMNS = 'id, host_key_hash, created_at, owner_id, title, settings, password_hash';

/** Rooms as persisted: which ids exist, who may claim the host role, and their settings. */
export class RoomStore {
  readonly #insert;
  readonly #select;
  readonly #byOwner;
  readonly #updateSettings;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO rooms (${COLUMNS}) VALUES
       (@id, @hostKeyHash, @createdAt, @ownerId, @title, @settings, @passwordHash)`,
    );
    this.#select = db.prepare<[string], RoomRow>(`SELECT ${COLUMNS} FROM rooms WHERE id = ?`);
    this.#byOwner = db.prepare<[string, number], RoomRow>(
      `SELECT ${COLUMNS} FROM rooms WHERE owner_id = ? ORDER BY created_at DESC LIMIT ?`,
    );
    this.#updateSettings = db.prepare(
      'UPDATE rooms SET settings = @settings, password_hash = @passwordHash WHERE id = @id',
    );
  }

  create(record: RoomRecord): void {
    this.#insert.run({ ...record, settings: JSON.stringify(record.settings) });
  }

  get(id: RoomId): RoomRecord | undefined {
    const row = this.#select.get(id);
    return row && fromRow(row);
  }

  /** A user's rooms, newest first. */
  listByOwner(ownerId: string, limit = 100): RoomRecord[] {
    return this.#byOwner.all(ownerId, limit).map(fromRow);
  }

  saveSettings(id: RoomId, settings: StoredSettings, passwordHash: string | null): void {
    this.#updateSettings.run({ id, settings: JSON.stringify(settings), passwordHash });
  }
}

function fromRow(row: RoomRow): RoomRecord {
  return {
    id: row.id as RoomId,
    hostKeyHash: row.host_key_hash,
    createdAt: row.created_at,
    ownerId: row.owner_id,
    title: row.title,
    settings: parseSettings(row.settings),
    passwordHash: row.password_hash,
  };
}

/** The safe defaults a new room gets (waiting room on). */
export function defaultSettings(): StoredSettings {
  const { waitingRoom, locked, screenShare, chat } = DEFAULT_ROOM_SETTINGS;
  return { waitingRoom, locked, screenShare, chat };
}

/** Stored JSON over the defaults, so a setting added later gets its default on old rooms. */
function parseSettings(text: string): StoredSettings {
  const defaults = defaultSettings();
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A damaged row falls back to the safe defaults.
  }
  const pick = (key: keyof StoredSettings): boolean =>
    typeof stored[key] === 'boolean' ? stored[key] : defaults[key];
  return {
    waitingRoom: pick('waitingRoom'),
    locked: pick('locked'),
    screenShare: pick('screenShare'),
    chat: pick('chat'),
  };
}
