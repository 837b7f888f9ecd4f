import { ERROR_CODES } from '@parley/protocol';
import type { MediaSource } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

/*
 * A host's mute, held by the server (#14) rather than only asked of the client: in SFU mode the
 * muted device's producers are paused on the server, so no packet of it reaches anyone (nor the
 * broadcast), whatever the client does. The peer turns it back on with `media`; a guest may
 * only when the room's `selfUnmute` is on or a host allowed it (`allow-unmute`). In mesh mode
 * media goes browser to browser: there the server can only refuse the `media` announcement.
 */

export type MuteKind = 'audio' | 'video';

/** What a mute of each kind silences: the microphone, or the camera (never a screen share). */
export const MUTED_SOURCES: Readonly<Record<MuteKind, readonly MediaSource[]>> = {
  audio: ['mic'],
  video: ['camera'],
};

/** The kinds a host muted per peer, until they may turn them back on. Goes with the Peer. */
const held = new WeakMap<Peer, Set<MuteKind>>();

export function isHeld(peer: Peer, kind: MuteKind | undefined): boolean {
  return kind !== undefined && (held.get(peer)?.has(kind) ?? false);
}

/** The mute kind a producer source falls under, if any. */
export function muteKindOf(source: MediaSource): MuteKind | undefined {
  if (MUTED_SOURCES.audio.includes(source)) return 'audio';
  if (MUTED_SOURCES.video.includes(source)) return 'video';
  return undefined;
}

/** A host mutes `kind`: held for the peer, and its producers of that kind paused (SFU mode). */
export async function holdMute(room: Room, peer: Peer, kind: MuteKind): Promise<void> {
  const kinds = held.get(peer) ?? new Set<MuteKind>();
  kinds.add(kind);
  held.set(peer, kinds);
  await room.media.sfuRoom?.setPaused(peer.id, MUTED_SOURCES[kind], true);
  room.media.broadcast.sourcesChanged();
}

/** A host lets the peer turn `kind` on again; its producers stay paused until it does. */
export function releaseMute(peer: Peer, kind: MuteKind): void {
  held.get(peer)?.delete(kind);
}

/**
 * The peer turns `kinds` back on (its `media`). Refused whole, with MUTED_BY_HOST, when a host's
 * mute of one of them holds and the peer is a guest in a room whose `selfUnmute` is off.
 * Otherwise the holds end and the paused producers resume.
 */
export async function turnBackOn(
  room: Room,
  peer: Peer,
  kinds: readonly MuteKind[],
): Promise<void> {
  const mayUnmute = peer.role !== 'guest' || room.settings.selfUnmute;
  const refused = kinds.find((kind) => isHeld(peer, kind) && !mayUnmute);
  if (refused) {
    const device = refused === 'audio' ? 'microphone' : 'camera';
    throw new ProtocolError(
      ERROR_CODES.MUTED_BY_HOST,
      `a host turned off your ${device}: wait until a host lets you turn it on`,
    );
  }
  for (const kind of kinds) {
    releaseMute(peer, kind);
    await room.media.sfuRoom?.setPaused(peer.id, MUTED_SOURCES[kind], false);
  }
  room.media.broadcast.sourcesChanged();
}
