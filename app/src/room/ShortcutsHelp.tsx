import { useModal } from './useModal.ts';
import { SHORTCUTS } from './shortcuts.ts';

/** The keyboard shortcuts of the call, in a modal sheet (`?`); Escape or Close shuts it. */
export function ShortcutsHelp({ onClose }: { onClose(): void }) {
  const dialog = useModal();
  return (
    <dialog
      ref={dialog}
      class="confirm shortcuts"
      aria-labelledby="shortcuts-title"
      onClose={onClose}
    >
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint muted">On a Mac, ⌘ works as Ctrl.</p>
      <div class="row">
        <button type="button" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
