import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '@parley/protocol';
import { SignalingClient } from './signalingClient.ts';
import { Mesh } from './Mesh.ts';
import type { PeerStats } from './Mesh.ts';
import { acquireLocalMedia, listDevices, switchDevice, trackOf } from './media.ts';
import type { MediaKind } from './media.ts';
import {
  addPending,
  applyAck,
  chatView,
  emptyChat,
  highestSeq,
  mergeMessages,
} from './chatState.ts';
import type { ChatState } from './chatState.ts';
import { initialSnapshot, localViewOf, mediaFlags } from './callState.ts';
import type { CallSnapshot, PeerView } from './callState.ts';

type Listener = (snapshot: CallSnapshot) => void;

/**
 * Owns everything of a call that is not UI: the local MediaStream (one getUserMedia for the
 * whole session), the signaling connection, the mesh of peer connections and the chat log.
 * The UI subscribes to plain-data snapshots and calls the public methods.
 */
export class CallController {
  private snap: CallSnapshot = initialSnapshot();
  private readonly listeners = new Set<Listener>();
  private stream: MediaStream | undefined;
  private preview: Promise<void> | null = null;
  private readonly remote = new Map<string, MediaStream>();
  private signaling: SignalingClient | null = null;
  private mesh: Mesh | null = null;
  private chat: ChatState = emptyChat();
  private joinedOnce = false;
  private nextRid = 1;
  /** rid of each chat send still in flight, so an error can be matched to its message. */
  private readonly chatRids = new Map<number, string>();
  private disposed = false;

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

  private setPeers(fn: (peers: PeerView[]) => PeerView[]): void {
    this.update({ peers: fn(this.snap.peers) });
  }

  private patchPeer(peerId: string, patch: Partial<PeerView>): void {
    this.setPeers((ps) => ps.map((p) => (p.peerId === peerId ? { ...p, ...patch } : p)));
  }

  private setChat(chat: ChatState): void {
    this.chat = chat;
    this.update({ chat: chatView(chat, this.snap.name) });
  }

  // ---------- local media ----------

  /** Starts the camera/mic preview once; later calls return the same promise. */
  startPreview(): Promise<void> {
    this.preview ??= this.acquire();
    return this.preview;
  }

  private async acquire(): Promise<void> {
    const { stream, problem } = await acquireLocalMedia(this.snap.selected);
    if (this.disposed) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.stream = stream;
    const devices = await listDevices().catch(() => this.snap.devices);
    const selected = {
      audio: trackOf(stream, 'audio')?.getSettings().deviceId,
      video: trackOf(stream, 'video')?.getSettings().deviceId,
    };
    this.update({
      previewReady: true,
      mediaProblem: problem,
      local: localViewOf(stream),
      devices,
      selected,
      streamEpoch: this.snap.streamEpoch + 1,
    });
  }

  async selectDevice(kind: MediaKind, deviceId: string): Promise<void> {
    if (!this.stream || this.snap.selected[kind] === deviceId) return;
    try {
      const { old, next } = await switchDevice(this.stream, kind, deviceId);
      this.mesh?.replaceTrack(old, next);
      this.update({
        selected: { ...this.snap.selected, [kind]: deviceId },
        local: localViewOf(this.stream),
        streamEpoch: this.snap.streamEpoch + 1,
      });
      this.sendMedia();
    } catch (err) {
      this.update({ notice: `Could not switch ${kind === 'audio' ? 'microphone' : 'camera'}.` });
      console.warn('device switch failed', err);
    }
  }

  toggle(kind: MediaKind): void {
    const track = this.stream && trackOf(this.stream, kind);
    if (!track) return;
    track.enabled = !track.enabled;
    this.update({ local: localViewOf(this.stream) });
    this.sendMedia();
  }

  private sendMedia(): void {
    if (this.snap.phase === 'in-call') {
      this.send({ type: 'media', media: mediaFlags(this.snap.local) });
    }
  }

  localStream(): MediaStream | undefined {
    return this.stream;
  }

  remoteStream(peerId: string): MediaStream | undefined {
    return this.remote.get(peerId);
  }

  // ---------- call lifecycle ----------

  async join(name: string): Promise<void> {
    if (this.signaling || this.disposed) return;
    this.update({ phase: 'joining', name: name.trim().slice(0, LIMITS.NAME_MAX), error: null });
    await this.startPreview();
    if (this.disposed) return;
    this.signaling = new SignalingClient({
      ready: () => this.sendJoin(),
      message: (msg) => this.dispatch(msg),
      down: (reason, willRetry) => this.onDown(reason, willRetry),
    });
    this.signaling.connect();
  }

  leave(): void {
    if (this.snap.phase === 'left') return;
    this.send({ type: 'leave' });
    this.teardown();
    this.update({ phase: 'left', peers: [], notice: null });
  }

  /** After leaving: back to the pre-join screen with a fresh preview. */
  restart(): void {
    this.preview = null;
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

  private teardown(): void {
    this.signaling?.close();
    this.signaling = null;
    this.mesh?.close();
    this.mesh = null;
    this.remote.clear();
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = undefined;
    this.preview = null;
  }

  private send(msg: ClientMessage): boolean {
    return this.signaling?.send(msg) ?? false;
  }

  private sendJoin(): void {
    this.send({
      type: 'join',
      rid: this.nextRid++,
      roomId: this.roomId as ClientMessageOfJoin['roomId'],
      name: this.snap.name,
      media: mediaFlags(this.snap.local),
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
      this.update({ phase: 'reconnecting', notice: 'Connection lost, reconnecting…' });
    }
  }

  // ---------- server messages ----------

  /** Routes each server message to its handler; the `never` check keeps it exhaustive. */
  private dispatch(msg: ServerMessage): void {
    switch (msg.type) {
      case 'joined':
        return this.onJoined(msg);
      case 'peer-joined':
        return this.onPeerJoined(msg.peer);
      case 'peer-updated':
        return this.patchPeer(msg.peer.peerId, { name: msg.peer.name, media: msg.peer.media });
      case 'peer-left':
        return this.onPeerLeft(msg.peerId);
      case 'signal':
        return this.mesh?.onSignal(msg.from, msg.data);
      case 'chat':
        return this.setChat(mergeMessages(this.chat, [msg.message]));
      case 'chat-ack':
        return this.onChatAck(msg);
      case 'chat-history':
        return this.onChatHistory(msg);
      case 'error':
        return this.onError(msg);
      case 'welcome':
      case 'pong':
      case 'left':
      case 'media-ok':
        return;
      default: {
        const unknown: never = msg;
        console.warn('unhandled server message', unknown);
      }
    }
  }

  private onJoined(msg: ServerMessageOf<'joined'>): void {
    const sinceSeq = highestSeq(this.chat);
    this.mesh?.close();
    this.remote.clear();
    this.mesh = new Mesh(
      {
        signal: (to, data) => this.send({ type: 'signal', to: to as PeerIdOf, data }),
        stream: (peerId, s) => this.onRemoteStream(peerId, s),
        linkState: (peerId, connected) => this.patchPeer(peerId, { connected }),
      },
      () => this.stream,
      msg.iceServers,
    );
    this.update({
      phase: 'in-call',
      notice: null,
      selfId: msg.peerId,
      role: msg.role,
      peers: msg.peers.map((p) => ({ ...p, connected: false, hasStream: false })),
    });
    for (const p of msg.peers) this.mesh.connectTo(p.peerId);
    this.setChat(mergeMessages(this.chat, msg.chat));
    if (this.joinedOnce) this.resumeChat(sinceSeq);
    this.joinedOnce = true;
  }

  /** After a reconnect: fetch what was missed and resend what was never acknowledged. */
  private resumeChat(sinceSeq: number): void {
    this.send({ type: 'chat-sync', since: sinceSeq });
    for (const p of this.chat.pending) this.sendChatFrame(p.clientId, p.text);
  }

  private onPeerJoined(peer: ServerMessageOf<'peer-joined'>['peer']): void {
    // The newcomer initiates; we wait for its offer.
    this.setPeers((ps) => [
      ...ps.filter((p) => p.peerId !== peer.peerId),
      { ...peer, connected: false, hasStream: false },
    ]);
  }

  private onPeerLeft(peerId: string): void {
    this.mesh?.removePeer(peerId);
    this.remote.delete(peerId);
    this.setPeers((ps) => ps.filter((p) => p.peerId !== peerId));
  }

  private onRemoteStream(peerId: string, stream: MediaStream | null): void {
    if (stream) this.remote.set(peerId, stream);
    else this.remote.delete(peerId);
    this.patchPeer(peerId, { hasStream: !!stream });
    this.update({ streamEpoch: this.snap.streamEpoch + 1 });
  }

  private onError(msg: ServerMessageOf<'error'>): void {
    if (msg.code === ERROR_CODES.ROOM_NOT_FOUND) return this.fail('This room does not exist.');
    if (msg.code === ERROR_CODES.ROOM_FULL) return this.fail('This room is full.');
    if (msg.ref === 'join') return this.fail(`Could not join: ${msg.message}`);
    const clientId = msg.rid === undefined ? undefined : this.chatRids.get(msg.rid);
    if (clientId) {
      this.chatRids.delete(msg.rid as number);
      const pending = this.chat.pending.filter((p) => p.clientId !== clientId);
      this.setChat({ ...this.chat, pending });
      this.update({ notice: `Message not sent: ${msg.message}` });
      return;
    }
    console.warn('server error', msg.code, msg.message);
  }

  private fail(error: string): void {
    this.teardown();
    this.update({ phase: 'failed', error, peers: [] });
  }

  // ---------- chat ----------

  /** Queues a message; it shows as pending until acknowledged. False when the text is unusable. */
  sendChat(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed === '' || text.length > LIMITS.CHAT_TEXT_MAX) return false;
    const clientId = crypto.randomUUID();
    this.setChat(addPending(this.chat, { clientId, text }));
    this.sendChatFrame(clientId, text);
    return true;
  }

  private sendChatFrame(clientId: string, text: string): void {
    const rid = this.nextRid++;
    if (this.send({ type: 'chat', rid, clientId: clientId as ClientIdOf, text })) {
      this.chatRids.set(rid, clientId);
    }
  }

  private onChatAck(msg: ServerMessageOf<'chat-ack'>): void {
    if (msg.rid !== undefined) this.chatRids.delete(msg.rid);
    const self = { peerId: this.snap.selfId ?? '', name: this.snap.name };
    this.setChat(applyAck(this.chat, msg, self));
  }

  private onChatHistory(msg: ServerMessageOf<'chat-history'>): void {
    this.setChat(mergeMessages(this.chat, msg.messages));
    if (msg.more) this.send({ type: 'chat-sync', since: highestSeq(this.chat) });
  }

  // ---------- debugging ----------

  /** Inbound media counters per mesh link (see debugHook.ts). */
  stats(): Promise<PeerStats[]> {
    return this.mesh?.stats() ?? Promise.resolve([]);
  }
}

// Branded ids: the values come from the server or from crypto.randomUUID(), which match.
type ClientMessageOfJoin = Extract<ClientMessage, { type: 'join' }>;
type PeerIdOf = Extract<ClientMessage, { type: 'signal' }>['to'];
type ClientIdOf = Extract<ClientMessage, { type: 'chat' }>['clientId'];
