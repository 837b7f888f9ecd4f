/** Limits shared by client and server, so the client can refuse early with the same numbers. */
export const LIMITS = {
  /** Largest WebSocket frame the server accepts (bytes); larger ones are closed with 1009. */
  MAX_PAYLOAD_BYTES: 64 * 1024,
  /**
   * `net-check` requests one socket may make (the pre-join connection check asks once per
   * run): each mints a short-lived TURN credential for a socket that is in no meeting.
   */
  NET_CHECKS_PER_SOCKET: 5,
  /** Lifetime of a `net-check` TURN credential, seconds: the check needs a few. */
  NET_CHECK_TURN_TTL_S: 60,
  /** Display names, in characters (after trimming). */
  NAME_MAX: 64,
  /** Chat message text, in characters. */
  CHAT_TEXT_MAX: 2000,
  /** How many recent chat messages a `joined` reply carries. */
  CHAT_HISTORY_ON_JOIN: 50,
  /** Most messages one `chat-sync` reply carries; ask again from the last seq for more. */
  CHAT_SYNC_MAX: 200,
  /** A room password, in characters. */
  ROOM_PASSWORD_MIN: 8,
  ROOM_PASSWORD_MAX: 128,
  /** Account passwords, in characters. */
  ACCOUNT_PASSWORD_MIN: 8,
  ACCOUNT_PASSWORD_MAX: 256,
  /** A room's title, in characters. */
  ROOM_TITLE_MAX: 100,
  /** How deep objects and arrays may nest in one message (real ones stay under 10). */
  JSON_DEPTH_MAX: 32,
  /** A walkie-talkie team's name, in characters. */
  TEAM_NAME_MAX: 100,
  /** A team channel's name, in characters. */
  CHANNEL_NAME_MAX: 40,
  /** Reactions one person may send per second, sustained; a burst of REACTION_BURST passes. */
  REACTIONS_PER_SEC: 2,
  REACTION_BURST: 5,
  /** Reactions go out at most once per this many ms; what comes meanwhile goes together. */
  REACTION_BATCH_MS: 200,
  /** A poll's question and each of its options, in characters; a poll has 2 to 10 options. */
  POLL_QUESTION_MAX: 300,
  POLL_OPTION_MAX: 100,
  POLL_OPTIONS_MIN: 2,
  POLL_OPTIONS_MAX: 10,
  /**
   * One `board-sync` message's base64 data, in characters (a stroke's update is a few hundred;
   * a client splits nothing: a change larger than this is refused with BAD_MESSAGE).
   */
  BOARD_MESSAGE_MAX: 48 * 1024,
  /**
   * A room's whiteboard, as stored (its compacted Yjs state): past this, changes are refused
   * with BOARD_FULL until a page is cleared or removed.
   */
  BOARD_DOC_MAX_BYTES: 2 * 1024 * 1024,
  /** Board data one member may send per second, in bytes, sustained; a burst of 4x passes. */
  BOARD_BYTES_PER_SEC: 64 * 1024,
  /** One slide deck (a PDF), in bytes, and how many decks a room keeps. */
  SLIDES_MAX_BYTES: 20 * 1024 * 1024,
  SLIDE_DECKS_MAX: 20,
  /** Pages of one deck shown on the board (a longer PDF shows its first pages). */
  SLIDE_PAGES_MAX: 200,
  /** A rating's optional comment (issue 21), in characters after trimming. */
  FEEDBACK_COMMENT_MAX: 1000,
  /** A `feedbackTicket` as the server mints it is far shorter; longer ones are refused. */
  FEEDBACK_TICKET_MAX: 512,
  /**
   * Comments a room's series summary lists (`GET /api/rooms/<id>/feedback`), the newest
   * meetings' first; it counts them all and says when it shows fewer.
   */
  SERIES_COMMENTS_LISTED: 100,
  /** A relayed `signal` payload, serialized, in bytes. */
  SIGNAL_MAX_BYTES: 32 * 1024,
} as const;

/**
 * Scheduled meetings' limits (issue 21). Here, beside LIMITS and away from the schemas, so that
 * the home page's schedule form takes them without building zod schemas in the app's first
 * chunk (see csp.ts).
 */
export const SCHEDULE_LIMITS = {
  TITLE_MAX: LIMITS.ROOM_TITLE_MAX,
  /** Invitees of one meeting. */
  INVITEES_MAX: 200,
  EMAIL_MAX: 254,
  /** Meetings a user has scheduled that are neither cancelled nor over. */
  MEETINGS_PER_USER: 500,
  DURATION_MIN_MAX: 24 * 60,
  /** Occurrences of a weekly meeting (two years). */
  OCCURRENCES_MAX: 104,
  /** How far ahead a meeting may start, in days. */
  AHEAD_DAYS_MAX: 2 * 366,
} as const;
