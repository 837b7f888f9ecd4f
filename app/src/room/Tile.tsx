import { useEffect, useRef } from 'preact/hooks';
import type { MediaState, Role } from '@parley/protocol';
import type { FloatingReaction } from '../call/features/classroom/Classroom.ts';
import type { TileAction, TileMenuItem } from '../call/features/moderation/lobbyState.ts';
import { Video } from './Video.tsx';
import { TileMenu } from './TileMenu.tsx';
import { TileControls } from './TileControls.tsx';
import type { TileQuality } from '../call/quality/QualityMonitor.ts';
import { QualityBars } from './QualityBars.tsx';
import './classroom.css';

export interface TileSpec {
  key: string;
  /** null for our own tile. */
  peerId: string | null;
  source: 'camera' | 'screen';
  name: string;
  media: MediaState;
  stream: MediaStream | undefined;
  /** Connection note, e.g. "connecting…"; null when media flows. */
  status: string | null;
  speaking: boolean;
  /** Whose tile: a badge shows hosts and co-hosts. */
  role: Role | null;
  /** Host controls for this person (empty: no menu). */
  menu: TileMenuItem[];
  /** Their place among the raised hands (1 = first), or null with the hand down. */
  hand: number | null;
  /** Their reactions floating up the tile now. */
  reactions: FloatingReaction[];
  /** How their media reaches us (ours: how our connection is); null: not measured. */
  quality: TileQuality | null;
  /** Why the camera, though on, shows no picture ("Video paused - poor connection"), or null. */
  videoNote: string | null;
}

interface TileProps {
  tile: TileSpec;
  epoch: number;
  /** How the tile is shown (remote tiles only): drives SFU pause and simulcast layer. */
  onSeen?(key: string, seen: { visible: boolean; width: number } | null): void;
  /** A host control chosen in the tile's menu. */
  onAction?(peerId: string, action: TileAction): void;
  /** The tile is pinned to the stage. */
  pinned?: boolean;
  /** Pin or Unpin pressed (absent: no Pin, Full screen or Picture-in-picture buttons). */
  onPin?(key: string, pinned: boolean): void;
}

/** What a layout hands every tile alike (CallLayout, Grid and the strip). */
export type TileWiring = Pick<TileProps, 'epoch' | 'onSeen' | 'onAction' | 'onPin'>;

const RESIZE_DEBOUNCE_MS = 300;

/** One participant (or a shared screen): video or a placeholder, name, indicators. */
export function Tile({ tile, epoch, onSeen, onAction, pinned = false, onPin }: TileProps) {
  const ref = useRef<HTMLElement>(null);
  // Our own tile has nothing to pause or to pick a layer of.
  useSeen(ref, tile.key, tile.peerId ? onSeen : undefined);
  const self = tile.peerId === null;
  const screen = tile.source === 'screen';
  const label = screen ? `${tile.name} (screen)` : self ? `${tile.name} (you)` : tile.name;
  const paused = !screen && tile.media.video && tile.videoNote !== null;
  const showVideo = tile.stream && (screen || (tile.media.video && !paused));
  const lost = tile.quality?.quality === 'lost';
  return (
    <figure
      ref={ref}
      class={tile.speaking ? 'tile speaking' : 'tile'}
      data-peer-name={screen ? `${tile.name} (screen)` : tile.name}
      data-tile-key={tile.key}
      data-speaking={tile.speaking}
      data-quality={tile.quality?.quality}
    >
      {showVideo ? (
        <Video
          stream={tile.stream}
          self={self && !screen}
          label={`Video of ${label}`}
          epoch={epoch}
          tile={tile.peerId ? { peerId: tile.peerId, source: tile.source } : undefined}
        />
      ) : (
        <div class={`video placeholder${paused && !lost ? ' noted' : ''}`} aria-hidden="true">
          <span class="avatar">{initials(tile.name)}</span>
        </div>
      )}
      {paused && !lost && (
        <div class="tile-note" role="status">
          {tile.videoNote}
        </div>
      )}
      {lost && (
        // Over the frozen last frame, which would otherwise look like a live picture.
        <div class="tile-lost" role="status">
          {tile.quality?.text}
        </div>
      )}
      {tile.reactions.length > 0 && (
        // Decoration: what was sent is in the sender's own toolbar, and would be noise read out.
        <div class="tile-reactions" aria-hidden="true">
          {tile.reactions.map((r) => (
            <span key={r.id} class="reaction-float">
              {r.reaction}
            </span>
          ))}
        </div>
      )}
      {onPin && (
        <TileControls
          label={label}
          figure={ref}
          video={Boolean(showVideo)}
          pinned={pinned}
          onPin={(on) => onPin(tile.key, on)}
        />
      )}
      {tile.peerId && tile.menu.length > 0 && onAction && (
        <TileMenu
          name={tile.name}
          items={tile.menu}
          onAction={(action) => tile.peerId && onAction(tile.peerId, action)}
        />
      )}
      <figcaption>
        {tile.quality && <QualityBars {...tile.quality} />}
        <span class="name">{label}</span>
        {!screen && tile.role === 'host' && <span class="role-badge">Host</span>}
        {!screen && tile.role === 'cohost' && <span class="role-badge">Co-host</span>}
        {!screen && tile.hand !== null && (
          <span class="indicator hand-raised" title={`Hand raised, ${ordinal(tile.hand)} in line`}>
            ✋ {ordinal(tile.hand)}
          </span>
        )}
        {!screen && !tile.media.audio && (
          <span class="indicator" title="Muted">
            Muted
          </span>
        )}
        {!screen && !tile.media.video && (
          <span class="indicator" title="Camera off">
            Camera off
          </span>
        )}
        {tile.status && <span class="indicator subtle">{tile.status}</span>}
      </figcaption>
    </figure>
  );
}

/** Reports visibility (IntersectionObserver) and width (ResizeObserver, debounced). */
function useSeen(
  ref: { current: HTMLElement | null },
  key: string,
  onSeen: TileProps['onSeen'],
): void {
  useEffect(() => {
    const el = ref.current;
    if (!el || !onSeen) return;
    const seen = { visible: false, width: el.clientWidth };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = () => onSeen(key, { ...seen });
    const io = new IntersectionObserver((entries) => {
      seen.visible = entries.some((e) => e.isIntersecting);
      report();
    });
    const ro = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        seen.width = el.clientWidth;
        report();
      }, RESIZE_DEBOUNCE_MS);
    });
    io.observe(el);
    ro.observe(el);
    return () => {
      clearTimeout(timer);
      io.disconnect();
      ro.disconnect();
      // Off the screen (another page, or gone): its video pauses. Forgotten when the peer leaves.
      onSeen(key, { visible: false, width: seen.width });
    };
  }, [key, onSeen]);
}

/** 1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
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
