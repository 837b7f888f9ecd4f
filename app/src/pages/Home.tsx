import { useState } from 'preact/hooks';
import { joinPathFromInput, navigate } from '../router.ts';
import { session } from '../auth/session.ts';
import { useSession } from '../auth/useSession.ts';
import { OfflineBanner } from '../ui/OfflineBanner.tsx';
import { useOnline } from '../ui/useOnline.ts';
import { CreateRoomForm } from './CreateRoomForm.tsx';
import { CreateTeamForm } from './CreateTeamForm.tsx';
import { YourRooms } from './YourRooms.tsx';
import { ScheduleSection } from '../schedule/ScheduleSection.tsx';
import { DeviceReminders } from '../push/DeviceReminders.tsx';
import { turnOffDevicePush } from '../push/devicePush.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

export function Home() {
  const online = useOnline();
  const { current, restoring } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [fetchFailed, setFetchFailed] = useState(false);
  const [link, setLink] = useState('');

  const onCreateError = (message: string | null, offline: boolean) => {
    setFetchFailed(offline);
    setError(message);
  };

  const onJoin = (e: Event) => {
    e.preventDefault();
    const path = joinPathFromInput(link);
    if (path) navigate(path);
    else setError('That does not look like a Parley link or room id.');
  };

  return (
    <main class="page home">
      {(!online || fetchFailed) && (
        <OfflineBanner reason="Creating or joining a room needs a connection." />
      )}
      <header class="home-header">
        <h1>Parley</h1>
        {!restoring && (
          <nav class="account" aria-label="Account">
            {current ? (
              <>
                <span class="muted">Signed in as {current.user.name}</span>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => background(signOut(), 'signing out')}
                >
                  Sign out
                </button>
              </>
            ) : (
              <>
                <a href="/signin" onClick={go('/signin')}>
                  Sign in
                </a>
                <a href="/signup" onClick={go('/signup')}>
                  Create account
                </a>
              </>
            )}
          </nav>
        )}
      </header>
      <p class="lead">Video meetings in your browser. No install, and no account needed.</p>
      <div class="create-forms">
        <CreateRoomForm onError={onCreateError} />
        <CreateTeamForm onError={onCreateError} />
      </div>
      <form class="join-form" onSubmit={onJoin}>
        <label for="join-link">Join by link</label>
        <div class="row">
          <input
            id="join-link"
            type="text"
            inputMode="url"
            autoComplete="off"
            placeholder="Paste a room or team link, or a room id"
            value={link}
            onInput={(e) => setLink(e.currentTarget.value)}
          />
          <button type="submit">Join</button>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {current && <ScheduleSection key={`schedule-${current.user.id}`} />}
      {current && <YourRooms key={current.user.id} />}
      {current && <DeviceReminders key={current.user.id} />}
    </main>
  );
}

/**
 * Signing out also stops this device's reminders for the account it leaves (a shared computer,
 * a phone handed on); done first, while the session can still tell the server.
 */
async function signOut(): Promise<void> {
  await turnOffDevicePush().catch((e: unknown) => log.warn('reminders not turned off', e));
  await session.signOut();
}

/** A same-site link handled by the history API instead of a page load. */
function go(path: string) {
  return (e: Event) => {
    e.preventDefault();
    navigate(path);
  };
}
