import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

/**
 * Schema migrations, applied in order once each. Append only: never edit a shipped step,
 * because `user_version` records how far a database file has already come.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE rooms (
     id            TEXT PRIMARY KEY,
     host_key_hash TEXT NOT NULL,
     created_at    INTEGER NOT NULL
   );
   CREATE TABLE chat (
     room_id   TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     seq       INTEGER NOT NULL,
     client_id TEXT NOT NULL,
     peer_id   TEXT NOT NULL,
     name      TEXT NOT NULL,
     text      TEXT NOT NULL,
     ts        INTEGER NOT NULL,
     PRIMARY KEY (room_id, seq),
     UNIQUE (room_id, client_id)
   ) WITHOUT ROWID;`,
  // Accounts and persisted room settings.
  `CREATE TABLE users (
     id            TEXT PRIMARY KEY,
     email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
     name          TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at    INTEGER NOT NULL
   );
   CREATE TABLE refresh_tokens (
     token_hash TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
   ALTER TABLE rooms ADD COLUMN owner_id TEXT REFERENCES users(id) ON DELETE SET NULL;
   ALTER TABLE rooms ADD COLUMN title TEXT;
   ALTER TABLE rooms ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE rooms ADD COLUMN password_hash TEXT;
   CREATE INDEX rooms_owner ON rooms(owner_id, created_at);`,
  // A meeting's door (bans, co-hosts, admitted seats), so it survives a move to another node.
  `CREATE TABLE door_marks (
     room_id      TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     kind         TEXT NOT NULL CHECK (kind IN ('ban', 'cohost')),
     identity_key TEXT NOT NULL,
     PRIMARY KEY (room_id, kind, identity_key)
   ) WITHOUT ROWID;
   CREATE TABLE door_seats (
     room_id       TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     peer_id       TEXT NOT NULL,
     token_hash    TEXT NOT NULL,
     name          TEXT NOT NULL,
     role          TEXT NOT NULL,
     identity_keys TEXT NOT NULL DEFAULT '[]',
     PRIMARY KEY (room_id, peer_id)
   ) WITHOUT ROWID;`,
  // When each stored meeting last showed it was running: a door left by a node that died,
  // which nobody came back to, is not the next meeting's.
  `CREATE TABLE door_meetings (
     room_id  TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
     alive_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Walkie-talkie teams (issue #16): a team is a room, with its channels and members.
  // name_key is the case-folded name the store computes (teamRows.ts channelNameKey).
  `CREATE TABLE teams (
     room_id    TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
     name       TEXT NOT NULL,
     settings   TEXT NOT NULL DEFAULT '{}',
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE team_channels (
     id         TEXT PRIMARY KEY,
     team_id    TEXT NOT NULL REFERENCES teams(room_id) ON DELETE CASCADE,
     name       TEXT NOT NULL,
     name_key   TEXT NOT NULL,
     position   INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX team_channels_name ON team_channels(team_id, name_key);
   CREATE TABLE team_members (
     team_id      TEXT NOT NULL REFERENCES teams(room_id) ON DELETE CASCADE,
     identity_key TEXT NOT NULL,
     name         TEXT NOT NULL,
     role         TEXT NOT NULL CHECK (role IN ('admin', 'member')),
     added_at     INTEGER NOT NULL,
     PRIMARY KEY (team_id, identity_key)
   ) WITHOUT ROWID;
   CREATE INDEX team_members_identity ON team_members(identity_key);`,
  // Raised hands (issue #17): the meeting's, like its door, kept per person.
  `CREATE TABLE door_hands (
     room_id      TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     identity_key TEXT NOT NULL,
     raised_at    INTEGER NOT NULL,
     PRIMARY KEY (room_id, identity_key)
   ) WITHOUT ROWID;`,
  // Polls (issue #17): the room's, not the meeting's (kept when it ends). One open poll per
  // room and one vote per person and poll, decided by these indexes.
  `CREATE TABLE polls (
     id          TEXT PRIMARY KEY,
     room_id     TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     question    TEXT NOT NULL,
     options     TEXT NOT NULL,
     multiple    INTEGER NOT NULL,
     anonymous   INTEGER NOT NULL,
     changeable  INTEGER NOT NULL,
     launched_at INTEGER NOT NULL,
     ended_at    INTEGER,
     shared      INTEGER NOT NULL
   );
   CREATE INDEX polls_room ON polls(room_id, launched_at);
   CREATE UNIQUE INDEX polls_one_open ON polls(room_id) WHERE ended_at IS NULL;
   CREATE TABLE poll_votes (
     poll_id    TEXT NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
     person_key TEXT NOT NULL,
     name       TEXT,
     choices    TEXT NOT NULL,
     voted_at   INTEGER NOT NULL,
     PRIMARY KEY (poll_id, person_key)
   ) WITHOUT ROWID;`,
  // The whiteboard and its slide decks (issue 17): the room's, kept when its meeting ends.
  // `boards` holds the compacted snapshot and the room's update counter (last_seq), so the
  // numbering goes on above a compaction that folded every update away. Rowid tables: their
  // rows hold blobs, which WITHOUT ROWID tables store badly. The PDF is the last column, so
  // listing decks never reads it.
  `CREATE TABLE boards (
     room_id     TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
     last_seq    INTEGER NOT NULL,
     through_seq INTEGER NOT NULL DEFAULT 0,
     snapshot    BLOB
   );
   CREATE TABLE board_updates (
     room_id TEXT NOT NULL REFERENCES boards(room_id) ON DELETE CASCADE,
     seq     INTEGER NOT NULL,
     data    BLOB NOT NULL,
     PRIMARY KEY (room_id, seq)
   );
   CREATE TABLE slide_decks (
     id         TEXT PRIMARY KEY,
     room_id    TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     bytes      INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     pdf        BLOB NOT NULL
   );
   CREATE INDEX slide_decks_room ON slide_decks(room_id, created_at);`,
  // Recordings (issue 18): a row per recording, which is also its composite's job. No foreign
  // key to rooms: the files outlive nothing by accident, retention deletes both together.
  `CREATE TABLE recordings (
     id          TEXT PRIMARY KEY,
     room_id     TEXT NOT NULL,
     title       TEXT NOT NULL,
     node        TEXT,
     started_at  INTEGER NOT NULL,
     ended_at    INTEGER,
     status      TEXT NOT NULL,
     progress    REAL NOT NULL DEFAULT 0,
     duration_ms INTEGER,
     bytes       INTEGER,
     audio_bytes INTEGER,
     layout      TEXT NOT NULL,
     gap_ms      INTEGER NOT NULL DEFAULT 0,
     error       TEXT
   );
   CREATE INDEX recordings_room ON recordings(room_id, started_at);
   CREATE INDEX recordings_node ON recordings(node, status);`,
  // Single sign-on (issue 21): which account each OpenID identity (issuer, subject) opens.
  // One identity per account and issuer, so another person's identity is never merged in.
  `CREATE TABLE user_identities (
     issuer    TEXT NOT NULL,
     subject   TEXT NOT NULL,
     user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     linked_at INTEGER NOT NULL,
     PRIMARY KEY (issuer, subject),
     UNIQUE (user_id, issuer)
   ) WITHOUT ROWID;`,
  // Attendance and feedback (issue 21): a meeting is one session of a room; each admitted
  // peer's stay is an interval (one open per peer, by the partial index); one rating per person
  // and meeting, by the primary key. Kept after the room's meeting ends, until the purge.
  `CREATE TABLE meetings (
     id         TEXT PRIMARY KEY,
     room_id    TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     started_at INTEGER NOT NULL,
     alive_at   INTEGER NOT NULL,
     ended_at   INTEGER
   );
   CREATE INDEX meetings_room ON meetings(room_id, started_at);
   CREATE INDEX meetings_ended ON meetings(ended_at);
   CREATE UNIQUE INDEX meetings_one_open ON meetings(room_id) WHERE ended_at IS NULL;
   CREATE TABLE attendance (
     meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
     peer_id    TEXT NOT NULL,
     joined_at  INTEGER NOT NULL,
     left_at    INTEGER,
     person_key TEXT NOT NULL,
     name       TEXT NOT NULL,
     user_id    TEXT,
     PRIMARY KEY (meeting_id, peer_id, joined_at)
   );
   CREATE UNIQUE INDEX attendance_one_open ON attendance(meeting_id, peer_id) WHERE left_at IS NULL;
   CREATE TABLE meeting_feedback (
     meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
     person_key TEXT NOT NULL,
     stars      INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
     comment    TEXT,
     rated_at   INTEGER NOT NULL,
     PRIMARY KEY (meeting_id, person_key)
   ) WITHOUT ROWID;`,
  // Scheduled meetings, calendar feeds and the notice ledger (issue 21). A meeting's room is
  // made with it; invitees are emails (lower-cased), one row each so "invited to" is indexed.
  // A delivery's key is unique: claiming it is an INSERT that one node alone wins.
  `CREATE TABLE scheduled_meetings (
     id               TEXT PRIMARY KEY,
     owner_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     room_id          TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     title            TEXT NOT NULL,
     local_start      TEXT NOT NULL,
     time_zone        TEXT NOT NULL,
     duration_min     INTEGER NOT NULL,
     recurrence       TEXT,
     first_start      INTEGER NOT NULL,
     last_end         INTEGER NOT NULL,
     sequence         INTEGER NOT NULL DEFAULT 0,
     noticed_sequence INTEGER NOT NULL DEFAULT -1,
     created_at       INTEGER NOT NULL,
     updated_at       INTEGER NOT NULL,
     cancelled_at     INTEGER
   );
   CREATE INDEX scheduled_owner ON scheduled_meetings(owner_id, last_end);
   CREATE INDEX scheduled_live ON scheduled_meetings(first_start) WHERE cancelled_at IS NULL;
   CREATE INDEX scheduled_unnoticed ON scheduled_meetings(id) WHERE noticed_sequence < sequence;
   CREATE TABLE scheduled_invitees (
     meeting_id TEXT NOT NULL REFERENCES scheduled_meetings(id) ON DELETE CASCADE,
     email      TEXT NOT NULL,
     PRIMARY KEY (meeting_id, email)
   ) WITHOUT ROWID;
   CREATE INDEX scheduled_invitees_email ON scheduled_invitees(email);
   CREATE TABLE calendar_feeds (
     user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE notice_deliveries (
     meeting_id TEXT NOT NULL REFERENCES scheduled_meetings(id) ON DELETE CASCADE,
     occurrence INTEGER NOT NULL,
     email      TEXT NOT NULL,
     channel    TEXT NOT NULL,
     kind       TEXT NOT NULL,
     status     TEXT NOT NULL,
     attempts   INTEGER NOT NULL DEFAULT 0,
     next_at    INTEGER NOT NULL,
     last_error TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (meeting_id, occurrence, email, channel, kind)
   ) WITHOUT ROWID;
   CREATE INDEX notice_deliveries_due ON notice_deliveries(next_at)
     WHERE status IN ('sending', 'retry');`,
  // Password reset links (issue 21): only the token's hash; one per account (its primary key).
  `CREATE TABLE password_resets (
     user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
     token_hash TEXT NOT NULL UNIQUE,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX password_resets_expiry ON password_resets(expires_at);`,
  // Web Push (issue 21): the devices that get an account's reminders, a few per account
  // (PUSH_MAX_DEVICES); one row per endpoint, so a device belongs to one account.
  `CREATE TABLE push_subscriptions (
     endpoint   TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     p256dh     TEXT NOT NULL,
     auth       TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, created_at);`,
  // People an edit took off a scheduled meeting (issue 21): each is sent its cancellation once,
  // keyed by the sequence of the edit that removed them; inviting them again deletes the row.
  `CREATE TABLE scheduled_removals (
     meeting_id TEXT NOT NULL REFERENCES scheduled_meetings(id) ON DELETE CASCADE,
     email      TEXT NOT NULL,
     sequence   INTEGER NOT NULL,
     PRIMARY KEY (meeting_id, email)
   ) WITHOUT ROWID;`,
];

/** Opens (creating if needed) `<dataDir>/parley.db` and brings its schema up to date. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'parley.db'));
  // WAL: readers never block the writer; synchronous=NORMAL is durable across process crashes
  // (only an OS crash can lose the last transactions), which is the trade most servers make.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
