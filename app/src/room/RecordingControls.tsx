/** The call's recording indicator (everyone) and, for those allowed, Record / Stop recording. */

export interface RecordingBadgeProps {
  /** When the recording began; null: not recording. */
  since: number | null;
}

/**
 * Always in the page (empty when not recording), so that a screen reader announces the
 * recording as it starts, like everyone else sees it.
 */
export function RecordingBadge({ since }: RecordingBadgeProps) {
  return (
    <span role="status" class={since === null ? 'visually-hidden' : 'recording-badge'}>
      {since !== null && (
        <>
          <span class="dot" aria-hidden="true" />
          Recording
        </>
      )}
    </span>
  );
}

export interface RecordButtonProps {
  recording: boolean;
  busy: boolean;
  onToggle(on: boolean): void;
}

/**
 * Not `disabled` while its request is in flight: a disabled button drops the keyboard focus
 * to the page, and the person pressing Enter on Record could not then press Stop recording.
 */
export function RecordButton({ recording, busy, onToggle }: RecordButtonProps) {
  return (
    <button
      type="button"
      class={recording ? 'danger' : undefined}
      aria-disabled={busy}
      aria-busy={busy}
      onClick={() => {
        if (!busy) onToggle(!recording);
      }}
    >
      {recording ? 'Stop recording' : 'Record'}
    </button>
  );
}
