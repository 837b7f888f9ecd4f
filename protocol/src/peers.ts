import { z } from 'zod';
import { PeerIdSchema, RequestIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';
import { MediaStateSchema, PeerInfoSchema, UplinkSchema } from './shapes.ts';

// The admitted peers: who comes and goes, their media and uplink, and the WebRTC signalling
// the server relays between them in a mesh. Part of messages.ts, which re-exports it.

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

export const SignalSchema = z.strictObject({
  type: z.literal('signal'),
  ...rid,
  to: PeerIdSchema,
  data: SignalDataSchema,
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

// ---------- server -> client ----------

const replyRid = { rid: RequestIdSchema.optional() };

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
export const MediaAckSchema = z.strictObject({ type: z.literal('media-ok'), ...replyRid });
