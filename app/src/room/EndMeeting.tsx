import { useState } from 'preact/hooks';
import { background } from '../util/background.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

interface Props {
  /** On air now: ending stops the broadcast too, and the dialog says so. */
  live: boolean;
  /** Being recorded now: ending finishes the recording, and the dialog says so. */
  recording: boolean;
  onEnd(): Promise<boolean>;
}

/** What ending the meeting does, all of it (issue 19: the confirmation says what else happens). */
export function endText(live: boolean, recording: boolean): string {
  const also = [
    live ? 'The broadcast stops for its viewers.' : '',
    recording ? 'The recording stops and is kept.' : '',
  ];
  return ['Everyone is disconnected, including anyone in the waiting room.', ...also]
    .filter(Boolean)
    .join(' ');
}

/** Host only: "End meeting for all", confirmed in a modal dialog (Cancel has the focus). */
export function EndMeeting({ live, recording, onEnd }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        End meeting for all
      </button>
      {asking && (
        <ConfirmDialog
          title="End the meeting for everyone?"
          text={endText(live, recording)}
          confirm="End meeting"
          danger
          busy={busy}
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setBusy(true);
            const done = onEnd().then((ended) => {
              setBusy(false);
              // Refused (the reply says why, in a notice): the question is over.
              if (!ended) setAsking(false);
            });
            background(done, 'ending the meeting');
          }}
        />
      )}
    </>
  );
}
