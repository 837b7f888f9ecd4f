import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../room/ConfirmDialog.tsx';
import './broadcastControls.css';

export interface BroadcastControlsProps {
  /** The room is on air (`joined.live`, then every `broadcast-state`). */
  live: boolean;
  /** Only hosts may start or stop; everyone sees the on-air badge. */
  isHost: boolean;
  /** A `broadcast` request is in flight: the button waits for its reply. */
  busy?: boolean;
  /** Send `{type: 'broadcast', live}`; the reply (or push) is `broadcast-state {live}`. */
  onToggle(live: boolean): void;
  /**
   * `${location.origin}/watch/<broadcastId>`: the link viewers open. Null until the server has
   * told us the broadcast id (hosts and co-hosts are told; guests see no link).
   */
  watchUrl: string | null;
  /** People watching now (hosts and co-hosts, while on air); null when not known. */
  viewers?: number | null;
}

/**
 * The call's on-air indicator and, for hosts, the Go live / Stop broadcast switch. Going live
 * asks first and says who will see it (issue 19: it took effect at once, from the brightest
 * button of the page). Busy, the button keeps its focus (`aria-disabled`, not `disabled`).
 */
export function BroadcastControls({
  live,
  isHost,
  busy = false,
  onToggle,
  watchUrl,
  viewers = null,
}: BroadcastControlsProps) {
  const [asking, setAsking] = useState(false);
  if (!live && !isHost) return null;
  return (
    <div class="broadcast-controls">
      {live && (
        <span role="status" class="on-air-badge">
          On air
        </span>
      )}
      {live && viewers !== null && (
        <span class="muted viewer-count">{viewers === 1 ? '1 viewer' : `${viewers} viewers`}</span>
      )}
      {isHost && (
        <button
          type="button"
          class={live ? 'danger' : ''}
          aria-disabled={busy}
          aria-busy={busy}
          onClick={() => {
            if (busy) return;
            if (live) onToggle(false);
            else setAsking(true);
          }}
        >
          {live ? 'Stop broadcast' : 'Go live'}
        </button>
      )}
      {asking && (
        <ConfirmDialog
          title="Go live?"
          text="Anyone with the viewer link will see and hear this meeting: every camera, microphone and shared screen, until you stop the broadcast. Everyone in the call sees that it is on air."
          confirm="Go live"
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            onToggle(true);
          }}
        />
      )}
      {watchUrl && (
        <a class="watch-link" href={watchUrl} title={watchUrl} target="_blank" rel="noopener">
          Viewer link
        </a>
      )}
    </div>
  );
}
