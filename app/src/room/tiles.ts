import type { CallController } from '../call/CallController.ts';
import { mediaFlags } from '../call/callState.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { tileKey } from '../call/topology/RemoteMedia.ts';
import { tileMenu } from '../call/features/moderation/lobbyState.ts';
import { handPosition } from '../call/features/classroom/Classroom.ts';
import type { TileSpec } from './Tile.tsx';
import { INCOMING_PAUSED_TEXT, VIDEO_PAUSED_TEXT } from '../call/quality/QualityMonitor.ts';
import type { TileQuality } from '../call/quality/QualityMonitor.ts';

/** On others' camera tiles while we chose audio only (View menu). */
const AUDIO_ONLY_TEXT = 'Video off - audio only';
const SELF_GOOD: TileQuality = { quality: 'good', text: 'Your connection is good' };

/** Our tile first, then each peer's camera tile and, while they share, their screen. */
export function tilesOf(controller: CallController, snap: CallSnapshot): TileSpec[] {
  const hand = (peerId: string | null) => handPosition(snap.hands, peerId);
  const reactions = (peerId: string | null) => snap.reactions.filter((r) => r.peerId === peerId);
  const tiles: TileSpec[] = [
    {
      key: 'self',
      peerId: null,
      source: 'camera',
      name: snap.name,
      media: mediaFlags(snap.local),
      stream: controller.localStream(),
      status: null,
      speaking: false,
      role: snap.role,
      menu: [],
      hand: hand(snap.selfId),
      reactions: reactions(snap.selfId),
      quality: snap.selfQuality ?? SELF_GOOD,
      videoNote: snap.selfVideoPaused ? VIDEO_PAUSED_TEXT : null,
    },
  ];
  for (const p of snap.peers) {
    const stream = controller.remoteStream(p.peerId, 'camera');
    const speaking = snap.speaker === p.peerId;
    tiles.push({
      key: tileKey(p.peerId, 'camera'),
      peerId: p.peerId,
      source: 'camera',
      name: p.name,
      media: p.media,
      stream,
      status: stream || p.connected ? null : 'connecting…',
      speaking,
      role: p.role,
      menu: tileMenu(snap.role, p, snap.settings.selfUnmute),
      hand: hand(p.peerId),
      reactions: reactions(p.peerId),
      quality: snap.quality[p.peerId] ?? null,
      videoNote: peerVideoNote(snap, p.uplink?.videoPaused ?? false),
    });
    const screen = controller.remoteStream(p.peerId, 'screen');
    if (p.media.screen && screen) {
      tiles.push({
        key: tileKey(p.peerId, 'screen'),
        peerId: p.peerId,
        source: 'screen',
        name: p.name,
        media: p.media,
        stream: screen,
        status: null,
        speaking: false,
        role: p.role,
        menu: [],
        hand: null,
        reactions: [],
        quality: null,
        videoNote: null,
      });
    }
  }
  return tiles;
}

/** Why a peer's camera picture is not shown, when it is for want of a connection or by choice. */
function peerVideoNote(snap: CallSnapshot, theirsPaused: boolean): string | null {
  if (snap.audioOnly) return AUDIO_ONLY_TEXT;
  // Their own pause first: their video would not come even on a better connection of ours.
  if (theirsPaused) return VIDEO_PAUSED_TEXT;
  if (snap.incomingVideoPaused) return INCOMING_PAUSED_TEXT;
  return null;
}
