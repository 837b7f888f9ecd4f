import type {
  BoardPresenter,
  MediaState,
  PollView,
  RaisedHand,
  Role,
  RoomMode,
  RoomSettings,
  ServerMessageOf,
  Uplink,
  WaitingPeer,
} from '@parley/protocol';
import type { TileQuality } from './quality/QualityMonitor.ts';
import type { Removal } from './session/admissionState.ts';
import type { ChatEntry } from './features/chat/chatState.ts';
import type { DeviceKind, DeviceLists } from './local/media.ts';
import type { FloatingReaction } from './features/classroom/Classroom.ts';

export type CallPhase =
  | 'preview'
  | 'joining'
  /** Held in the waiting room until a host admits us. */
  | 'waiting'
  | 'in-call'
  | 'reconnecting'
  | 'left'
  /** Turned away, removed, or the meeting ended: no automatic rejoin. */
  | 'removed'
  | 'failed';

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
  /** Their own report of their uplink; absent while good. */
  uplink?: Uplink;
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
  /** Why the last join was refused (wrong password, locked...): shown on the pre-join screen. */
  joinError: string | null;
  /** Show the room password field (asked for, or after a refusal that may mean a password). */
  askPassword: boolean;
  /** In the waiting room: our place in line (1 = next). */
  waitingPosition: number | null;
  /** In the waiting room: whether a host or co-host is in the meeting to let us in. */
  hostPresent: boolean;
  /** Why we are out of the meeting (phase 'removed'). */
  removal: Removal | null;
  /** Hosts and co-hosts: who is in the waiting room, oldest first. */
  lobby: WaitingPeer[];
  /** A quiet note that someone arrived in the waiting room, or null. */
  lobbyNotice: string | null;
  /** What a host did to us ("A host muted you"), or why our host action failed. */
  hostNotice: string | null;
  previewReady: boolean;
  /** Why camera or microphone is missing; null when both work. */
  mediaProblem: string | null;
  local: LocalMediaView;
  devices: DeviceLists;
  /** The device in use of each kind (`output`: where remote audio plays; unset: the default). */
  selected: Partial<Record<DeviceKind, string>>;
  /** A device went away mid-call and another took over, or a switch failed; null: none. */
  deviceNotice: string | null;
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
  /** How each remote person's media reaches us, by peer id (absent: not measured yet). */
  quality: Record<string, TileQuality>;
  /** Our own connection when it is not good (what we send or what we receive), else null. */
  selfQuality: TileQuality | null;
  /** Our camera is not sent because our connection cannot carry it (the video fallback). */
  selfVideoPaused: boolean;
  /** Others' camera video does not come to us: our connection cannot carry it (the same fallback). */
  incomingVideoPaused: boolean;
  /** "Audio only": we neither send nor receive camera video (remembered on this device). */
  audioOnly: boolean;
  /** Who is speaking (highlighted tile), when known. */
  speaker: string | null;
  settings: RoomSettings;
  /** The meeting's title, when its creator gave it one; null until joined or without one. */
  title: string | null;
  /** We are sharing a screen. */
  sharing: boolean;
  /** Why our screen share was refused or failed, or null. */
  screenNotice: string | null;
  /** The room is on air (broadcast to /watch/<broadcastId>). */
  live: boolean;
  /** The id in the room's watch link (not the room's id), once the server has told a moderator. */
  broadcastId: string | null;
  /** A password-protected room's viewer token for the watch link (`?t=`), once the host has it. */
  watchToken: string | null;
  /** A Go live / Stop broadcast request is in flight. */
  broadcastBusy: boolean;
  /** Why the broadcast could not change, or why it ended on its own. */
  broadcastNotice: string | null;
  /** While the meeting is recorded: when the recording began (ms since the epoch). */
  recordingSince: number | null;
  /** This meeting and our ticket to rate it once we left (issue 21); null until joined. */
  feedback: { meetingId: string; ticket: string } | null;
  /** A Record / Stop recording request is in flight. */
  recordingBusy: boolean;
  /** Why recording could not change, or why it stopped on its own. */
  recordingNotice: string | null;
  /** Raised hands of the people present, first up first (ours included). */
  hands: RaisedHand[];
  /** Reactions floating over their senders' tiles now. */
  reactions: FloatingReaction[];
  /** The meeting's current poll as we may see it (our vote, results when shown), or none. */
  poll: PollView | null;
  /** Why a poll request (a vote, a launch) was refused. */
  pollNotice: string | null;
  /** The whiteboard is open in our stage. */
  boardOpen: boolean;
  /** Who presents the whiteboard, and on which page; null: nobody. */
  boardPresenter: BoardPresenter | null;
}

export function initialSnapshot(): CallSnapshot {
  return {
    phase: 'preview',
    error: null,
    rejoinable: false,
    notice: null,
    joinError: null,
    askPassword: false,
    waitingPosition: null,
    hostPresent: true,
    removal: null,
    lobby: [],
    lobbyNotice: null,
    hostNotice: null,
    previewReady: false,
    mediaProblem: null,
    local: { hasAudio: false, hasVideo: false, audioOn: true, videoOn: true },
    devices: { microphones: [], cameras: [], speakers: [] },
    selected: {},
    deviceNotice: null,
    selfId: null,
    role: null,
    name: '',
    peers: [],
    chat: [],
    streamEpoch: 0,
    mode: 'mesh',
    status: null,
    speaker: null,
    quality: {},
    selfQuality: null,
    selfVideoPaused: false,
    incomingVideoPaused: false,
    audioOnly: false,
    // The server's defaults (protocol's DEFAULT_ROOM_SETTINGS) until `joined` says; not imported
    // from there, as messages.ts would bring zod into the bundle.
    settings: {
      waitingRoom: true,
      locked: false,
      screenShare: true,
      chat: true,
      selfUnmute: true,
      draw: true,
      cohostsRecord: false,
      recordingLayout: 'speaker',
      hasPassword: false,
    },
    title: null,
    sharing: false,
    screenNotice: null,
    live: false,
    watchToken: null,
    broadcastId: null,
    broadcastBusy: false,
    broadcastNotice: null,
    recordingSince: null,
    feedback: null,
    recordingBusy: false,
    recordingNotice: null,
    hands: [],
    reactions: [],
    poll: null,
    pollNotice: null,
    boardOpen: false,
    boardPresenter: null,
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

/** What a `joined` for a fresh seat sets: in the call, with the room as the server sees it. */
export function joinedPatch(msg: ServerMessageOf<'joined'>): Partial<CallSnapshot> {
  return {
    phase: 'in-call',
    notice: null,
    status: null,
    waitingPosition: null,
    selfId: msg.peerId,
    role: msg.role,
    mode: msg.mode,
    speaker: msg.activeSpeaker ?? null,
    settings: msg.settings,
    title: msg.title ?? null,
    live: msg.live,
    watchToken: msg.watchToken ?? null,
    broadcastId: msg.broadcastId ?? null,
    recordingSince: msg.recordingSince ?? null,
    feedback: msg.feedback ?? null,
    hands: msg.hands,
    poll: msg.poll ?? null,
    peers: msg.peers.map((p) => ({ ...p, connected: false })),
  };
}

/** What a `joined` that resumed our seat sets (the peers are reconciled by the caller). */
export function resumedPatch(msg: ServerMessageOf<'joined'>): Partial<CallSnapshot> {
  return {
    phase: 'in-call',
    notice: null,
    mode: msg.mode,
    settings: msg.settings,
    title: msg.title ?? null,
    live: msg.live,
    watchToken: msg.watchToken ?? null,
    broadcastId: msg.broadcastId ?? null,
    recordingSince: msg.recordingSince ?? null,
    ...(msg.feedback ? { feedback: msg.feedback } : {}),
    hands: msg.hands,
    poll: msg.poll ?? null,
  };
}
