import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Share screen / Stop sharing (hosts allow or forbid it in the room settings). */
export function ScreenShareControls({ controller, snap }: Props) {
  return (
    <>
      {snap.sharing ? (
        <button type="button" class="off" onClick={() => void controller.stopScreenShare()}>
          Stop sharing
        </button>
      ) : (
        <button type="button" onClick={() => void controller.startScreenShare()}>
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
