import { describe, expect, it } from 'vitest';
import { columnsFor, pageSizeFor, tileWidthFor } from './grid.ts';

describe('pageSizeFor', () => {
  it.each([
    [320, 9],
    [599, 9],
    [600, 16],
    [1280, 16],
  ])('a %i px wide screen pages after %i tiles', (width, size) => {
    expect(pageSizeFor(width)).toBe(size);
  });
});

describe('columnsFor', () => {
  it.each([
    ['nobody yet', 0, 1280, 720, 1],
    ['a single tile on a laptop', 1, 1280, 720, 1],
    ['four people on a 16:9 laptop', 4, 1280, 720, 2],
    ['nine people on a 16:9 laptop', 9, 1280, 720, 3],
    ['four people on a portrait phone', 4, 360, 800, 1],
    ['three people in a wide, short strip', 3, 1600, 400, 3],
    // The grid's box on a 1280x800 laptop with the chat open: stacked tiles would be 519 px
    // wide, side by side 411; people expect them side by side.
    ['two people on a 1280x800 laptop', 2, 830, 592, 2],
    ['three people on a 1280x800 laptop', 3, 830, 592, 2],
    ['two people in a squarish window, where stacked is much larger', 2, 900, 850, 1],
    // Two rows of three (328 px) rather than three rows of two (405 px).
    ['six people in a landscape window', 6, 1000, 700, 3],
    ['two people on a portrait phone', 2, 374, 506, 1],
  ])('%s: %i tiles in %ix%i use %i column(s)', (_label, count, width, height, cols) => {
    expect(columnsFor(count, width, height)).toBe(cols);
  });

  it('in a box taller than wide, picks the column count that gives the largest tiles', () => {
    const count = 6;
    const [width, height] = [700, 1000];
    const best = columnsFor(count, width, height);
    const chosen = tileWidthFor(count, best, width, height);
    for (let cols = 1; cols <= count; cols++) {
      expect(tileWidthFor(count, cols, width, height)).toBeLessThanOrEqual(chosen);
    }
  });

  it('takes the gap between tiles into account', () => {
    // Four tiles in 400x500: in four rows they are 222 px wide, two by two 200, so without a
    // gap they stack. A 60 px gap costs the four rows three gaps (142 px) and the two
    // columns one (170 px): two by two wins.
    expect(columnsFor(4, 400, 500, 0)).toBe(1);
    expect(columnsFor(4, 400, 500, 60)).toBe(2);
  });
});

describe('tileWidthFor', () => {
  it('four tiles in two columns on 1280x720 are limited by height', () => {
    // Two rows of (720 - 8) / 2 = 356 px tall 16:9 tiles are 632.9 px wide.
    expect(tileWidthFor(4, 2, 1280, 720)).toBe(632);
  });

  it('one tile fills a 16:9 box exactly', () => {
    expect(tileWidthFor(1, 1, 1280, 720)).toBe(1280);
  });

  it('is limited by width when the box is tall', () => {
    // (360 - 8) / 2 = 176 px per column.
    expect(tileWidthFor(2, 2, 360, 2000)).toBe(176);
  });

  it('never shrinks a tile below 80 px', () => {
    expect(tileWidthFor(16, 4, 200, 200)).toBe(80);
  });
});
