import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

interface WatchPageProps {
  broadcastId: string;
}

/** `/watch/<id>` is its own chunk (and hls.js another): the home page never fetches them. */
export function LazyWatch({ broadcastId }: WatchPageProps) {
  const [Page, setPage] = useState<ComponentType<WatchPageProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./WatchPage.tsx').then(
      (m) => setPage(() => m.WatchPage),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p role="alert">The viewer page could not be loaded. Check your network.</p>;
  if (!Page) return <p class="muted">Loading the broadcast…</p>;
  return <Page broadcastId={broadcastId} />;
}
