import { LIMITS } from '@parley/protocol';
import type { ClientMessage } from '@parley/protocol';
import { defaultSocketUrl } from './session/SignalingClient.ts';
import { CallSocket } from './session/CallSocket.ts';
import { ScreenShare } from './local/ScreenShare.ts';
import { BroadcastControl } from './features/broadcast/BroadcastControl.ts';
import { RecordingControl } from './features/recording/RecordingControl.ts';
import { LocalMedia } from './local/LocalMedia.ts';
import { callAudioOnly, callBackgroundCamera } from './callCamera.ts';
import type { CallCameraDeps } from './callCamera.ts';
import { callQuality } from './callQuality.ts';
import { saveScreenHint } from './local/media.ts';
import type { DeviceKind, MediaKind, ScreenHint } from './local/media.ts';
import { deviceNoun } from './local/deviceChoice.ts';
import { chatView } from './features/chat/chatState.ts';
import { ChatSession } from './features/chat/ChatSession.ts';
import { initialSnapshot, mediaFlags } from './callState.ts';
import type { CallSnapshot } from './callState.ts';
import { preloadSfuDevice, sfuReceive } from './topology/sfu/sfuDevice.ts';
import { warmTransportId, warmUp } from './topology/sfu/warmTransport.ts';
import { SnapshotStore } from './SnapshotStore.ts';
import { RequestChannel } from './session/RequestChannel.ts';
import type { TileSeen } from './topology/sfu/SfuConnector.ts';
import type { TileSource } from './topology/RemoteMedia.ts';
import { Membership } from './session/Membership.ts';
import { Admission } from './session/Admission.ts';
import type { JoinCredentials } from './session/Admission.ts';
import { Moderation } from './features/moderation/Moderation.ts';
import { Classroom } from './features/classroom/Classroom.ts';
import { Polls } from './features/classroom/Polls.ts';
import { BoardChannel } from './features/board/BoardChannel.ts';
import { captureCanvas } from './local/canvasCapture.ts';
import { RoomEvents } from './RoomEvents.ts';
import { dispatchServerMessage } from './serverDispatch.ts';
import type { ServerRoutes } from './serverDispatch.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

/** What the call shows when recovery gave up (a Rejoin button goes with it). */
export const RECONNECT_FAILED = 'Could not reconnect the call. Check your network and rejoin.';

/** A new join attempt forgets why the last one failed. */
const FRESH_ATTEMPT = { error: null, joinError: null, rejoinable: false } as const;

/** Frames a second of the board's canvas on air: strokes, not motion. */
const BOARD_FPS = 10;

/**
 * Owns everything of a call that is not UI: the local MediaStream (one getUserMedia for the
 * whole session), a screen share, the signaling connection, the room's media paths
 * (Topology: mesh, SFU and the switch), the chat, getting in (Admission: password, waiting
 * room) and host controls (Moderation). The UI subscribes to plain-data snapshots and calls
 * the public methods; the server's messages are routed to the parts by serverDispatch.ts.
 */
export class CallController {
  private readonly store = new SnapshotStore();
  private get snap(): CallSnapshot {
    return this.store.current;
  }
  private readonly update = (patch: Partial<CallSnapshot>) => this.store.update(patch);
  private get topology() {
    return this.membership.topology;
  }
  private readonly local: LocalMedia = new LocalMedia({
    changed: this.update,
    view: () => this.snap,
    replace: async (old, next): Promise<void> => this.topology?.replaceTrack(old, next),
    announce: () => this.sendMedia(),
  });
  /** The signaling socket, from the pre-join screen on. */
  private readonly socket = new CallSocket({
    ready: () => this.onReady(),
    message: (msg) => dispatchServerMessage(msg, this.routes),
    down: (reason, willRetry) => this.onDown(reason, willRetry),
    pageHide: () => this.leave(),
  });
  private nextRid = 1;
  private readonly rid = () => this.nextRid++;
  private disposed = false;
  private readonly rpc = new RequestChannel((msg) => this.send(msg), this.rid);
  /** Our seat, ICE servers and media paths, across dropped sockets. */
  readonly membership = new Membership(
    {
      rpc: this.rpc,
      send: (m) => this.send(m),
      localStream: () => this.local.stream,
      audioOnly: () => this.audioOnly.on,
    },
    {
      changed: () => this.bumpStreams(),
      linkState: (peerId, connected) => this.store.patchPeer(peerId, { connected }),
      status: (status) => this.update({ status }),
      speaker: (speaker) => this.update({ speaker }),
      giveUp: (reason) => this.rejoin(reason),
      unrecoverable: (reason) => this.unrecoverable(reason),
    },
  );
  /** What audio only and the background camera may read and do (callCamera.ts). */
  private readonly camera: CallCameraDeps = {
    snapshot: () => this.snap,
    setCamera: (on) => {
      if (this.local.setEnabled('video', on)) this.sendMedia();
    },
    heldByHost: () => this.moderation.heldByHost('video'),
    topology: () => this.topology,
    update: this.update,
  };
  /** "Audio only": no video sent or received, remembered on this device. */
  readonly audioOnly = callAudioOnly(this.camera);
  /** On a phone, the camera pauses while the app is in the background. */
  private readonly backgroundCamera = callBackgroundCamera(this.camera);
  /** How well everyone's media gets through, for the tiles and our own status (issue 20). */
  private readonly quality = callQuality({
    snapshot: () => this.snap,
    topology: () => this.topology,
    audioOnly: () => this.audioOnly.on,
    send: (msg) => this.send(msg),
    update: this.update,
  });
  private readonly screen: ScreenShare = new ScreenShare({
    rpc: this.rpc,
    media: (screen) => mediaFlags(this.snap.local, screen),
    publish: async (stream) => this.topology?.startScreen(stream),
    unpublish: async () => this.topology?.stopScreen(),
    update: this.update,
    announce: () => this.sendMedia(),
  });
  private readonly broadcast = new BroadcastControl({ rpc: this.rpc, update: this.update });
  readonly recording = new RecordingControl({ rpc: this.rpc, update: this.update });
  /** Raised hands and reactions. The UI calls it directly. */
  readonly classroom = new Classroom({
    rpc: this.rpc,
    update: this.update,
    snapshot: () => this.snap,
  });
  /** The whiteboard's link to the socket, and who presents. The UI calls it directly. */
  readonly board = new BoardChannel({
    rpc: this.rpc,
    update: this.update,
    snapshot: () => this.snap,
  });
  private readonly chat = new ChatSession({
    send: (msg) => this.send(msg),
    nextRid: this.rid,
    changed: (chat) => this.update({ chat: chatView(chat, this.snap.name) }),
    notice: (text) => this.update({ notice: text }),
  });
  private readonly admission: Admission;
  /** Polls: voting, and for hosts launching, ending, sharing. The UI calls it directly. */
  readonly polls: Polls;
  /** The host's side: the waiting room, host controls, settings. The UI calls it directly. */
  readonly moderation = new Moderation({
    rpc: this.rpc,
    store: this.store,
    turnOff: (kind) => {
      if (this.local.setEnabled(kind, false)) this.sendMedia();
    },
    teardown: () => this.teardown(),
  });
  /** Where each server message goes; built in the constructor, once every part exists. */
  private readonly routes: ServerRoutes;

  constructor(
    readonly roomId: string,
    credentials: JoinCredentials,
    /** How many videos the first page of the call's grid shows (started first when joining). */
    firstPageVideos: () => number,
  ) {
    this.admission = new Admission(credentials, {
      roomId,
      send: (msg) => this.send(msg),
      nextRid: this.rid,
      store: this.store,
      closeSocket: () => this.socket.close(),
      teardown: () => this.teardown(),
      releaseSeat: () => this.membership.release(),
      receive: () => sfuReceive(firstPageVideos(), warmTransportId()),
    });
    this.polls = new Polls({
      rpc: this.rpc,
      update: this.update,
      roomId,
      hostHeaders: async (): Promise<Record<string, string> | null> => {
        if (credentials.hostKey) return { 'X-Host-Key': credentials.hostKey };
        const token = await credentials.accessToken();
        return token ? { Authorization: `Bearer ${token}` } : null;
      },
    });
    this.routes = this.serverRoutes();
    this.update({ audioOnly: this.audioOnly.on });
  }

  private serverRoutes(): ServerRoutes {
    const room = new RoomEvents({
      store: this.store,
      membership: this.membership,
      admission: this.admission,
      chat: this.chat,
      board: this.board,
      screen: this.screen,
      audioOnly: this.audioOnly,
      sendMedia: () => this.sendMedia(),
    });
    return {
      rpc: this.rpc,
      topology: () => this.topology,
      room,
      admission: this.admission,
      chat: this.chat,
      screen: this.screen,
      broadcast: this.broadcast,
      recording: this.recording,
      moderation: this.moderation,
      classroom: this.classroom,
      polls: this.polls,
      board: this.board,
      dropSocket: () => this.socket.dropSocket(),
    };
  }

  // ---------- subscription ----------

  subscribe(fn: (snapshot: CallSnapshot) => void): () => void {
    return this.store.subscribe(fn);
  }

  get snapshot(): CallSnapshot {
    return this.snap;
  }

  private bumpStreams(): void {
    this.update({ streamEpoch: this.snap.streamEpoch + 1 });
  }

  // ---------- local media ----------

  /** Starts the camera/mic preview once; later calls return the same promise. */
  startPreview(): Promise<void> {
    // While the user looks at the preview: a room on the SFU then starts with its first request.
    background(preloadSfuDevice(), 'SFU device preload');
    this.openSocket();
    return this.local.start();
  }

  /**
   * The pre-join screen is in use again (a key, a pointer): reopen the signaling socket if the
   * server closed it meanwhile (it closes one that has not joined after JOIN_TIMEOUT_MS).
   */
  warmUp(): void {
    if (this.snap.phase === 'preview') this.openSocket();
  }

  /** The signaling socket opens on the pre-join screen already (CallSocket says why). */
  private openSocket(): void {
    if (!this.disposed) this.socket.open(defaultSocketUrl(this.roomId));
  }

  /**
   * The pre-join connection check's ICE servers (`net-check`, issue 20): a short-lived TURN
   * credential from the call's own socket, reopened if it timed out. Undefined when the socket
   * does not come up (or answer) within `timeoutMs`: the server is not reachable from here.
   */
  async netCheckServers(timeoutMs = 6000): Promise<RTCIceServer[] | undefined> {
    this.warmUp();
    if (!(await this.socket.greetedWithin(timeoutMs, () => this.disposed))) return undefined;
    try {
      const reply = await this.rpc.request({ type: 'net-check' });
      return reply.iceServers.map((s) => ({ ...s }));
    } catch (err) {
      log.warn('connection check: no ICE servers', err);
      return undefined;
    }
  }

  /** Another microphone, camera or speaker, before or during the call (no renegotiation). */
  async selectDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    try {
      await this.local.select(kind, deviceId);
    } catch (err) {
      this.update({ deviceNotice: `Could not switch to that ${deviceNoun(kind)}.` });
      log.warn('device switch failed', err);
    }
  }

  dismissDeviceNotice(): void {
    this.update({ deviceNotice: null });
  }

  toggle(kind: MediaKind): void {
    const on = kind === 'audio' ? this.snap.local.audioOn : this.snap.local.videoOn;
    // Held by a host's mute: refused here, so not a packet leaves before the server says no.
    if (!on && this.moderation.heldByHost(kind)) return this.moderation.onUnmuteRefused();
    if (!on) this.moderation.turnedBackOn(kind);
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

  /** A tile reports whether it is on screen and how wide (SFU pause and simulcast layer). */
  tileSeen(key: string, seen: TileSeen | null): void {
    this.topology?.tileSeen(key, seen);
  }

  // ---------- screen sharing ----------

  startScreenShare(): Promise<void> {
    return this.snap.phase === 'in-call'
      ? this.screen.start(undefined, 'screen')
      : Promise.resolve();
  }

  stopScreenShare(): Promise<void> {
    return this.screen.stop();
  }

  /** Motion or detail for our screen shares, this one and the next (remembered on the device). */
  setScreenHint(hint: ScreenHint): Promise<void> {
    saveScreenHint(hint);
    return this.screen.setHint(hint);
  }
  /**
   * Presenting the board while on air: its canvas goes out as our screen share, which the
   * broadcast puts on air (a shared screen first). `null`: stop, if the board is what we share.
   */
  shareBoard(canvas: HTMLCanvasElement | null): Promise<void> {
    const sharing = this.screen.sharing;
    if (!canvas) return sharing === 'board' ? this.screen.stop() : Promise.resolve();
    if (sharing || this.snap.phase !== 'in-call') return Promise.resolve();
    return this.screen.start(async () => captureCanvas(canvas, BOARD_FPS), 'board');
  }

  /** Host only: put the room on air, or take it off. */
  setBroadcast(live: boolean): Promise<void> {
    return this.broadcast.set(live);
  }

  // ---------- call lifecycle ----------

  /** Joins (or asks to: the waiting room) with the room password when one was typed. */
  async join(name: string, password?: string): Promise<void> {
    // Only from the pre-join screen (whose socket may be open already) or after a failure.
    if (this.disposed || (this.socket.isOpen && this.snap.phase !== 'preview')) return;
    const trimmed = name.trim().slice(0, LIMITS.NAME_MAX);
    this.admission.start(password);
    this.update({ phase: 'joining', name: trimmed, ...FRESH_ATTEMPT });
    await this.startPreview();
    if (this.disposed) return;
    // Greeted on the pre-join screen: join now. Otherwise onReady joins after the handshake.
    if (this.socket.greeted) background(this.admission.sendJoin(), 'join');
  }

  leave(): void {
    if (this.snap.phase === 'left' || this.snap.phase === 'removed') return;
    // From the pre-join screen there is no seat to leave, only its socket to close.
    if (this.snap.phase !== 'preview') this.send({ type: 'leave' });
    this.teardown();
    this.update({ phase: 'left', peers: [], notice: null, status: null, sharing: false });
  }

  /** After leaving: back to the pre-join screen with a fresh preview. */
  restart(): void {
    const { name, chat, audioOnly } = this.snap;
    this.update({ ...initialSnapshot(), name, chat, audioOnly });
    background(this.startPreview(), 'preview');
  }

  /** Idempotent: the page is going away. */
  dispose(): void {
    if (this.disposed) return;
    this.leave();
    this.disposed = true;
    this.backgroundCamera.dispose();
    this.quality.dispose();
    this.store.close();
  }

  /** After recovery gave up: join again as a new peer (the Rejoin button). */
  rejoinAfterFailure(): void {
    background(this.join(this.snap.name), 'join');
  }

  private teardown(): void {
    this.socket.close();
    this.membership.close();
    this.moderation.reset();
    this.classroom.reset();
    this.polls.reset();
    this.board.reset();
    background(this.screen.stop(), 'screen share stop');
    this.local.stop();
  }

  /** The SFU side could not be rebuilt: leave and join again on the same socket. */
  private rejoin(reason: string): void {
    log.warn('rejoining the room:', reason);
    this.membership.release();
    this.update({ status: 'Reconnecting…' });
    this.send({ type: 'leave' });
    background(this.admission.sendJoin(), 'join');
  }

  private send(msg: ClientMessage): boolean {
    return this.socket.send(msg);
  }

  /** The socket is (again) ready: take our seat back if we have one, else join. */
  private onReady(): void {
    if (this.snap.phase === 'preview') {
      const stillPreview = () => this.snap.phase === 'preview';
      background(warmUp(this.rpc, this.roomId, stillPreview), 'warm-up');
      return;
    }
    const resume = this.membership.resumeMessage(this.roomId, this.chat.highestSeq, this.rid);
    if (resume) this.send(resume);
    else background(this.admission.sendJoin(), 'join');
  }

  private onDown(reason: string, willRetry: boolean): void {
    // The pre-join socket timed out or the network blinked: Join (or warmUp) opens a new one.
    if (this.snap.phase === 'preview') return this.socket.close();
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

  /** Recovery gave up: say so plainly and offer a Rejoin. */
  private unrecoverable(reason: string): void {
    // Without a socket no link can be rebuilt anyway; the resume (or fresh join) redoes them.
    if (this.snap.phase === 'reconnecting') return log.warn('link lost while offline:', reason);
    log.warn('call lost:', reason);
    this.leave();
    this.update({ phase: 'failed', error: RECONNECT_FAILED, rejoinable: true });
  }

  // ---------- chat and debugging ----------

  sendChat(text: string): boolean {
    return this.chat.send(text);
  }

  /** Debug hook: the socket drops as on a network failure (no leave). */
  dropSocket(): void {
    this.socket.dropSocket();
  }

  get mode(): 'mesh' | 'sfu' {
    return this.topology?.roomMode ?? this.snap.mode;
  }
}
