import { describe, expect, it } from 'vitest';
import { layerForWidth } from './SfuConnector.ts';

describe('layerForWidth', () => {
  it.each([
    [0, 0],
    [160, 0],
    [239, 0],
    [240, 1],
    [320, 1],
    [639, 1],
    [640, 2],
    [1920, 2],
  ])('a tile %i px wide gets simulcast layer %i', (width, layer) => {
    expect(layerForWidth(width)).toBe(layer);
  });

  it('a wider tile never gets a lower layer than a narrower one', () => {
    let previous = layerForWidth(0);
    for (let width = 1; width <= 2000; width++) {
      const layer = layerForWidth(width);
      expect(layer).toBeGreaterThanOrEqual(previous);
      previous = layer;
    }
  });
});
