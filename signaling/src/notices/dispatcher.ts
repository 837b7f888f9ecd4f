import type {
  DeliveryKey,
  DeliveryRecord,
  NoticeStore,
  ScheduleStore,
  ScheduledRecord,
  UserStore,
} from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import type { EntryContext } from '../scheduling/ics.ts';
import { meetingIcs, uninvitedIcs } from '../scheduling/ics.ts';
import { nextOccurrence, occurrencesOf } from '../scheduling/occurrences.ts';
import type { MeetingNotice, NoticeChannel, NoticeKind, Recipient } from './channel.ts';

export interface DispatcherOptions {
  schedule: ScheduleStore;
  notices: NoticeStore;
  users: UserStore;
  channels: readonly NoticeChannel[];
  /** The clock notices are due by; tests move it. */
  now: () => number;
  /** REMINDER_LEAD_MIN: how long before each occurrence its reminder goes. */
  leadMin: number;
  /** A meeting's link, organiser and UID domain (Scheduling.context with the app's URL). */
  context: (m: ScheduledRecord) => Promise<EntryContext>;
  log: Log;
  /** Sends per tick, at most (default 100): the rest wait for the next tick. */
  perTick?: number;
  /** The waits before each retry of a failed send (default 1, 5, 15 min); then it failed. */
  backoffMs?: readonly number[];
  /** How long a claimed send may take before another node may take it over (default 5 min). */
  leaseMs?: number;
  /** Meetings read at once when looking for reminders (default 100), and pages a tick (50). */
  pageSize?: number;
  maxPages?: number;
}

/** Cancelled and finished meetings are purged this long after, a bounded batch per tick. */
const PURGE_AFTER_MS = 30 * 86_400_000;
const PURGE_BATCH = 100;

/**
 * Sends every notice about scheduled meetings once (issue 21): the invitation, each update and
 * the cancellation as they are saved (and a cancellation to whoever an edit took off the
 * invitees), and a reminder `leadMin` before each occurrence to those invited. Each
 * notice is first claimed in the store (a unique key: one node wins, also in a cluster, and
 * never for a meeting cancelled by then); a failed send is retried with backoff, then recorded
 * as failed. Call `tick()` from a test; `start()` ticks on a timer.
 */
export class NoticeDispatcher {
  readonly #o: Required<Omit<DispatcherOptions, 'channels'>> & { channels: NoticeChannel[] };
  #budget = 0;
  #running: Promise<number> | undefined;

  constructor(options: DispatcherOptions) {
    this.#o = {
      perTick: 100,
      backoffMs: [60_000, 5 * 60_000, 15 * 60_000],
      leaseMs: 5 * 60_000,
      pageSize: 100,
      maxPages: 50,
      ...options,
      channels: options.channels.filter((c) => c.enabled),
    };
  }

  /** One pass: retries due, then change notices, then reminders. The number of sends tried. */
  async tick(): Promise<number> {
    this.#budget = this.#o.perTick;
    const now = this.#o.now();
    await this.#retries(now);
    await this.#changes(now);
    await this.#reminders(now);
    await this.#o.schedule.purge(now - PURGE_AFTER_MS, PURGE_BATCH);
    return this.#o.perTick - this.#budget;
  }

  /** Ticks every `everyMs` (never two at once) until the returned stop is called. */
  start(everyMs = 30_000): () => void {
    const timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.tick()
        .catch((error: unknown) => {
          this.#o.log.error('notice tick failed', { error: String(error) });
          return 0;
        })
        .finally(() => (this.#running = undefined));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Waits for a tick in progress (before the storage closes). */
  async drain(): Promise<void> {
    await this.#running;
  }

  /**
   * Invitations, updates and cancellations of meetings saved since their last notices, and a
   * cancellation for each person an edit since then took off (if they had heard of it).
   */
  async #changes(now: number): Promise<void> {
    for (const m of await this.#o.notices.unnoticed(20)) {
      const kind = changeKind(m);
      // Out of budget: the next tick goes on (claims skip what was sent).
      if (kind !== undefined && !(await this.#toPeople(m, m.invitees, kind, m.sequence, now)))
        return;
      for (const r of await this.#o.notices.uninvited(m.id, m.noticedSequence)) {
        if (!(await this.#toPeople(m, [r.email], 'uninvited', r.sequence, now))) return;
      }
      await this.#o.notices.markNoticed(m.id, m.sequence);
    }
  }

  /**
   * A reminder for each occurrence starting within the lead time, once per person. Every live
   * weekly meeting is in range, so they are read a page at a time (at most `maxPages` pages a
   * tick): one that is not due cannot crowd out one that is.
   */
  async #reminders(now: number): Promise<void> {
    const lead = this.#o.leadMin * 60_000;
    const size = this.#o.pageSize;
    for (let page = 0; page < this.#o.maxPages; page++) {
      const meetings = await this.#o.notices.remindable(now, now + lead, size, page * size);
      for (const m of meetings) {
        for (const start of occurrencesOf(m)) {
          if (start - lead > now || start <= now) continue;
          if (!(await this.#toPeople(m, m.invitees, 'reminder', start, now))) return;
        }
      }
      if (meetings.length < size) return;
    }
  }

  /** Retries whose backoff is over, and sends a node claimed but never finished (its lease). */
  async #retries(now: number): Promise<void> {
    for (const d of await this.#o.notices.due(now, this.#budget)) {
      if (this.#budget <= 0) return;
      if (!(await this.#o.notices.reclaim(d, now, now + this.#o.leaseMs))) continue;
      const m = await this.#o.schedule.get(d.meetingId);
      const channel = this.#o.channels.find((c) => c.name === d.channel);
      if (!m || !channel || !stillDue(d, m)) {
        const outcome = { status: 'skipped', attempts: d.attempts, nextAt: now } as const;
        await this.#o.notices.settle(d, { ...outcome, lastError: d.lastError }, now);
        continue;
      }
      this.#budget--;
      await this.#send(d, channel, await this.#recipient(d.email), m, d.attempts, now);
    }
  }

  /** Claims and sends one kind of notice to each of `emails` by every channel reaching them. */
  async #toPeople(
    m: ScheduledRecord,
    emails: readonly string[],
    kind: NoticeKind,
    occurrence: number,
    now: number,
  ) {
    for (const email of emails) {
      const to = await this.#recipient(email);
      for (const channel of this.#o.channels) {
        if (this.#budget <= 0) return false;
        if (!(await channel.reaches(to))) continue;
        const key = { meetingId: m.id, occurrence, email, channel: channel.name, kind };
        if (!(await this.#o.notices.claim(key, now, now + this.#o.leaseMs))) continue;
        this.#budget--;
        await this.#send(key, channel, to, m, 0, now);
      }
    }
    return true;
  }

  async #send(
    key: DeliveryKey,
    channel: NoticeChannel,
    to: Recipient,
    m: ScheduledRecord,
    attempts: number,
    now: number,
  ): Promise<void> {
    try {
      await channel.send(to, await this.#notice(key, m, now));
      await this.#o.notices.settle(
        key,
        { status: 'sent', attempts, nextAt: now, lastError: null },
        now,
      );
    } catch (error) {
      const failed = attempts + 1;
      const wait = this.#o.backoffMs[failed - 1];
      const lastError = String(error).slice(0, 500);
      const outcome =
        wait === undefined
          ? ({ status: 'failed', attempts: failed, nextAt: now, lastError } as const)
          : ({ status: 'retry', attempts: failed, nextAt: now + wait, lastError } as const);
      await this.#o.notices.settle(key, outcome, now);
      this.#o.log.warn('notice not sent', {
        meetingId: key.meetingId,
        channel: key.channel,
        kind: key.kind,
        attempts: failed,
        error: lastError,
      });
    }
  }

  async #notice(key: DeliveryKey, m: ScheduledRecord, now: number): Promise<MeetingNotice> {
    const ctx = await this.#o.context(m);
    const startsAt =
      key.kind === 'reminder'
        ? key.occurrence
        : nextOccurrence(occurrencesOf(m), m.durationMin, now);
    return {
      kind: key.kind,
      meeting: {
        id: m.id,
        title: m.title,
        startsAt,
        durationMin: m.durationMin,
        timeZone: m.timeZone,
        url: ctx.url,
        organiser: ctx.organiser.name,
      },
      ...(key.kind === 'reminder'
        ? {}
        : key.kind === 'uninvited'
          ? { ics: uninvitedIcs(m, key.email, ctx, now) }
          : { ics: meetingIcs(m, ctx, now) }),
    };
  }

  async #recipient(email: string): Promise<Recipient> {
    return { email, userId: (await this.#o.users.byEmail(email))?.id ?? null };
  }
}

/**
 * Whether a delivery waiting for a retry is still worth sending: nothing but cancellations for
 * a cancelled meeting, nothing but its cancellation for someone taken off the invitees (no more
 * reminders), and no cancellation for someone invited again since.
 */
function stillDue(d: DeliveryRecord, m: ScheduledRecord): boolean {
  const invited = m.invitees.includes(d.email);
  if (d.kind === 'uninvited') return !invited;
  if (d.kind === 'cancelled') return true;
  return invited && m.cancelledAt === null;
}

/**
 * What a saved change tells the invitees: the invitation (they never heard of it), an update,
 * or the cancellation (not when it was cancelled before anyone was invited).
 */
function changeKind(m: ScheduledRecord): NoticeKind | undefined {
  if (m.cancelledAt !== null) return m.noticedSequence < 0 ? undefined : 'cancelled';
  return m.noticedSequence < 0 ? 'invitation' : 'updated';
}
