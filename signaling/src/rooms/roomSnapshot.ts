import type { ChatMessage, PeerInfo, RoomMode, RoomSettings } from '@parley/protocol';
import type { RoomAttendance } from '../attendance/roomAttendance.ts';
import type { Board } from '../classroom/board.ts';
import type { Classroom } from '../classroom/classroom.ts';
import type { Polls } from '../classroom/polls.ts';
import type { Team } from '../walkie/team.ts';
import type { Peer } from './peer.ts';
import type { RoomMedia } from './roomMedia.ts';
import type { AdmitResult } from './roomTypes.ts';

/** What a snapshot reads of its Room: the Room's own public members. */
export interface SnapshotRoom {
  readonly mode: RoomMode;
  readonly media: RoomMedia;
  readonly settings: RoomSettings;
  readonly title: string | null;
  readonly live: boolean;
  readonly team: Team | undefined;
  readonly classroom: Classroom;
  readonly polls: Polls | undefined;
  readonly board: Board | undefined;
}

/**
 * The meeting as `to` finds it when admitted or resumed: the other peers, the chat it is shown,
 * the media mode and each feature's state. A feature with nothing to say is left out, so the
 * reply stays small for the common meeting.
 */
export function admitSnapshot(
  room: SnapshotRoom,
  attendance: RoomAttendance | undefined,
  peers: PeerInfo[],
  chat: ChatMessage[],
  to: Peer,
): AdmitResult {
  const sfu = room.media.state();
  const poll = room.polls?.joinView(to);
  const feedback = attendance?.ticket(to);
  return {
    peers,
    chat,
    mode: room.mode,
    ...(sfu ? { sfu } : {}),
    activeSpeaker: room.media.activeSpeaker,
    settings: room.settings,
    ...(room.title ? { title: room.title } : {}),
    live: room.live,
    ...(room.media.recording.since ? { recordingSince: room.media.recording.since } : {}),
    ...(room.team ? { team: room.team.state() } : {}),
    hands: room.classroom.raised(),
    ...(poll ? { poll } : {}),
    ...(room.board?.presenter ? { boardPresenter: room.board.presenter } : {}),
    ...(feedback ? { feedback } : {}),
  };
}
