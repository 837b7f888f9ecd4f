import type { PushPayload } from '@parley/protocol';
import type { MeetingNotice } from '../notices/channel.ts';

/** A notification's title is one line on a lock screen: longer ones are cut with an ellipsis. */
const TITLE_MAX = 100;
/** What a push service must keep an undelivered message for, at least and at most (seconds). */
const TTL_MIN_S = 60;
const TTL_MAX_S = 28 * 24 * 3600;

const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** The occurrence's start in the zone it was scheduled in, zone named: "Mon, 7 Dec, 14:00 CET". */
export function startOf(notice: MeetingNotice): string {
  const { startsAt, timeZone } = notice.meeting;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(startsAt);
}

/** What the notification says, and the room a click opens. */
export function pushPayloadOf(notice: MeetingNotice): PushPayload {
  const { title, organiser, url } = notice.meeting;
  const when = startOf(notice);
  const text = {
    invitation: { title: `Invitation: ${title}`, body: `${organiser} invites you, ${when}` },
    updated: { title: `Changed: ${title}`, body: `Now ${when}` },
    cancelled: { title: `Cancelled: ${title}`, body: `${organiser} cancelled ${when}` },
    uninvited: { title: `Cancelled: ${title}`, body: `${organiser} took you off ${when}` },
    reminder: { title, body: `Starts ${when}` },
  }[notice.kind];
  return { title: cut(text.title, TITLE_MAX), body: text.body, url };
}

/**
 * How long a push service keeps the message for a device that is off (seconds): until the
 * occurrence ends, after which no notice about it is worth showing; at least a minute.
 */
export function ttlOf(notice: MeetingNotice, now: number): number {
  const { startsAt, durationMin } = notice.meeting;
  const left = Math.ceil((startsAt + durationMin * 60_000 - now) / 1000);
  return Math.min(TTL_MAX_S, Math.max(TTL_MIN_S, left));
}
