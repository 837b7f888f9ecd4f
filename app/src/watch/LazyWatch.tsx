import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

interface WatchPageProps {
  roomId: string;
}

/** `/watch/<id>` is its own chunk (and hls.js another): the home page never fetches them. */
export function LazyWatch({ roomId }: WatchPageProps) {
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
  return <Page roomId={roomId} />;
}
