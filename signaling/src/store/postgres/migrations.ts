import type { PgPool } from './pool.ts';

/**
 * Schema migrations, applied in order once each and recorded in `schema_migrations`. Append
 * only: never edit a shipped step. The same tables as the SQLite engine (`sqlite/db.ts`), in
 * PostgreSQL's types: timestamps are BIGINT milliseconds, settings JSONB, and the email's
 * case-insensitive uniqueness is an index on lower(email).
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id            TEXT PRIMARY KEY,
     email         TEXT NOT NULL,
     name          TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at    BIGINT NOT NULL
   );
   CREATE UNIQUE INDEX users_email ON users (lower(email));
   CREATE TABLE refresh_tokens (
     token_hash TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
   CREATE TABLE rooms (
     id            TEXT PRIMARY KEY,
     host_key_hash TEXT NOT NULL,
     created_at    BIGINT NOT NULL,
     owner_id      TEXT REFERENCES users(id) ON DELETE SET NULL,
     title         TEXT,
     settings      JSONB NOT NULL DEFAULT '{}',
     password_hash TEXT
   );
   CREATE INDEX rooms_owner ON rooms(owner_id, created_at);
   CREATE TABLE chat (
     room_id   TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     seq       INTEGER NOT NULL,
     client_id TEXT NOT NULL,
     peer_id   TEXT NOT NULL,
     name      TEXT NOT NULL,
     text      TEXT NOT NULL,
     ts        BIGINT NOT NULL,
     PRIMARY KEY (room_id, seq),
     UNIQUE (room_id, client_id)
   );`,
  // A meeting's door (bans, co-hosts, admitted seats), so it survives a move to another node.
  `CREATE TABLE door_marks (
     room_id      TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     kind         TEXT NOT NULL CHECK (kind IN ('ban', 'cohost')),
     identity_key TEXT NOT NULL,
     PRIMARY KEY (room_id, kind, identity_key)
   );
   CREATE TABLE door_seats (
     room_id       TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     peer_id       TEXT NOT NULL,
     token_hash    TEXT NOT NULL,
     name          TEXT NOT NULL,
     role          TEXT NOT NULL,
     identity_keys TEXT[] NOT NULL DEFAULT '{}',
     PRIMARY KEY (room_id, peer_id)
   );`,
  // When each stored meeting last showed it was running: a door left by a node that died,
  // which nobody came back to, is not the next meeting's.
  `CREATE TABLE door_meetings (
     room_id  TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
     alive_at BIGINT NOT NULL
   );`,
  // Walkie-talkie teams (issue #16): a team is a room, with its channels and members.
  // name_key is the case-folded name the store computes (teamRows.ts channelNameKey).
  `CREATE TABLE teams (
     room_id    TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
     name       TEXT NOT NULL,
     settings   JSONB NOT NULL DEFAULT '{}',
     created_at BIGINT NOT NULL
   );
   CREATE TABLE team_channels (
     id         TEXT PRIMARY KEY,
     team_id    TEXT NOT NULL REFERENCES teams(room_id) ON DELETE CASCADE,
     name       TEXT NOT NULL,
     name_key   TEXT NOT NULL,
     position   INTEGER NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE UNIQUE INDEX team_channels_name ON team_channels(team_id, name_key);
   CREATE TABLE team_members (
     team_id      TEXT NOT NULL REFERENCES teams(room_id) ON DELETE CASCADE,
     identity_key TEXT NOT NULL,
     name         TEXT NOT NULL,
     role         TEXT NOT NULL CHECK (role IN ('admin', 'member')),
     added_at     BIGINT NOT NULL,
     PRIMARY KEY (team_id, identity_key)
   );
   CREATE INDEX team_members_identity ON team_members(identity_key);`,
  // Raised hands (issue #17): the meeting's, like its door, kept per person.
  `CREATE TABLE door_hands (
     room_id      TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     identity_key TEXT NOT NULL,
     raised_at    BIGINT NOT NULL,
     PRIMARY KEY (room_id, identity_key)
   );`,
  // Polls (issue #17): the room's, not the meeting's (kept when it ends). One open poll per
  // room and one vote per person and poll, decided by these indexes.
  `CREATE TABLE polls (
     id          TEXT PRIMARY KEY,
     room_id     TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     question    TEXT NOT NULL,
     options     TEXT NOT NULL,
     multiple    BOOLEAN NOT NULL,
     anonymous   BOOLEAN NOT NULL,
     changeable  BOOLEAN NOT NULL,
     launched_at BIGINT NOT NULL,
     ended_at    BIGINT,
     shared      BOOLEAN NOT NULL
   );
   CREATE INDEX polls_room ON polls(room_id, launched_at);
   CREATE UNIQUE INDEX polls_one_open ON polls(room_id) WHERE ended_at IS NULL;
   CREATE TABLE poll_votes (
     poll_id    TEXT NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
     person_key TEXT NOT NULL,
     name       TEXT,
     choices    TEXT NOT NULL,
     voted_at   BIGINT NOT NULL,
     PRIMARY KEY (poll_id, person_key)
   );`,
  // The whiteboard and its slide decks (issue 17): the room's, kept when its meeting ends.
  // `boards` holds the compacted snapshot and the room's update counter (last_seq): the row an
  // append locks to number its update, and what keeps the numbering going above a compaction
  // that folded every update away.
  `CREATE TABLE boards (
     room_id     TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
     last_seq    BIGINT NOT NULL,
     through_seq BIGINT NOT NULL DEFAULT 0,
     snapshot    BYTEA
   );
   CREATE TABLE board_updates (
     room_id TEXT NOT NULL REFERENCES boards(room_id) ON DELETE CASCADE,
     seq     BIGINT NOT NULL,
     data    BYTEA NOT NULL,
     PRIMARY KEY (room_id, seq)
   );
   CREATE TABLE slide_decks (
     id         TEXT PRIMARY KEY,
     room_id    TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     bytes      INTEGER NOT NULL,
     created_at BIGINT NOT NULL,
     pdf        BYTEA NOT NULL
   );
   CREATE INDEX slide_decks_room ON slide_decks(room_id, created_at);`,
  // Recordings (issue 18): a row per recording, which is also its composite's job. No foreign
  // key to rooms: the files outlive nothing by accident, retention deletes both together.
  `CREATE TABLE recordings (
     id          TEXT PRIMARY KEY,
     room_id     TEXT NOT NULL,
     title       TEXT NOT NULL,
     node        TEXT,
     started_at  BIGINT NOT NULL,
     ended_at    BIGINT,
     status      TEXT NOT NULL,
     progress    DOUBLE PRECISION NOT NULL DEFAULT 0,
     duration_ms BIGINT,
     bytes       BIGINT,
     audio_bytes BIGINT,
     layout      TEXT NOT NULL,
     gap_ms      BIGINT NOT NULL DEFAULT 0,
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
     linked_at BIGINT NOT NULL,
     PRIMARY KEY (issuer, subject),
     UNIQUE (user_id, issuer)
   );`,
  // Attendance and feedback (issue 21): a meeting is one session of a room; each admitted
  // peer's stay is an interval (one open per peer, by the partial index); one rating per person
  // and meeting, by the primary key. Kept after the room's meeting ends, until the purge.
  `CREATE TABLE meetings (
     id         TEXT PRIMARY KEY,
     room_id    TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
     started_at BIGINT NOT NULL,
     alive_at   BIGINT NOT NULL,
     ended_at   BIGINT
   );
   CREATE INDEX meetings_room ON meetings(room_id, started_at);
   CREATE INDEX meetings_ended ON meetings(ended_at);
   CREATE UNIQUE INDEX meetings_one_open ON meetings(room_id) WHERE ended_at IS NULL;
   CREATE TABLE attendance (
     meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
     peer_id    TEXT NOT NULL,
     joined_at  BIGINT NOT NULL,
     left_at    BIGINT,
     person_key TEXT NOT NULL,
     name       TEXT NOT NULL,
     user_id    TEXT,
     PRIMARY KEY (meeting_id, peer_id, joined_at)
   );
   CREATE UNIQUE INDEX attendance_one_open ON attendance(meeting_id, peer_id) WHERE left_at IS NULL;
   CREATE TABLE meeting_feedback (
     meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
     person_key TEXT NOT NULL,
     stars      SMALLINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
     comment    TEXT,
     rated_at   BIGINT NOT NULL,
     PRIMARY KEY (meeting_id, person_key)
   );`,
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
     first_start      BIGINT NOT NULL,
     last_end         BIGINT NOT NULL,
     sequence         INTEGER NOT NULL DEFAULT 0,
     noticed_sequence INTEGER NOT NULL DEFAULT -1,
     created_at       BIGINT NOT NULL,
     updated_at       BIGINT NOT NULL,
     cancelled_at     BIGINT
   );
   CREATE INDEX scheduled_owner ON scheduled_meetings(owner_id, last_end);
   CREATE INDEX scheduled_live ON scheduled_meetings(first_start) WHERE cancelled_at IS NULL;
   CREATE INDEX scheduled_unnoticed ON scheduled_meetings(id) WHERE noticed_sequence < sequence;
   CREATE TABLE scheduled_invitees (
     meeting_id TEXT NOT NULL REFERENCES scheduled_meetings(id) ON DELETE CASCADE,
     email      TEXT NOT NULL,
     PRIMARY KEY (meeting_id, email)
   );
   CREATE INDEX scheduled_invitees_email ON scheduled_invitees(email);
   CREATE TABLE calendar_feeds (
     user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
     token_hash TEXT NOT NULL UNIQUE,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE notice_deliveries (
     meeting_id TEXT NOT NULL REFERENCES scheduled_meetings(id) ON DELETE CASCADE,
     occurrence BIGINT NOT NULL,
     email      TEXT NOT NULL,
     channel    TEXT NOT NULL,
     kind       TEXT NOT NULL,
     status     TEXT NOT NULL,
     attempts   INTEGER NOT NULL DEFAULT 0,
     next_at    BIGINT NOT NULL,
     last_error TEXT,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (meeting_id, occurrence, email, channel, kind)
   );
   CREATE INDEX notice_deliveries_due ON notice_deliveries(next_at)
     WHERE status IN ('sending', 'retry');`,
  // Password reset links (issue 21): only the token's hash; one per account (its primary key).
  `CREATE TABLE password_resets (
     user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
     token_hash TEXT NOT NULL UNIQUE,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX password_resets_expiry ON password_resets(expires_at);`,
  // Web Push (issue 21): the devices that get an account's reminders, a few per account
  // (PUSH_MAX_DEVICES); one row per endpoint, so a device belongs to one account.
  `CREATE TABLE push_subscriptions (
     endpoint   TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     p256dh     TEXT NOT NULL,
     auth       TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, created_at);`,
  // People an edit took off a scheduled meeting (issue 21): each is sent its cancellation once,
  // keyed by the sequence of the edit that removed them; inviting them again deletes the row.
  `CREATE TABLE scheduled_removals (
     meeting_id TEXT NOT NULL REFERENCES scheduled_meetings(id) ON DELETE CASCADE,
     email      TEXT NOT NULL,
     sequence   INTEGER NOT NULL,
     PRIMARY KEY (meeting_id, email)
   );`,
];

/** Any constant: the advisory lock that keeps two nodes starting together from both migrating. */
const MIGRATION_LOCK = 0x7061726c; // "parl"

export async function migrate(pool: PgPool): Promise<void> {
  await pool.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    INTEGER PRIMARY KEY,
         applied_at BIGINT NOT NULL
       )`,
    );
    const [row] = await tx.query<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM schema_migrations',
    );
    for (let version = row?.version ?? 0; version < MIGRATIONS.length; version++) {
      await tx.query(MIGRATIONS[version] as string);
      await tx.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        version + 1,
        Date.now(),
      ]);
    }
  });
}
