import type { Recurrence, RoomId } from '@parley/protocol';
import type { NoticeKind } from '../notices/channel.ts';

// The storage interfaces of scheduled meetings and what tells people about them (issue 21):
// the meetings and calendar feeds, the ledger of notices sent, and the devices push reaches.
// Part of types.ts's Storage, kept apart by subject.

/** A scheduled meeting (issue 21) as stored; its room exists from the start. */
export interface ScheduledRecord {
  id: string;
  ownerId: string;
  roomId: RoomId;
  title: string;
  /** `YYYY-MM-DDTHH:mm` in `timeZone`. */
  start: string;
  timeZone: string;
  durationMin: number;
  recurrence: Recurrence | null;
  /** Lower-cased emails. */
  invitees: string[];
  /** The first occurrence's start and the last one's end, ms: what queries select by. */
  firstStart: number;
  lastEnd: number;
  /** Bumped on every change (the calendar's SEQUENCE). */
  sequence: number;
  /** The sequence whose invitation, update or cancellation notices have been claimed. */
  noticedSequence: number;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
}

/** What an edit may change. */
export type ScheduleChange = Pick<
  ScheduledRecord,
  | 'title'
  | 'start'
  | 'timeZone'
  | 'durationMin'
  | 'recurrence'
  | 'invitees'
  | 'firstStart'
  | 'lastEnd'
>;

/** Scheduled meetings and each user's private calendar feed. */
export interface ScheduleStore {
  /**
   * Stores a new meeting unless its owner already has `maxActive` that are neither cancelled
   * nor over at `now` (false then, nothing written; counted under a lock on the owner).
   */
  create(meeting: ScheduledRecord, maxActive: number, now: number): Promise<boolean>;
  get(id: string): Promise<ScheduledRecord | undefined>;
  /**
   * Applies a change and bumps the sequence; undefined when unknown or cancelled. Invitees the
   * change leaves out are recorded as removed at the new sequence (`NoticeStore.uninvited`),
   * and those it invites again are no longer.
   */
  update(id: string, change: ScheduleChange, now: number): Promise<ScheduledRecord | undefined>;
  /** Cancels it and bumps the sequence; false when unknown or cancelled already. */
  cancel(id: string, now: number): Promise<boolean>;
  /**
   * Meetings the user organises or is invited to (by `email`) that end after `since`, the
   * earliest first, at most `limit`; cancelled ones only with `withCancelled` (the feed).
   */
  listFor(
    userId: string,
    email: string,
    since: number,
    limit: number,
    withCancelled: boolean,
  ): Promise<ScheduledRecord[]>;
  /** Replaces the user's feed token (only its hash is kept): the old URL stops working. */
  setFeed(userId: string, tokenHash: string, now: number): Promise<void>;
  /** The user a feed token's hash belongs to. */
  feedOwner(tokenHash: string): Promise<string | undefined>;
  revokeFeed(userId: string): Promise<boolean>;
  /** Deletes meetings cancelled or over before `before` (their deliveries with them). */
  purge(before: number, limit: number): Promise<number>;
}

/** One notice to one person by one channel: the key only one node can claim. */
export interface DeliveryKey {
  meetingId: string;
  /** A reminder's occurrence start (ms); for the other kinds, the meeting's sequence. */
  occurrence: number;
  email: string;
  channel: string;
  kind: NoticeKind;
}

export type DeliveryStatus = 'sending' | 'sent' | 'retry' | 'failed' | 'skipped';

export interface DeliveryRecord extends DeliveryKey {
  status: DeliveryStatus;
  /** Failed sends so far. */
  attempts: number;
  /** When a retry (or a lost sender's lease) is due, ms. */
  nextAt: number;
  lastError: string | null;
  updatedAt: number;
}

/** Someone an edit took off a meeting's invitees, and the sequence of that edit. */
export interface Removal {
  email: string;
  sequence: number;
}

/** The reminder dispatcher's ledger (issue 21). */
export interface NoticeStore {
  /** Meetings whose latest change has no notices claimed yet, at most `limit`. */
  unnoticed(limit: number): Promise<ScheduledRecord[]>;
  /**
   * People taken off the meeting by an edit after `afterSequence` and not invited again, who
   * had been sent its invitation or an update (the ledger says so): who is owed a cancellation.
   */
  uninvited(meetingId: string, afterSequence: number): Promise<Removal[]>;
  /** Records that `sequence`'s notices were claimed (never lowers it). */
  markNoticed(meetingId: string, sequence: number): Promise<void>;
  /**
   * Live meetings with an occurrence that may start in [from, to]: a page of at most `limit`
   * after skipping `offset`, in a stable order (every live weekly meeting is in range).
   */
  remindable(from: number, to: number, limit: number, offset: number): Promise<ScheduledRecord[]>;
  /**
   * Claims a delivery: an INSERT that only one node wins (the key is unique), and only while
   * the meeting is not cancelled (a cancellation, also one to a removed invitee, excepted).
   * Status `sending`, due again at `leaseUntil` in case this node dies while sending.
   */
  claim(key: DeliveryKey, now: number, leaseUntil: number): Promise<boolean>;
  /** Deliveries due again (a retry, or a lost lease) at `now`, at most `limit`. */
  due(now: number, limit: number): Promise<DeliveryRecord[]>;
  /** Takes a due delivery again, if no other node took it since it was read (its `nextAt`
   * is the version: taking it moves `nextAt` to `leaseUntil`, later than `now`). */
  reclaim(d: DeliveryRecord, now: number, leaseUntil: number): Promise<boolean>;
  /** Records how a send went. */
  settle(
    key: DeliveryKey,
    outcome: Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAt' | 'lastError'>,
    now: number,
  ): Promise<void>;
  /** A meeting's deliveries (for tests and operators). */
  deliveries(meetingId: string): Promise<DeliveryRecord[]>;
}

/** A device that gets an account's Web Push reminders (issue 21): its browser's subscription. */
export interface PushSubscriptionRecord {
  /** The push service's URL for this device; unique: a device belongs to one account. */
  endpoint: string;
  userId: string;
  /** The device's P-256 public key and 16-byte auth secret, base64url (RFC 8291). */
  p256dh: string;
  auth: string;
  /** ms since the epoch; registering again renews it. */
  createdAt: number;
}

/** The devices each account is reminded on. */
export interface PushSubscriptionStore {
  /**
   * Stores the device for its account (taking it from another account that had it: whoever
   * subscribed last on a device is who it reminds), then keeps the account's `max` newest
   * devices and drops the rest. Resolves to how many the account has.
   */
  put(subscription: PushSubscriptionRecord, max: number): Promise<number>;
  /** The account's devices, the newest first. */
  ofUser(userId: string): Promise<PushSubscriptionRecord[]>;
  /** Removes one of the account's devices; false when it had no such device. */
  remove(userId: string, endpoint: string): Promise<boolean>;
  /** Forgets a device whose push service said it is gone (404, 410), whoever it belonged to. */
  forget(endpoint: string): Promise<void>;
}
