import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { useState } from 'preact/hooks';
import { canShareScreen, savedScreenHint } from '../call/local/media.ts';
import { background } from '../util/background.ts';
import { ariaKeys } from './shortcuts.ts';
import { isModerator } from '../call/features/moderation/lobbyState.ts';

const SHARE_OFF = 'The host turned off screen sharing for guests.';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/**
 * Share screen / Stop sharing (hosts allow or forbid it in the room settings). Not offered
 * where the browser cannot capture a screen (phones). While sharing, "Optimize for video"
 * trades sharpness for a smooth 30 fps (media.ts ScreenHint); the choice is kept for the next
 * share.
 */
export function ScreenShareControls({ controller, snap }: Props) {
  const [motion, setMotion] = useState(() => savedScreenHint() === 'motion');
  if (!snap.sharing && !canShareScreen()) return null;
  // A guest sees the restriction before pressing (issue 19), not as a refusal after.
  const forbidden = !snap.settings.screenShare && !isModerator(snap.role);
  return (
    <>
      {snap.sharing ? (
        <button
          type="button"
          class="off"
          aria-keyshortcuts={ariaKeys('share')}
          onClick={() => background(controller.stopScreenShare(), 'stopping the screen share')}
        >
          Stop sharing
        </button>
      ) : (
        <>
          <button
            type="button"
            aria-keyshortcuts={ariaKeys('share')}
            aria-disabled={forbidden}
            aria-describedby={forbidden ? 'share-off-reason' : undefined}
            title={forbidden ? SHARE_OFF : undefined}
            onClick={() => {
              if (!forbidden) {
                background(controller.startScreenShare(), 'starting the screen share');
              }
            }}
          >
            Share screen
          </button>
          {forbidden && (
            <span id="share-off-reason" class="visually-hidden">
              {SHARE_OFF}
            </span>
          )}
        </>
      )}
      {snap.sharing && (
        <button
          type="button"
          aria-pressed={motion}
          title="Smooth motion for a video; off: sharp text at a lower frame rate"
          onClick={() => {
            setMotion(!motion);
            background(
              controller.setScreenHint(motion ? 'detail' : 'motion'),
              'switching the screen share between motion and detail',
            );
          }}
        >
          Optimize for video
        </button>
      )}
      {snap.screenNotice && (
        <p class="warning" role="alert">
          {snap.screenNotice}
        </p>
      )}
    </>
  );
}
