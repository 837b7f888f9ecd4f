/**
 * What Parley tells people about a scheduled meeting (an invitation, a change, a cancellation,
 * a reminder before it starts), and the ways it can reach them. Scheduling decides what to
 * send and when (each notice once, claimed in the database); a channel only delivers.
 */

/** `uninvited`: the cancellation sent to someone an edit took off the invitees. */
export type NoticeKind = 'invitation' | 'updated' | 'cancelled' | 'uninvited' | 'reminder';

/** One occurrence of a scheduled meeting, as a notice describes it. */
export interface NoticeMeeting {
  /** The scheduled meeting's id. */
  id: string;
  title: string;
  /** This occurrence's start, ms since the epoch (UTC). */
  startsAt: number;
  durationMin: number;
  /** The IANA time zone it was scheduled in, for showing the time as the organiser meant it. */
  timeZone: string;
  /** The absolute link to its room. */
  url: string;
  /** The organiser's display name. */
  organiser: string;
}

export interface MeetingNotice {
  kind: NoticeKind;
  meeting: NoticeMeeting;
  /** The calendar entry to attach (METHOD:REQUEST, or METHOD:CANCEL), where the channel can. */
  ics?: string;
}

/** Someone to tell: an invitee's email, and their account where one has that email. */
export interface Recipient {
  email: string;
  userId: string | null;
}

/** One way of reaching people: email, web push (an SMS provider would be another). */
export interface NoticeChannel {
  /** `email`, `push`: recorded with each delivery. */
  readonly name: string;
  /** Set up on this server (SMTP configured, push keys present); when not, the UI says so. */
  readonly enabled: boolean;
  /** Whether this recipient can be reached this way (push: they have a subscription). */
  reaches(to: Recipient): Promise<boolean>;
  /** Delivers one notice; throws when it could not (the caller retries with backoff). */
  send(to: Recipient, notice: MeetingNotice): Promise<void>;
}
