import { z } from 'zod';
import { BroadcastIdSchema, PeerIdSchema, RequestIdSchema, RoomIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';
import { ERROR_CODES } from './errors.ts';
import { RoomSettingsSchema } from './roomSettings.ts';
import { SfuReceiveSchema, SfuStateSchema } from './sfu.ts';
import { TeamStateSchema } from './walkie.ts';
import { RaisedHandSchema } from './classroom.ts';
import { PollViewSchema } from './polls.ts';
import { BoardPresenterSchema } from './board.ts';
import { ChatMessageSchema } from './chat.ts';
import {
  DeviceIdSchema,
  IceServerSchema,
  MediaStateSchema,
  PeerInfoSchema,
  RoleSchema,
  RoomModeSchema,
} from './shapes.ts';

// A connection's life: the version handshake, joining (or resuming) a meeting with the
// snapshot it answers, ICE servers, leaving, keepalive and errors. Part of messages.ts, which
// re-exports it.

const NameSchema = z.string().trim().min(1).max(LIMITS.NAME_MAX);

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
/** Application-level keepalive: browsers cannot send WebSocket pings themselves. */
export const PingSchema = z.strictObject({ type: z.literal('ping'), ...rid });

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
export const LeftSchema = z.strictObject({ type: z.literal('left'), ...replyRid });
export const IceServersSchema = z.strictObject({
  type: z.literal('ice-servers'),
  ...replyRid,
  iceServers: z.array(IceServerSchema),
});
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
