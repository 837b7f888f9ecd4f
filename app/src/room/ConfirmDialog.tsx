import type { ComponentChildren } from 'preact';
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
  /** A third way, between Cancel and the doing button: "Just leave". Default: none. */
  other?: { label: string; onClick(): void };
  onConfirm(): void;
  /** Cancel, Escape, or the dialog closed any other way. */
  onCancel(): void;
  /** Fields the answer needs, under the text: the new host's select. */
  children?: ComponentChildren;
}

/**
 * A modal question before an action with consequences (issue 19: Remove was one click away
 * from Mute, Go live took effect at once). Cancel has the focus, so Enter pressed by habit
 * does nothing harmful; Escape cancels; the focus goes back where it was when it closes.
 */
export function ConfirmDialog(props: Props) {
  const { title, text, confirm, danger, busy, other, onConfirm, onCancel, children } = props;
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
      {children}
      <div class="row">
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        {other && (
          <button type="button" onClick={other.onClick}>
            {other.label}
          </button>
        )}
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
