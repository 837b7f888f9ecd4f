import { z } from 'zod';
import { PeerIdSchema, RequestIdSchema } from './ids.ts';
import { REACTIONS } from './reactions.ts';

/**
 * Live classes (issue 17), in any meeting: raised hands, kept in the order they went up, and
 * reactions that float over the sender's tile.
 *
 * A hand belongs to the person, not the socket: it is kept under their server-issued guest
 * identity or their account, so it is still up, in its place, after a reload or a resume. It
 * is listed while that person is in the meeting.
 */

const rid = { rid: RequestIdSchema.optional() };

export const ReactionSchema = z.enum(REACTIONS);

/** A raised hand: whose, and when it went up (server time, ms since the epoch). */
export const RaisedHandSchema = z.strictObject({
  peerId: PeerIdSchema,
  name: z.string(),
  at: z.number(),
});
export type RaisedHand = z.infer<typeof RaisedHandSchema>;

// ---------- client -> server ----------

/** Raise or lower your own hand. Raising a raised hand keeps its place in line. */
export const HandSchema = z.strictObject({
  type: z.literal('hand'),
  ...rid,
  raised: z.boolean(),
});
/** Hosts and co-hosts: lower someone's hand (`peerId`), or everyone's (no `peerId`). */
export const HandLowerSchema = z.strictObject({
  type: z.literal('hand-lower'),
  ...rid,
  peerId: PeerIdSchema.optional(),
});
/**
 * Send a reaction to everyone. Limited per person (LIMITS.REACTIONS_PER_SEC, with a small
 * burst); the server sends them out at most once per REACTION_BATCH_MS, together.
 */
export const ReactSchema = z.strictObject({
  type: z.literal('react'),
  ...rid,
  reaction: ReactionSchema,
});

export const CLASSROOM_CLIENT_SCHEMAS = [HandSchema, HandLowerSchema, ReactSchema] as const;

// ---------- server -> client ----------

/** To everyone, whenever it changes: the raised hands of the people present, first up first. */
export const HandsSchema = z.strictObject({
  type: z.literal('hands'),
  raised: z.array(RaisedHandSchema),
});
/** To everyone: the reactions that came since the last of these, in the order they came. */
export const ReactionsSchema = z.strictObject({
  type: z.literal('reactions'),
  items: z.array(z.strictObject({ peerId: PeerIdSchema, reaction: ReactionSchema })),
});

export const CLASSROOM_SERVER_SCHEMAS = [HandsSchema, ReactionsSchema] as const;
