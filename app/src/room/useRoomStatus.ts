import { useEffect, useState } from 'preact/hooks';
import { background } from '../util/background.ts';

/** How often the pre-join and waiting screens ask whether the meeting is being recorded. */
const POLL_MS = 5_000;

/**
 * Whether the room's meeting is being recorded (`GET /api/rooms/<id>` says `recording`), asked
 * now and every few seconds while mounted: someone about to join is told before they are seen.
 */
export function useRoomRecording(roomId: string): boolean {
  const [recording, setRecording] = useState(false);
  useEffect(() => {
    let stopped = false;
    const ask = async (): Promise<void> => {
      try {
        const res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}`, { cache: 'no-store' });
        // Read to its end either way: an unread body keeps the request open in Chromium.
        const body = res.ok ? ((await res.json()) as { recording?: unknown }) : {};
        if (!res.ok) await res.arrayBuffer();
        if (!stopped) setRecording(body.recording === true);
      } catch {
        // Offline: the call screen shows the indicator once joined.
      }
    };
    background(ask(), 'asking whether the room records');
    const timer = setInterval(() => background(ask(), 'asking whether the room records'), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [roomId]);
  return recording;
}

/** The consent line, the same words wherever it shows. */
export const RECORDING_CONSENT =
  'This meeting is being recorded. By joining, you agree to appear in the recording.';
