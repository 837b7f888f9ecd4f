/** Protocol version; `hello` carries it and the server refuses any other with CLOSE_CODES.UNSUPPORTED_VERSION. */
export const PROTOCOL_VERSION = 1;

/**
 * Every error the server reports in an `error` message. Stable strings: clients switch on them.
 * The readable text lives in the message's `message` field.
 */
export const ERROR_CODES = {
  /** The frame was not valid UTF-8 JSON. */
  BAD_JSON: 'BAD_JSON',
  /** The JSON did not match any client message schema. */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** A message other than `hello` arrived before the handshake. */
  HELLO_REQUIRED: 'HELLO_REQUIRED',
  /** A second `hello` on the same socket. */
  ALREADY_HELLO: 'ALREADY_HELLO',
  /** `join` on a socket that has already joined a room. */
  ALREADY_JOINED: 'ALREADY_JOINED',
  /** A room-scoped message from a socket that is not admitted to a room. */
  NOT_JOINED: 'NOT_JOINED',
  /** No seat to resume: unknown peer or token, or the resume window has passed. Join again. */
  RESUME_FAILED: 'RESUME_FAILED',
  /**
   * No room with that id, or the room has a password and it was missing or wrong. The two are
   * one answer on purpose: a wrong password must not reveal that a room exists.
   */
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  /** The room is locked: nobody new gets in. */
  ROOM_LOCKED: 'ROOM_LOCKED',
  /** This device or account was denied or removed by a host: not again for this meeting. */
  BANNED: 'BANNED',
  /** In the waiting room: only `leave` and `ping` until a host admits you. */
  NOT_ADMITTED: 'NOT_ADMITTED',
  /** The access token is invalid or expired: refresh it (or sign in) and try again. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The room has reached ROOM_MAX_PEERS. */
  ROOM_FULL: 'ROOM_FULL',
  /** `signal` to a peer that is not admitted in the sender's room. */
  PEER_NOT_FOUND: 'PEER_NOT_FOUND',
  /**
   * The connection sends faster than its message rate limit (the message was dropped), or too
   * many attempts of one kind came in a while (wrong room passwords, sign-ins, room creations);
   * the `message` says how many seconds to wait.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * A quota on what is open at once was reached: connections or waiting guests from one
   * address, SFU transports, producers or consumers of one peer, broadcasts (media jobs) on
   * the node or of one account. The `message` names it.
   */
  LIMIT_REACHED: 'LIMIT_REACHED',
  /** An SFU request in a room that is in mesh mode (or whose SFU side is being rebuilt). */
  NOT_IN_SFU_MODE: 'NOT_IN_SFU_MODE',
  /** A transport, producer or consumer id that is not this peer's (or no longer exists). */
  SFU_NOT_FOUND: 'SFU_NOT_FOUND',
  /** mediasoup refused the parameters (bad RTP parameters, DTLS, or capabilities). */
  SFU_REJECTED: 'SFU_REJECTED',
  /** The receiver's RTP capabilities cannot consume that producer. */
  CANNOT_CONSUME: 'CANNOT_CONSUME',
  /**
   * A host muted that device and the room does not let guests turn it back on themselves
   * (`selfUnmute` off): wait for `unmute-allowed`.
   */
  MUTED_BY_HOST: 'MUTED_BY_HOST',
  /** Your role may not do that (a host control, a disallowed screen share or chat). */
  FORBIDDEN: 'FORBIDDEN',
  /** This server cannot do that (e.g. broadcast where it is off: `HLS=off`, or no SFU). */
  UNAVAILABLE: 'UNAVAILABLE',
  /**
   * Cluster mode: another node serves this room (ownership moved between the socket's
   * routing and its `join`). Reconnect (with `?room=`) and join again.
   */
  ROOM_MOVED: 'ROOM_MOVED',
  /** A walkie-talkie message (channels, floors) in a room that is not a team. */
  NOT_A_TEAM: 'NOT_A_TEAM',
  /** No such channel in this team (never was, or an admin removed it). */
  CHANNEL_NOT_FOUND: 'CHANNEL_NOT_FOUND',
  /** Another channel of this team already has that name (names compare case-insensitively). */
  CHANNEL_NAME_TAKEN: 'CHANNEL_NAME_TAKEN',
  /** Someone else holds that channel's floor (and the team does not queue requests). */
  FLOOR_BUSY: 'FLOOR_BUSY',
  /** You hold another channel's floor: one microphone, one channel at a time. Release it first. */
  ALREADY_TALKING: 'ALREADY_TALKING',
  /** You do not hold (or wait for) that floor: it ended, expired or was revoked already. */
  NOT_TALKING: 'NOT_TALKING',
  /** A poll request names a poll that is not this meeting's current one (or none was launched). */
  NO_SUCH_POLL: 'NO_SUCH_POLL',
  /** `poll-launch` while another poll is open: end it first (one poll at a time). */
  POLL_ALREADY_OPEN: 'POLL_ALREADY_OPEN',
  /** A vote or `poll-end` for a poll that has ended. */
  POLL_CLOSED: 'POLL_CLOSED',
  /** This person has voted in this poll already, and it does not allow changing a vote. */
  ALREADY_VOTED: 'ALREADY_VOTED',
  /** The choices do not fit the poll: an option it does not have, or several in a one-choice poll. */
  INVALID_VOTE: 'INVALID_VOTE',
  /**
   * The room's whiteboard reached LIMITS.BOARD_DOC_MAX_BYTES (or its slide decks
   * LIMITS.SLIDE_DECKS_MAX): clear or remove a page, or a deck, first.
   */
  BOARD_FULL: 'BOARD_FULL',
  /** This person rated this meeting already (`POST /api/feedback`): one rating each. */
  ALREADY_RATED: 'ALREADY_RATED',
  /** Something failed on the server; the message had no effect. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * WebSocket close codes the server uses. 1000-1015 are RFC 6455 codes the `ws` library sends
 * itself (1009: frame larger than maxPayload); 4000-4999 are ours.
 */
export const CLOSE_CODES = {
  NORMAL: 1000,
  /** Server shutting down (SIGTERM); reconnect later. */
  GOING_AWAY: 1001,
  /** A frame exceeded the server's maxPayload. */
  MESSAGE_TOO_BIG: 1009,
  /** `hello` carried a protocol version this server does not speak. */
  UNSUPPORTED_VERSION: 4000,
  /** No `hello` and `join` within the join timeout. */
  JOIN_TIMEOUT: 4001,
  /** Far above the message rate limit for too long. */
  RATE_LIMIT_ABUSE: 4002,
  /** Another socket resumed this peer's seat (this one is stale). */
  REPLACED: 4003,
  /** The meeting ended (a host ended it, or the server dropped the room): do not resume. */
  ROOM_CLOSED: 4004,
  /** The client read too slowly: the server's send buffer stayed above its bound too long. */
  BACKPRESSURE: 4005,
  /**
   * Cluster mode: the room moved to another node (this node drains, or another node holds the
   * room after a Redis restart). Not an end: reconnect and join again, the room goes on there.
   */
  MOVED: 4006,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
