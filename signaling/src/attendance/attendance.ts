import { LIMITS } from '@parley/protocol';
import type {
  FeedbackRequest,
  MeetingReport,
  MeetingSummary,
  RoomId,
  SeriesFeedback,
} from '@parley/protocol';
import type { AttendanceStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { background } from '../util/background.ts';
import { attendanceCsv, attendeesOf, feedbackView, meetingView } from './report.ts';
import { RoomAttendance } from './roomAttendance.ts';
import type { FeedbackTickets } from './tickets.ts';

export interface AttendanceOptions {
  store: AttendanceStore;
  tickets: FeedbackTickets;
  /** A meeting not heard from this long is over (the door's MEETING_GONE_MS). */
  goneMs: number;
  /** ATTENDANCE_RETENTION_DAYS: meetings that ended longer ago are purged with their rows. */
  retentionDays: number;
  log: Log;
  /** The clock (tests move it); default Date.now. */
  now?: () => number;
  /** Most meetings one sweep ends or purges (each); default 500. */
  sweepLimit?: number;
}

/** How many meetings a room's hosts see listed. */
export const MEETINGS_LISTED = 100;

/** What a rating did. */
export type RateOutcome = 'stored' | 'duplicate' | 'invalid';

/**
 * Attendance and feedback on this node (issue 21): a recorder per live Room, the pulse that
 * says this node's meetings are running, the sweep that ends meetings whose node stopped
 * (nobody came back for `goneMs`: ended at their last pulse) and purges old ones, and what
 * the hosts' HTTP routes read. Every node of a cluster runs the same sweep: its statements are
 * idempotent and bounded.
 *
 * Per recurring series (issue 21's "per meeting and per recurring series"): a scheduled series
 * has one room (scheduling/), so its occurrences are that room's meetings, and `series()` sums
 * up all of them. A room met in again and again without a schedule is a series the same way.
 */
export class Attendance {
  readonly now: () => number;
  readonly #limit: number;
  /** Writes in flight, across rooms: `drain` waits for them. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(private readonly options: AttendanceOptions) {
    this.now = options.now ?? Date.now;
    this.#limit = options.sweepLimit ?? 500;
  }

  forRoom(roomId: RoomId): RoomAttendance {
    const { store, tickets, goneMs, log } = this.options;
    const track = (write: Promise<unknown>) => {
      this.#pending.add(write);
      background(
        write.finally(() => this.#pending.delete(write)),
        'attendance write',
        log,
      );
    };
    return new RoomAttendance(roomId, { store, tickets, goneMs, log, now: this.now, track });
  }

  /** Resolves once every attendance write asked for so far is done (before the store closes). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** This node's meetings are running. */
  pulse(roomIds: RoomId[]): Promise<void> {
    return this.options.store.touch(roomIds, this.now());
  }

  /** One bounded round: silent meetings ended, expired ones purged. */
  async sweep(): Promise<{ ended: number; purged: number }> {
    const now = this.now();
    const { store, goneMs, retentionDays } = this.options;
    const ended = await store.endSilent(now - goneMs, this.#limit);
    const purged = await store.purge(now - retentionDays * 24 * 60 * 60_000, this.#limit);
    if (ended + purged > 0) this.options.log.info('attendance swept', { ended, purged });
    return { ended, purged };
  }

  /** Pulses `rooms()` every `pulseMs` and sweeps every `sweepMs`; returns the stop function. */
  start(rooms: () => RoomId[], pulseMs: number, sweepMs: number): () => void {
    const { log } = this.options;
    const pulse = setInterval(() => background(this.pulse(rooms()), 'meeting pulse', log), pulseMs);
    const sweep = setInterval(() => background(this.sweep(), 'attendance sweep', log), sweepMs);
    pulse.unref();
    sweep.unref();
    background(this.sweep(), 'attendance sweep', log);
    return () => {
      clearInterval(pulse);
      clearInterval(sweep);
    };
  }

  async meetings(roomId: RoomId): Promise<MeetingSummary[]> {
    return (await this.options.store.meetings(roomId, MEETINGS_LISTED)).map(meetingView);
  }

  /** A meeting of `roomId` with its attendees and ratings; undefined for another room's. */
  async report(roomId: RoomId, meetingId: string): Promise<MeetingReport | undefined> {
    const { store } = this.options;
    const meeting = await store.meeting(meetingId);
    if (!meeting || meeting.roomId !== roomId) return undefined;
    const [intervals, feedback] = await Promise.all([
      store.intervals(meetingId),
      store.feedback(meetingId),
    ]);
    const attendees = attendeesOf(intervals, meeting.endedAt ?? this.now());
    const ratings = feedback.length;
    const averageStars = ratings ? feedback.reduce((n, f) => n + f.stars, 0) / ratings : null;
    const summary = { ...meeting, attendees: attendees.length, ratings, averageStars };
    return { meeting: meetingView(summary), attendees, feedback: feedbackView(feedback) };
  }

  /** The ratings and comments of all the room's kept meetings. */
  async series(roomId: RoomId): Promise<SeriesFeedback> {
    return this.options.store.seriesFeedback(roomId, LIMITS.SERIES_COMMENTS_LISTED);
  }

  csvOf(report: MeetingReport): string {
    return attendanceCsv(report.attendees);
  }

  /** Stores a rating for the meeting and person its ticket names; one per person. */
  async rate(request: FeedbackRequest): Promise<RateOutcome> {
    const now = this.now();
    const holder = this.options.tickets.verify(request.ticket, now);
    if (!holder) return 'invalid';
    const meeting = await this.options.store.meeting(holder.meetingId);
    if (!meeting || meeting.roomId !== holder.roomId) return 'invalid';
    const comment = request.comment ? request.comment : null;
    const feedback = { stars: request.stars, comment, at: now };
    const stored = await this.options.store.rate(holder.meetingId, holder.personKey, feedback);
    return stored ? 'stored' : 'duplicate';
  }
}
