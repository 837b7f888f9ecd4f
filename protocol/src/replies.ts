import type {
  ClientMessageOf,
  ClientMessageType,
  ServerMessage,
  ServerMessageOf,
  ServerMessageType,
} from './messages.ts';

/**
 * Every client message, and the reply type(s) the server answers it with, carrying the
 * request's `rid`. Any request may instead be answered by an `error` with that rid; a
 * request without `rid` gets its reply without one. An empty list: no reply on success, only
 * an `error` on failure (a `signal` is relayed, not acknowledged).
 *
 * The one place the pairing is written: the client's request channel infers a reply's type
 * from it, and PROTOCOL.md lists it.
 */
export const REPLIES = {
  hello: ['welcome'],
  /** `waiting` when the join is held in the waiting room; `joined` follows on admission. */
  join: ['joined', 'waiting'],
  resume: ['joined'],
  'ice-refresh': ['ice-servers'],
  'net-check': ['ice-servers'],
  leave: ['left'],
  signal: [],
  chat: ['chat-ack'],
  'chat-sync': ['chat-history'],
  media: ['media-ok'],
  uplink: ['ok'],
  settings: ['settings'],
  broadcast: ['broadcast-state'],
  admit: ['ok'],
  'admit-all': ['ok'],
  deny: ['ok'],
  mute: ['ok'],
  'allow-unmute': ['ok'],
  remove: ['ok'],
  'set-role': ['ok'],
  end: ['ok'],
  ping: ['pong'],
  'sfu-warm': ['sfu-warmed'],
  'sfu-warm-connect': ['sfu-ok'],
  'sfu-transport': ['sfu-transport-created'],
  'sfu-connect': ['sfu-ok'],
  'sfu-produce': ['sfu-produced'],
  'sfu-close-producer': ['sfu-ok'],
  'sfu-consume': ['sfu-consumer'],
  'sfu-consumer-pause': ['sfu-ok'],
  'sfu-layers': ['sfu-ok'],
  'sfu-restart-ice': ['sfu-ice-restarted'],
  'channel-listen': ['channel-consumer'],
  'channel-unlisten': ['ok'],
  'floor-request': ['floor'],
  'floor-release': ['ok'],
  'floor-revoke': ['ok'],
  'channel-add': ['ok'],
  'channel-rename': ['ok'],
  'channel-remove': ['ok'],
  hand: ['ok'],
  'hand-lower': ['ok'],
  react: ['ok'],
  'poll-launch': ['ok'],
  'poll-vote': ['ok'],
  'poll-end': ['ok'],
  'poll-share': ['ok'],
  'board-sync': ['ok'],
  'board-present': ['ok'],
  'board-ticket': ['board-ticket'],
  record: ['recording-state'],
} as const satisfies Record<ClientMessageType, readonly ServerMessageType[]>;

/** The reply type(s) a client message may get (never for a `signal`). */
export type ReplyTypeOf<T extends ClientMessageType> = (typeof REPLIES)[T][number];
/** The reply a client message may get, e.g. `ReplyOf<'sfu-transport'>`. */
export type ReplyOf<T extends ClientMessageType> = ServerMessageOf<ReplyTypeOf<T>>;
/** Client messages the server answers with a reply (every one but `signal`). */
export type RequestType = {
  [T in ClientMessageType]: ReplyTypeOf<T> extends never ? never : T;
}[ClientMessageType];
/** A client message the server answers with a reply. */
export type RequestMessage = ClientMessageOf<RequestType>;
/**
 * One request type's message. Narrowed from `RequestMessage`, not from every client message,
 * so that generic code can read `msg.type` as `T` (TypeScript cannot through a union that
 * still holds `signal`).
 */
export type RequestOf<T extends RequestType> = Extract<RequestMessage, { type: T }>;
/** Every server message type that answers some request. */
export type ReplyType = ReplyTypeOf<ClientMessageType>;

const REPLY_TYPES: ReadonlySet<ServerMessageType> = new Set(Object.values(REPLIES).flat());

/** True when `message` is a reply to some request (not an `error`, not a push). */
export function isReply(message: ServerMessage): message is ServerMessageOf<ReplyType> {
  return REPLY_TYPES.has(message.type);
}

/** True when `message` is one of the replies a `request` message may get. */
export function isReplyTo<T extends ClientMessageType>(
  request: T,
  message: ServerMessage,
): message is ReplyOf<T> {
  const replies: readonly ServerMessageType[] = REPLIES[request];
  return replies.includes(message.type);
}
