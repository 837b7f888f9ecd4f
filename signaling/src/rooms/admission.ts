import { ERROR_CODES } from '@parley/protocol';
import type { PeerId, RoomId, RoomSettings, ServerMessage } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { Log } from '../telemetry/log.ts';
import type { Team } from '../walkie/team.ts';
import type { Door } from './door.ts';
import type { Lobby } from './lobby.ts';
import type { Peer, PeerExit } from './peer.ts';
import { isModerator } from './permissions.ts';
import type { AdmitResult, Entered } from './roomTypes.ts';
import { higherRole, type LeftLately, sameBrowser } from './seats.ts';

/** What admission asks of its Room: the Room's own public members. */
export interface AdmissionRoom {
  readonly id: RoomId;
  readonly log: Log;
  readonly door: Door;
  readonly lobby: Lobby;
  readonly team: Team | undefined;
  readonly size: number;
  readonly empty: boolean;
  readonly settings: RoomSettings;
  peers(): Peer[];
  admit(peer: Peer): Promise<AdmitResult>;
  remove(peerId: PeerId, exit?: PeerExit): Promise<void>;
}

/** What admission needs of the Room's private side. */
export interface AdmissionHooks {
  /** Browsers that left lately (seats.ts). */
  leftLately: LeftLately;
  /** A peer's close handler: out of the room's maps. */
  forget: (peer: Peer) => void;
  /** Ends the meeting (its door state cleared, then closed). */
  finish: () => Promise<void>;
}

/**
 * The way into a meeting: whether a joiner is admitted, waits, or is refused (banned, locked
 * out), and what the waiting room is told as the queue and the meeting's moderators change.
 * The Room's `enter`, `stopWaiting`, `lobbyChanged` and `hostsChanged` land here.
 */
export class Admission {
  readonly #room: AdmissionRoom;
  readonly #hooks: AdmissionHooks;
  /** Whether the waiting people were last told that someone who can let them in is here. */
  #moderatorTold = false;

  constructor(room: AdmissionRoom, hooks: AdmissionHooks) {
    this.#room = room;
    this.#hooks = hooks;
  }

  /** See Room.enter. */
  async enter(peer: Peer, seated: boolean): Promise<Entered> {
    const room = this.#room;
    if (peer.role === 'guest' && room.door.wasCohost(peer.identity)) peer.role = 'cohost';
    // One seat per person (issue 19): the same browser joining again (a reload, another tab)
    // takes over the seat it has here, role included, instead of sitting in the call twice.
    const earlier = seated ? undefined : sameBrowser(peer, room.peers());
    if (earlier) {
      peer.role = higherRole(peer.role, earlier.role);
      await room.remove(earlier.id, 'replaced');
      const admitted = await room.admit(peer);
      room.log.info('joined again', { peerId: peer.id, replaced: earlier.id, role: peer.role });
      return { admitted };
    }
    // A team remembers its members: admins come back as co-hosts, members skip the waiting room.
    const member = await room.team?.standing(peer.identity);
    if (peer.role === 'guest' && member === 'admin') peer.role = 'cohost';
    if (peer.role !== 'host' && room.door.isBanned(peer.identity)) {
      throw new ProtocolError(ERROR_CODES.BANNED, 'a host removed you from this meeting');
    }
    // Left a moment ago from this browser (a reload sends `leave`): back in, role and all.
    const back = !seated && this.#hooks.leftLately.backSoon(peer);
    const settings = room.settings;
    if (peer.role !== 'host') {
      if (settings.locked && !seated && !back) {
        throw new ProtocolError(ERROR_CODES.ROOM_LOCKED, 'room is locked');
      }
    }
    // Someone who may be back after a removal waits for a host, waiting room on or off.
    const suspect =
      !seated && !back && peer.role === 'guest' && room.door.mayBeRemoved(peer.identity);
    const known = seated || back || member !== undefined;
    if (!suspect && (known || peer.role !== 'guest' || !settings.waitingRoom)) {
      const admitted = await room.admit(peer);
      room.log.info('joined', { peerId: peer.id, role: peer.role, peers: room.size });
      return { admitted };
    }
    const position = room.lobby.add(peer, suspect);
    peer.onClose(this.#hooks.forget);
    room.log.info('waiting', { peerId: peer.id, position, ...(suspect ? { suspect } : {}) });
    this.#tellModerators();
    return { waiting: position, hostPresent: this.moderatorPresent };
  }

  /** See Room.stopWaiting. */
  async stopWaiting(peerId: PeerId): Promise<void> {
    const peer = this.#room.lobby.take(peerId);
    if (!peer) return;
    peer.close('left');
    this.#room.log.info('stopped waiting', { peerId });
    await this.lobbyChanged();
  }

  /** See Room.lobbyMessage. */
  lobbyMessage(): ServerMessage {
    return { type: 'lobby', waiting: this.#room.lobby.list() };
  }

  /** See Room.lobbyChanged. */
  async lobbyChanged(): Promise<void> {
    this.#tellWaiting();
    this.#tellModerators();
    if (this.#room.empty) await this.#hooks.finish();
  }

  /** The waiting people learn of a change in whether anyone can let them in. */
  hostsChanged(): void {
    if (this.moderatorPresent !== this.#moderatorTold) this.#tellWaiting();
  }

  /** See Room.moderatorPresent. */
  get moderatorPresent(): boolean {
    return this.#room.peers().some((p) => isModerator(p.role));
  }

  /** Everyone waiting learns their place, and whether anyone who can let them in is here. */
  #tellWaiting(): void {
    const hostPresent = this.moderatorPresent;
    this.#moderatorTold = hostPresent;
    this.#room.lobby.peers().forEach((peer, i) => {
      peer.send({ type: 'waiting', roomId: this.#room.id, position: i + 1, hostPresent });
    });
  }

  #tellModerators(): void {
    const message = this.lobbyMessage();
    for (const peer of this.#room.peers()) if (isModerator(peer.role)) peer.send(message);
  }
}
