import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessage, MediaState, ServerMessageOf, SfuReceive } from '@parley/protocol';
import { safeGet, safeSet } from '../../api.ts';
import { isDeviceId, newDeviceId, refusalOf } from './admissionState.ts';
import { mediaFlags } from '../callState.ts';
import type { SnapshotStore } from '../SnapshotStore.ts';
import { log } from '../../log.ts';
import type { SeatClaim } from './seat.ts';

/** Who we are when we ask to join: the room's secrets and this browser's identities. */
export interface JoinCredentials {
  /** The host key `POST /api/rooms` gave the room's creator (localStorage). */
  hostKey?: string;
  /** This browser's stable id: how a removed or denied guest is recognised. */
  deviceId: string;
  /** A signed-in user's access token (refreshed when needed), or null for a guest. */
  accessToken(): Promise<string | null>;
  /** After UNAUTHORIZED: a fresh token, or null when the session is gone. */
  refreshAccessToken(): Promise<string | null>;
}

export interface AdmissionDeps {
  roomId: string;
  send(msg: ClientMessage): boolean;
  nextRid(): number;
  /** The call's snapshot: our name and media are read from it when the join is sent. */
  store: SnapshotStore;
  /** Back to the pre-join screen: the socket closes, the camera preview stays. */
  closeSocket(): void;
  /** The call is over: socket, media paths and devices. */
  teardown(): void;
  /** Our seat and media paths are gone (a rejoin was queued in the waiting room). */
  releaseSeat(): void;
  /** What we can receive from the SFU, when known: a room on it admits us with consumers. */
  receive(): SfuReceive | undefined;
}

type Join = Extract<ClientMessage, { type: 'join' }>;

/**
 * Asking to be let in: the `join` (with host key, room password, access token and device id),
 * the waiting room, and the join's refusal (told apart from other errors; one retry with a
 * refreshed access token after UNAUTHORIZED). The words are in admissionState.ts.
 */
export class Admission {
  /** The room password typed on the pre-join screen; kept for rejoins after a lost seat. */
  private password: string | undefined;
  private joinRid: number | undefined;
  /** The seat the last join carried: a retry after UNAUTHORIZED carries it again. */
  private lastSeat: SeatClaim | null = null;
  private authRetried = false;
  /** The media flags the last join carried: the server shows these until we send `media`. */
  sentMedia: MediaState | null = null;

  constructor(
    private readonly credentials: JoinCredentials,
    private readonly deps: AdmissionDeps,
  ) {}

  /** A fresh attempt; a `password` (from the pre-join screen) replaces the one kept. */
  start(password?: string): void {
    if (password !== undefined) this.password = password || undefined;
    this.authRetried = false;
  }

  /**
   * Sends `join`. `seat`: the one we held when our resume failed; where the room now runs on
   * another node, it takes us straight back in as the same peer (else the server ignores it).
   */
  async sendJoin(seat?: SeatClaim | null): Promise<void> {
    const token = await this.credentials.accessToken().catch((err: unknown) => {
      log.warn('no access token for the join', err);
      return null;
    });
    const { name, local, sharing } = this.deps.store.current;
    const media = mediaFlags(local, sharing);
    const rid = this.deps.nextRid();
    this.joinRid = rid;
    this.lastSeat = seat ?? null;
    this.sentMedia = media;
    const { hostKey, deviceId } = this.credentials;
    const receive = this.deps.receive();
    this.deps.send({
      type: 'join',
      rid,
      roomId: this.deps.roomId as Join['roomId'],
      name,
      media,
      deviceId,
      ...(hostKey ? { hostKey } : {}),
      ...(this.password ? { password: this.password } : {}),
      ...(token ? { accessToken: token } : {}),
      ...(seat ? { seat } : {}),
      ...(receive ? { receive } : {}),
    });
  }

  /** True when the error answers our `join` (a refusal), not some later request. */
  isJoinError(msg: ServerMessageOf<'error'>): boolean {
    return msg.rid !== undefined ? msg.rid === this.joinRid : msg.ref === 'join';
  }

  /** Held in the waiting room (the join's answer), or our place in line moved. */
  onWaiting(position: number, hostPresent: boolean): void {
    const { phase } = this.deps.store.current;
    // A rejoin after a lost seat was queued: the call is gone until a host admits us again.
    if (phase === 'in-call' || phase === 'reconnecting') this.deps.releaseSeat();
    this.deps.store.update({
      phase: 'waiting',
      waitingPosition: position,
      hostPresent,
      peers: [],
      notice: null,
    });
  }

  /**
   * The server refused our join. From the pre-join screen or the waiting room: back to the
   * pre-join screen with the reason (the preview keeps running; the user may fix a password).
   * During a rejoin after a lost seat: the call is over.
   */
  async onRefused(msg: ServerMessageOf<'error'>): Promise<void> {
    if (msg.code === ERROR_CODES.UNAUTHORIZED && (await this.retryUnauthorized())) return;
    const refusal = refusalOf(msg.code, msg.message);
    const snap = this.deps.store.current;
    if (snap.phase !== 'joining' && snap.phase !== 'waiting') {
      this.deps.teardown();
      return this.deps.store.update({ phase: 'failed', error: refusal.message, peers: [] });
    }
    this.deps.closeSocket();
    this.deps.store.update({
      phase: 'preview',
      joinError: refusal.message,
      askPassword: snap.askPassword || refusal.askPassword,
      waitingPosition: null,
    });
  }

  /** Our access token expired in flight: refresh it and join again, once. */
  private async retryUnauthorized(): Promise<boolean> {
    if (this.authRetried) return false;
    this.authRetried = true;
    await this.credentials.refreshAccessToken().catch(() => null);
    await this.sendJoin(this.lastSeat);
    return true;
  }
}

const DEVICE_ID_KEY = 'parley.deviceId';

/** This browser's stable random id (localStorage), created on first use. */
export function browserDeviceId(): string {
  const saved = safeGet(DEVICE_ID_KEY);
  if (isDeviceId(saved)) return saved;
  const id = newDeviceId((bytes) => crypto.getRandomValues(bytes));
  safeSet(DEVICE_ID_KEY, id);
  return id;
}
