import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { TileAction } from '../call/features/moderation/lobbyState.ts';
import { Tile } from './Tile.tsx';
import type { TileSpec, TileWiring } from './Tile.tsx';
import { Grid } from './Grid.tsx';
import { arrange, lastSpeaker, livePin, selfLast } from './layout.ts';
import type { LayoutPrefs } from './layoutPrefs.ts';
import './stage.css';

type OnSeen = (key: string, seen: { visible: boolean; width: number } | null) => void;

interface Props {
  tiles: TileSpec[];
  epoch: number;
  onSeen: OnSeen;
  onAction?(peerId: string, action: TileAction): void;
  /** Who speaks now (the snapshot's `speaker`), or null. */
  speaker: string | null;
  prefs: LayoutPrefs;
  /** The whiteboard is open: it is the stage, and every tile goes to the strip under it. */
  board: boolean;
}

/**
 * The call's tiles: a grid, or one tile large on the stage above a strip of the others (a pin,
 * else a shared screen, else in speaker view the speaker: layout.ts). The pin is this page's
 * own, not the room's; it ends when its tile goes.
 */
export function CallLayout({ tiles, epoch, onSeen, onAction, speaker, prefs, board }: Props) {
  const [pin, setPin] = useState<string | null>(null);
  const pinned = livePin(pin, tiles);
  useEffect(() => {
    if (pin !== pinned) setPin(null);
  }, [pin, pinned]);
  const onPin = useRefocusedPin(setPin);
  const recent = useLastSpeaker(speaker, tiles);
  const { stage, reason, rest } = arrange({
    tiles,
    view: prefs.view,
    pin: pinned,
    speaker: recent,
    selfHidden: prefs.selfHidden,
  });
  const each = { epoch, onSeen, onAction, onPin };
  if (board || !stage) {
    return (
      <Grid
        tiles={stage ? [stage, ...rest] : rest}
        pinned={pinned}
        empty={prefs.selfHidden ? 'Your self view is hidden.' : undefined}
        {...each}
      />
    );
  }
  return (
    <section class="stage-layout" aria-label="Participants">
      <section class="stage" aria-label="Stage" data-reason={reason}>
        <Tile key={stage.key} tile={stage} pinned={reason === 'pin'} {...each} />
      </section>
      {rest.length > 0 && <Strip tiles={rest} {...each} />}
    </section>
  );
}

/** A strip tile's width (stage.css), to know how many show before it scrolls. */
const STRIP_TILE_PX = 200;

interface StripProps extends TileWiring {
  tiles: TileSpec[];
}

/**
 * The others, small, in a row that scrolls sideways. A tile scrolled out of view reports
 * itself unseen (IntersectionObserver), so the SFU pauses its video as it does off the grid's
 * page.
 */
function Strip({ tiles, ...each }: StripProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const fit = Math.max(1, Math.floor(width / STRIP_TILE_PX));
  return (
    <div ref={ref} class="strip">
      {selfLast(tiles, fit).map((t) => (
        <Tile key={t.key} tile={t} {...each} />
      ))}
    </div>
  );
}

/**
 * Pin and Unpin move the tile (to the stage, back to the grid or strip), which mounts it
 * anew: the focus would fall to the page. It goes to the moved tile's Pin button instead, so
 * a keyboard user stays where they were.
 */
function useRefocusedPin(setPin: (pin: string | null) => void) {
  const moved = useRef<string | null>(null);
  useEffect(() => {
    const key = moved.current;
    if (key === null) return;
    moved.current = null;
    const selector = `figure[data-tile-key="${CSS.escape(key)}"] .tile-pin`;
    document.querySelector<HTMLElement>(selector)?.focus();
  });
  return useCallback(
    (key: string, on: boolean) => {
      moved.current = key;
      setPin(on ? key : null);
    },
    [setPin],
  );
}

/** The speaker, held through pauses (layout.ts lastSpeaker), among the peers still here. */
function useLastSpeaker(speaker: string | null, tiles: TileSpec[]): string | null {
  const last = useRef<string | null>(null);
  const present = tiles.flatMap((t) =>
    t.peerId !== null && t.source === 'camera' ? [t.peerId] : [],
  );
  last.current = lastSpeaker(last.current, speaker, present);
  return last.current;
}
