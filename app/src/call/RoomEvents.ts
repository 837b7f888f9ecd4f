import type { ServerMessageOf } from '@parley/protocol';
import { joinedPatch, mediaFlags, resumedPatch } from './callState.ts';
import type { CallSnapshot } from './callState.ts';
import type { SnapshotStore } from './SnapshotStore.ts';
import type { ChatSession } from './features/chat/ChatSession.ts';
import type { BoardChannel } from './features/board/BoardChannel.ts';
import { isModerator } from './features/moderation/lobbyState.ts';
import type { ScreenShare } from './local/ScreenShare.ts';
import type { AudioOnly } from './local/audioOnly.ts';
import type { Admission } from './session/Admission.ts';
import { mediaChanged } from './session/admissionState.ts';
import type { Membership } from './session/Membership.ts';
import { reconcilePeers } from './session/seat.ts';
import { dropWarmTransport } from './topology/sfu/warmTransport.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

/** The parts of the call that what the room tells us changes. */
export interface RoomEventsDeps {
  store: SnapshotStore;
  membership: Membership;
  admission: Admission;
  chat: ChatSession;
  board: BoardChannel;
  screen: ScreenShare;
  audioOnly: AudioOnly;
  /** Tells the room our media flags (in the call only). */
  sendMedia(): void;
}

type Peer = ServerMessageOf<'peer-joined'>['peer'];

/**
 * What the room tells the call about itself: our seat (joined, resumed, or lost), who comes,
 * changes and goes, its mode and settings. Each changes the snapshot and, where media is
 * concerned, the media paths; serverDispatch.ts routes the messages here.
 */
export class RoomEvents {
  /** A join after the first (a rejoin) asks the chat for what it missed meanwhile. */
  private joinedOnce = false;

  constructor(private readonly deps: RoomEventsDeps) {}

  private get snap(): CallSnapshot {
    return this.deps.store.current;
  }

  private get topology() {
    return this.deps.membership.topology;
  }

  joined(msg: ServerMessageOf<'joined'>): void {
    const { membership, screen, store, chat, board, audioOnly, admission } = this.deps;
    const sinceSeq = chat.highestSeq;
    if (membership.joined(msg) === 'resumed') return this.resumed(msg);
    const sharing = screen.stream;
    if (sharing && this.topology) background(this.topology.startScreen(sharing), 'screen share');
    store.update(joinedPatch(msg));
    // Not taken by an SFU session (a mesh room): the server has closed it already.
    if (!msg.sfu?.recvTransport) dropWarmTransport();
    chat.merge(msg.chat);
    board.joined(msg);
    if (this.joinedOnce) chat.resume(sinceSeq);
    this.joinedOnce = true;
    audioOnly.joined();
    // Toggled while in the waiting room: the server still has what the join said.
    const media = mediaFlags(this.snap.local, this.snap.sharing);
    if (mediaChanged(admission.sentMedia, media)) this.deps.sendMedia();
  }

  /**
   * Our seat is back: same peer id and role, and media never depended on the socket, so
   * links and transports stay. Reconcile the peers, merge the missed chat, resend the unacked.
   */
  private resumed(msg: ServerMessageOf<'joined'>): void {
    const { store, chat, board } = this.deps;
    const before = this.snap.peers;
    store.update({ ...resumedPatch(msg), peers: reconcilePeers(before, msg.peers) });
    chat.merge(msg.chat);
    // Who came or went while our socket was down, after the messages missed meanwhile.
    chat.peersChanged(before, this.snap.peers);
    board.joined(msg);
    chat.resume(chat.highestSeq);
  }

  /**
   * No seat to resume here: the window passed (the others saw us leave), or the room moved to
   * another node. Join again with the seat we held: where the meeting goes on, it takes us
   * straight back in as the same peer; elsewhere the server ignores it.
   */
  resumeFailed(): void {
    log.warn('resume failed: joining again');
    const seat = this.deps.membership.heldSeat();
    this.deps.membership.release();
    this.deps.store.update({ peers: [], status: 'Reconnecting…' });
    background(this.deps.admission.sendJoin(seat), 'join with the held seat');
  }

  peerJoined(peer: Peer): void {
    this.topology?.peerJoined(peer.peerId);
    const before = this.snap.peers;
    this.deps.store.setPeers((ps) => [
      ...ps.filter((p) => p.peerId !== peer.peerId),
      { ...peer, connected: false },
    ]);
    this.deps.chat.peersChanged(before, this.snap.peers);
  }

  peerUpdated(peer: ServerMessageOf<'peer-updated'>['peer']): void {
    const { name, media, role, uplink } = peer;
    this.deps.store.patchPeer(peer.peerId, { name, media, role, uplink });
  }

  peerLeft(peerId: string): void {
    this.topology?.peerLeft(peerId);
    const before = this.snap.peers;
    this.deps.store.setPeers((ps) => ps.filter((p) => p.peerId !== peerId));
    this.deps.chat.peersChanged(before, this.snap.peers);
  }

  roomMode(msg: ServerMessageOf<'room-mode'>): void {
    this.topology?.onRoomMode(msg.mode, msg.sfu);
    this.deps.store.update({ mode: msg.mode });
  }

  settings(settings: CallSnapshot['settings']): void {
    this.deps.store.update({ settings });
    // The server has closed a guest's share already; stop ours to match.
    if (!settings.screenShare && !isModerator(this.snap.role) && this.deps.screen.stream) {
      this.deps.screen.refused();
    }
  }

  /** Our own message is stored: the chat shows it as sent, by us. */
  chatAcked(msg: ServerMessageOf<'chat-ack'>): void {
    this.deps.chat.onAck(msg, { peerId: this.snap.selfId ?? '', name: this.snap.name });
  }
}
