import type { MediaState, Role, RoomMode, RoomSettings } from '@parley/protocol';
import type { ChatEntry } from './chatState.ts';
import type { DeviceLists, MediaKind } from './media.ts';

export type CallPhase = 'preview' | 'joining' | 'in-call' | 'reconnecting' | 'left' | 'failed';

export interface LocalMediaView {
  /** A track of the kind exists (the device was granted). */
  hasAudio: boolean;
  hasVideo: boolean;
  /** The user has it switched on (track.enabled). */
  audioOn: boolean;
  videoOn: boolean;
}

export interface PeerView {
  peerId: string;
  name: string;
  role: Role;
  /** What the peer says it sends (drives the muted / camera-off indicators). */
  media: MediaState;
  /** The mesh link to this peer is connected (remote media: CallController.remoteStream()). */
  connected: boolean;
}

/** Everything the UI renders. Plain data only: no streams, sockets or peer connections. */
export interface CallSnapshot {
  phase: CallPhase;
  /** Why the call failed or cannot start (phase 'failed'). */
  error: string | null;
  /** The failure is one a fresh join may fix (recovery gave up): offer Rejoin. */
  rejoinable: boolean;
  /** A passing remark (a chat message refused, a reconnect under way). */
  notice: string | null;
  previewReady: boolean;
  /** Why camera or microphone is missing; null when both work. */
  mediaProblem: string | null;
  local: LocalMediaView;
  devices: DeviceLists;
  selected: Partial<Record<MediaKind, string>>;
  selfId: string | null;
  role: Role | null;
  name: string;
  peers: PeerView[];
  chat: ChatEntry[];
  /** Bumped whenever a MediaStream is attached or replaced, so tiles re-read their stream. */
  streamEpoch: number;
  /** How the room's media travels now: peer to peer, or through the media server. */
  mode: RoomMode;
  /** A status line while media paths change ("Switching to the media server…"), or null. */
  status: string | null;
  /** Who is speaking (highlighted tile), when known. */
  speaker: string | null;
  settings: RoomSettings;
  /** We are sharing a screen. */
  sharing: boolean;
  /** Why our screen share was refused or failed, or null. */
  screenNotice: string | null;
  /** The room is on air (broadcast to /watch/<roomId>). */
  live: boolean;
  /** A Go live / Stop broadcast request is in flight. */
  broadcastBusy: boolean;
  /** Why the broadcast could not change, or why it ended on its own. */
  broadcastNotice: string | null;
}

export function initialSnapshot(): CallSnapshot {
  return {
    phase: 'preview',
    error: null,
    rejoinable: false,
    notice: null,
    previewReady: false,
    mediaProblem: null,
    local: { hasAudio: false, hasVideo: false, audioOn: true, videoOn: true },
    devices: { microphones: [], cameras: [] },
    selected: {},
    selfId: null,
    role: null,
    name: '',
    peers: [],
    chat: [],
    streamEpoch: 0,
    mode: 'mesh',
    status: null,
    speaker: null,
    settings: { screenShare: true },
    sharing: false,
    screenNotice: null,
    live: false,
    broadcastBusy: false,
    broadcastNotice: null,
  };
}

export function mediaFlags(local: LocalMediaView, sharing = false): MediaState {
  return {
    audio: local.hasAudio && local.audioOn,
    video: local.hasVideo && local.videoOn,
    ...(sharing ? { screen: true } : {}),
  };
}

/** Reads the local view out of a stream: which kinds exist and whether they are enabled. */
export function localViewOf(stream: MediaStream | undefined): LocalMediaView {
  const audio = stream?.getAudioTracks()[0];
  const video = stream?.getVideoTracks()[0];
  return {
    hasAudio: !!audio,
    hasVideo: !!video,
    audioOn: audio ? audio.enabled : false,
    videoOn: video ? video.enabled : false,
  };
}
