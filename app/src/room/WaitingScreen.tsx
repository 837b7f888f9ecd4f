import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { Video } from './Video.tsx';
import { MediaButtons } from './MediaButtons.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { RECORDING_CONSENT, useRoomStatus } from './useRoomStatus.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Held in the waiting room: our place in line, the preview, and a way out. */
export function WaitingScreen({ controller, snap }: Props) {
  const { recording: recorded, title } = useRoomStatus(controller.roomId);
  usePageTitle(`Waiting room - ${title ?? 'Parley'}`);
  return (
    <section class="prejoin waiting" aria-label="Waiting room">
      <div class="preview">
        {snap.local.hasVideo ? (
          <Video
            stream={controller.localStream()}
            self
            label="Your preview video"
            epoch={snap.streamEpoch}
          />
        ) : (
          <div class="video placeholder">No camera</div>
        )}
      </div>
      <div class="prejoin-form">
        <h1 class="waiting-title">Waiting room</h1>
        <p role="status" class="waiting-status">
          {snap.hostPresent
            ? `Waiting for the host to let you in — you are number ${snap.waitingPosition ?? 1} in line.`
            : 'No host is in the meeting yet.'}
        </p>
        <p class="muted hint">
          {snap.hostPresent
            ? 'You will join as soon as a host admits you.'
            : 'Stay on this page: you will be let in once a host arrives and admits you.'}
        </p>
        {recorded && (
          <p class="recording-consent" role="status">
            <span class="dot" aria-hidden="true" /> {RECORDING_CONSENT}
          </p>
        )}
        <div class="row">
          <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
        </div>
        <button type="button" class="danger" onClick={() => controller.leave()}>
          Leave
        </button>
      </div>
    </section>
  );
}
