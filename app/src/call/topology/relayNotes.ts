import { RelayNoteSchema } from '@parley/protocol';
import type { RelayNote } from '@parley/protocol';

/**
 * Notes one browser sends another through the server's mesh relay (a `signal` message whose
 * data has `ctl` instead of a simple-peer payload), parsed with the protocol's
 * `RelayNoteSchema`:
 * - `swapped`: "my tile of you now shows what arrives through `via`" (make before break).
 * - `screen`: "my screen share travels on the mesh as the stream with this id" (or stopped).
 * - `video`: "send me your camera's video on our mesh link, or not" (audio only).
 */
export type { RelayNote };

/** The note, or null for one this version cannot read (a new `ctl`, a missing or bad field). */
export function readNote(data: Record<string, unknown>): RelayNote | null {
  const parsed = RelayNoteSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/** True for any note, even one this version does not understand (never fed to simple-peer). */
export function isNote(data: Record<string, unknown>): boolean {
  return 'ctl' in data;
}
