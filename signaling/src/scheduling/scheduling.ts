import { createHash, randomBytes } from 'node:crypto';
import { ERROR_CODES, SCHEDULE_ERROR_CODES, SCHEDULE_LIMITS } from '@parley/protocol';
import type { ScheduleEdit, ScheduleRequest, ScheduledMeeting } from '@parley/protocol';
import type { AuthUser } from '../auth/types.ts';
import type { NewRoom } from '../rooms/rooms.ts';
import type { RoomId, RoomSettings } from '@parley/protocol';
import type {
  ScheduleChange,
  ScheduleStore,
  ScheduledRecord,
  StoredSettings,
  UserStore,
} from '../store/index.ts';
import { hashPassword } from '../rooms/passwords.ts';
import { feedIcs, meetingIcs } from './ics.ts';
import type { EntryContext } from './ics.ts';
import { nextOccurrence, occurrencesOf } from './occurrences.ts';
import { ScheduleError, checkTiming, cleanInvitees } from './validate.ts';

export interface SchedulingDeps {
  store: ScheduleStore;
  users: UserStore;
  /** Makes the meeting's room, as the home page's create-room flow does. */
  createRoom: (room: NewRoom) => Promise<{ id: RoomId }>;
  /** The room's settings now (Rooms.settingsOf), for the organiser's edit form. */
  roomSettings: (id: RoomId) => Promise<RoomSettings | undefined>;
  /** Changes the room's settings from outside the meeting (Rooms.changeSettings). */
  changeRoom: (
    id: RoomId,
    change: Partial<StoredSettings>,
    passwordHash: string | null | undefined,
  ) => Promise<void>;
  now: () => number;
}

/** How long a cancelled or finished meeting stays in feeds (then it is purged). */
export const KEEP_PAST_MS = 30 * 86_400_000;

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const notFound = () =>
  new ScheduleError(404, SCHEDULE_ERROR_CODES.MEETING_NOT_FOUND, 'no such scheduled meeting');

/**
 * Scheduled meetings (issue 21): each validated, given its room at once, listed for its
 * organiser and invitees, written as calendar entries. Notices about them are the
 * dispatcher's (notices/dispatcher.ts), which reads the same store.
 */
export class Scheduling {
  constructor(private readonly deps: SchedulingDeps) {}

  async schedule(user: AuthUser, req: ScheduleRequest, base: string): Promise<ScheduledMeeting> {
    const now = this.deps.now();
    const timing = { ...req, recurrence: req.recurrence ?? null };
    const span = checkTiming(timing, now);
    const invitees = cleanInvitees(req.invitees ?? []);
    const room = await this.deps.createRoom({
      ownerId: user.id,
      title: req.title,
      settings: { waitingRoom: req.waitingRoom ?? true },
      ...(req.password === undefined ? {} : { passwordHash: await hashPassword(req.password) }),
    });
    const record: ScheduledRecord = {
      id: randomBytes(12).toString('base64url'),
      ownerId: user.id,
      roomId: room.id,
      title: req.title,
      start: req.start,
      timeZone: req.timeZone,
      durationMin: req.durationMin,
      recurrence: timing.recurrence,
      invitees,
      ...span,
      sequence: 0,
      noticedSequence: -1,
      createdAt: now,
      updatedAt: now,
      cancelledAt: null,
    };
    if (!(await this.deps.store.create(record, SCHEDULE_LIMITS.MEETINGS_PER_USER, now))) {
      const message = `at most ${SCHEDULE_LIMITS.MEETINGS_PER_USER} upcoming meetings each`;
      throw new ScheduleError(409, ERROR_CODES.LIMIT_REACHED, message);
    }
    const view = await this.view(record, user.id, base, user.name, now);
    return { ...view, room: { waitingRoom: req.waitingRoom ?? true, hasPassword: !!req.password } };
  }

  /** The user's own and invited meetings not yet over, the next occurrence first. */
  async upcoming(user: AuthUser, base: string): Promise<ScheduledMeeting[]> {
    const now = this.deps.now();
    const email = await this.#emailOf(user.id);
    const limit = SCHEDULE_LIMITS.MEETINGS_PER_USER * 2;
    const records = await this.deps.store.listFor(user.id, email, now, limit, false);
    const views = await Promise.all(records.map((m) => this.view(m, user.id, base, null, now)));
    return views.sort((a, b) => a.nextStartsAt - b.nextStartsAt || a.id.localeCompare(b.id));
  }

  async get(user: AuthUser, id: string, base: string): Promise<ScheduledMeeting> {
    const m = await this.#visible(user, id);
    return this.#withRoom(await this.view(m, user.id, base, null, this.deps.now()), m);
  }

  /**
   * Applies an edit (organiser only): the calendar entry's fields bump the sequence (and so
   * notify the invitees) only when one of them changed; the waiting room and password change
   * the room. Times the edit keeps are not checked again, so a weekly series under way (its
   * first start past) can still get a new title, lose an invitee or change its room.
   */
  async edit(user: AuthUser, id: string, edit: ScheduleEdit, base: string) {
    const m = await this.#organised(user, id);
    const now = this.deps.now();
    const { waitingRoom, password, ...fields } = edit;
    const next = { ...m, ...fields };
    const span = sameTiming(m, next) ? { firstStart: m.firstStart, lastEnd: m.lastEnd } : null;
    const invitees = fields.invitees ? cleanInvitees(fields.invitees) : m.invitees;
    const { title, start, timeZone, durationMin, recurrence } = next;
    const change = { title, start, timeZone, durationMin, recurrence, invitees };
    const full: ScheduleChange = { ...change, ...(span ?? checkTiming(next, now)) };
    const hash = password ? await hashPassword(password) : password;
    let saved = m;
    if (entryChanged(m, full)) {
      const updated = await this.deps.store.update(id, full, now);
      if (!updated) throw cancelledError();
      saved = updated;
    }
    if (waitingRoom !== undefined || hash !== undefined) {
      const door = waitingRoom === undefined ? {} : { waitingRoom };
      await this.deps.changeRoom(m.roomId, door, hash);
    }
    return this.#withRoom(await this.view(saved, user.id, base, null, now), m);
  }

  /** Cancels it (organiser only); the room stays, the meeting leaves every list. */
  async cancel(user: AuthUser, id: string): Promise<void> {
    await this.#organised(user, id);
    if (!(await this.deps.store.cancel(id, this.deps.now()))) throw cancelledError();
  }

  /** The meeting's calendar entry (REQUEST, or CANCEL once cancelled). */
  async ics(user: AuthUser, id: string, base: string): Promise<string> {
    const m = await this.#visible(user, id, true);
    return meetingIcs(m, await this.context(m, base), this.deps.now());
  }

  /** A new private feed URL for the user; the previous one stops working. */
  async newFeed(user: AuthUser, base: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.deps.store.setFeed(user.id, sha256(token), this.deps.now());
    return `${base}/api/calendar/${token}.ics`;
  }

  revokeFeed(user: AuthUser): Promise<boolean> {
    return this.deps.store.revokeFeed(user.id);
  }

  /** The feed a token opens, or undefined for an unknown or revoked one. */
  async feed(token: string, base: string): Promise<string | undefined> {
    const userId = await this.deps.store.feedOwner(sha256(token));
    const owner = userId === undefined ? undefined : await this.deps.users.byId(userId);
    if (!owner) return undefined;
    const now = this.deps.now();
    const limit = SCHEDULE_LIMITS.MEETINGS_PER_USER * 2;
    const records = await this.deps.store.listFor(
      owner.id,
      owner.email,
      now - KEEP_PAST_MS,
      limit,
      true,
    );
    const entries = await Promise.all(
      records.map(async (meeting) => ({ meeting, ctx: await this.context(meeting, base) })),
    );
    return feedIcs(`Parley: ${owner.name}`, entries, now);
  }

  /** The room link, organiser and UID domain of a meeting's calendar entry or notice. */
  async context(m: ScheduledRecord, base: string): Promise<EntryContext> {
    const owner = await this.deps.users.byId(m.ownerId);
    return {
      url: `${base}/r/${m.roomId}`,
      organiser: { name: owner?.name ?? 'Parley', email: owner?.email ?? 'noreply@parley.invalid' },
      domain: new URL(base).hostname,
    };
  }

  async view(
    m: ScheduledRecord,
    asker: string,
    base: string,
    organiser: string | null,
    now: number,
  ): Promise<ScheduledMeeting> {
    const name = organiser ?? (await this.deps.users.byId(m.ownerId))?.name ?? '';
    return {
      id: m.id,
      title: m.title,
      start: m.start,
      timeZone: m.timeZone,
      durationMin: m.durationMin,
      recurrence: m.recurrence,
      invitees: m.invitees,
      roomId: m.roomId,
      url: `${base}/r/${m.roomId}`,
      organiser: name,
      mine: m.ownerId === asker,
      nextStartsAt: nextOccurrence(occurrencesOf(m), m.durationMin, now),
      sequence: m.sequence,
      cancelled: m.cancelledAt !== null,
    };
  }

  /** The room's waiting room and password, for the organiser's eyes only. */
  async #withRoom(view: ScheduledMeeting, m: ScheduledRecord): Promise<ScheduledMeeting> {
    if (!view.mine) return view;
    const settings = await this.deps.roomSettings(m.roomId);
    if (!settings) return view;
    return {
      ...view,
      room: { waitingRoom: settings.waitingRoom, hasPassword: settings.hasPassword },
    };
  }

  async #emailOf(userId: string): Promise<string> {
    const user = await this.deps.users.byId(userId);
    if (!user) throw new ScheduleError(401, ERROR_CODES.UNAUTHORIZED, 'sign in again');
    return user.email.toLowerCase();
  }

  /** The meeting when the user organises it or is invited (a cancelled one only for `.ics`). */
  async #visible(user: AuthUser, id: string, cancelledToo = false): Promise<ScheduledRecord> {
    const m = await this.deps.store.get(id);
    if (!m || (m.cancelledAt !== null && !cancelledToo)) throw notFound();
    if (m.ownerId === user.id || m.invitees.includes(await this.#emailOf(user.id))) return m;
    throw notFound();
  }

  async #organised(user: AuthUser, id: string): Promise<ScheduledRecord> {
    const m = await this.#visible(user, id, true);
    if (m.ownerId !== user.id) {
      throw new ScheduleError(403, ERROR_CODES.FORBIDDEN, 'only its organiser may change it');
    }
    if (m.cancelledAt !== null) throw cancelledError();
    return m;
  }
}

/** Whether an edit keeps when the meeting happens. */
function sameTiming(a: ScheduledRecord, b: Omit<ScheduledRecord, 'invitees'>): boolean {
  return (
    a.start === b.start &&
    a.timeZone === b.timeZone &&
    a.durationMin === b.durationMin &&
    JSON.stringify(a.recurrence) === JSON.stringify(b.recurrence)
  );
}

/** Whether an edit changes what the calendar entry says (invitees in any order). */
function entryChanged(m: ScheduledRecord, c: ScheduleChange): boolean {
  const sorted = (emails: readonly string[]) => JSON.stringify([...emails].sort());
  return (
    !sameTiming(m, { ...m, ...c }) ||
    m.title !== c.title ||
    sorted(m.invitees) !== sorted(c.invitees)
  );
}

function cancelledError(): ScheduleError {
  return new ScheduleError(409, SCHEDULE_ERROR_CODES.MEETING_CANCELLED, 'it was cancelled');
}
