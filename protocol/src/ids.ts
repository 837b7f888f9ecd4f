import { z } from 'zod';

/** Room ids carry 128 bits of randomness: 16 random bytes as unpadded base64url (22 chars). */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export const RoomIdSchema = z.string().regex(ROOM_ID_PATTERN).brand<'RoomId'>();
export type RoomId = z.infer<typeof RoomIdSchema>;

/**
 * A room's broadcast, in watch links and HLS URLs (`/watch/<id>`, `/hls/<id>/`): as random-looking
 * as a room id and of the same shape, but not the room's id, so a watch link never reveals the
 * join link (the server maps one to the other with a key only it holds).
 */
export const BroadcastIdSchema = z.string().regex(ROOM_ID_PATTERN).brand<'BroadcastId'>();
export type BroadcastId = z.infer<typeof BroadcastIdSchema>;

/** Peer ids are minted by the server; clients only ever echo them back. */
export const PeerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,32}$/)
  .brand<'PeerId'>();
export type PeerId = z.infer<typeof PeerIdSchema>;

/** A client-chosen id that makes a chat send idempotent (a UUID in practice). */
export const ClientMessageIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/)
  .brand<'ClientMessageId'>();
export type ClientMessageId = z.infer<typeof ClientMessageIdSchema>;

/** Request correlation id: echoed on the reply or on the error a request causes. */
export const RequestIdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export type RequestId = z.infer<typeof RequestIdSchema>;
