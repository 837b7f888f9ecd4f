import { z } from 'zod';
import { PeerIdSchema, RequestIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';
import { MediasoupObject } from './sfu.ts';

/**
 * Walkie-talkie teams. A team is a room (`/t/<id>`, joined with `join` like any room, the
 * waiting room and roles included) whose members hear channels, not each other: each member
 * sends one microphone that the server keeps paused unless they hold a channel's floor, and
 * listens to the channels they choose, one consumer per channel. Who may talk on a channel is
 * decided on the server, one floor per channel, one floor per member.
 */

const rid = { rid: RequestIdSchema.optional() };

/** Made by the server when a channel is added; never changes. */
export const ChannelIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);
export type ChannelId = z.infer<typeof ChannelIdSchema>;
const ChannelNameSchema = z.string().trim().min(1).max(LIMITS.CHANNEL_NAME_MAX);

export const ChannelSchema = z.strictObject({ id: ChannelIdSchema, name: z.string() });
export type Channel = z.infer<typeof ChannelSchema>;

/** Someone holding a channel's floor, since when (server time, ms since the epoch). */
export const TalkerSchema = z.strictObject({
  channelId: ChannelIdSchema,
  peerId: PeerIdSchema,
  since: z.number(),
});
export type Talker = z.infer<typeof TalkerSchema>;

export const TeamSettingsSchema = z.strictObject({
  /** Newcomers wait for an admin (the room's waiting room). */
  requireApproval: z.boolean(),
  /** A request on a busy channel waits in line instead of being refused. */
  queue: z.boolean(),
  /** A floor ends by itself after this long. */
  maxTalkSeconds: z.number().int().positive(),
});
export type TeamSettings = z.infer<typeof TeamSettingsSchema>;

/** The team as it is now: in `joined` for a team's room. */
export const TeamStateSchema = z.strictObject({
  name: z.string(),
  /** In the order admins arranged them. */
  channels: z.array(ChannelSchema),
  talkers: z.array(TalkerSchema),
  settings: TeamSettingsSchema,
});
export type TeamState = z.infer<typeof TeamStateSchema>;

// ---------- client -> server ----------

/** Start hearing a channel: the reply is its consumer, for the receive transport. */
export const ChannelListenSchema = z.strictObject({
  type: z.literal('channel-listen'),
  ...rid,
  channelId: ChannelIdSchema,
  rtpCapabilities: MediasoupObject,
});
/** Stop hearing a channel: its consumer closes, not one more packet of it comes. */
export const ChannelUnlistenSchema = z.strictObject({
  type: z.literal('channel-unlisten'),
  ...rid,
  channelId: ChannelIdSchema,
});
/** Ask to talk on a channel (the button pressed). */
export const FloorRequestSchema = z.strictObject({
  type: z.literal('floor-request'),
  ...rid,
  channelId: ChannelIdSchema,
});
/** Stop talking on a channel, or leave its line (the button let go). */
export const FloorReleaseSchema = z.strictObject({
  type: z.literal('floor-release'),
  ...rid,
  channelId: ChannelIdSchema,
});
/** Admins: end someone's floor (or their place in line), whatever their button does. */
export const FloorRevokeSchema = z.strictObject({
  type: z.literal('floor-revoke'),
  ...rid,
  peerId: PeerIdSchema,
});
/** Admins: add a channel at the end of the list. */
export const ChannelAddSchema = z.strictObject({
  type: z.literal('channel-add'),
  ...rid,
  name: ChannelNameSchema,
});
export const ChannelRenameSchema = z.strictObject({
  type: z.literal('channel-rename'),
  ...rid,
  channelId: ChannelIdSchema,
  name: ChannelNameSchema,
});
/** Admins: remove a channel; its talker stops and its listeners' consumers close. */
export const ChannelRemoveSchema = z.strictObject({
  type: z.literal('channel-remove'),
  ...rid,
  channelId: ChannelIdSchema,
});

export const WALKIE_CLIENT_SCHEMAS = [
  ChannelListenSchema,
  ChannelUnlistenSchema,
  FloorRequestSchema,
  FloorReleaseSchema,
  FloorRevokeSchema,
  ChannelAddSchema,
  ChannelRenameSchema,
  ChannelRemoveSchema,
] as const;

// ---------- server -> client ----------

const replyRid = { rid: RequestIdSchema.optional() };

/** The reply to `channel-listen`: consume it on the receive transport (it starts running). */
export const ChannelConsumerSchema = z.strictObject({
  type: z.literal('channel-consumer'),
  ...replyRid,
  channelId: ChannelIdSchema,
  consumerId: z.string().min(1).max(64),
  producerId: z.string().min(1).max(64),
  rtpParameters: z.record(z.string(), z.unknown()),
});
/**
 * Your floor on a channel: the reply to `floor-request` (`granted`, or `queued` at a place in
 * line), and again without rid when your place moves up or the floor comes to you.
 */
export const FloorSchema = z.strictObject({
  type: z.literal('floor'),
  ...replyRid,
  channelId: ChannelIdSchema,
  state: z.enum(['granted', 'queued']),
  /** `queued`: 1 = next. */
  position: z.number().int().positive().optional(),
  /** `granted`: when the floor ends by itself (server time, ms since the epoch). */
  until: z.number().optional(),
});
/** To everyone: who talks on a channel now (null: nobody). */
export const FloorStateSchema = z.strictObject({
  type: z.literal('floor-state'),
  channelId: ChannelIdSchema,
  talker: TalkerSchema.nullable(),
});
/** To the member whose floor (or place in line) ended without their asking, and why. */
export const FloorEndedSchema = z.strictObject({
  type: z.literal('floor-ended'),
  channelId: ChannelIdSchema,
  reason: z.enum(['expired', 'preempted', 'revoked', 'channel-removed']),
  /** The admin who pre-empted or revoked it. */
  by: PeerIdSchema.optional(),
});
/** To everyone: the channel list changed (added, renamed, removed). */
export const TeamChannelsSchema = z.strictObject({
  type: z.literal('team-channels'),
  channels: z.array(ChannelSchema),
});

export const WALKIE_SERVER_SCHEMAS = [
  ChannelConsumerSchema,
  FloorSchema,
  FloorStateSchema,
  FloorEndedSchema,
  TeamChannelsSchema,
] as const;
