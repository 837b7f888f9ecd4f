import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Share screen / Stop sharing, and for the host the room's "Allow screen sharing" switch. */
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
      {snap.role === 'host' && (
        <label class="toggle">
          <input
            type="checkbox"
            checked={snap.settings.screenShare}
            onChange={(e) => controller.setScreenShareAllowed(e.currentTarget.checked)}
          />
          Allow screen sharing
        </label>
      )}
      {snap.screenNotice && (
        <p class="warning" role="alert">
          {snap.screenNotice}
        </p>
      )}
    </>
  );
}
