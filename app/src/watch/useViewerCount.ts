import { useEffect, useState } from 'preact/hooks';
import { fetchBroadcastStatus } from './watchApi.ts';

/** How often the host's count of viewers is asked for while on air. */
const POLL_MS = 10_000;

/**
 * How many people watch the broadcast (issue 19: the host never saw it), asked of the server
 * every 10 s while `on`; null before the first answer, when off air, or when it fails.
 */
export function useViewerCount(
  broadcastId: string | null,
  token: string | null,
  on: boolean,
): number | null {
  const [viewers, setViewers] = useState<number | null>(null);
  useEffect(() => {
    if (!on || !broadcastId) {
      setViewers(null);
      return;
    }
    let stopped = false;
    const ask = () => {
      fetchBroadcastStatus(broadcastId, token).then(
        (status) => {
          if (!stopped) setViewers(status === 'not-found' ? null : status.viewers);
        },
        () => undefined, // a missed poll keeps the last count; the next one tries again
      );
    };
    ask();
    const timer = setInterval(ask, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [broadcastId, token, on]);
  return viewers;
}
