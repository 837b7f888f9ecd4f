import { describe, expect, it } from 'vitest';
import { INITIAL_SNAPSHOT, liveEdge, sameSnapshot, showingText } from './watchState.ts';
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
