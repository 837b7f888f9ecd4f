import type { PeerId, RoomId } from '@parley/protocol';

// The storage interface of meetings, their attendance and their feedback (issue 21).
// Part of types.ts's Storage, kept apart by subject.

/**
 * A meeting (issue 21): one session of a room, from its first admission until the room is
 * empty (or its node stopped and nobody came back). Attendance and feedback hang off it.
 */
export interface MeetingRecord {
  id: string;
  roomId: RoomId;
  startedAt: number;
  /** Null while it runs. */
  endedAt: number | null;
  /** The last time its node said it was running (the pulse), or its end. */
  aliveAt: number;
}

/** What `AttendanceStore.begin` did: took up the room's running meeting, or started one. */
export interface BegunMeeting {
  id: string;
  continued: boolean;
}

/** One admitted peer's stay in a meeting: from its admission to its leave. */
export interface AttendanceInterval {
  peerId: PeerId;
  /** The person (`u:` account, `g:` guest, `p:` a socket with neither): a row of the report. */
  personKey: string;
  /** The name they joined with. */
  name: string;
  userId: string | null;
  /** The account's email and name now (null for a guest, or an account since deleted). */
  email: string | null;
  accountName: string | null;
  joinedAt: number;
  /** Null while they are in. */
  leftAt: number | null;
}

/** A meeting as its hosts' list shows it. */
export interface MeetingSummary extends MeetingRecord {
  /** Distinct people admitted. */
  attendees: number;
  ratings: number;
  /** Mean of the stars; null without ratings. */
  averageStars: number | null;
}

/** One person's rating of a meeting; who gave it is kept only to take one per person. */
export interface StoredFeedback {
  stars: number;
  comment: string | null;
  at: number;
}

/** A rating's comment in a room's series summary, with the meeting it is about. */
export interface SeriesComment extends StoredFeedback {
  comment: string;
  meetingId: string;
  meetingStartedAt: number;
}

/** Every kept meeting of a room as one series: a weekly scheduled meeting is one room. */
export interface SeriesFeedback {
  meetings: number;
  ratings: number;
  /** Mean of all the stars; null without ratings. */
  averageStars: number | null;
  /** Ratings with a comment, all of them (`latest` holds at most the limit asked for). */
  comments: number;
  /** The newest meeting's comments first, within a meeting the newest first. */
  latest: SeriesComment[];
}

/**
 * Meetings, who attended them and how they rated them (issue 21). Written by the node serving
 * the room (never from what a client says), kept RETENTION after the meeting ends
 * (`purge`), removed with the room.
 */
export interface AttendanceStore {
  /**
   * The room's meeting for its first admission on this node. A running one (heard from within
   * `goneMs`) goes on, after its intervals still open (left by a node that stopped) are closed
   * at its last pulse; a silent one is ended at its last pulse; otherwise `newId` starts at
   * `now`. One open meeting per room (a unique index).
   */
  begin(roomId: RoomId, newId: string, now: number, goneMs: number): Promise<BegunMeeting>;
  /** Opens the peer's interval at `joinedAt`; nothing when it has one open (idempotent). */
  arrive(
    meetingId: string,
    interval: Omit<AttendanceInterval, 'email' | 'accountName' | 'leftAt'>,
  ): Promise<void>;
  /** Closes the peer's open interval (every open one for null) at `at`, if it began by then. */
  depart(meetingId: string, peerId: PeerId | null, at: number): Promise<void>;
  /** Ends the meeting at `at`, closing what is still open. */
  end(meetingId: string, at: number): Promise<void>;
  /** The running meetings of these rooms were alive at `now` (one statement). */
  touch(roomIds: readonly RoomId[], now: number): Promise<void>;
  /** Ends up to `limit` meetings not heard from since `before`, at their last pulse. */
  endSilent(before: number, limit: number): Promise<number>;
  /** Deletes up to `limit` meetings that ended before `before`, with their rows. */
  purge(before: number, limit: number): Promise<number>;
  /** The room's meetings, the newest first. */
  meetings(roomId: RoomId, limit: number): Promise<MeetingSummary[]>;
  meeting(meetingId: string): Promise<MeetingRecord | undefined>;
  /** Every interval of the meeting, the earliest first. */
  intervals(meetingId: string): Promise<AttendanceInterval[]>;
  /** Stores a person's rating; false when they rated this meeting already (nothing written). */
  rate(meetingId: string, personKey: string, feedback: StoredFeedback): Promise<boolean>;
  /** The meeting's ratings, the earliest first. */
  feedback(meetingId: string): Promise<StoredFeedback[]>;
  /** The ratings of all the room's meetings, with at most `limit` comments. */
  seriesFeedback(roomId: RoomId, limit: number): Promise<SeriesFeedback>;
}
