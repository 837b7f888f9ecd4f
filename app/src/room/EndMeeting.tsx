import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  onEnd(): Promise<boolean>;
}

/** Host only: "End meeting for all", confirmed in a modal dialog (Cancel has the focus). */
export function EndMeeting({ onEnd }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (asking && d && !d.open) d.showModal();
    if (!asking && d?.open) d.close();
  }, [asking]);

  return (
    <>
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        End meeting for all
      </button>
      <dialog
        ref={dialog}
        class="confirm"
        aria-labelledby="end-title"
        aria-describedby="end-text"
        onClose={() => setAsking(false)}
      >
        <h2 id="end-title">End the meeting for everyone?</h2>
        <p id="end-text">Everyone is disconnected, including anyone in the waiting room.</p>
        <div class="row">
          <button type="button" autoFocus onClick={() => setAsking(false)}>
            Cancel
          </button>
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              const ended = await onEnd();
              setBusy(false);
              if (!ended) setAsking(false);
            }}
          >
            End meeting
          </button>
        </div>
      </dialog>
    </>
  );
}
