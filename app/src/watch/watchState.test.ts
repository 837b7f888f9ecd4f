import { describe, expect, it } from 'vitest';
import {
  INITIAL_SNAPSHOT,
  liveEdge,
  qualityLabel,
  sameHeights,
  sameSnapshot,
  showingText,
} from './watchState.ts';
import type { WatchSnapshot } from './watchState.ts';

describe('liveEdge', () => {
  it.each([
    [0, 3, 0, true],
    [3.4, 3, 3, true],
    [6, 3, 6, true],
    [6.1, 3, 6, false],
    [12.6, 3, 13, false],
    [35, 20, 35, true],
    [45, 20, 45, false],
  ])('%f s behind a %i s target: shows %i s, at the edge %s', (behind, target, shown, atEdge) => {
    expect(liveEdge(behind, target)).toEqual({
      behindS: shown,
      atLiveEdge: atEdge,
      canJumpToLive: !atEdge,
    });
  });
});

describe('showingText', () => {
  it.each([
    [null, null],
    [{ source: 'camera', name: 'Ada' }, 'Ada'],
    [{ source: 'screen', name: 'Ada' }, "Ada's shared screen"],
  ] as const)('%j reads %j', (showing, text) => {
    expect(showingText(showing)).toBe(text);
  });
});

describe('sameSnapshot', () => {
  it('is true for equal copies', () => {
    expect(sameSnapshot(INITIAL_SNAPSHOT, { ...INITIAL_SNAPSHOT })).toBe(true);
  });

  it.each<[string, Partial<WatchSnapshot>]>([
    ['phase', { phase: 'playing' }],
    ['notice', { notice: 'Reconnecting…' }],
    ['muted', { muted: false }],
    ['viewers', { viewers: 0 }],
    ['behindS', { behindS: 0 }],
    ['canJumpToLive', { canJumpToLive: true }],
  ])('notices a change of %s', (_field, change) => {
    expect(sameSnapshot(INITIAL_SNAPSHOT, { ...INITIAL_SNAPSHOT, ...change })).toBe(false);
  });
});

describe('the quality menu (issue 20)', () => {
  it.each<[Parameters<typeof qualityLabel>[0], number | null, string]>([
    ['auto', null, 'Auto'],
    ['auto', 360, 'Auto (360p)'],
    [360, 720, '360p'],
    [720, null, '720p'],
  ])('%j while %j plays reads %j', (quality, playing, text) => {
    expect(qualityLabel(quality, playing)).toBe(text);
  });

  it('sees the same offer in equal arrays, so the snapshot keeps its own', () => {
    expect(sameHeights([720, 360], [720, 360])).toBe(true);
    expect(sameHeights([720, 360], [720])).toBe(false);
    expect(sameHeights([], [])).toBe(true);
    const offer = [720, 360];
    const snap = { ...INITIAL_SNAPSHOT, qualities: offer };
    expect(sameSnapshot(snap, { ...snap, qualities: offer })).toBe(true);
  });
});
