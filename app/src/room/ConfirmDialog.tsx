import { useModal } from './useModal.ts';

interface Props {
  /** The question, as the dialog's name: "End the meeting for everyone?" */
  title: string;
  /** What else happens, so nobody learns it afterwards (a broadcast stops...). */
  text: string;
  /** The button that does it: "End meeting", "Remove", "Go live". */
  confirm: string;
  /** The doing button in red: for what cannot be undone. */
  danger?: boolean;
  /** The request is in flight: the button waits (keeping its focus) for the reply. */
  busy?: boolean;
  onConfirm(): void;
  /** Cancel, Escape, or the dialog closed any other way. */
  onCancel(): void;
}

/**
 * A modal question before an action with consequences (issue 19: Remove was one click away
 * from Mute, Go live took effect at once). Cancel has the focus, so Enter pressed by habit
 * does nothing harmful; Escape cancels; the focus goes back where it was when it closes.
 */
export function ConfirmDialog({ title, text, confirm, danger, busy, onConfirm, onCancel }: Props) {
  const dialog = useModal();
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      onClose={onCancel}
    >
      <h2 id="confirm-title">{title}</h2>
      <p id="confirm-text">{text}</p>
      <div class="row">
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class={danger ? 'danger' : 'primary'}
          aria-disabled={busy}
          onClick={() => {
            if (!busy) onConfirm();
          }}
        >
          {confirm}
        </button>
      </div>
    </dialog>
  );
}
