import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useRoute } from './router.ts';
import { Home } from './pages/Home.tsx';
import { UpdatePrompt } from './pwa/UpdatePrompt.tsx';
import { LazyWatch } from './watch/LazyWatch.tsx';

interface RoomPageProps {
  roomId: string;
}

/**
 * The room page (camera, simple-peer, chat) is a separate chunk so the home page stays small:
 * it is fetched only when a room is opened.
 */
function LazyRoom({ roomId }: RoomPageProps) {
  const [Page, setPage] = useState<ComponentType<RoomPageProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./room/RoomPage.tsx').then(
      (m) => setPage(() => m.RoomPage),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p role="alert">The call page could not be loaded. Check your network.</p>;
  if (!Page) return <p class="muted">Loading the room…</p>;
  return <Page roomId={roomId} />;
}

export function App() {
  const route = useRoute();
  return (
    <>
      <UpdatePrompt />
      {route.name === 'home' && <Home />}
      {route.name === 'room' && <LazyRoom key={route.roomId} roomId={route.roomId} />}
      {route.name === 'watch' && <LazyWatch key={route.roomId} roomId={route.roomId} />}
    </>
  );
}
