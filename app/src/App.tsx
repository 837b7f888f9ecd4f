import { useRoute } from './router.ts';
import { Home } from './pages/Home.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { UpdatePrompt } from './pwa/UpdatePrompt.tsx';
import { LazyWatch } from './watch/LazyWatch.tsx';
import { lazyPage } from './ui/lazyPage.tsx';

/**
 * The room page (camera, simple-peer, chat) is a separate chunk so the home page stays small:
 * it is fetched only when a room is opened. So are the sign-in and sign-up forms.
 */
const LazyRoom = lazyPage(
  () => loadWithoutEval(() => import('./room/RoomPage.tsx')).then((m) => m.RoomPage),
  {
    loading: 'Loading the room…',
    failed: 'The call page could not be loaded. Check your network.',
  },
);

/**
 * Loads a page whose modules build the protocol's schemas only once zod parses without `eval`
 * (`@parley/protocol/csp`): otherwise its probe breaks the Content-Security-Policy (issue 14).
 */
async function loadWithoutEval<T>(load: () => Promise<T>): Promise<T> {
  (await import('@parley/protocol/csp')).parseWithoutEval();
  return load();
}

/** A walkie-talkie team's page (issue 16): mediasoup-client and WebAudio, its own chunk. */
const LazyTeam = lazyPage(
  () => loadWithoutEval(() => import('./team/TeamPage.tsx')).then((m) => m.TeamPage),
  {
    loading: 'Loading the team…',
    failed: 'The team page could not be loaded. Check your network.',
  },
);

/** A room's recordings (issue 18), for its hosts: a small page of its own. */
const LazyRecordings = lazyPage(
  () => import('./recordings/RecordingsPage.tsx').then((m) => m.RecordingsPage),
  {
    loading: 'Loading the recordings…',
    failed: 'The recordings page could not be loaded. Check your network.',
  },
);

/** A room's meetings: attendance and ratings (issue 21), for its hosts. */
const LazyMeetings = lazyPage(
  () => import('./meetings/MeetingsPage.tsx').then((m) => m.MeetingsPage),
  {
    loading: 'Loading the meetings…',
    failed: 'The meetings page could not be loaded. Check your network.',
  },
);

/** Password reset (issue 21): asking for the mail, and the page its link opens. */
const passwordResetPages = () => import('./pages/PasswordResetPages.tsx');
const RESET_PAGE_TEXT = {
  loading: 'Loading…',
  failed: 'This page could not be loaded. Check your network.',
};
const LazyForgotPassword = lazyPage(
  () => passwordResetPages().then((m) => m.ForgotPasswordPage),
  RESET_PAGE_TEXT,
);
const LazyResetPassword = lazyPage(
  () => passwordResetPages().then((m) => m.ResetPasswordPage),
  RESET_PAGE_TEXT,
);

const LazyAuth = lazyPage(() => import('./pages/AuthPage.tsx').then((m) => m.AuthPage), {
  loading: 'Loading…',
  failed: 'This page could not be loaded. Check your network.',
});

export function App() {
  const route = useRoute();
  return (
    <>
      <UpdatePrompt />
      {route.name === 'home' && <Home />}
      {route.name === 'notFound' && <NotFound key={route.what} what={route.what} />}
      {(route.name === 'signin' || route.name === 'signup') && (
        <LazyAuth key={route.name} mode={route.name} />
      )}
      {route.name === 'forgotPassword' && <LazyForgotPassword />}
      {route.name === 'resetPassword' && <LazyResetPassword />}
      {route.name === 'room' && <LazyRoom key={route.roomId} roomId={route.roomId} />}
      {route.name === 'recordings' && <LazyRecordings key={route.roomId} roomId={route.roomId} />}
      {route.name === 'meetings' && <LazyMeetings key={route.roomId} roomId={route.roomId} />}
      {route.name === 'team' && <LazyTeam key={route.teamId} teamId={route.teamId} />}
      {route.name === 'watch' && (
        <LazyWatch key={route.broadcastId} broadcastId={route.broadcastId} />
      )}
    </>
  );
}
