import { useEffect, useState } from 'preact/hooks';
import { background } from '../util/background.ts';

/** How often the pre-join and waiting screens ask whether the meeting is being recorded. */
const POLL_MS = 5_000;

/** What the screens before the call show of the meeting. */
export interface RoomGlance {
  /** The meeting is being recorded: someone about to join is told before they are seen. */
  recording: boolean;
  /** The meeting's title, when its creator gave it one. */
  title: string | null;
}

const UNKNOWN: RoomGlance = { recording: false, title: null };

/** `GET /api/rooms/<id>`, asked now and every few seconds while mounted. */
export function useRoomStatus(roomId: string): RoomGlance {
  const [glance, setGlance] = useState(UNKNOWN);
  useEffect(() => {
    let stopped = false;
    const ask = async (): Promise<void> => {
      try {
        const res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}`, { cache: 'no-store' });
        // Read to its end either way: an unread body keeps the request open in Chromium.
        const body = res.ok ? ((await res.json()) as { recording?: unknown; title?: unknown }) : {};
        if (!res.ok) await res.arrayBuffer();
        const recording = body.recording === true;
        const title = typeof body.title === 'string' ? body.title : null;
        if (!stopped) {
          setGlance((was) =>
            was.recording === recording && was.title === title ? was : { recording, title },
          );
        }
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
  return glance;
}

/** The consent line, the same words wherever it shows. */
export const RECORDING_CONSENT =
  'This meeting is being recorded. By joining, you agree to appear in the recording.';
