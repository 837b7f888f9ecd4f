import type { MeetingReport, MeetingSummary, SeriesFeedback } from '@parley/protocol';
import { hostFetch } from '../recordings/recordingsApi.ts';

/** The server said this browser may not see the room's meetings. */
export class NotHostError extends Error {}

async function failure(res: Response): Promise<Error> {
  if (res.status === 401 || res.status === 403 || res.status === 404) {
    return new NotHostError(`HTTP ${res.status}`);
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return new Error(body?.error?.message ?? `HTTP ${res.status}`);
}

const base = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}/meetings`;

/** `GET /api/rooms/<id>/meetings`, the newest first. */
export async function fetchMeetings(roomId: string): Promise<MeetingSummary[]> {
  const res = await hostFetch(roomId, base(roomId));
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { meetings?: unknown };
  if (!Array.isArray(body.meetings)) throw new Error('unexpected reply');
  return body.meetings as MeetingSummary[];
}

/** `GET /api/rooms/<id>/meetings/<meetingId>`: its attendees and ratings. */
export async function fetchReport(roomId: string, meetingId: string): Promise<MeetingReport> {
  const res = await hostFetch(roomId, `${base(roomId)}/${encodeURIComponent(meetingId)}`);
  if (!res.ok) throw await failure(res);
  return (await res.json()) as MeetingReport;
}

/** `GET /api/rooms/<id>/feedback`: every meeting's ratings as one series, with the comments. */
export async function fetchSeries(roomId: string): Promise<SeriesFeedback> {
  const res = await hostFetch(roomId, `/api/rooms/${encodeURIComponent(roomId)}/feedback`);
  if (!res.ok) throw await failure(res);
  return (await res.json()) as SeriesFeedback;
}

/**
 * Downloads the attendance CSV. It needs the host's credentials in headers, which a plain link
 * cannot send: fetched, then saved through an object URL.
 */
export async function downloadAttendance(roomId: string, meetingId: string): Promise<void> {
  const path = `${base(roomId)}/${encodeURIComponent(meetingId)}/attendance.csv`;
  const res = await hostFetch(roomId, path);
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `attendance-${meetingId}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
