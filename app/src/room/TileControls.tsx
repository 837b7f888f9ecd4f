import { useEffect, useState } from 'preact/hooks';
import { background } from '../util/background.ts';

interface Props {
  /** What the tile shows, for the buttons' names: "Bob", "Bob (screen)", "Ada (you)". */
  label: string;
  /** The tile's figure: what goes full screen, and where its video is. */
  figure: { current: HTMLElement | null };
  /** A video is shown (picture-in-picture needs one). */
  video: boolean;
  pinned: boolean;
  onPin(pinned: boolean): void;
}

/**
 * Pin (to the stage), Full screen and Picture-in-picture on a tile. Shown over the tile's top
 * corner on hover and when one of them has the focus (always on a touch screen); each names
 * the tile it acts on. Those the browser cannot do are left out.
 */
export function TileControls({ label, figure, video, pinned, onPin }: Props) {
  const full = useDocumentState('fullscreenchange', () => document.fullscreenElement);
  const pip = useDocumentState('enterpictureinpicture', () => document.pictureInPictureElement);
  const videoOf = () => figure.current?.querySelector('video') ?? null;
  const isFull = full !== null && full === figure.current;
  const isPip = pip !== null && pip === videoOf();
  return (
    <div class="tile-controls">
      <button
        type="button"
        class="tile-pin"
        aria-label={`Pin ${label}`}
        aria-pressed={pinned}
        title={pinned ? 'Unpin' : 'Pin to the stage'}
        onClick={() => onPin(!pinned)}
      >
        <Icon d={pinned ? UNPIN : PIN} />
      </button>
      {document.fullscreenEnabled && (
        <button
          type="button"
          aria-label={isFull ? `Exit full screen` : `Full screen ${label}`}
          title={isFull ? 'Exit full screen' : 'Full screen'}
          onClick={() => {
            const el = figure.current;
            if (isFull) background(document.exitFullscreen(), 'leaving full screen');
            else if (el) background(el.requestFullscreen(), 'full screen');
          }}
        >
          <Icon d={isFull ? SHRINK : EXPAND} />
        </button>
      )}
      {video && document.pictureInPictureEnabled && (
        <button
          type="button"
          aria-label={`Picture-in-picture ${label}`}
          aria-pressed={isPip}
          title="Picture-in-picture"
          onClick={() => {
            const el = videoOf();
            if (isPip) background(document.exitPictureInPicture(), 'leaving picture-in-picture');
            else if (el) background(el.requestPictureInPicture(), 'picture-in-picture');
          }}
        >
          <Icon d={PIP} />
        </button>
      )}
    </div>
  );
}

// Drawn here rather than taken from a font: the symbols fonts have for these differ per system
// and some have none (a box).
const PIN = 'M9 3h6l-1 6 3 3v2h-4v6l-1 1-1-1v-6H7v-2l3-3z';
const UNPIN = `${PIN} M4 4l16 16`;
const EXPAND = 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5';
const SHRINK = 'M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5';
const PIP = 'M4 5h16v14H4zM12 12h6v5h-6z';

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        stroke-linecap="round"
      />
    </svg>
  );
}

/**
 * A document property that changes with an event (which element is full screen, in
 * picture-in-picture). Picture-in-picture fires its events on the video, so they are caught
 * on their way down (capture).
 */
function useDocumentState<T>(event: string, read: () => T): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const update = () => setValue(read);
    const events = event === 'enterpictureinpicture' ? [event, 'leavepictureinpicture'] : [event];
    for (const e of events) document.addEventListener(e, update, true);
    return () => {
      for (const e of events) document.removeEventListener(e, update, true);
    };
    // `read` is a new function at each render; the event names what it reads.
  }, [event]);
  return value;
}
