import type { Via } from './RemoteMedia.ts';

/**
 * Small notes one browser sends another through the server's mesh relay (a `signal`
 * message whose data has `ctl` instead of a simple-peer payload). The relay works in both
 * room modes, which is what a switch between them needs.
 * - `swapped`: "my tile of you now shows what arrives through `via`" (make before break).
 * - `screen`: "my screen share travels on the mesh as the stream with this id" (or stopped).
 */
export type RelayNote = { ctl: 'swapped'; via: Via } | { ctl: 'screen'; stream: string | null };

export function readNote(data: Record<string, unknown>): RelayNote | null {
  if (data.ctl === 'swapped' && (data.via === 'mesh' || data.via === 'sfu')) {
    return { ctl: 'swapped', via: data.via };
  }
  if (data.ctl === 'screen' && (typeof data.stream === 'string' || data.stream === null)) {
    return { ctl: 'screen', stream: data.stream };
  }
  return null;
}

/** True for any note, even one this version does not understand (never fed to simple-peer). */
export function isNote(data: Record<string, unknown>): boolean {
  return 'ctl' in data;
}
