import { ERROR_CODES } from '@parley/protocol';
import type { ServerMessage, ServerMessageOf } from '@parley/protocol';
import type { RoomEvents } from './RoomEvents.ts';
import type { BoardChannel } from './features/board/BoardChannel.ts';
import type { BroadcastControl } from './features/broadcast/BroadcastControl.ts';
import type { ChatSession } from './features/chat/ChatSession.ts';
import type { Classroom } from './features/classroom/Classroom.ts';
import type { Polls } from './features/classroom/Polls.ts';
import type { Moderation } from './features/moderation/Moderation.ts';
import type { RecordingControl } from './features/recording/RecordingControl.ts';
import type { ScreenShare } from './local/ScreenShare.ts';
import type { Admission } from './session/Admission.ts';
import type { RequestChannel } from './session/RequestChannel.ts';
import type { Topology } from './topology/Topology.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

/** Who owns each server message: the call's parts, each handling its own concern. */
export interface ServerRoutes {
  /** Replies to our requests, matched by `rid` before anything else. */
  rpc: RequestChannel;
  /** The room's media paths (mesh, SFU, the switch); null before the join. */
  topology(): Topology | null;
  /** The room itself: our seat, the peers, the mode and settings. */
  room: RoomEvents;
  admission: Admission;
  chat: ChatSession;
  screen: ScreenShare;
  broadcast: BroadcastControl;
  recording: RecordingControl;
  moderation: Moderation;
  classroom: Classroom;
  polls: Polls;
  board: BoardChannel;
  /** Drops the socket as on a network failure: the next one is routed anew. */
  dropSocket(): void;
}

/** Routes each server message to its handler; the `never` check keeps it exhaustive. */
export function dispatchServerMessage(msg: ServerMessage, to: ServerRoutes): void {
  if (to.rpc.onMessage(msg)) return;
  switch (msg.type) {
    case 'joined':
      return to.room.joined(msg);
    case 'peer-joined':
      return to.room.peerJoined(msg.peer);
    case 'peer-updated':
      return to.room.peerUpdated(msg.peer);
    case 'peer-left':
      return to.room.peerLeft(msg.peerId);
    case 'room-mode':
      return to.room.roomMode(msg);
    case 'signal':
    case 'sfu-producer-added':
    case 'sfu-producer-closed':
    case 'sfu-consumer-closed':
    case 'sfu-consumer-lowered':
    case 'sfu-restart':
    case 'active-speaker':
      return to.topology()?.onMedia(msg);
    case 'settings':
      return to.room.settings(msg.settings);
    case 'chat':
      return to.chat.merge([msg.message]);
    case 'chat-ack':
      return to.room.chatAcked(msg);
    case 'chat-history':
      return to.chat.onHistory(msg);
    case 'error':
      return routeError(msg, to);
    case 'broadcast-state':
      return to.broadcast.onState(msg);
    case 'recording-state':
      return to.recording.onState(msg);
    case 'waiting':
      return to.admission.onWaiting(msg.position, msg.hostPresent);
    case 'lobby':
      return to.moderation.onLobby(msg.waiting);
    case 'removed':
      return to.moderation.onRemoved(msg.reason);
    case 'muted':
      return to.moderation.onMuted(msg.kind);
    case 'unmute-allowed':
      return to.moderation.onUnmuteAllowed(msg.kind);
    case 'role':
      return to.moderation.onRole(msg.role);
    case 'hands':
      return to.classroom.onHands(msg.raised);
    case 'reactions':
      return to.classroom.onReactions(msg);
    case 'poll':
      return to.polls.onPoll(msg.poll);
    case 'board-sync':
      return to.board.onSync(msg);
    case 'board-presenting':
      return to.board.onPresenting(msg.presenter);
    // Walkie-talkie messages come to a team's own page (team/TeamController.ts), never here.
    case 'ice-servers':
    case 'sfu-ice-restarted':
    case 'welcome':
    case 'pong':
    case 'left':
    case 'media-ok':
    case 'sfu-transport-created':
    case 'sfu-produced':
    case 'sfu-consumer':
    case 'sfu-ok':
    case 'sfu-warmed':
    case 'ok':
    case 'channel-consumer':
    case 'floor':
    case 'floor-state':
    case 'floor-ended':
    case 'team-channels':
    case 'board-ticket':
      return;
    default: {
      const unknown: never = msg;
      log.warn('unhandled server message', unknown);
    }
  }
}

/** An error that answers no request of ours goes to the part it concerns, by its code. */
function routeError(msg: ServerMessageOf<'error'>, to: ServerRoutes): void {
  if (msg.code === ERROR_CODES.RESUME_FAILED) return to.room.resumeFailed();
  // Cluster mode: the room's node changed under us; a new socket is routed to the right one.
  if (msg.code === ERROR_CODES.ROOM_MOVED) return to.dropSocket();
  if (to.admission.isJoinError(msg)) return background(to.admission.onRefused(msg), 'refusal');
  if (to.chat.onError(msg)) return;
  if (msg.code === ERROR_CODES.FORBIDDEN && msg.ref === 'media') return to.screen.refused();
  if (msg.code === ERROR_CODES.MUTED_BY_HOST) return to.moderation.onUnmuteRefused();
  log.warn('server error', msg.code, msg.message);
}
