import { ERROR_CODES } from '@parley/protocol';
import type { MediaState, PeerId, Role, RoomId } from '@parley/protocol';
import type { DoorState, DoorStore, SeatRecord } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { background } from '../util/background.ts';
import { ProtocolError } from '../util/errors.ts';
import { hashSecret, newResumeToken, secretMatches } from '../util/ids.ts';
import { identityKeys, identityOf, networkMark, parseNetworkMark } from './identity.ts';
import type { Identity } from './identity.ts';
import { Peer } from './peer.ts';
import type { JoinerReceive, PeerSink } from './peer.ts';
import type { Room } from './room.ts';
import type { Entered } from './roomTypes.ts';
import { Hands } from '../classroom/hands.ts';

/** A seat as a `join` presents it: the peer id and resume token its client was given. */
export interface SeatClaim {
  peerId: PeerId;
  resumeToken: string;
}

/**
 * Who may come back into a meeting, kept in the store as well as here: who was removed or
 * denied (out until the meeting ends), who was made co-host (co-host again on rejoining), and
 * the seat of every admitted peer (so it can take its place back on another node when the
 * room moves). Loaded when a Room opens, written through on every change, cleared when the
 * meeting ends. The waiting queue itself is the Lobby's and is not kept.
 *
 * Writes go to the store first: when it refuses one, the error reaches the moderator and
 * nothing changed here. Call these inside the room's queue.
 */
export class Door {
  readonly #bans: Set<string>;
  readonly #cohosts: Set<string>;
  readonly #seats: Map<PeerId, SeatRecord>;
  /** Networks someone was removed or denied from, and when (the latest). */
  readonly #removedFrom = new Map<string, number>();
  /** The meeting's raised hands: kept, loaded and cleared with the rest of its door. */
  readonly hands: Hands;

  constructor(
    readonly roomId: RoomId,
    private readonly store: DoorStore,
    state: DoorState = { bans: [], cohosts: [], seats: [], hands: [], aliveAt: null },
  ) {
    this.#bans = new Set(state.bans);
    this.#cohosts = new Set(state.cohosts);
    this.#seats = new Map(state.seats.map((s) => [s.peerId, s]));
    this.hands = new Hands(roomId, store, state.hands);
    for (const key of state.bans) this.#noteRemoval(parseNetworkMark(key));
  }

  /**
   * The room's door as its last node left it. A meeting not heard from for MEETING_GONE_MS
   * is over: its node stopped (died, or restarted) and nobody came back, which is a meeting
   * everyone left, so the new one starts clean.
   */
  static async load(roomId: RoomId, store: DoorStore): Promise<Door> {
    const state = await store.load(roomId);
    if (state.aliveAt !== null && Date.now() - state.aliveAt > MEETING_GONE_MS) {
      await store.clear(roomId);
      return new Door(roomId, store);
    }
    return new Door(roomId, store, state);
  }

  /** How many seats the meeting holds (admitted peers, here or yet to come back). */
  get seats(): number {
    return this.#seats.size;
  }

  isBanned(identity: Identity): boolean {
    return identityKeys(identity).some((key) => this.#bans.has(key));
  }

  /**
   * Whether a joiner who is not banned may be someone removed earlier: it comes from a network
   * someone was removed from, with a guest id the server issued after that removal. A removed
   * guest who cleared the browser's storage (or sends no cookie and a made-up deviceId) looks
   * exactly like this. Such a joiner is held in the waiting room, marked for the hosts, and not
   * refused: a household or an office shares one address.
   */
  mayBeRemoved(identity: Identity): boolean {
    const removedAt = identity.network && this.#removedFrom.get(identity.network);
    if (!removedAt) return false;
    return identity.guestSince === undefined || identity.guestSince >= removedAt;
  }

  wasCohost(identity: Identity): boolean {
    return identityKeys(identity).some((key) => this.#cohosts.has(key));
  }

  /**
   * Keeps an identity out for the rest of the meeting (its guest id, account and device), and
   * marks the network it came from; a removed peer's seat goes with it.
   */
  async ban(identity: Identity, seated?: PeerId, now = Date.now()): Promise<void> {
    const mark = identity.network ? [networkMark(identity.network, now)] : [];
    const keys = [...identityKeys(identity), ...mark];
    await this.store.mark(this.roomId, 'ban', keys);
    if (seated && this.#seats.has(seated)) await this.store.unseat(this.roomId, seated);
    for (const key of keys) this.#bans.add(key);
    if (identity.network) this.#noteRemoval({ network: identity.network, at: now });
    if (seated) this.#seats.delete(seated);
  }

  /**
   * Remembers a peer's new role: the seat's role, and its identity as co-host (a host given the
   * role in the meeting too, so it comes back at least as co-host; see `Room.hostsChanged`).
   */
  async setRole(peer: Peer, role: Role): Promise<void> {
    const keys = identityKeys(peer.identity);
    const cohost = role !== 'guest';
    if (cohost) await this.store.mark(this.roomId, 'cohost', keys);
    else await this.store.unmark(this.roomId, 'cohost', keys);
    for (const key of keys) {
      if (cohost) this.#cohosts.add(key);
      else this.#cohosts.delete(key);
    }
    if (this.#seats.has(peer.id)) await this.seat(peer, role);
  }

  /** Records an admitted peer's seat (again, with a new role or token). */
  async seat(peer: Peer, role = peer.role): Promise<void> {
    const record: SeatRecord = {
      peerId: peer.id,
      tokenHash: hashSecret(peer.resumeToken),
      name: peer.name,
      role,
      identityKeys: identityKeys(peer.identity),
    };
    await this.store.seat(this.roomId, record);
    this.#seats.set(peer.id, record);
  }

  /**
   * The peer left the meeting for good (not a dropped socket: that one may resume). Its seat
   * cannot be claimed from here on, even if the store write fails.
   */
  async unseat(peerId: PeerId): Promise<void> {
    if (!this.#seats.has(peerId)) return;
    this.#seats.delete(peerId);
    await this.store.unseat(this.roomId, peerId);
  }

  /**
   * The seat a `join` claims, when it is one of this meeting's and its token is right;
   * undefined otherwise (the join then goes the normal way).
   */
  claim(claim: SeatClaim): SeatRecord | undefined {
    const seat = this.#seats.get(claim.peerId);
    return seat && secretMatches(claim.resumeToken, seat.tokenHash) ? seat : undefined;
  }

  #noteRemoval(mark: { network: string; at: number } | undefined): void {
    if (!mark) return;
    this.#removedFrom.set(
      mark.network,
      Math.max(mark.at, this.#removedFrom.get(mark.network) ?? 0),
    );
  }

  /** The meeting is over: the next one starts with no bans, co-hosts or seats. */
  async clear(): Promise<void> {
    this.#bans.clear();
    this.#removedFrom.clear();
    this.#cohosts.clear();
    this.#seats.clear();
    await this.store.clear(this.roomId);
  }
}

/** How often a node tells the store its meetings are running (`startMeetingPulse`). */
export const MEETING_PULSE_MS = 10_000;
/**
 * A stored meeting silent this long is over. Well past a failover (a client is back on
 * another node within seconds of the owner's lease ending, and then the pulse resumes), and
 * several pulses, so a slow database write cannot end a running meeting.
 */
export const MEETING_GONE_MS = 60_000;

/**
 * Every MEETING_PULSE_MS, marks the meetings of `rooms()` (this node's open rooms) as running,
 * in one store call. Returns the stop function.
 */
export function startMeetingPulse(rooms: () => RoomId[], store: DoorStore, log: Log): () => void {
  const timer = setInterval(() => {
    background(store.touch(rooms()), 'meeting pulse', log);
  }, MEETING_PULSE_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** What a seated `join` brings besides its seat. */
export interface SeatedJoin {
  identity: Identity;
  media: MediaState;
  sink: PeerSink;
  receive?: JoinerReceive | undefined;
}

/**
 * A `join` with the seat its client held: the same peer (id, name, role) back in the meeting
 * at once, with a new resume token. Undefined when the seat is not one of this meeting's, or
 * is taken (its peer is here): the join then goes the normal way. A banned identity, the
 * join's or the seat's, is refused. Run in the room's queue.
 */
export async function reseat(
  room: Room,
  claim: SeatClaim,
  join: SeatedJoin,
): Promise<{ peer: Peer; entered: Entered } | undefined> {
  const seat = room.door.claim(claim);
  if (!seat || room.has(seat.peerId) || room.lobby.get(seat.peerId)) return undefined;
  const stored = identityOf(seat.identityKeys);
  if (room.door.isBanned(stored)) {
    throw new ProtocolError(ERROR_CODES.BANNED, 'a host removed you from this meeting');
  }
  const identity = {
    ...join.identity,
    guestId: join.identity.guestId ?? stored.guestId,
    deviceId: join.identity.deviceId ?? stored.deviceId,
    userId: join.identity.userId ?? stored.userId,
  };
  const { peerId, name, role } = seat;
  const { media, sink, receive } = join;
  const peer = new Peer(peerId, name, role, media, sink, newResumeToken(), identity, receive);
  room.log.info('seat taken back', { peerId, role });
  return { peer, entered: await room.enter(peer, true) };
}
