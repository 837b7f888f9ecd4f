import type { MediaState } from '@parley/protocol';
import { Video } from './Video.tsx';

interface TileProps {
  name: string;
  media: MediaState;
  stream: MediaStream | undefined;
  self?: boolean;
  /** Connection note, e.g. "connecting…"; null when media flows. */
  status?: string | null;
  epoch: number;
}

/** One participant: video (or a placeholder), name, and muted / camera-off indicators. */
export function Tile({ name, media, stream, self = false, status = null, epoch }: TileProps) {
  const label = self ? `${name} (you)` : name;
  return (
    <figure class="tile" data-peer-name={name}>
      {stream && media.video ? (
        <Video stream={stream} self={self} label={`Video of ${label}`} epoch={epoch} />
      ) : (
        <div class="video placeholder" aria-hidden="true">
          <span class="avatar">{initials(name)}</span>
        </div>
      )}
      {/* Audio keeps playing while the camera is off: the element stays mounted hidden. */}
      {stream && !media.video && !self && (
        <Video stream={stream} label={`Audio of ${label}`} epoch={epoch} />
      )}
      <figcaption>
        <span class="name">{label}</span>
        {!media.audio && (
          <span class="indicator" title="Muted">
            Muted
          </span>
        )}
        {!media.video && (
          <span class="indicator" title="Camera off">
            Camera off
          </span>
        )}
        {status && <span class="indicator subtle">{status}</span>}
      </figcaption>
    </figure>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).slice(0, 2);
  return (
    parts
      .map((p) => [...p][0] ?? '')
      .join('')
      .toUpperCase() || '?'
  );
}
