import type {
  ChatMessage,
  ClientMessageId,
  PeerId,
  RoomId,
  Role,
  RoomSettings,
  RecordingInfo,
  UserInfo,
} from '@parley/protocol';
import type { NoticeStore, PushSubscriptionStore, ScheduleStore } from './scheduleTypes.ts';

export type * from './scheduleTypes.ts';

/**
 * The storage interfaces: what the rooms, chat, accounts and teams ask of durable state. Each has
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

/** A user as stored: what the API shows plus the argon2id hash of their password. */
export interface UserRecord extends UserInfo {
  /** '' for an account made by single sign-on: no password opens it (NO_PASSWORD). */
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
  /**
   * The account's password hash, read again after a sign-in stored its session: a single
   * sign-on link that took the account meanwhile (`IdentityStore.link`) either shows here as
   * the emptied hash, or deleted that session. So the read waits for a change to the row in
   * progress (PostgreSQL: FOR SHARE; SQLite serializes its writers, a session's insert too).
   */
  passwordHashOf(id: string): Promise<string | undefined>;
}

/** An account's link to an identity at an OpenID provider (issue 21, single sign-on). */
export interface IdentityLink {
  /** The provider's issuer identifier, exactly as its ID tokens say (`iss`). */
  issuer: string;
  /** The person's stable id at that provider (`sub`). */
  subject: string;
  userId: string;
  /** ms since the epoch. */
  linkedAt: number;
}

/**
 * Which account an OpenID identity signs in to. An identity is linked to one account, and an
 * account to at most one identity per issuer: both decided by unique indexes, not a race.
 */
export interface IdentityStore {
  /** The account linked to (issuer, subject). */
  userOf(issuer: string, subject: string): Promise<string | undefined>;
  /**
   * Links the identity to an existing account and, in the same transaction, takes the account
   * back from whoever could open it before: its password is removed (an empty hash, as for an
   * account single sign-on created) and all its refresh tokens are deleted. An unverified
   * sign-up may have been someone else's (account pre-hijacking, issue 21). False, writing
   * nothing, when the identity is linked already (to any account) or the account has another
   * identity of this issuer.
   */
  link(link: IdentityLink): Promise<boolean>;
  /**
   * Creates an account already linked to the identity, in one transaction. Undefined, writing
   * nothing, when the email has an account or the identity is linked already.
   */
  createLinked(
    user: NewUser,
    identity: Omit<IdentityLink, 'userId' | 'linkedAt'>,
  ): Promise<UserRecord | undefined>;
  /** The account's links, the oldest first. */
  linksOf(userId: string): Promise<IdentityLink[]>;
}

export interface RefreshTokenRow {
  userId: string;
  expiresAt: number;
}

/** Refresh tokens by the hash of the token (the token itself is never stored). */
export interface RefreshTokenStore {
  insert(tokenHash: string, userId: string, expiresAt: number): Promise<void>;
  /**
   * Spends a token: deletes its row and returns it, atomically (of two concurrent rotations,
   * one gets the row). When the row had not expired at `now`, the same transaction stores the
   * marker `rotatedHash` (the row's expiry, for spotting reuse) and the successor `next`. It
   * holds the account's row meanwhile (PostgreSQL: FOR SHARE), so a single sign-on link
   * (`IdentityStore.link`, issue 21) either finds the successor to revoke or leaves no row.
   */
  rotate(
    tokenHash: string,
    rotatedHash: string,
    next: { tokenHash: string; expiresAt: number },
    now: number,
  ): Promise<RefreshTokenRow | undefined>;
  get(tokenHash: string): Promise<RefreshTokenRow | undefined>;
  delete(tokenHash: string): Promise<void>;
  revokeUser(userId: string): Promise<void>;
  /** Removes every row that expired at or before `now`. */
  sweep(now: number): Promise<void>;
}

/** A password reset link, as stored: only its token's hash (issue 21). */
export interface PasswordResetRow {
  userId: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/**
 * Password reset links (issue 21): one live link per account (a new one replaces it), keyed by
 * the sha256 of its token, so a copy of the database opens nothing.
 */
export interface PasswordResetStore {
  /** Stores the account's link, replacing any earlier one, and drops every expired link. */
  insert(tokenHash: string, userId: string, expiresAt: number, now: number): Promise<void>;
  get(tokenHash: string): Promise<PasswordResetRow | undefined>;
  /**
   * Spends the link, in one transaction: deletes it and, when it had not expired at `now`, sets
   * the account's password hash and deletes all its refresh tokens (every session ends).
   * Returns the account's id then; undefined for an unknown, spent or expired link (of two
   * concurrent redemptions, one wins).
   */
  redeem(tokenHash: string, passwordHash: string, now: number): Promise<string | undefined>;
}

/** A team's own settings (issue #16); its room's settings stay in `rooms`. */
export interface TeamSettings {
  /** Newcomers wait for an admin (the room's waiting room). Default false. */
  requireApproval: boolean;
  /** A refused floor request waits in line instead of hearing busy. Default false. */
  queue: boolean;
  /** Talk time before the floor is released by itself. Default 60. */
  maxTalkSeconds: number;
}

/**
 * A walkie-talkie team. A team IS a room: `id` is the id of a row in `rooms` (created first,
 * through `RoomStore.create`, with the host key and owner), and removing that room removes
 * the team with its channels and members.
 */
export interface TeamRecord {
  id: RoomId;
  name: string;
  settings: TeamSettings;
  createdAt: number;
}

/** An audio channel of a team. Its id is made by the store, random and stable. */
export interface ChannelRecord {
  id: string;
  teamId: RoomId;
  name: string;
  /** Where it is listed: ascending, a new channel after the others. */
  position: number;
  createdAt: number;
}

/**
 * What a channel write did: the channel as stored, or why nothing was written
 * (`duplicate-name`: the team has a channel of that name, in any case; `not-found`: no such
 * team, or for a rename no such channel in it).
 */
export type ChannelResult =
  { ok: true; channel: ChannelRecord } | { ok: false; reason: 'duplicate-name' | 'not-found' };

export type TeamRole = 'admin' | 'member';

/** A member of a team, under one of its identity keys (`d:<deviceId>`, `u:<userId>`). */
export interface TeamMemberRecord {
  identityKey: string;
  name: string;
  role: TeamRole;
  /** When the key first joined the team; a later `putMember` keeps it. */
  addedAt: number;
}

/**
 * Teams, their channels and members (issue #16). Channel names are unique per team
 * case-insensitively (Unicode case, decided by a unique index, not a race). Who may do what
 * (the last admin, the last channel) is the caller's rule, not the store's.
 */
export interface TeamStore {
  /**
   * Stores the team and its first channel at position 0 in one transaction. Undefined when
   * the room already has a team (a retried create), so nothing is written twice. The room
   * must exist.
   */
  create(team: TeamRecord, firstChannelName: string): Promise<ChannelRecord | undefined>;
  get(teamId: RoomId): Promise<TeamRecord | undefined>;
  /** False: no such team. */
  rename(teamId: RoomId, name: string): Promise<boolean>;
  /** False: no such team. */
  saveSettings(teamId: RoomId, settings: TeamSettings): Promise<boolean>;
  /** The team's channels by position (empty for an unknown team). */
  channels(teamId: RoomId): Promise<ChannelRecord[]>;
  /** A new channel after the last one. */
  addChannel(teamId: RoomId, name: string): Promise<ChannelResult>;
  renameChannel(teamId: RoomId, channelId: string, name: string): Promise<ChannelResult>;
  /** False: the team has no such channel. */
  removeChannel(teamId: RoomId, channelId: string): Promise<boolean>;
  /** Every member, the earliest added first. */
  members(teamId: RoomId): Promise<TeamMemberRecord[]>;
  /**
   * The member stored under the first of `identityKeys` that has one: a person known by
   * device and by account, the caller's preferred key first.
   */
  member(teamId: RoomId, identityKeys: readonly string[]): Promise<TeamMemberRecord | undefined>;
  /** Adds the member, or updates its name and role (keeping `addedAt`). False: no such team. */
  putMember(teamId: RoomId, member: TeamMemberRecord): Promise<boolean>;
  /** False: no such member. */
  removeMember(teamId: RoomId, identityKey: string): Promise<boolean>;
  /** The teams any of these keys belong to, the newest team first, at most `limit` (100). */
  listByMember(identityKeys: readonly string[], limit?: number): Promise<TeamRecord[]>;
}

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

/**
 * A recording (issue 18): one row is both the list entry and the composite's job. What its
 * hosts see (RecordingInfo), plus the node whose disk holds its files (cluster mode; null in
 * the embedded default).
 */
export interface RecordingRecord extends Omit<RecordingInfo, 'roomId'> {
  roomId: RoomId;
  node: string | null;
}

/** What a recording's life changes; the rest is fixed at its start. */
export type RecordingChange = Partial<
  Pick<
    RecordingRecord,
    'endedAt' | 'status' | 'progress' | 'durationMs' | 'bytes' | 'audioBytes' | 'gapMs' | 'error'
  >
>;

export interface RecordingStore {
  create(recording: RecordingRecord): Promise<void>;
  get(id: string): Promise<RecordingRecord | undefined>;
  /** The room's recordings, the newest first. */
  listByRoom(roomId: RoomId, limit?: number): Promise<RecordingRecord[]>;
  /** False when no such recording. */
  update(id: string, change: RecordingChange): Promise<boolean>;
  /**
   * The node's recordings not yet ready or failed (`recording`, `queued`, `processing`), the
   * oldest first: what a node starting up finalizes and composes.
   */
  unfinished(node: string | null): Promise<RecordingRecord[]>;
  /** The node's recordings that ended before `at` (retention), the oldest first. */
  endedBefore(node: string | null, at: number, limit?: number): Promise<RecordingRecord[]>;
  /** False when no such recording. */
  delete(id: string): Promise<boolean>;
}

/**
 * A meeting (issue 21): one session of a room, from its first admission until the room is
 * empty (or its node stopped and nobody came back). Attendance and feedback hang off it.
 */
export interface MeetingRecord {
  id: string;
  roomId: RoomId;
  startedAt: number;
  /** Null while it runs. */
  endedAt: number | null;
  /** The last time its node said it was running (the pulse), or its end. */
  aliveAt: number;
}

/** What `AttendanceStore.begin` did: took up the room's running meeting, or started one. */
export interface BegunMeeting {
  id: string;
  continued: boolean;
}

/** One admitted peer's stay in a meeting: from its admission to its leave. */
export interface AttendanceInterval {
  peerId: PeerId;
  /** The person (`u:` account, `g:` guest, `p:` a socket with neither): a row of the report. */
  personKey: string;
  /** The name they joined with. */
  name: string;
  userId: string | null;
  /** The account's email and name now (null for a guest, or an account since deleted). */
  email: string | null;
  accountName: string | null;
  joinedAt: number;
  /** Null while they are in. */
  leftAt: number | null;
}

/** A meeting as its hosts' list shows it. */
export interface MeetingSummary extends MeetingRecord {
  /** Distinct people admitted. */
  attendees: number;
  ratings: number;
  /** Mean of the stars; null without ratings. */
  averageStars: number | null;
}

/** One person's rating of a meeting; who gave it is kept only to take one per person. */
export interface StoredFeedback {
  stars: number;
  comment: string | null;
  at: number;
}

/** A rating's comment in a room's series summary, with the meeting it is about. */
export interface SeriesComment extends StoredFeedback {
  comment: string;
  meetingId: string;
  meetingStartedAt: number;
}

/** Every kept meeting of a room as one series: a weekly scheduled meeting is one room. */
export interface SeriesFeedback {
  meetings: number;
  ratings: number;
  /** Mean of all the stars; null without ratings. */
  averageStars: number | null;
  /** Ratings with a comment, all of them (`latest` holds at most the limit asked for). */
  comments: number;
  /** The newest meeting's comments first, within a meeting the newest first. */
  latest: SeriesComment[];
}

/**
 * Meetings, who attended them and how they rated them (issue 21). Written by the node serving
 * the room (never from what a client says), kept RETENTION after the meeting ends
 * (`purge`), removed with the room.
 */
export interface AttendanceStore {
  /**
   * The room's meeting for its first admission on this node. A running one (heard from within
   * `goneMs`) goes on, after its intervals still open (left by a node that stopped) are closed
   * at its last pulse; a silent one is ended at its last pulse; otherwise `newId` starts at
   * `now`. One open meeting per room (a unique index).
   */
  begin(roomId: RoomId, newId: string, now: number, goneMs: number): Promise<BegunMeeting>;
  /** Opens the peer's interval at `joinedAt`; nothing when it has one open (idempotent). */
  arrive(
    meetingId: string,
    interval: Omit<AttendanceInterval, 'email' | 'accountName' | 'leftAt'>,
  ): Promise<void>;
  /** Closes the peer's open interval (every open one for null) at `at`, if it began by then. */
  depart(meetingId: string, peerId: PeerId | null, at: number): Promise<void>;
  /** Ends the meeting at `at`, closing what is still open. */
  end(meetingId: string, at: number): Promise<void>;
  /** The running meetings of these rooms were alive at `now` (one statement). */
  touch(roomIds: readonly RoomId[], now: number): Promise<void>;
  /** Ends up to `limit` meetings not heard from since `before`, at their last pulse. */
  endSilent(before: number, limit: number): Promise<number>;
  /** Deletes up to `limit` meetings that ended before `before`, with their rows. */
  purge(before: number, limit: number): Promise<number>;
  /** The room's meetings, the newest first. */
  meetings(roomId: RoomId, limit: number): Promise<MeetingSummary[]>;
  meeting(meetingId: string): Promise<MeetingRecord | undefined>;
  /** Every interval of the meeting, the earliest first. */
  intervals(meetingId: string): Promise<AttendanceInterval[]>;
  /** Stores a person's rating; false when they rated this meeting already (nothing written). */
  rate(meetingId: string, personKey: string, feedback: StoredFeedback): Promise<boolean>;
  /** The meeting's ratings, the earliest first. */
  feedback(meetingId: string): Promise<StoredFeedback[]>;
  /** The ratings of all the room's meetings, with at most `limit` comments. */
  seriesFeedback(roomId: RoomId, limit: number): Promise<SeriesFeedback>;
}

/** Every store of one engine, and how to let it go. */
export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  readonly chat: ChatStore;
  readonly rooms: RoomStore;
  readonly doors: DoorStore;
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly identities: IdentityStore;
  readonly teams: TeamStore;
  readonly polls: PollStore;
  readonly boards: BoardStore;
  readonly slides: SlideStore;
  readonly recordings: RecordingStore;
  readonly attendance: AttendanceStore;
  readonly schedule: ScheduleStore;
  readonly notices: NoticeStore;
  readonly passwordResets: PasswordResetStore;
  readonly pushSubscriptions: PushSubscriptionStore;
  close(): Promise<void>;
}
