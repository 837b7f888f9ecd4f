import { z } from 'zod';
import { ClientMessageIdSchema, PeerIdSchema, RequestIdSchema, RoomIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';
import { ERROR_CODES } from './errors.ts';
import { SFU_CLIENT_SCHEMAS, SFU_SERVER_SCHEMAS, SfuStateSchema } from './sfu.ts';

// ---------- shared shapes ----------

export const RoleSchema = z.enum(['host', 'guest']);
export type Role = z.infer<typeof RoleSchema>;

export const RoomModeSchema = z.enum(['mesh', 'sfu']);
export type RoomMode = z.infer<typeof RoomModeSchema>;

const NameSchema = z.string().trim().min(1).max(LIMITS.NAME_MAX);

export const MediaStateSchema = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  /** Sharing a screen (a second tile for everyone else). */
  screen: z.boolean().optional(),
});
export type MediaState = z.infer<typeof MediaStateSchema>;

export const PeerInfoSchema = z.strictObject({
  peerId: PeerIdSchema,
  name: z.string(),
  role: RoleSchema,
  media: MediaStateSchema,
});
export type PeerInfo = z.infer<typeof PeerInfoSchema>;

export const IceServerSchema = z.strictObject({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

export const ChatMessageSchema = z.strictObject({
  seq: z.number().int().positive(),
  clientId: ClientMessageIdSchema,
  from: PeerIdSchema,
  name: z.string(),
  text: z.string(),
  /** Server time, ms since the epoch. */
  ts: z.number(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/**
 * Opaque WebRTC signalling payload (SDP or ICE candidate from simple-peer). The server only
 * checks that it is a JSON object of bounded size; the receiving browser validates the rest.
 */
const SignalDataSchema = z
  .record(z.string(), z.unknown())
  .refine((d) => JSON.stringify(d).length <= LIMITS.SIGNAL_MAX_BYTES, {
    message: `signal data larger than ${LIMITS.SIGNAL_MAX_BYTES} bytes`,
  });

// ---------- client -> server ----------

const rid = { rid: RequestIdSchema.optional() };

export const HelloSchema = z.strictObject({
  type: z.literal('hello'),
  ...rid,
  version: z.number().int(),
});
export const JoinSchema = z.strictObject({
  type: z.literal('join'),
  ...rid,
  roomId: RoomIdSchema,
  name: NameSchema,
  media: MediaStateSchema,
  /** The secret `POST /api/rooms` returned to the room's creator: presenting it makes you host. */
  hostKey: z.string().max(128).optional(),
});
/**
 * Takes back a seat after the socket dropped, within the resume window: same peer id, same
 * role, and the others never saw a leave. `lastSeq` is the newest chat seq the client has.
 */
export const ResumeSchema = z.strictObject({
  type: z.literal('resume'),
  ...rid,
  roomId: RoomIdSchema,
  peerId: PeerIdSchema,
  resumeToken: z.string().min(16).max(128),
  lastSeq: z.number().int().nonnegative(),
});
/** Asks for fresh ICE servers (TURN credentials), e.g. before an ICE restart. */
export const IceRefreshSchema = z.strictObject({ type: z.literal('ice-refresh'), ...rid });
export const LeaveSchema = z.strictObject({ type: z.literal('leave'), ...rid });
export const SignalSchema = z.strictObject({
  type: z.literal('signal'),
  ...rid,
  to: PeerIdSchema,
  data: SignalDataSchema,
});
export const ChatSendSchema = z.strictObject({
  type: z.literal('chat'),
  ...rid,
  clientId: ClientMessageIdSchema,
  text: z
    .string()
    .max(LIMITS.CHAT_TEXT_MAX)
    .refine((t) => t.trim().length > 0, { message: 'chat text is empty' }),
});
export const ChatSyncSchema = z.strictObject({
  type: z.literal('chat-sync'),
  ...rid,
  /** The highest seq the client has; the reply carries what came after it. */
  since: z.number().int().nonnegative(),
});
export const MediaUpdateSchema = z.strictObject({
  type: z.literal('media'),
  ...rid,
  media: MediaStateSchema,
});
/** Room settings a host may change; every field optional (only what changes). */
export const RoomSettingsSchema = z.strictObject({ screenShare: z.boolean() });
export type RoomSettings = z.infer<typeof RoomSettingsSchema>;
export const UpdateSettingsSchema = z.strictObject({
  type: z.literal('settings'),
  ...rid,
  settings: RoomSettingsSchema.partial(),
});
/** Host only: put the room on air (HLS for any number of viewers) or take it off. */
export const BroadcastSchema = z.strictObject({
  type: z.literal('broadcast'),
  ...rid,
  live: z.boolean(),
});
/** Application-level keepalive: browsers cannot send WebSocket pings themselves. */
export const PingSchema = z.strictObject({ type: z.literal('ping'), ...rid });

export const ClientMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  JoinSchema,
  ResumeSchema,
  IceRefreshSchema,
  LeaveSchema,
  SignalSchema,
  ChatSendSchema,
  ChatSyncSchema,
  MediaUpdateSchema,
  UpdateSettingsSchema,
  BroadcastSchema,
  PingSchema,
  ...SFU_CLIENT_SCHEMAS,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

// ---------- server -> client ----------

const replyRid = { rid: RequestIdSchema.optional() };

export const WelcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  ...replyRid,
  version: z.number().int(),
  /** How often the server pings; a client that hears nothing for twice this should reconnect. */
  heartbeatMs: z.number().int(),
  /** How long a dropped peer's seat is kept for `resume`, in ms. */
  resumeWindowMs: z.number().int(),
});
export const JoinedSchema = z.strictObject({
  type: z.literal('joined'),
  ...replyRid,
  roomId: RoomIdSchema,
  peerId: PeerIdSchema,
  role: RoleSchema,
  mode: RoomModeSchema,
  /** The other admitted peers, in join order. Newcomers initiate the mesh links to them. */
  peers: z.array(PeerInfoSchema),
  iceServers: z.array(IceServerSchema),
  /** `relay`: use only TURN candidates (a deployment that must hide peers' addresses). */
  iceTransportPolicy: z.enum(['all', 'relay']),
  /** Up to LIMITS.CHAT_HISTORY_ON_JOIN most recent messages, oldest first. */
  chat: z.array(ChatMessageSchema),
  /** Present when mode is `sfu`: join the SFU directly. */
  sfu: SfuStateSchema.optional(),
  /** Secret for `resume` after a dropped socket; keep it only for this tab (sessionStorage). */
  resumeToken: z.string(),
  /** True when this answers a `resume`: `chat` then holds what was missed, not recent history. */
  resumed: z.boolean().optional(),
  /** Who is speaking now, when the room knows. */
  activeSpeaker: PeerIdSchema.nullable().optional(),
  settings: RoomSettingsSchema,
  /** On air: the room is broadcast to /watch/<roomId>. */
  live: z.boolean(),
});
/** The room went on or off air (to everyone; the host's copy answers its `broadcast`). */
export const BroadcastStateSchema = z.strictObject({
  type: z.literal('broadcast-state'),
  ...replyRid,
  live: z.boolean(),
  /** Why a broadcast ended on its own (the transcoder kept failing). */
  error: z.string().optional(),
});
/** The host changed the room's settings (sent to everyone, the host included). */
export const SettingsChangedSchema = z.strictObject({
  type: z.literal('settings'),
  ...replyRid,
  settings: RoomSettingsSchema,
});
export const LeftSchema = z.strictObject({ type: z.literal('left'), ...replyRid });
export const IceServersSchema = z.strictObject({
  type: z.literal('ice-servers'),
  ...replyRid,
  iceServers: z.array(IceServerSchema),
});
export const PeerJoinedSchema = z.strictObject({
  type: z.literal('peer-joined'),
  peer: PeerInfoSchema,
});
export const PeerLeftSchema = z.strictObject({
  type: z.literal('peer-left'),
  peerId: PeerIdSchema,
});
export const PeerUpdatedSchema = z.strictObject({
  type: z.literal('peer-updated'),
  peer: PeerInfoSchema,
});
export const SignalRelaySchema = z.strictObject({
  type: z.literal('signal'),
  /** Stamped by the server: never taken from the sender. */
  from: PeerIdSchema,
  data: z.record(z.string(), z.unknown()),
});
export const ChatAckSchema = z.strictObject({
  type: z.literal('chat-ack'),
  ...replyRid,
  clientId: ClientMessageIdSchema,
  seq: z.number().int().positive(),
  ts: z.number(),
});
export const ChatBroadcastSchema = z.strictObject({
  type: z.literal('chat'),
  message: ChatMessageSchema,
});
export const ChatHistorySchema = z.strictObject({
  type: z.literal('chat-history'),
  ...replyRid,
  messages: z.array(ChatMessageSchema),
  /** True when more messages follow: ask again with the last seq. */
  more: z.boolean(),
});
export const MediaAckSchema = z.strictObject({ type: z.literal('media-ok'), ...replyRid });
export const PongSchema = z.strictObject({ type: z.literal('pong'), ...replyRid });
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export const ErrorMessageSchema = z.strictObject({
  type: z.literal('error'),
  ...replyRid,
  code: ErrorCodeSchema,
  message: z.string(),
  /** The `type` of the message that caused it, when it could be read. */
  ref: z.string().optional(),
});

export const ServerMessageSchema = z.discriminatedUnion('type', [
  WelcomeSchema,
  JoinedSchema,
  LeftSchema,
  IceServersSchema,
  PeerJoinedSchema,
  PeerLeftSchema,
  PeerUpdatedSchema,
  SignalRelaySchema,
  ChatAckSchema,
  ChatBroadcastSchema,
  ChatHistorySchema,
  MediaAckSchema,
  PongSchema,
  ErrorMessageSchema,
  SettingsChangedSchema,
  BroadcastStateSchema,
  ...SFU_SERVER_SCHEMAS,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;
