import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '@parley/protocol';
import { SignalingClient } from './signalingClient.ts';
import { ScreenShare } from './ScreenShare.ts';
import { BroadcastControl } from './Broadcast.ts';
import { LocalMedia } from './LocalMedia.ts';
import type { MediaKind } from './media.ts';
import { chatView } from './chatState.ts';
import { ChatSession } from './ChatSession.ts';
import { initialSnapshot, mediaFlags } from './callState.ts';
import type { CallSnapshot, PeerView } from './callState.ts';
import { RequestChannel } from './requests.ts';
import type { TileSeen } from './SfuConnector.ts';
import type { TileSource, Via } from './RemoteMedia.ts';
import { dedupePeers, reconcilePeers } from './seat.ts';
import { Membership } from './membership.ts';

/** What the call shows when recovery gave up (a Rejoin button goes with it). */
export const RECONNECT_FAILED = 'Could not reconnect the call. Check your network and rejoin.';

type Listener = (snapshot: CallSnapshot) => void;

/**
 * Owns everything of a call that is not UI: the local MediaStream (one getUserMedia for the
 * whole session), a screen share, the signaling connection, the room's media paths
 * (Topology: mesh, SFU and the switch) and the chat. The UI subscribes to plain-data
 * snapshots and calls the public methods.
 */
export class CallController {
  private snap: CallSnapshot = initialSnapshot();
  private readonly listeners = new Set<Listener>();
  private get topology() {
    return this.membership.topology;
  }
  private readonly local = new LocalMedia(
    (patch) => this.update(patch),
    () => this.snap,
  );
  private signaling: SignalingClient | null = null;
  private joinedOnce = false;
  private nextRid = 1;
  private disposed = false;
  private readonly rpc = new RequestChannel(
    (msg) => this.send(msg),
    () => this.nextRid++,
  );
  /** Our seat, ICE servers and media paths, across dropped sockets. */
  readonly membership = new Membership(
    {
      rpc: this.rpc,
      send: (m) => this.send(m),
      localStream: () => this.local.stream,
    },
    {
      changed: () => this.bumpStreams(),
      linkState: (peerId, connected) => this.patchPeer(peerId, { connected }),
      status: (status) => this.update({ status }),
      speaker: (speaker) => this.update({ speaker }),
      giveUp: (reason) => this.rejoin(reason),
      unrecoverable: (reason) => this.unrecoverable(reason),
    },
  );
  /** Closing the tab releases the seat at once (a best-effort `leave`), not after the window. */
  private readonly onPageHide = () => this.leave();
  private readonly screen: ScreenShare = new ScreenShare({
    rpc: this.rpc,
    media: (screen) => mediaFlags(this.snap.local, screen),
    publish: async (stream) => this.topology?.startScreen(stream),
    unpublish: async () => this.topology?.stopScreen(),
    update: (patch) => this.update(patch),
    announce: () => this.sendMedia(),
  });
  private readonly broadcast = new BroadcastControl({
    rpc: this.rpc,
    update: (patch) => this.update(patch),
  });
  private readonly chat = new ChatSession({
    send: (msg) => this.send(msg),
    nextRid: () => this.nextRid++,
    changed: (chat) => this.update({ chat: chatView(chat, this.snap.name) }),
    notice: (text) => this.update({ notice: text }),
  });

  constructor(
    readonly roomId: string,
    private readonly hostKey?: string,
  ) {}

  // ---------- subscription ----------

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  get snapshot(): CallSnapshot {
    return this.snap;
  }

  private update(patch: Partial<CallSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }

  /** Every change of the peer list goes through here: a peer is never listed twice. */
  private setPeers(fn: (peers: PeerView[]) => PeerView[]): void {
    this.update({ peers: dedupePeers(fn(this.snap.peers)) });
  }

  private patchPeer(peerId: string, patch: Partial<PeerView>): void {
    this.setPeers((ps) => ps.map((p) => (p.peerId === peerId ? { ...p, ...patch } : p)));
  }

  private bumpStreams(): void {
    this.update({ streamEpoch: this.snap.streamEpoch + 1 });
  }

  // ---------- local media ----------

  /** Starts the camera/mic preview once; later calls return the same promise. */
  startPreview(): Promise<void> {
    return this.local.start();
  }

  async selectDevice(kind: MediaKind, deviceId: string): Promise<void> {
    try {
      const swapped = await this.local.select(kind, deviceId);
      if (!swapped) return;
      this.topology?.replaceTrack(swapped.old, swapped.next);
      this.sendMedia();
    } catch (err) {
      this.update({ notice: `Could not switch ${kind === 'audio' ? 'microphone' : 'camera'}.` });
      console.warn('device switch failed', err);
    }
  }

  toggle(kind: MediaKind): void {
    if (this.local.toggle(kind)) this.sendMedia();
  }

  private sendMedia(): void {
    if (this.snap.phase === 'in-call') {
      this.send({ type: 'media', media: mediaFlags(this.snap.local, this.snap.sharing) });
    }
  }

  localStream(): MediaStream | undefined {
    return this.local.stream;
  }

  remoteStream(peerId: string, source: TileSource = 'camera'): MediaStream | undefined {
    return this.topology?.stream(peerId, source);
  }

  remoteVia(peerId: string, source: TileSource = 'camera'): Via | undefined {
    return this.topology?.via(peerId, source);
  }

  /** A tile reports whether it is on screen and how wide (SFU pause and simulcast layer). */
  tileSeen(key: string, seen: TileSeen | null): void {
    this.topology?.tileSeen(key, seen);
  }

  // ---------- screen sharing ----------

  startScreenShare(): Promise<void> {
    return this.snap.phase === 'in-call' ? this.screen.start() : Promise.resolve();
  }

  stopScreenShare(): Promise<void> {
    return this.screen.stop();
  }

  /** Host only: put the room on air, or take it off. */
  setBroadcast(live: boolean): Promise<void> {
    return this.broadcast.set(live);
  }

  /** Host only: allow or forbid screen sharing in the room. */
  setScreenShareAllowed(allowed: boolean): void {
    this.send({ type: 'settings', settings: { screenShare: allowed } });
  }

  // ---------- call lifecycle ----------

  async join(name: string): Promise<void> {
    if (this.signaling || this.disposed) return;
    const trimmed = name.trim().slice(0, LIMITS.NAME_MAX);
    this.update({ phase: 'joining', name: trimmed, error: null, rejoinable: false });
    await this.startPreview();
    if (this.disposed) return;
    window.addEventListener('pagehide', this.onPageHide);
    this.signaling = new SignalingClient({
      ready: () => this.onReady(),
      message: (msg) => this.dispatch(msg),
      down: (reason, willRetry) => this.onDown(reason, willRetry),
    });
    this.signaling.connect();
  }

  leave(): void {
    if (this.snap.phase === 'left') return;
    this.send({ type: 'leave' });
    this.teardown();
    this.update({ phase: 'left', peers: [], notice: null, status: null, sharing: false });
  }

  /** After leaving: back to the pre-join screen with a fresh preview. */
  restart(): void {
    this.update({ ...initialSnapshot(), name: this.snap.name, chat: this.snap.chat });
    void this.startPreview();
  }

  /** Idempotent: the page is going away. */
  dispose(): void {
    if (this.disposed) return;
    this.leave();
    this.disposed = true;
    this.listeners.clear();
  }

  /** After recovery gave up: join again as a new peer (the Rejoin button). */
  rejoinAfterFailure(): void {
    void this.join(this.snap.name);
  }

  private teardown(): void {
    window.removeEventListener('pagehide', this.onPageHide);
    this.membership.close();
    this.signaling?.close();
    this.signaling = null;
    void this.screen.stop();
    this.local.stop();
  }

  /** The SFU side could not be rebuilt: leave and join again on the same socket. */
  private rejoin(reason: string): void {
    console.warn('rejoining the room:', reason);
    this.membership.release();
    this.update({ status: 'Reconnecting…' });
    this.send({ type: 'leave' });
    this.sendJoin();
  }

  private send(msg: ClientMessage): boolean {
    return this.signaling?.send(msg) ?? false;
  }

  /** The socket is (again) ready: take our seat back if we have one, else join. */
  private onReady(): void {
    const rid = () => this.nextRid++;
    const resume = this.membership.resumeMessage(this.roomId, this.chat.highestSeq, rid);
    if (resume) this.send(resume);
    else this.sendJoin();
  }

  /** The seat is gone (the window passed): the others saw us leave, so start over. */
  private onResumeFailed(): void {
    console.warn('resume failed: joining again');
    this.membership.release();
    this.update({ peers: [], status: 'Reconnecting…' });
    this.sendJoin();
  }

  private sendJoin(): void {
    this.send({
      type: 'join',
      rid: this.nextRid++,
      roomId: this.roomId as ClientMessageOfJoin['roomId'],
      name: this.snap.name,
      media: mediaFlags(this.snap.local, this.snap.sharing),
      ...(this.hostKey ? { hostKey: this.hostKey } : {}),
    });
  }

  private onDown(reason: string, willRetry: boolean): void {
    if (!willRetry) {
      this.teardown();
      this.update({ phase: 'failed', error: reason });
      return;
    }
    // Media may keep flowing on the mesh while the socket comes back.
    if (this.snap.phase === 'in-call') {
      this.update({ phase: 'reconnecting', notice: 'Reconnecting…' });
    }
  }

  // ---------- server messages ----------

  /** Routes each server message to its handler; the `never` check keeps it exhaustive. */
  private dispatch(msg: ServerMessage): void {
    if (this.rpc.onMessage(msg)) return;
    const topo = this.topology;
    switch (msg.type) {
      case 'joined':
        return this.onJoined(msg);
      case 'peer-joined':
        return this.onPeerJoined(msg.peer);
      case 'peer-updated':
        return this.patchPeer(msg.peer.peerId, { name: msg.peer.name, media: msg.peer.media });
      case 'peer-left':
        return this.onPeerLeft(msg.peerId);
      case 'room-mode':
        topo?.onRoomMode(msg.mode, msg.sfu);
        return this.update({ mode: msg.mode });
      case 'signal':
      case 'sfu-producer-added':
      case 'sfu-producer-closed':
      case 'sfu-consumer-closed':
      case 'sfu-restart':
      case 'active-speaker':
        return topo?.onMedia(msg);
      case 'settings':
        return this.onSettings(msg.settings);
      case 'chat':
        return this.chat.merge([msg.message]);
      case 'chat-ack':
        return this.chat.onAck(msg, { peerId: this.snap.selfId ?? '', name: this.snap.name });
      case 'chat-history':
        return this.chat.onHistory(msg);
      case 'error':
        return this.onError(msg);
      case 'broadcast-state':
        return this.broadcast.onState(msg);
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
        return;
      default: {
        const unknown: never = msg;
        console.warn('unhandled server message', unknown);
      }
    }
  }

  private onJoined(msg: ServerMessageOf<'joined'>): void {
    const sinceSeq = this.chat.highestSeq;
    if (this.membership.joined(msg) === 'resumed') return this.onResumed(msg);
    const sharing = this.screen.stream;
    if (sharing) void this.topology?.startScreen(sharing);
    this.update({
      phase: 'in-call',
      notice: null,
      status: null,
      selfId: msg.peerId,
      role: msg.role,
      mode: msg.mode,
      speaker: msg.activeSpeaker ?? null,
      settings: msg.settings,
      live: msg.live,
      peers: msg.peers.map((p) => ({ ...p, connected: false })),
    });
    this.chat.merge(msg.chat);
    if (this.joinedOnce) this.chat.resume(sinceSeq);
    this.joinedOnce = true;
  }

  /**
   * Our seat is back: same peer id and role, and media never depended on the socket, so
   * links and transports stay. Reconcile the peers, merge the missed chat, resend the unacked.
   */
  private onResumed(msg: ServerMessageOf<'joined'>): void {
    this.update({
      phase: 'in-call',
      notice: null,
      mode: msg.mode,
      settings: msg.settings,
      live: msg.live,
      peers: reconcilePeers(this.snap.peers, msg.peers),
    });
    this.chat.merge(msg.chat);
    this.chat.resume(this.chat.highestSeq);
  }

  /** Recovery gave up: say so plainly and offer a Rejoin. */
  private unrecoverable(reason: string): void {
    // Without a socket no link can be rebuilt anyway; the resume (or fresh join) redoes them.
    if (this.snap.phase === 'reconnecting') return console.warn('link lost while offline:', reason);
    console.warn('call lost:', reason);
    this.leave();
    this.update({ phase: 'failed', error: RECONNECT_FAILED, rejoinable: true });
  }

  private onSettings(settings: CallSnapshot['settings']): void {
    this.update({ settings });
    // The server has closed a guest's share already; stop ours to match.
    if (!settings.screenShare && this.snap.role !== 'host' && this.screen.stream) {
      this.screen.refused();
    }
  }

  private onPeerJoined(peer: ServerMessageOf<'peer-joined'>['peer']): void {
    this.topology?.peerJoined(peer.peerId);
    this.setPeers((ps) => [
      ...ps.filter((p) => p.peerId !== peer.peerId),
      { ...peer, connected: false },
    ]);
  }

  private onPeerLeft(peerId: string): void {
    this.topology?.peerLeft(peerId);
    this.setPeers((ps) => ps.filter((p) => p.peerId !== peerId));
  }

  private onError(msg: ServerMessageOf<'error'>): void {
    if (msg.code === ERROR_CODES.RESUME_FAILED) return this.onResumeFailed();
    if (msg.code === ERROR_CODES.ROOM_NOT_FOUND) return this.fail('This room does not exist.');
    if (msg.code === ERROR_CODES.ROOM_FULL) return this.fail('This room is full.');
    if (msg.ref === 'join') return this.fail(`Could not join: ${msg.message}`);
    if (this.chat.onError(msg)) return;
    if (msg.code === ERROR_CODES.FORBIDDEN && msg.ref === 'media') return this.screen.refused();
    console.warn('server error', msg.code, msg.message);
  }

  private fail(error: string): void {
    this.teardown();
    this.update({ phase: 'failed', error, peers: [] });
  }

  // ---------- chat and debugging ----------

  sendChat(text: string): boolean {
    return this.chat.send(text);
  }

  /** Debug hook: the socket drops as on a network failure (no leave). */
  dropSocket(): void {
    this.signaling?.dropSocket();
  }

  get mode(): 'mesh' | 'sfu' {
    return this.topology?.roomMode ?? this.snap.mode;
  }
}

// Branded ids: the values come from the server or from crypto.randomUUID(), which match.
type ClientMessageOfJoin = Extract<ClientMessage, { type: 'join' }>;
