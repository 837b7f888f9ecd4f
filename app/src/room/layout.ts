// Which tile takes the stage and in what order the others follow (issue 19: a call that
// feels like Meet and Zoom). Pure, so every rule below is table-tested in layout.test.ts.

/** Grid: everyone the same size. Speaker: whoever speaks takes the stage. */
export type View = 'grid' | 'speaker';

/** What the rules need of a tile (Tile.tsx's TileSpec has more). */
export interface LayoutTile {
  key: string;
  /** null for our own tile. */
  peerId: string | null;
  source: 'camera' | 'screen';
}

export interface LayoutInput<T extends LayoutTile> {
  /** Our tile first, then each peer's camera and screen, in the order they joined. */
  tiles: T[];
  view: View;
  /** The key of the tile pinned to the stage, or null. */
  pin: string | null;
  /** The remote peer who spoke last (see lastSpeaker), or null. */
  speaker: string | null;
  /** "Hide self view": our tile is left out (our camera still goes to the others). */
  selfHidden: boolean;
}

export interface Arrangement<T extends LayoutTile> {
  /** The large tile, or null for a plain grid. */
  stage: T | null;
  /** Why it is there (the stage's label says so). */
  reason: 'pin' | 'screen' | 'speaker' | null;
  /** The grid's tiles, or the strip's beside the stage, in the order given (see selfLast). */
  rest: T[];
}

/**
 * A pin first (it overrides everything), then a shared screen (in either view, as in Meet and
 * Zoom; the first one when several share), then in speaker view the speaker's camera. Our own
 * tile never takes the stage unpinned: seeing yourself large is not what "speaker" means.
 */
export function arrange<T extends LayoutTile>(input: LayoutInput<T>): Arrangement<T> {
  const shown = input.selfHidden ? input.tiles.filter((t) => t.peerId !== null) : input.tiles;
  const [stage, reason] = stageOf(shown, input);
  return { stage, reason, rest: shown.filter((t) => t !== stage) };
}

function stageOf<T extends LayoutTile>(
  tiles: T[],
  { pin, view, speaker }: LayoutInput<T>,
): [T | null, Arrangement<T>['reason']] {
  const pinned = tiles.find((t) => t.key === pin);
  if (pinned) return [pinned, 'pin'];
  const screen = tiles.find((t) => t.source === 'screen');
  if (screen) return [screen, 'screen'];
  if (view !== 'speaker') return [null, null];
  const cameras = tiles.filter((t) => t.source === 'camera' && t.peerId !== null);
  const speaking = cameras.find((t) => t.peerId === speaker) ?? cameras[0];
  return speaking ? [speaking, 'speaker'] : [null, null];
}

/**
 * Our tile after the others' (the first, largest slot is for someone else), but within the
 * first `perPage` (the grid's first page, what the strip shows unscrolled), so we always see
 * ourselves without paging or scrolling.
 */
export function selfLast<T extends LayoutTile>(tiles: T[], perPage: number): T[] {
  const self = tiles.find((t) => t.peerId === null);
  if (!self) return tiles;
  const others = tiles.filter((t) => t !== self);
  const at = Math.max(0, Math.min(others.length, perPage - 1));
  return [...others.slice(0, at), self, ...others.slice(at)];
}

/**
 * Who the speaker view shows: the peer speaking now, or while nobody (or only we) speak, the
 * one who spoke last, as long as they are still here. Keeps the stage from jumping to
 * someone else at every pause.
 */
export function lastSpeaker(
  before: string | null,
  now: string | null,
  present: readonly string[],
): string | null {
  if (now !== null && present.includes(now)) return now;
  return before !== null && present.includes(before) ? before : null;
}

/** The pin, or null once its tile is gone (the person left, the share stopped). */
export function livePin(pin: string | null, tiles: readonly LayoutTile[]): string | null {
  return pin !== null && tiles.some((t) => t.key === pin) ? pin : null;
}
