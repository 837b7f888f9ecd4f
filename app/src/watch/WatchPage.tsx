import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import { navigate } from '../router.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { QualityMenu } from './QualityMenu.tsx';
import { WatchController } from './WatchController.ts';
import { tokenFromUrl } from './watchApi.ts';
import type { WatchSnapshot } from './watchState.ts';
import { background } from '../util/background.ts';
import './watch.css';

/**
 * `/watch/<broadcastId>`: the broadcast for viewers, without joining the call. The id is the
 * broadcast's, not the room's: nothing on this page leads to the meeting.
 */
export function WatchPage({ broadcastId }: { broadcastId: string }) {
  const controller = useMemo(
    () => new WatchController(broadcastId, tokenFromUrl(location.search)),
    [broadcastId],
  );
  const [snap, setSnap] = useState(controller.snapshot);
  const videoRef = useRef<HTMLVideoElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  // "Weekly sync - Live broadcast - Parley": the meeting first, as in a list of tabs.
  const what = snap.phase === 'playing' ? 'Live broadcast' : 'Broadcast';
  usePageTitle(`${snap.title ? `${snap.title} - ` : ''}${what} - Parley`);

  useEffect(() => {
    const unsubscribe = controller.subscribe(setSnap);
    if (videoRef.current) controller.attach(videoRef.current);
    return () => {
      unsubscribe();
      controller.dispose();
    };
  }, [controller]);

  const showVideo = snap.phase === 'starting' || snap.phase === 'playing';
  return (
    <main class="page watch">
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
        {snap.viewers !== null && snap.phase !== 'not-found' && (
          <span class="watch-viewers" aria-live="polite">
            {snap.viewers} watching
          </span>
        )}
      </header>
      <div class="watch-heading">
        <h1>{snap.title ?? 'Broadcast'}</h1>
        {snap.phase === 'playing' && snap.showing && (
          <p class="watch-showing">On screen: {snap.showing}</p>
        )}
      </div>
      <div ref={stageRef} class={showVideo ? 'watch-stage' : 'watch-stage hidden'}>
        {/* Always mounted: the controller keeps one element for the page's lifetime. */}
        <video
          ref={videoRef}
          class="watch-video"
          muted
          autoplay
          playsInline
          aria-label="Broadcast"
        />
        {showVideo && (
          <LiveBar snap={snap} controller={controller} video={videoRef} stage={stageRef} />
        )}
      </div>
      <p role="status" class={snap.recording ? 'recording-consent' : 'visually-hidden'}>
        {snap.recording && 'The meeting behind this broadcast is being recorded.'}
      </p>
      {snap.notice && (
        <p role="status" class="watch-notice">
          {snap.notice}
        </p>
      )}
      <StateMessage snap={snap} />
    </main>
  );
}

interface LiveBarProps {
  snap: WatchSnapshot;
  controller: WatchController;
  video: RefObject<HTMLVideoElement>;
  stage: RefObject<HTMLDivElement>;
}

/**
 * Under the picture: live or behind, Jump to live, sound (Mute and a volume slider), the
 * quality where the broadcast has several (issue 20), full screen and picture-in-picture where
 * the browser has them (issue 19).
 */
function LiveBar({ snap, controller, video, stage }: LiveBarProps) {
  const live = snap.phase === 'playing' && snap.atLiveEdge && !snap.buffering;
  const fullscreen = useFullscreen(stage);
  return (
    <div class="watch-bar">
      {live && <span class="live-badge">LIVE</span>}
      {snap.phase === 'starting' && <span class="muted">Connecting to the broadcast…</span>}
      {snap.phase === 'playing' && snap.buffering && <span class="muted">Buffering…</span>}
      {snap.phase === 'playing' && snap.behindS !== null && (
        <span class="muted watch-behind">{snap.behindS} s behind live</span>
      )}
      <span class="watch-spacer" />
      {snap.canJumpToLive && (
        <button type="button" onClick={() => controller.jumpToLive()}>
          Jump to live
        </button>
      )}
      {snap.needsTap ? (
        <button type="button" class="primary" onClick={() => controller.play()}>
          Play
        </button>
      ) : (
        <>
          <button type="button" onClick={() => controller.toggleMute()}>
            {snap.muted ? 'Unmute' : 'Mute'}
          </button>
          <input
            type="range"
            class="watch-volume"
            min={0}
            max={1}
            step={0.05}
            value={snap.muted ? 0 : snap.volume}
            aria-label="Volume"
            aria-valuetext={`${Math.round((snap.muted ? 0 : snap.volume) * 100)} %`}
            onInput={(e) => controller.setVolume(Number(e.currentTarget.value))}
          />
        </>
      )}
      <QualityMenu
        qualities={snap.qualities}
        quality={snap.quality}
        playingHeight={snap.playingHeight}
        onChoose={(quality) => controller.setQuality(quality)}
      />
      {document.pictureInPictureEnabled && (
        <button
          type="button"
          onClick={() =>
            background(
              document.pictureInPictureElement
                ? document.exitPictureInPicture()
                : (video.current?.requestPictureInPicture() ?? Promise.resolve()),
              'watch: picture-in-picture',
            )
          }
        >
          Picture-in-picture
        </button>
      )}
      {document.fullscreenEnabled && (
        <button type="button" aria-pressed={fullscreen} onClick={() => toggleFullscreen(stage)}>
          Full screen
        </button>
      )}
    </div>
  );
}

/** Whether `el` is the page's full-screen element now. */
function useFullscreen(el: RefObject<HTMLElement>): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const sync = () =>
      setOn(document.fullscreenElement !== null && document.fullscreenElement === el.current);
    document.addEventListener('fullscreenchange', sync);
    return () => document.removeEventListener('fullscreenchange', sync);
  }, [el]);
  return on;
}

function toggleFullscreen(el: RefObject<HTMLElement>): void {
  const target = el.current;
  if (!target) return;
  background(
    document.fullscreenElement ? document.exitFullscreen() : target.requestFullscreen(),
    'watch: full screen',
  );
}

const MESSAGES: Partial<Record<WatchSnapshot['phase'], string>> = {
  loading: 'Looking for the broadcast…',
  'not-found': 'This broadcast does not exist.',
  waiting: 'The broadcast has not started yet. It will play here as soon as it does.',
  ended: 'The broadcast has ended.',
  unsupported: 'This browser cannot play the broadcast. Try a current Chrome, Firefox or Safari.',
};

function StateMessage({ snap }: { snap: WatchSnapshot }) {
  const text = MESSAGES[snap.phase];
  if (!text) return null;
  const alert = snap.phase === 'not-found' || snap.phase === 'unsupported';
  return (
    <section class="notice-page">
      <p role={alert ? 'alert' : 'status'}>{text}</p>
      {(snap.phase === 'not-found' || snap.phase === 'ended') && (
        <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          Back to Parley
        </a>
      )}
    </section>
  );
}
