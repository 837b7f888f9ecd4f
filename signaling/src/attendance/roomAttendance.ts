import { randomBytes } from 'node:crypto';
import type { PeerId, RoomId } from '@parley/protocol';
import type { AttendanceStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { background } from '../util/background.ts';
import { personKey } from '../rooms/identity.ts';
import type { Peer } from '../rooms/peer.ts';
import type { FeedbackTickets } from './tickets.ts';

/** What a room's recorder needs from the node's attendance service. */
export interface AttendanceDeps {
  store: AttendanceStore;
  tickets: FeedbackTickets;
  now: () => number;
  /** A meeting not heard from this long is over (the door's MEETING_GONE_MS). */
  goneMs: number;
  log: Log;
  /** Told of every write, so the server can wait for them before closing the store. */
  track: (write: Promise<unknown>) => void;
}

/**
 * The attendance of one Room object's meeting (issue 21), written from what the server sees:
 * admissions and leaves, never a client's word. The meeting is looked up (or started) at the
 * first admission here, so a room opened by a join that never got in records nothing. Writes
 * run one after another, so a leave never overtakes the admission it closes. A failed write
 * is logged: attendance never keeps anyone out of a call.
 */
export class RoomAttendance {
  #meeting: Promise<string | undefined> | undefined;
  #meetingId: string | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #over = false;
  /** When each suspended peer's socket dropped: a seat that expires left then. */
  readonly #dropped = new Map<PeerId, number>();

  constructor(
    readonly roomId: RoomId,
    private readonly deps: AttendanceDeps,
  ) {}

  /** An admission (a join, a let-in, a seat taken back): its stay opens now. */
  async arrived(peer: Peer): Promise<void> {
    this.#dropped.delete(peer.id);
    const joinedAt = this.deps.now();
    const meetingId = await this.#begun();
    if (!meetingId) return;
    const { userId } = peer.identity;
    const stay = {
      peerId: peer.id,
      personKey: personKey(peer.identity, peer.id),
      name: peer.name,
      userId: userId ?? null,
      joinedAt,
    };
    await this.#write(() => this.deps.store.arrive(meetingId, stay), 'attendance arrival');
  }

  /** The meeting and the ticket the peer rates it with; undefined before the meeting is known. */
  ticket(peer: Peer): { meetingId: string; ticket: string } | undefined {
    const meetingId = this.#meetingId;
    if (!meetingId) return undefined;
    const holder = { roomId: this.roomId, meetingId, personKey: personKey(peer.identity, peer.id) };
    return { meetingId, ticket: this.deps.tickets.mint(holder, this.deps.now()) };
  }

  /** The peer's socket dropped; its seat is kept for a resume. */
  dropped(peerId: PeerId): void {
    this.#dropped.set(peerId, this.deps.now());
  }

  /** It resumed: it never left. */
  resumed(peerId: PeerId): void {
    this.#dropped.delete(peerId);
  }

  /** Out of the meeting: its stay ends now, or when its socket dropped if its seat expired. */
  left(peerId: PeerId): void {
    const at = this.#dropped.get(peerId) ?? this.deps.now();
    this.#dropped.delete(peerId);
    const meetingId = this.#meetingId;
    if (meetingId)
      this.#queue(() => this.deps.store.depart(meetingId, peerId, at), 'attendance leave');
  }

  /** The meeting is over (everyone left, or a host ended it). */
  ended(): void {
    if (this.#over) return;
    this.#over = true;
    const meetingId = this.#meetingId;
    const at = this.deps.now();
    if (meetingId) this.#queue(() => this.deps.store.end(meetingId, at), 'meeting end');
  }

  /**
   * The Room closed without the meeting ending (it moved to another node, or the server
   * stops): the stays here end now; the meeting goes on where the room goes.
   */
  closed(): void {
    if (this.#over) return;
    this.#over = true;
    const meetingId = this.#meetingId;
    const at = this.deps.now();
    if (meetingId) this.#queue(() => this.deps.store.depart(meetingId, null, at), 'stays close');
  }

  /** Resolves once every write asked for so far is done (tests, shutdown). */
  settled(): Promise<unknown> {
    return this.#writes;
  }

  #begun(): Promise<string | undefined> {
    this.#meeting ??= (async () => {
      const newId = randomBytes(16).toString('base64url');
      const { store, now, goneMs } = this.deps;
      try {
        const begun = await store.begin(this.roomId, newId, now(), goneMs);
        this.#meetingId = begun.id;
        return begun.id;
      } catch (error) {
        this.deps.log.error('meeting not recorded', { roomId: this.roomId, error: String(error) });
        this.#meeting = undefined; // the next admission tries again
        return undefined;
      }
    })();
    return this.#meeting;
  }

  #write(task: () => Promise<unknown>, what: string): Promise<void> {
    const next = this.#writes.then(task);
    this.#writes = next.catch(() => undefined);
    this.deps.track(this.#writes);
    return next.then(
      () => undefined,
      (error: unknown) =>
        this.deps.log.error(`${what} failed`, { roomId: this.roomId, error: String(error) }),
    );
  }

  #queue(task: () => Promise<unknown>, what: string): void {
    background(this.#write(task, what), what, this.deps.log);
  }
}
