import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '@parley/protocol';
import { SignalingClient, defaultSocketUrl } from '../call/session/SignalingClient.ts';
import { RequestChannel } from '../call/session/RequestChannel.ts';
import { IceCredentials } from '../call/session/IceCredentials.ts';
import { Seat } from '../call/session/seat.ts';
import type { JoinCredentials } from '../call/session/Admission.ts';
import { refusalOf } from '../call/session/admissionState.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';
import { TeamStore } from './TeamStore.ts';
import { TeamMedia } from './TeamMedia.ts';
import { FloorControl } from './FloorControl.ts';
import { TeamChannels } from './TeamChannels.ts';
import { TeamPeople } from './TeamPeople.ts';
import { BANNED_FROM_TEAM, connectionPhase, talkingSummary } from './teamState.ts';
import type { TeamSnapshot } from './teamState.ts';

type Joined = ServerMessageOf<'joined'>;
type Join = Extract<ClientMessage, { type: 'join' }>;

/**
 * Everything of a team's page that is not UI: the signaling socket (hello, join, resume after
 * a drop), the team's audio (TeamMedia), the floor (FloorControl) and the channel choices
 * (TeamChannels). The page subscribes to plain-data snapshots and calls the public methods.
 */
export class TeamController {
  private readonly store = new TeamStore();
  private signaling: SignalingClient | null = null;
  private nextRid = 1;
  private readonly rpc = new RequestChannel(
    (msg) => this.send(msg),
    () => this.nextRid++,
  );
  private readonly seat = new Seat();
  private readonly ice = new IceCredentials(this.rpc);
  private media: TeamMedia | null = null;
  private audio: AudioContext | null = null;
  private joinRid: number | undefined;
  /** Joined or resumed on the socket we have now: the server can be asked. */
  private seated = false;
  /** Our media is restarting its ICE: the page says Reconnecting… meanwhile, as a call does. */
  private restarting = false;
  /** The name we join with (trimmed). */
  private selfName = '';
  private disposed = false;
  readonly floor = new FloorControl({
    rpc: this.rpc,
    store: this.store,
    media: () => this.media,
  });
  readonly channels: TeamChannels;
  readonly people = new TeamPeople({ rpc: this.rpc, store: this.store });
  private readonly onPageHide = () => this.leave();

  constructor(
    readonly teamId: string,
    private readonly credentials: JoinCredentials,
  ) {
    this.channels = new TeamChannels({
      rpc: this.rpc,
      store: this.store,
      media: () => this.media,
      teamId,
    });
  }

  subscribe(fn: (snapshot: TeamSnapshot) => void): () => void {
    return this.store.subscribe(fn);
  }

  get snapshot(): TeamSnapshot {
    return this.store.current;
  }

  /** The team's name from `GET /api/teams/:id`, before joining; false when there is none. */
  async lookUp(): Promise<boolean> {
    const res = await fetch(`/api/teams/${encodeURIComponent(this.teamId)}`);
    if (res.status === 404) return false;
    if (!res.ok) throw new Error(`HTTP ${String(res.status)}`);
    const body = (await res.json()) as { name?: unknown };
    if (typeof body.name === 'string') this.store.update({ teamName: body.name });
    return true;
  }

  /**
   * Joins under `name`. Called from the Join click: the AudioContext made here may play
   * (browsers let audio start only from a user gesture).
   */
  join(name: string): void {
    if (this.signaling || this.disposed) return;
    this.audio ??= new AudioContext({ latencyHint: 'interactive' });
    background(this.audio.resume(), 'audio context');
    this.selfName = name.trim().slice(0, LIMITS.NAME_MAX);
    this.store.update({ phase: 'joining', error: null, notice: null });
    window.addEventListener('pagehide', this.onPageHide);
    this.signaling = new SignalingClient(
      {
        ready: () => this.onReady(),
        message: (msg) => this.dispatch(msg),
        down: (reason, willRetry) => this.onDown(reason, willRetry),
      },
      defaultSocketUrl(this.teamId),
    );
    this.signaling.connect();
  }

  leave(): void {
    this.send({ type: 'leave' });
    this.teardown();
  }

  /** Idempotent: the page is going away. */
  dispose(): void {
    if (this.disposed) return;
    this.leave();
    this.disposed = true;
    this.store.close();
    background(this.audio?.close() ?? Promise.resolve(), 'closing audio');
  }

  // ---------- for the debug hook ----------

  mediaForDebug(): TeamMedia | null {
    return this.media;
  }

  // ---------- connection ----------

  private teardown(): void {
    this.seated = false;
    window.removeEventListener('pagehide', this.onPageHide);
    this.floor.reset(null);
    this.signaling?.close();
    this.signaling = null;
    this.closeMedia();
    this.ice.close();
  }

  private closeMedia(): void {
    this.media?.close();
    this.media = null;
    this.restarting = false;
    this.rpc.rejectAll('left the team');
  }

  private send(msg: ClientMessage): boolean {
    return this.signaling?.send(msg) ?? false;
  }

  /** The socket is (again) ready: take our seat back if we hold one, else join. */
  private onReady(): void {
    const resume = this.media ? this.seat.resumeMessage(this.teamId, 0, this.nextRid++) : null;
    if (resume) this.send(resume);
    else background(this.sendJoin(), 'join');
  }

  private async sendJoin(): Promise<void> {
    const token = await this.credentials.accessToken().catch(() => null);
    const { hostKey, deviceId } = this.credentials;
    this.joinRid = this.nextRid++;
    this.send({
      type: 'join',
      rid: this.joinRid,
      roomId: this.teamId as Join['roomId'],
      name: this.selfName,
      media: { audio: true, video: false },
      deviceId,
      ...(hostKey ? { hostKey } : {}),
      ...(token ? { accessToken: token } : {}),
    });
  }

  private onDown(reason: string, willRetry: boolean): void {
    // The server ends a floor whose socket dropped: so do we, at once.
    this.floor.reset('Connection lost: your turn ended');
    this.seated = false;
    if (!willRetry) {
      this.teardown();
      this.store.update({ phase: 'failed', error: reason });
    } else {
      this.showConnection();
    }
  }

  /** In the team, "Reconnecting…" while the socket is down or the media restarts its ICE. */
  private showConnection(): void {
    const { phase } = this.snapshot;
    const next = connectionPhase(phase, this.seated, this.restarting);
    if (next !== phase) this.store.update({ phase: next });
  }

  // ---------- server messages ----------

  /** Routes each server message to its handler; the `never` check keeps it exhaustive. */
  private dispatch(msg: ServerMessage): void {
    if (this.rpc.onMessage(msg)) return;
    switch (msg.type) {
      case 'joined':
        return this.onJoined(msg);
      case 'peer-joined':
      case 'peer-updated':
        return this.people.onPeer(msg.peer);
      case 'peer-left':
        this.people.onLeft(msg.peerId);
        return this.channels.onPeerLeft(msg.peerId);
      case 'waiting':
        return this.store.update({ phase: 'waiting', waitingPosition: msg.position });
      case 'role':
        return this.people.onRole(msg.role);
      case 'lobby':
        return this.people.onLobby(msg.waiting);
      case 'removed':
        // Turned away, removed, or ended: for good, no rejoining by itself.
        this.teardown();
        return this.store.update({ phase: 'removed', removal: msg.reason, lobby: [], people: [] });
      case 'floor':
        return this.floor.onFloor(msg);
      case 'floor-ended':
        return this.floor.onEnded(msg);
      case 'floor-state':
        this.channels.onFloorState(msg);
        return this.describeForMediaSession();
      case 'sfu-restart':
        return this.onMediaFailed('the server rebuilt its media side');
      case 'team-channels':
        return this.channels.onChannels(msg.channels);
      case 'error':
        return this.onError(msg);
      // What a team's page does not use: video, chat, moderation of ordinary rooms, hands,
      // reactions and polls, and replies the request channel did not claim (their request timed out).
      case 'settings':
      case 'chat':
      case 'chat-ack':
      case 'chat-history':
      case 'broadcast-state':
      case 'recording-state':
      case 'muted':
      case 'unmute-allowed':
      case 'room-mode':
      case 'signal':
      case 'sfu-producer-added':
      case 'sfu-producer-closed':
      case 'sfu-consumer-closed':
      case 'sfu-consumer-lowered':
      case 'active-speaker':
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
      case 'hands':
      case 'reactions':
      case 'poll':
      case 'board-sync':
      case 'board-presenting':
      case 'board-ticket':
        return;
      default: {
        const unknown: never = msg;
        log.warn('team: unhandled server message', unknown);
      }
    }
  }

  private onJoined(msg: Joined): void {
    const resumed = msg.resumed === true && this.media !== null;
    this.seat.take(msg.peerId, msg.resumeToken);
    this.ice.set(msg.iceServers, msg.iceTransportPolicy);
    const names = Object.fromEntries(msg.peers.map((p) => [p.peerId, p.name]));
    names[msg.peerId] = this.selfName;
    this.store.update({
      phase: 'in-team',
      selfId: msg.peerId,
      role: msg.role,
      names,
      waitingPosition: null,
    });
    this.people.onJoined(msg.peers);
    if (msg.team) this.channels.onTeam(msg.team);
    this.describeForMediaSession();
    this.seated = true;
    // Our seat, consumers and choices are as we left them; only the media path may be gone.
    if (resumed) {
      this.media?.recoverIce();
      return this.showConnection();
    }
    this.closeMedia();
    if (!msg.sfu || !this.audio) {
      this.store.update({ phase: 'failed', error: 'This server cannot carry a team’s audio.' });
      return;
    }
    const media = new TeamMedia(this.rpc, this.ice, this.audio, {
      failed: (reason) => this.onMediaFailed(reason),
      canAsk: () => this.seated,
      restarting: (active) => {
        if (media !== this.media) return;
        this.restarting = active;
        this.showConnection();
      },
    });
    this.media = media;
    background(this.startMedia(media, msg.sfu), 'team media');
  }

  private async startMedia(media: TeamMedia, sfu: NonNullable<Joined['sfu']>): Promise<void> {
    await media.start(sfu);
    await this.channels.listenToChosen();
    try {
      await media.startMic();
    } catch (err) {
      log.warn('team: no microphone', err);
      this.store.update({ notice: 'No microphone: you can listen, but not talk.' });
    }
  }

  /** The media could not be brought back: leave and join again on the same socket. */
  private onMediaFailed(reason: string): void {
    log.warn('team: media failed, joining again:', reason);
    this.floor.reset('Connection lost: your turn ended');
    this.seat.release();
    this.closeMedia();
    this.send({ type: 'leave' });
    background(this.sendJoin(), 'join');
  }

  private onError(msg: ServerMessageOf<'error'>): void {
    if (msg.code === ERROR_CODES.RESUME_FAILED) {
      this.seat.release();
      this.closeMedia();
      return background(this.sendJoin(), 'join again');
    }
    if (msg.code === ERROR_CODES.ROOM_MOVED) return this.signaling?.dropSocket();
    const isJoin = msg.rid !== undefined ? msg.rid === this.joinRid : msg.ref === 'join';
    if (!isJoin) return log.warn('team: server error', msg.code, msg.message);
    this.teardown();
    // Refused for good: in a team's words where the meeting's would mislead.
    const error =
      msg.code === ERROR_CODES.BANNED ? BANNED_FROM_TEAM : refusalOf(msg.code, msg.message).message;
    this.store.update({ phase: 'failed', error });
  }

  /** The lock screen and notification show the team and who talks (Media Session API). */
  private describeForMediaSession(): void {
    if (!('mediaSession' in navigator) || typeof MediaMetadata === 'undefined') return;
    const snap = this.snapshot;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: talkingSummary(snap) || 'Nobody is talking',
      artist: snap.teamName,
      album: 'Parley walkie-talkie',
    });
  }
}
