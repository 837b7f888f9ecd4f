import { z } from 'zod';
import {
  BroadcastIdSchema,
  ClientMessageIdSchema,
  PeerIdSchema,
  RequestIdSchema,
  RoomIdSchema,
} from './ids.ts';
import { LIMITS } from './limits.ts';
import { ERROR_CODES } from './errors.ts';
import { RoomSettingsChangeSchema, RoomSettingsSchema } from './roomSettings.ts';
import { SFU_CLIENT_SCHEMAS, SFU_SERVER_SCHEMAS, SfuReceiveSchema, SfuStateSchema } from './sfu.ts';
import { TeamStateSchema, WALKIE_CLIENT_SCHEMAS, WALKIE_SERVER_SCHEMAS } from './walkie.ts';
import {
  CLASSROOM_CLIENT_SCHEMAS,
  CLASSROOM_SERVER_SCHEMAS,
  RaisedHandSchema,
} from './classroom.ts';
import { POLL_CLIENT_SCHEMAS, POLL_SERVER_SCHEMAS, PollViewSchema } from './polls.ts';
import { BOARD_CLIENT_SCHEMAS, BOARD_SERVER_SCHEMAS, BoardPresenterSchema } from './board.ts';
import { RECORDING_CLIENT_SCHEMAS, RECORDING_SERVER_SCHEMAS } from './recording.ts';

// ---------- shared shapes ----------

/** `host`: the room's creator (host key or owning account). `cohost`: promoted by a host. */
export const RoleSchema = z.enum(['host', 'cohost', 'guest']);
export type Role = z.infer<typeof RoleSchema>;

export const RoomModeSchema = z.enum(['mesh', 'sfu']);
export type RoomMode = z.infer<typeof RoomModeSchema>;

const NameSchema = z.string().trim().min(1).max(LIMITS.NAME_MAX);

/** A browser's stable random id (localStorage): how a denied or removed guest is recognised. */
export const DeviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** Someone in the waiting room, as hosts see them. */
export const WaitingPeerSchema = z.strictObject({
  peerId: PeerIdSchema,
  name: z.string(),
  /** When they started waiting, ms since the epoch. */
  since: z.number(),
  /**
   * This joiner may be someone a host removed or denied earlier in the meeting (a new guest
   * identity from the same network after the removal): held in the waiting room, for a host to
   * decide. Absent otherwise.
   */
  previouslyRemoved: z.literal(true).optional(),
});
export type WaitingPeer = z.infer<typeof WaitingPeerSchema>;

export const MediaStateSchema = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  /** Sharing a screen (a second tile for everyone else). */
  screen: z.boolean().optional(),
});
export type MediaState = z.infer<typeof MediaStateSchema>;

/** How well a person's own sending gets through, as their browser measures it (getStats). */
export const UplinkSchema = z.strictObject({
  quality: z.enum(['good', 'fair', 'poor']),
  /** What made it worse than good: packet loss, delay (round trip), jitter, or little bandwidth. */
  cause: z.enum(['loss', 'delay', 'jitter', 'bandwidth']).optional(),
  /** They stopped sending their camera: their connection cannot carry it (audio goes on). */
  videoPaused: z.literal(true).optional(),
});
export type Uplink = z.infer<typeof UplinkSchema>;

export const PeerInfoSchema = z.strictObject({
  peerId: PeerIdSchema,
  name: z.string(),
  role: RoleSchema,
  media: MediaStateSchema,
  /** Their uplink as they last reported it; absent while good (or never reported). */
  uplink: UplinkSchema.optional(),
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
  /** The room password, when it has one. */
  password: z.string().max(LIMITS.ROOM_PASSWORD_MAX).optional(),
  /** A signed-in user's access token (JWT): the owner of the room is its host. */
  accessToken: z.string().max(4096).optional(),
  /** This browser's stable id; denied or removed devices cannot come back for the meeting. */
  deviceId: DeviceIdSchema.optional(),
  /**
   * The seat this client held in the meeting (from its last `joined`), sent when `resume`
   * failed (e.g. the room moved to another node): if it is still this meeting's, the client is
   * back in at once under the same peer id and role, without the waiting room or password.
   * Otherwise it is ignored and the join goes the normal way.
   */
  seat: z
    .strictObject({ peerId: PeerIdSchema, resumeToken: z.string().min(16).max(128) })
    .optional() /** What this client can receive from the SFU: a room on it admits it with its consumers. */,
  receive: SfuReceiveSchema.optional(),
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
/**
 * Before joining: ICE servers for the pre-join connection check (issue 20), with a TURN
 * credential that lives LIMITS.NET_CHECK_TURN_TTL_S; answered `ice-servers`.
 */
export const NetCheckSchema = z.strictObject({ type: z.literal('net-check'), ...rid });
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
/** Our uplink's quality changed (sent on a change only; the others see it on our tile). */
export const UplinkUpdateSchema = z.strictObject({
  type: z.literal('uplink'),
  ...rid,
  uplink: UplinkSchema,
});
export const UpdateSettingsSchema = z.strictObject({
  type: z.literal('settings'),
  ...rid,
  settings: RoomSettingsChangeSchema,
});
/** Host only: put the room on air (HLS for any number of viewers) or take it off. */
export const BroadcastSchema = z.strictObject({
  type: z.literal('broadcast'),
  ...rid,
  live: z.boolean(),
});
// Host controls. A host or co-host may admit, deny, mute and remove; only a host may change
// roles and end the meeting. Each is answered `ok` (or FORBIDDEN, changing nothing).
const target = { peerId: PeerIdSchema };
/** Let someone in from the waiting room. */
export const AdmitSchema = z.strictObject({ type: z.literal('admit'), ...rid, ...target });
/** Let everyone in the waiting room in. */
export const AdmitAllSchema = z.strictObject({ type: z.literal('admit-all'), ...rid });
/** Turn someone away from the waiting room; they cannot come back for this meeting. */
export const DenySchema = z.strictObject({ type: z.literal('deny'), ...rid, ...target });
/**
 * Turn off someone's microphone (`audio`) or camera (`video`); in SFU mode the server pauses it.
 * They may turn it back on unless the room's `selfUnmute` is off (then after `allow-unmute`).
 */
export const MuteSchema = z.strictObject({
  type: z.literal('mute'),
  ...rid,
  ...target,
  kind: z.enum(['audio', 'video']),
});
/** Let someone a host muted turn that device back on (rooms with `selfUnmute` off). */
export const AllowUnmuteSchema = z.strictObject({
  type: z.literal('allow-unmute'),
  ...rid,
  ...target,
  kind: z.enum(['audio', 'video']),
});
/** Remove someone from the meeting; they cannot come back for this meeting. */
export const RemoveSchema = z.strictObject({ type: z.literal('remove'), ...rid, ...target });
/**
 * Host only: make someone a co-host, or a guest again; or hand them the host role (`host`):
 * they become host and the sender a co-host.
 */
export const SetRoleSchema = z.strictObject({
  type: z.literal('set-role'),
  ...rid,
  ...target,
  role: z.enum(['host', 'cohost', 'guest']),
});
/** Host only: end the meeting for everyone (the waiting room too). */
export const EndSchema = z.strictObject({ type: z.literal('end'), ...rid });
/** Application-level keepalive: browsers cannot send WebSocket pings themselves. */
export const PingSchema = z.strictObject({ type: z.literal('ping'), ...rid });

export const ClientMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  JoinSchema,
  ResumeSchema,
  IceRefreshSchema,
  NetCheckSchema,
  LeaveSchema,
  SignalSchema,
  ChatSendSchema,
  ChatSyncSchema,
  MediaUpdateSchema,
  UplinkUpdateSchema,
  UpdateSettingsSchema,
  BroadcastSchema,
  AdmitSchema,
  AdmitAllSchema,
  DenySchema,
  MuteSchema,
  AllowUnmuteSchema,
  RemoveSchema,
  SetRoleSchema,
  EndSchema,
  PingSchema,
  ...SFU_CLIENT_SCHEMAS,
  ...WALKIE_CLIENT_SCHEMAS,
  ...CLASSROOM_CLIENT_SCHEMAS,
  ...POLL_CLIENT_SCHEMAS,
  ...BOARD_CLIENT_SCHEMAS,
  ...RECORDING_CLIENT_SCHEMAS,
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
  /** The meeting's title, when its creator gave it one (the tab's title shows it). */
  title: z.string().max(LIMITS.ROOM_TITLE_MAX).optional(),
  /** On air: the room is broadcast to /watch/<broadcastId>. */
  live: z.boolean(),
  /** For hosts and co-hosts of a room with a password: the viewer token for its watch link. */
  watchToken: z.string().optional(),
  /** For hosts and co-hosts: the id in the room's watch link, `/watch/<broadcastId>`. */
  broadcastId: BroadcastIdSchema.optional(),
  /** Present when the room is a walkie-talkie team: its channels and who talks now. */
  team: TeamStateSchema.optional(),
  /** The raised hands of the people present, first up first (yours too, after a reload). */
  hands: z.array(RaisedHandSchema),
  /**
   * The meeting's current poll as this member may see it: the open one (with their own vote,
   * after a reload too), or the last one once ended if its results were shared (hosts and
   * co-hosts: the last one, shared or not). Absent: none.
   */
  poll: PollViewSchema.optional(),
  /** Who presents the whiteboard now, and on which page; absent: nobody. */
  boardPresenter: BoardPresenterSchema.optional(),
  /** While the meeting is being recorded: when the recording began (ms since the epoch). */
  recordingSince: z.number().optional(),
  /**
   * This meeting's id and your proof that you attended it, for rating it after you leave
   * (`POST /api/feedback`, issue 21; the app asks once per meeting). Absent when the server
   * could not record the attendance.
   */
  feedback: z
    .strictObject({
      meetingId: z.string().max(64),
      ticket: z.string().max(LIMITS.FEEDBACK_TICKET_MAX),
    })
    .optional(),
});
/**
 * The join is held in the waiting room (the reply to `join`, carrying its rid), and again
 * without rid whenever the place in the queue changes. `joined` follows on admission.
 */
export const WaitingSchema = z.strictObject({
  type: z.literal('waiting'),
  ...replyRid,
  roomId: RoomIdSchema,
  /** 1 = next in line. */
  position: z.number().int().positive(),
  /**
   * Whether anyone who can let people in (a host or co-host) is in the meeting now; sent again
   * when that changes.
   */
  hostPresent: z.boolean(),
});
/** To hosts and co-hosts: the waiting room's queue, oldest first, whenever it changes. */
export const LobbySchema = z.strictObject({
  type: z.literal('lobby'),
  waiting: z.array(WaitingPeerSchema),
});
/**
 * You are out: turned away from the waiting room, removed by a host, the meeting ended, or
 * the same browser joined again (`replaced`: a reload, another tab) and took over your seat.
 */
export const RemovedSchema = z.strictObject({
  type: z.literal('removed'),
  reason: z.enum(['denied', 'removed', 'ended', 'replaced']),
});
/** A host turned off your microphone or camera (your client stops sending it). */
export const MutedSchema = z.strictObject({
  type: z.literal('muted'),
  kind: z.enum(['audio', 'video']),
  by: PeerIdSchema,
});
/** A host lets you turn your microphone or camera back on (after a `muted`). */
export const UnmuteAllowedSchema = z.strictObject({
  type: z.literal('unmute-allowed'),
  kind: z.enum(['audio', 'video']),
  by: PeerIdSchema,
});
/** Your role changed (a host made you co-host, or a guest again). */
export const RoleChangedSchema = z.strictObject({ type: z.literal('role'), role: RoleSchema });
/** The reply to a host control (`admit`, `mute`, ...). */
export const OkSchema = z.strictObject({ type: z.literal('ok'), ...replyRid });
/** The room went on or off air (to everyone; the host's copy answers its `broadcast`). */
export const BroadcastStateSchema = z.strictObject({
  type: z.literal('broadcast-state'),
  ...replyRid,
  live: z.boolean(),
  /**
   * Only in the host's reply, for a room with a password: the viewer token that makes its
   * broadcast watchable (`/watch/<broadcastId>?t=<watchToken>`).
   */
  watchToken: z.string().optional(),
  /** Only in the host's reply: the id in the watch link, `/watch/<broadcastId>`. */
  broadcastId: BroadcastIdSchema.optional(),
  /** Why a broadcast ended on its own (the transcoder kept failing). */
  error: z.string().optional(),
});
/** The host changed the room's settings (sent to everyone, the host included). */
export const SettingsChangedSchema = z.strictObject({
  type: z.literal('settings'),
  ...replyRid,
  settings: RoomSettingsSchema,
  /** Only in the reply to a moderator, when the room has a password: the watch link's token. */
  watchToken: z.string().optional(),
  /** Only in the reply to a moderator: the id in the watch link, `/watch/<broadcastId>`. */
  broadcastId: BroadcastIdSchema.optional(),
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
  WaitingSchema,
  LobbySchema,
  RemovedSchema,
  MutedSchema,
  UnmuteAllowedSchema,
  RoleChangedSchema,
  OkSchema,
  ...SFU_SERVER_SCHEMAS,
  ...WALKIE_SERVER_SCHEMAS,
  ...CLASSROOM_SERVER_SCHEMAS,
  ...POLL_SERVER_SCHEMAS,
  ...BOARD_SERVER_SCHEMAS,
  ...RECORDING_SERVER_SCHEMAS,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;
