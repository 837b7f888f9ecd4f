import { LIMITS } from '@parley/protocol';
import type { FeedbackRequest } from '@parley/protocol';

const asked = (meetingId: string) => `parley:feedback-asked:${meetingId}`;

/** Whether this browser was asked about the meeting already (rated or skipped): ask once. */
export function wasAsked(meetingId: string): boolean {
  try {
    return localStorage.getItem(asked(meetingId)) !== null;
  } catch {
    return false;
  }
}

export function markAsked(meetingId: string): void {
  try {
    localStorage.setItem(asked(meetingId), String(Date.now()));
  } catch {
    // Storage off (private mode): the prompt may come back after a rejoin, nothing worse.
  }
}

export const COMMENT_MAX = LIMITS.FEEDBACK_COMMENT_MAX;

/** `POST /api/feedback`: `stored`, or `already` when this person rated this meeting before. */
export async function sendFeedback(request: FeedbackRequest): Promise<'stored' | 'already'> {
  const res = await fetch('/api/feedback', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (res.status === 201) return 'stored';
  if (res.status === 409) return 'already';
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
}
