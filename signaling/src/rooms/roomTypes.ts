import type { RoomAttendance } from '../attendance/roomAttendance.ts';
import type {
  BoardPresenter,
  ChatMessage,
  PeerId,
  PeerInfo,
  PollView,
  RaisedHand,
  RoomMode,
  RoomSettings,
  SfuState,
  TeamState,
} from '@parley/protocol';
import type {
  ChannelRecord,
  ChatStore,
  StoredSettings,
  TeamRecord,
  TeamStore,
} from '../store/index.ts';
import type { WaitingLimits } from './lobby.ts';
import type { Log } from '../telemetry/log.ts';
import type { LoadedPolls } from '../classroom/polls.ts';
import type { BoardStore } from '../store/types.ts';
import type { Door } from './door.ts';
import type { Room } from './room.ts';
import type { RoomMediaOptions } from './roomMedia.ts';

/** How long a meeting whose host left waits for a host before it makes one (HOST_GRACE_MS). */
export const HOST_GRACE_MS = 15_000;

/** What a Room is built with (rooms.ts builds it). */
export interface RoomOptions {
  maxPeers: number;
  chat: ChatStore;
  /** Called once (inside the room's queue) when the room closes: ended, or nobody left. */
  onClose: (room: Room) => void;
  /** The meeting's bans, co-hosts and seats, as loaded for this room. */
  door: Door;
  /** The title its creator gave it, or null. */
  title?: string | null;
  /** The settings as stored, and where changes go. */
  settings: StoredSettings;
  passwordHash: string | null;
  save: (settings: StoredSettings, passwordHash: string | null) => Promise<void>;
  media: Omit<RoomMediaOptions, 'log'>;
  log: Log;
  /** How many may wait (WAITING_ROOM_MAX, WAITING_MAX_PER_ADDRESS); default 200 and 10. */
  waiting?: WaitingLimits;
  /** The room is a walkie-talkie team (`walkie/team.ts`): its record, channels and store. */
  team?: { record: TeamRecord; channels: ChannelRecord[]; store: TeamStore };
  /** The room's polls as loaded (issue 17); absent: no poll store here (polls are off). */
  polls?: LoadedPolls;
  /** Where the room's whiteboard is stored (issue 17); absent: no whiteboard here. */
  boards?: BoardStore;
  /** Records the meeting's attendance (issue 21); absent: not recorded here. */
  attendance?: RoomAttendance;
  /** How long a meeting left without a host waits before one is made (HOST_GRACE_MS). */
  hostGraceMs?: number;
  /**
   * A browser that left the meeting comes back this long without the waiting room (a reload
   * sends `leave`); the resume window (RESUME_WINDOW_S). Absent or 0: never.
   */
  rejoinWindowMs?: number;
}

/** What an admitted peer gets: the meeting as it is now (the `joined` message's body). */
export interface AdmitResult {
  peers: PeerInfo[];
  chat: ChatMessage[];
  mode: RoomMode;
  sfu?: SfuState;
  activeSpeaker: PeerId | null;
  settings: RoomSettings;
  /** The meeting's title, when it has one. */
  title?: string;
  live: boolean;
  /** While recording: when it began. */
  recordingSince?: number;
  team?: TeamState;
  hands: RaisedHand[];
  /** The current poll as the joiner may see it. */
  poll?: PollView;
  /** Who presents the whiteboard, when someone does. */
  boardPresenter?: BoardPresenter;
  /** The meeting and the joiner's ticket for rating it after leaving (issue 21). */
  feedback?: { meetingId: string; ticket: string };
}

/**
 * Where a join ended up: in the meeting, or in the waiting room at this place in line (and
 * whether anyone who can let people in is there).
 */
export type Entered = { admitted: AdmitResult } | { waiting: number; hostPresent: boolean };
