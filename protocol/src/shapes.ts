import { z } from 'zod';
import { PeerIdSchema } from './ids.ts';

// The shapes the messages of several features share: roles, the room's mode, a peer as the
// others see it, ICE servers. Part of messages.ts, which re-exports it.

/** `host`: the room's creator (host key or owning account). `cohost`: promoted by a host. */
export const RoleSchema = z.enum(['host', 'cohost', 'guest']);
export type Role = z.infer<typeof RoleSchema>;

export const RoomModeSchema = z.enum(['mesh', 'sfu']);
export type RoomMode = z.infer<typeof RoomModeSchema>;

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
