import { describe, expect, it } from 'vitest';
import { cameraEncodings, spatialLayersOf } from './simulcast.ts';

describe('cameraEncodings', () => {
  it.each([
    [320, 1],
    [479, 1],
    [480, 2],
    [640, 2],
    [959, 2],
    [960, 3],
    [1280, 3],
    [1920, 3],
  ])('a %i px wide capture gets %i simulcast layer(s)', (width, count) => {
    expect(cameraEncodings(width)).toHaveLength(count);
  });

  it('a small capture is sent once, at full size', () => {
    expect(cameraEncodings(320)).toEqual([{ scaleResolutionDownBy: 1, maxBitrate: 500_000 }]);
  });

  it('a 640 px capture sends half and full size', () => {
    expect(cameraEncodings(640)).toEqual([
      { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
      { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
    ]);
  });

  it('a 1280 px capture sends quarter, half and full size, lowest first', () => {
    expect(cameraEncodings(1280)).toEqual([
      { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
      { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
      { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
    ]);
  });

  it.each([320, 480, 960, 1280])('the last layer of a %i px capture is never scaled down', (w) => {
    expect(cameraEncodings(w).at(-1)?.scaleResolutionDownBy).toBe(1);
  });

  it('returns fresh objects: changing one result does not leak into the next', () => {
    const first = cameraEncodings(1280);
    first[0]!.maxBitrate = 1;
    first[2]!.scaleResolutionDownBy = 8;
    expect(cameraEncodings(1280)[0]?.maxBitrate).toBe(100_000);
    expect(cameraEncodings(1280)[2]?.scaleResolutionDownBy).toBe(1);
  });
});

describe('spatialLayersOf', () => {
  it.each([
    ['S3T3', 3],
    ['L1T3', 1],
    ['L2T1', 2],
    ['S2T3_KEY', 2],
    ['', 1],
    ['T3', 1],
    ['S3', 1],
    ['vp8', 1],
  ])('scalability mode %j has %i spatial layer(s)', (mode, layers) => {
    expect(spatialLayersOf({ encodings: [{ scalabilityMode: mode }] })).toBe(layers);
  });

  it('is 1 without encodings or without a mode', () => {
    expect(spatialLayersOf({})).toBe(1);
    expect(spatialLayersOf({ encodings: [] })).toBe(1);
    expect(spatialLayersOf({ encodings: [{}] })).toBe(1);
  });

  it('reads the first encoding only', () => {
    expect(
      spatialLayersOf({ encodings: [{ scalabilityMode: 'L1T3' }, { scalabilityMode: 'S3T3' }] }),
    ).toBe(1);
  });
});
