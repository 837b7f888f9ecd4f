import { useEffect, useMemo, useState } from 'preact/hooks';
import { CallController } from '../call/CallController.ts';
import type { JoinCredentials } from '../call/session/Admission.ts';
import { browserDeviceId } from '../call/session/Admission.ts';
import { removalMessage } from '../call/session/admissionState.ts';
import { installDebugHook } from '../call/debugHook.ts';
import { loadHostKey } from '../api.ts';
import { session } from '../auth/session.ts';
import { FeedbackPrompt } from '../feedback/FeedbackPrompt.tsx';
import { navigate } from '../router.ts';
import { NotFound } from '../pages/NotFound.tsx';
import { OfflineBanner } from '../ui/OfflineBanner.tsx';
import { useOnline } from '../ui/useOnline.ts';
import { useCallSnapshot } from './useCallSnapshot.ts';
import { ShareLink } from './ShareLink.tsx';
import { PreJoin } from './PreJoin.tsx';
import { CallView } from './CallView.tsx';
import { AudioOutput } from './Video.tsx';
import { WaitingScreen } from './WaitingScreen.tsx';
import { background } from '../util/background.ts';
import { pageSizeFor } from './grid.ts';
import { useRoomCheck } from './roomCheck.ts';

/** Who we are to the server: the creator's host key, this browser's id, the signed-in user. */
function credentials(roomId: string): JoinCredentials {
  return {
    hostKey: loadHostKey(roomId),
    deviceId: browserDeviceId(),
    accessToken: () => session.accessToken(),
    refreshAccessToken: async () => (await session.refresh())?.accessToken ?? null,
  };
}

/** The other people's videos on the grid's first page (our own tile is on it too). */
function firstPageVideos(): number {
  return pageSizeFor(window.innerWidth) - 1;
}

/**
 * `/r/<roomId>`: pre-join, then the call. Lazy-loaded (it brings simple-peer). The server is
 * asked first whether the room exists: a link that leads nowhere opens neither the camera nor
 * the call's socket.
 */
export function RoomPage({ roomId }: { roomId: string }) {
  const check = useRoomCheck(roomId);
  const online = useOnline();
  const [passwordFirst, setPasswordFirst] = useState(false);
  if (check === 'checking') {
    return (
      <main class="page room">
        {!online && <OfflineBanner />}
        <p class="muted">Loading the room…</p>
      </main>
    );
  }
  if (check === 'not-found' && !passwordFirst) {
    return <NotFound what="meeting" onPassword={() => setPasswordFirst(true)} />;
  }
  return <Room roomId={roomId} passwordFirst={passwordFirst} />;
}

/** The room's screens once its link is known to lead somewhere (or could not be checked). */
function Room({ roomId, passwordFirst }: { roomId: string; passwordFirst: boolean }) {
  const controller = useMemo(
    () => new CallController(roomId, credentials(roomId), firstPageVideos),
    [roomId],
  );
  const snap = useCallSnapshot(controller);
  const online = useOnline();

  useEffect(() => {
    background(controller.startPreview(), 'starting the preview');
    const removeHook = installDebugHook(controller);
    return () => {
      removeHook();
      controller.dispose();
    };
  }, [controller]);

  const inCall = snap.phase === 'in-call' || snap.phase === 'reconnecting';
  return (
    <main class={inCall ? 'page room in-call' : 'page room'}>
      {!online && <OfflineBanner />}
      <header class="room-header">
        <a
          href="/"
          class="brand"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          Parley
        </a>
        <ShareLink roomId={roomId} />
      </header>
      {(snap.phase === 'preview' || snap.phase === 'joining') && (
        <PreJoin
          controller={controller}
          snap={snap}
          online={online}
          passwordFirst={passwordFirst}
        />
      )}
      {snap.phase === 'waiting' && <WaitingScreen controller={controller} snap={snap} />}
      {inCall && (
        <AudioOutput.Provider value={snap.selected.output}>
          <CallView controller={controller} snap={snap} />
        </AudioOutput.Provider>
      )}
      {snap.phase === 'left' && (
        <section class="notice-page">
          <p role="status">You left the call.</p>
          {snap.feedback && <FeedbackPrompt feedback={snap.feedback} />}
          <button type="button" onClick={() => controller.restart()}>
            Rejoin
          </button>
          {snap.role === 'host' && (
            <>
              <a
                href={`/r/${roomId}/recordings`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/r/${roomId}/recordings`);
                }}
              >
                The room's recordings
              </a>
              <a
                href={`/r/${roomId}/meetings`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/r/${roomId}/meetings`);
                }}
              >
                Attendance and feedback
              </a>
            </>
          )}
        </section>
      )}
      {snap.phase === 'removed' && snap.removal && (
        <section class="notice-page">
          <p role="alert" class="removed">
            {removalMessage(snap.removal)}
          </p>
          {snap.removal.reason === 'ended' && snap.feedback && (
            <FeedbackPrompt feedback={snap.feedback} />
          )}
          {snap.removal.reason === 'replaced' && (
            <button type="button" class="primary" onClick={() => controller.restart()}>
              Join here instead
            </button>
          )}
          <button
            type="button"
            class={snap.removal.reason === 'replaced' ? '' : 'primary'}
            onClick={() => navigate('/')}
          >
            Back to home
          </button>
        </section>
      )}
      {snap.phase === 'failed' && (
        <section class="notice-page">
          <p role="alert" class="error">
            {snap.error}
          </p>
          {snap.rejoinable && (
            <button type="button" class="primary" onClick={() => controller.rejoinAfterFailure()}>
              Rejoin
            </button>
          )}
          <button type="button" onClick={() => navigate('/')}>
            Back to home
          </button>
        </section>
      )}
    </main>
  );
}
