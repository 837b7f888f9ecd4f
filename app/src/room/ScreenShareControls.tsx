import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { canShareScreen } from '../call/local/media.ts';
import { background } from '../util/background.ts';
import { ariaKeys } from './shortcuts.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/**
 * Share screen / Stop sharing (hosts allow or forbid it in the room settings). Not offered
 * where the browser cannot capture a screen (phones).
 */
export function ScreenShareControls({ controller, snap }: Props) {
  if (!snap.sharing && !canShareScreen()) return null;
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
        <button
          type="button"
          aria-keyshortcuts={ariaKeys('share')}
          onClick={() => background(controller.startScreenShare(), 'starting the screen share')}
        >
          Share screen
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
