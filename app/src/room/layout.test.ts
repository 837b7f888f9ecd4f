import { describe, expect, it } from 'vitest';
import { arrange, lastSpeaker, livePin, selfLast } from './layout.ts';
import type { LayoutInput, LayoutTile, View } from './layout.ts';

const self: LayoutTile = { key: 'self', peerId: null, source: 'camera' };
const cam = (peerId: string): LayoutTile => ({ key: `${peerId}/camera`, peerId, source: 'camera' });
const screen = (peerId: string): LayoutTile => ({
  key: `${peerId}/screen`,
  peerId,
  source: 'screen',
});

/** A call of us, Bob, Cy (sharing his screen when `sharing`) and Dee. */
function call(sharing: boolean): LayoutTile[] {
  return [self, cam('bob'), cam('cy'), ...(sharing ? [screen('cy')] : []), cam('dee')];
}

function input(over: Partial<LayoutInput<LayoutTile>>): LayoutInput<LayoutTile> {
  return {
    tiles: call(false),
    view: 'grid',
    pin: null,
    speaker: null,
    selfHidden: false,
    ...over,
  };
}

describe('arrange: who takes the stage', () => {
  it.each<[string, View, boolean, string | null, string | null, string | null, string | null]>([
    // label, view, sharing, pin, speaker, stage, reason
    ['the grid has no stage', 'grid', false, null, 'dee', null, null],
    ['a screen takes the stage in the grid view', 'grid', true, null, null, 'cy/screen', 'screen'],
    ['a screen takes it in the speaker view', 'speaker', true, null, 'dee', 'cy/screen', 'screen'],
    [
      'the speaker takes it in the speaker view',
      'speaker',
      false,
      null,
      'dee',
      'dee/camera',
      'speaker',
    ],
    [
      'nobody spoke yet: the first other person',
      'speaker',
      false,
      null,
      null,
      'bob/camera',
      'speaker',
    ],
    ['a pin overrides the speaker', 'speaker', false, 'cy/camera', 'dee', 'cy/camera', 'pin'],
    ['a pin overrides a screen', 'grid', true, 'bob/camera', null, 'bob/camera', 'pin'],
    ['we may pin ourselves', 'grid', false, 'self', null, 'self', 'pin'],
    ['a pin of a tile that is gone is no pin', 'grid', false, 'eve/camera', null, null, null],
  ])('%s', (_label, view, sharing, pin, speaker, stage, reason) => {
    const got = arrange(input({ tiles: call(sharing), view, pin, speaker }));
    expect(got.stage?.key ?? null).toBe(stage);
    expect(got.reason).toBe(reason);
  });

  it('never puts us on the stage as the speaker, even when the server says we speak', () => {
    const alone = arrange(input({ tiles: [self], view: 'speaker', speaker: 'me' }));
    expect(alone.stage).toBeNull();
    const withBob = arrange(input({ tiles: [self, cam('bob')], view: 'speaker', speaker: 'me' }));
    expect(withBob.stage?.key).toBe('bob/camera');
  });

  it('the first screen takes the stage when two people share, the other goes to the strip', () => {
    const tiles = [self, cam('bob'), screen('bob'), cam('cy'), screen('cy')];
    const got = arrange(input({ tiles }));
    expect(got.stage?.key).toBe('bob/screen');
    expect(got.rest.map((t) => t.key)).toEqual(['self', 'bob/camera', 'cy/camera', 'cy/screen']);
  });
});

describe('arrange: the others', () => {
  it('leaves the stage tile out of the strip', () => {
    const got = arrange(input({ tiles: call(true) }));
    expect(got.rest.map((t) => t.key)).toEqual(['self', 'bob/camera', 'cy/camera', 'dee/camera']);
  });

  it('leaves us out when our self view is hidden, even pinned', () => {
    const got = arrange(input({ selfHidden: true, pin: 'self' }));
    expect(got.stage).toBeNull();
    expect(got.rest.map((t) => t.key)).toEqual(['bob/camera', 'cy/camera', 'dee/camera']);
  });
});

describe('selfLast', () => {
  const keys = (tiles: LayoutTile[]) => tiles.map((t) => t.key);

  it.each([
    ['alone', [self], 16, ['self']],
    ['with one person', [self, cam('a')], 16, ['a/camera', 'self']],
    [
      'with three',
      [self, cam('a'), cam('b'), cam('c')],
      16,
      ['a/camera', 'b/camera', 'c/camera', 'self'],
    ],
    // Ten on a phone (9 a page): we are the 9th tile, and the 9th other goes to page 2.
    [
      'past a page',
      [self, ...'abcdefghi'.split('').map(cam)],
      9,
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((p) => `${p}/camera`).concat('self', 'i/camera'),
    ],
    ['without us', [cam('a'), cam('b')], 16, ['a/camera', 'b/camera']],
  ])('%s', (_label, tiles, perPage, expected) => {
    expect(keys(selfLast(tiles, perPage))).toEqual(expected);
  });
});

describe('lastSpeaker', () => {
  it.each([
    ['someone speaks', null, 'bob', 'bob'],
    ['someone else takes over', 'bob', 'cy', 'cy'],
    ['a pause keeps the last one', 'bob', null, 'bob'],
    ['we speak (not in the list): the last one stays', 'bob', 'me', 'bob'],
    ['the last one left', 'eve', null, null],
    ['nobody spoke yet', null, null, null],
  ])('%s', (_label, before, now, expected) => {
    expect(lastSpeaker(before, now, ['bob', 'cy'])).toBe(expected);
  });
});

describe('livePin', () => {
  it('ends when its tile goes (the person left, the share stopped)', () => {
    expect(livePin('cy/screen', call(true))).toBe('cy/screen');
    expect(livePin('cy/screen', call(false))).toBeNull();
    expect(livePin(null, call(true))).toBeNull();
  });
});
