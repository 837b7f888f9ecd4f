import { describe, expect, it } from 'vitest';
import type { MediaSource } from '@parley/protocol';
import { tileKey, tileSourceOf } from './RemoteMedia.ts';

describe('tileSourceOf', () => {
  it.each<[MediaSource, string]>([
    ['mic', 'camera'],
    ['camera', 'camera'],
    ['screen', 'screen'],
    ['screen-audio', 'screen'],
  ])('a %s track belongs on the %s tile', (source, tile) => {
    expect(tileSourceOf(source)).toBe(tile);
  });
});

describe('tileKey', () => {
  it('tells the camera and screen tiles of one peer apart', () => {
    expect(tileKey('peer-a', 'camera')).not.toBe(tileKey('peer-a', 'screen'));
  });

  it('tells the same tile of two peers apart', () => {
    expect(tileKey('peer-a', 'camera')).not.toBe(tileKey('peer-b', 'camera'));
  });

  it('puts a peer microphone and camera on the same tile', () => {
    expect(tileKey('peer-a', tileSourceOf('mic'))).toBe(tileKey('peer-a', tileSourceOf('camera')));
  });
});
