import type { RecordingInfo, RecordingLinks } from '@parley/protocol';
import { loadHostKey } from '../api.ts';
import { session } from '../auth/session.ts';

/** The server said this browser may not see the room's recordings. */
export class NotHostError extends Error {}

/**
 * A request as the room's host: its host key (the creator's browser) in `X-Host-Key`, and the
 * signed-in account's bearer (the owner's, from any browser).
 */
export function hostFetch(roomId: string, path: string, init: RequestInit = {}): Promise<Response> {
  const key = loadHostKey(roomId);
  const headers = { ...(key ? { 'X-Host-Key': key } : {}) };
  const withKey = { ...init, headers, cache: 'no-store' as const };
  return session.current ? session.authFetch(path, withKey) : fetch(path, withKey);
}

async function failure(res: Response): Promise<Error> {
  if (res.status === 401 || res.status === 404) return new NotHostError(`HTTP ${res.status}`);
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return new Error(body?.error?.message ?? `HTTP ${res.status}`);
}

/** `GET /api/rooms/<id>/recordings`, the newest first. */
export async function fetchRecordings(roomId: string): Promise<RecordingInfo[]> {
  const res = await hostFetch(roomId, `/api/rooms/${encodeURIComponent(roomId)}/recordings`);
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { recordings?: unknown };
  if (!Array.isArray(body.recordings)) throw new Error('unexpected reply');
  return body.recordings as RecordingInfo[];
}

/** `POST /api/recordings/<id>/links`: signed download links, valid for an hour. */
export async function recordingLinks(roomId: string, id: string): Promise<RecordingLinks> {
  const res = await hostFetch(roomId, `/api/recordings/${id}/links`, { method: 'POST' });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as RecordingLinks;
}

/** `DELETE /api/recordings/<id>`. */
export async function deleteRecording(roomId: string, id: string): Promise<void> {
  const res = await hostFetch(roomId, `/api/recordings/${id}`, { method: 'DELETE' });
  if (!res.ok) throw await failure(res);
}
