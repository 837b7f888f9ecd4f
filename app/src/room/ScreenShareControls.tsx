import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { background } from '../util/background.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Share screen / Stop sharing (hosts allow or forbid it in the room settings). */
export function ScreenShareControls({ controller, snap }: Props) {
  return (
    <>
      {snap.sharing ? (
        <button
          type="button"
          class="off"
          onClick={() => background(controller.stopScreenShare(), 'stopping the screen share')}
        >
          Stop sharing
        </button>
      ) : (
        <button
          type="button"
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
