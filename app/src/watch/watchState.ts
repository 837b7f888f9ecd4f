import type { BroadcastShowing } from '@parley/protocol';
import type { Quality } from './playerTypes.ts';

/** What the viewer page shows: plain data, published by WatchController. */
export type WatchPhase =
  | 'loading' // first status request in flight
  | 'not-found' // no such room
  | 'waiting' // the room exists but is not on air
  | 'starting' // on air: waiting for the first segments, or rebuilding the player
  | 'playing'
  | 'ended'
  | 'unsupported'; // this browser plays neither MSE nor native HLS

export interface WatchSnapshot {
  phase: WatchPhase;
  /** Passing trouble while the phase stays (network down, recovering), else null. */
  notice: string | null;
  muted: boolean;
  /** The player's volume, 0 to 1 (apart from `muted`). */
  volume: number;
  /** Autoplay was refused: playback needs a tap. */
  needsTap: boolean;
  buffering: boolean;
  /** Whole seconds behind the live edge, once the player knows. */
  behindS: number | null;
  atLiveEdge: boolean;
  /** Far enough behind (more than twice the target distance) to offer "Jump to live". */
  canJumpToLive: boolean;
  /** People watching (the server's count of recent check-ins), once known. */
  viewers: number | null;
  /** The meeting behind the broadcast is being recorded. */
  recording: boolean;
  /** The meeting's title, when it has one. */
  title: string | null;
  /** What the picture shows, in words ("Ada's shared screen"); null off air or unknown. */
  showing: string | null;
  /** Renditions on offer (heights, highest first); fewer than two: no quality menu. */
  qualities: readonly number[];
  /** The viewer's choice (default the player's own). */
  quality: Quality;
  /** Height of the rendition playing now, once the player says. */
  playingHeight: number | null;
}

export const INITIAL_SNAPSHOT: WatchSnapshot = {
  phase: 'loading',
  notice: null,
  muted: true,
  volume: 1,
  needsTap: false,
  buffering: false,
  behindS: null,
  atLiveEdge: false,
  canJumpToLive: false,
  viewers: null,
  recording: false,
  title: null,
  showing: null,
  qualities: [],
  quality: 'auto',
  playingHeight: null,
};

/** `[720, 360]` and `[720, 360]` are the same offer: keeps the snapshot's array when unchanged. */
export function sameHeights(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

/** The quality button's text: "Auto (720p)", "360p". */
export function qualityLabel(quality: Quality, playingHeight: number | null): string {
  if (quality !== 'auto') return `${quality}p`;
  return playingHeight ? `Auto (${playingHeight}p)` : 'Auto';
}

/** What the broadcast's picture shows, in words for the page. */
export function showingText(showing: BroadcastShowing | null): string | null {
  if (!showing) return null;
  return showing.source === 'screen' ? `${showing.name}'s shared screen` : showing.name;
}

/** Where playback stands against the live edge; `targetS` is the distance the player aims for. */
export function liveEdge(
  behindS: number,
  targetS: number,
): Pick<WatchSnapshot, 'behindS' | 'atLiveEdge' | 'canJumpToLive'> {
  const far = behindS > 2 * targetS;
  return { behindS: Math.round(behindS), atLiveEdge: !far, canJumpToLive: far };
}

export function sameSnapshot(a: WatchSnapshot, b: WatchSnapshot): boolean {
  return (Object.keys(a) as (keyof WatchSnapshot)[]).every((k) => a[k] === b[k]);
}
