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
}

/** The call's on-air indicator and, for hosts, the Go live / Stop broadcast switch. */
export function BroadcastControls({
  live,
  isHost,
  busy = false,
  onToggle,
  watchUrl,
}: BroadcastControlsProps) {
  if (!live && !isHost) return null;
  return (
    <div class="broadcast-controls">
      {live && (
        <span role="status" class="on-air-badge">
          On air
        </span>
      )}
      {isHost && (
        <button
          type="button"
          class={live ? 'danger' : 'primary'}
          disabled={busy}
          aria-busy={busy}
          onClick={() => onToggle(!live)}
        >
          {live ? 'Stop broadcast' : 'Go live'}
        </button>
      )}
      {watchUrl && (
        <a class="watch-link" href={watchUrl} title={watchUrl} target="_blank" rel="noopener">
          Viewer link
        </a>
      )}
    </div>
  );
}
