import { z } from 'zod';
import { BroadcastIdSchema, PeerIdSchema, RequestIdSchema, RoomIdSchema } from './ids.ts';
import { RoomSettingsChangeSchema, RoomSettingsSchema } from './roomSettings.ts';
import { RoleSchema, WaitingPeerSchema } from './shapes.ts';

// What hosts and co-hosts control: the settings, going on air, the waiting room, mutes,
// removals, roles and the meeting's end, and what each tells the people concerned. Part of
// messages.ts, which re-exports it.

// ---------- client -> server ----------

const rid = { rid: RequestIdSchema.optional() };

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

// ---------- server -> client ----------

const replyRid = { rid: RequestIdSchema.optional() };

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
