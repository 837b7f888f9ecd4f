import { z } from 'zod';

/**
 * Relay notes: small messages one browser sends another inside a `signal` message's `data`
 * (an object with `ctl` instead of a simple-peer payload). The server relays them like any
 * signal and never reads them; the receiving browser parses them with these schemas. The
 * relay works in both room modes, which is what a switch between mesh and SFU needs.
 *
 * Plain (not strict) objects on purpose: a newer browser may add fields, and an older one
 * must still understand the note (the extra fields are dropped). A `ctl` this version does
 * not know is no note it can read, but it is still a note: never a simple-peer payload.
 */

/** Which path a remote tile shows: the peer-to-peer link or the SFU. */
export const ViaSchema = z.enum(['mesh', 'sfu']);
export type Via = z.infer<typeof ViaSchema>;

/** "My tile of you now shows what arrives through `via`" (make before break). */
export const SwappedNoteSchema = z.object({ ctl: z.literal('swapped'), via: ViaSchema });

/** "My screen share travels on the mesh as the stream with this id" (null: stopped). */
export const ScreenNoteSchema = z.object({
  ctl: z.literal('screen'),
  stream: z.string().nullable(),
});

/** "Send me your camera's video on our mesh link, or not" (the receiver chose audio only). */
export const VideoNoteSchema = z.object({ ctl: z.literal('video'), send: z.boolean() });

export const RelayNoteSchema = z.discriminatedUnion('ctl', [
  SwappedNoteSchema,
  ScreenNoteSchema,
  VideoNoteSchema,
]);
export type RelayNote = z.infer<typeof RelayNoteSchema>;
export type RelayNoteCtl = RelayNote['ctl'];
