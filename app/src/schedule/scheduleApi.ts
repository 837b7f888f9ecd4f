import type {
  CalendarFeedResponse,
  ScheduleEdit,
  ScheduleRequest,
  ScheduledMeeting,
} from '@parley/protocol';
import { session } from '../auth/session.ts';
import { apiErrorOf } from '../auth/authState.ts';

/** The server's own words for a refusal (its `{error: {message}}`), else the status. */
async function failure(res: Response): Promise<Error> {
  const body: unknown = await res.json().catch(() => null);
  return new Error(apiErrorOf(body)?.message ?? `HTTP ${res.status}`);
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await session.authFetch(path, {
    cache: 'no-store',
    ...init,
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
  });
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const one = (id: string) => `/api/schedule/${encodeURIComponent(id)}`;

/** `POST /api/schedule`: the meeting, with its room made and its link. */
export const scheduleMeeting = (request: ScheduleRequest) =>
  call<ScheduledMeeting>('/api/schedule', { method: 'POST', body: JSON.stringify(request) });

/** `GET /api/schedule`: own and invited meetings not over yet, the next first. */
export const fetchUpcoming = async () =>
  (await call<{ meetings: ScheduledMeeting[] }>('/api/schedule')).meetings;

/** `GET /api/schedule/<id>`: as it is now, with its room's door for the organiser. */
export const fetchMeeting = (id: string) => call<ScheduledMeeting>(one(id));

export const editMeeting = (id: string, edit: ScheduleEdit) =>
  call<ScheduledMeeting>(one(id), { method: 'PATCH', body: JSON.stringify(edit) });

export const cancelMeeting = (id: string) => call<void>(one(id), { method: 'DELETE' });

/** A new private calendar feed URL (the previous one stops working). */
export const newCalendarFeed = async () =>
  (await call<CalendarFeedResponse>('/api/calendar/feed', { method: 'POST' })).url;

export const revokeCalendarFeed = () => call<void>('/api/calendar/feed', { method: 'DELETE' });

/**
 * Saves the meeting's .ics. It needs the bearer in a header, which a plain link cannot send:
 * fetched, then saved through an object URL.
 */
export async function downloadIcs(m: ScheduledMeeting): Promise<void> {
  const res = await session.authFetch(`${one(m.id)}/meeting.ics`, { cache: 'no-store' });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${m.title.replace(/[^\w -]+/g, '').trim() || 'meeting'}.ics`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
