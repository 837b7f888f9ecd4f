import { describe, expect, it } from 'vitest';
import type { ItemView } from './BoardDoc.ts';
import { FIT, fitBox, fitScale, hits, toBoard, toScreen, transformOf, zoomAt } from './geometry.ts';

const item = (kind: ItemView['kind'], points: number[], size = 4, text = ''): ItemView => ({
  id: 'i',
  kind,
  color: '#000',
  size,
  points,
  text,
});

describe('fit and view transform', () => {
  it.each([
    // canvas w, h -> scale (8 px margins), page origin on the canvas
    { w: 1616, h: 916, scale: 1, tx: 8, ty: 8 },
    { w: 816, h: 2000, scale: 0.5, tx: 8, ty: 1000 - 225 },
    { w: 4000, h: 466, scale: 0.5, tx: 2000 - 400, ty: 8 },
  ])('fits the page into $w x $h', ({ w, h, scale, tx, ty }) => {
    expect(fitScale(w, h)).toBeCloseTo(scale);
    const t = transformOf(FIT, w, h);
    expect(t.scale).toBeCloseTo(scale);
    expect(t.tx).toBeCloseTo(tx);
    expect(t.ty).toBeCloseTo(ty);
  });

  it.each([
    { view: FIT, x: 800, y: 450 },
    { view: { zoom: 2, panX: 30, panY: -40 }, x: 0, y: 0 },
    { view: { zoom: 0.5, panX: -300, panY: 10 }, x: 1600, y: 900 },
  ])('maps board to screen and back with $view', ({ view, x, y }) => {
    const t = transformOf(view, 1000, 700);
    const [sx, sy] = toScreen(t, x, y);
    const [bx, by] = toBoard(t, sx, sy);
    expect(bx).toBeCloseTo(x);
    expect(by).toBeCloseTo(y);
  });

  it.each([
    { factor: 2, px: 100, py: 100 },
    { factor: 0.5, px: 900, py: 20 },
    { factor: 1.25, px: 500, py: 350 },
  ])('zooms by $factor keeping the point under ($px, $py) still', ({ factor, px, py }) => {
    const before = transformOf({ zoom: 1.5, panX: 40, panY: 10 }, 1000, 700);
    const view = zoomAt({ zoom: 1.5, panX: 40, panY: 10 }, factor, px, py, 1000, 700);
    expect(view.zoom).toBeCloseTo(1.5 * factor);
    const after = transformOf(view, 1000, 700);
    const [bx, by] = toBoard(before, px, py);
    const [ax, ay] = toBoard(after, px, py);
    expect(ax).toBeCloseTo(bx);
    expect(ay).toBeCloseTo(by);
  });

  it('clamps the zoom', () => {
    expect(zoomAt(FIT, 1000, 0, 0, 800, 600).zoom).toBe(8);
    expect(zoomAt(FIT, 0.001, 0, 0, 800, 600).zoom).toBe(0.25);
  });

  it.each([
    { w: 1600, h: 900, box: { x: 0, y: 0, w: 1600, h: 900 } },
    { w: 800, h: 900, box: { x: 400, y: 0, w: 800, h: 900 } },
    {
      w: 595,
      h: 842,
      box: { x: 800 - (595 * (900 / 842)) / 2, y: 0, w: 595 * (900 / 842), h: 900 },
    },
    { w: 3200, h: 900, box: { x: 0, y: 225, w: 1600, h: 450 } },
  ])('fits a $w x $h slide into the page', ({ w, h, box }) => {
    const got = fitBox(w, h);
    for (const k of ['x', 'y', 'w', 'h'] as const) expect(got[k]).toBeCloseTo(box[k]);
  });
});

describe('eraser hit test', () => {
  const pen = item('pen', [0, 0, 0, 100, 0, 0, 100, 100, 0.5], 10);
  it.each([
    { name: 'on a pen segment', it: pen, x: 50, y: 0, r: 1, hit: true },
    { name: 'within the pen width', it: pen, x: 50, y: 5.5, r: 1, hit: true },
    { name: 'outside pen width + radius', it: pen, x: 50, y: 7, r: 1, hit: false },
    { name: 'near the second pen segment', it: pen, x: 104, y: 60, r: 1, hit: true },
    { name: 'in the corner a pen stroke cuts', it: pen, x: 20, y: 80, r: 5, hit: false },
    { name: 'a one-point pen dot', it: item('pen', [10, 10, 0], 8), x: 13, y: 10, r: 1, hit: true },
    { name: 'a line', it: item('line', [0, 0, 0, 100, 100, 0]), x: 50, y: 52, r: 1, hit: true },
    {
      name: 'a rect edge',
      it: item('rect', [0, 0, 0, 100, 50, 0]),
      x: 100,
      y: 25,
      r: 1,
      hit: true,
    },
    {
      name: 'a rect inside (outline only)',
      it: item('rect', [0, 0, 0, 100, 50, 0]),
      x: 50,
      y: 25,
      r: 1,
      hit: false,
    },
    {
      name: 'an ellipse edge',
      it: item('ellipse', [0, 0, 0, 200, 100, 0]),
      x: 100,
      y: 0,
      r: 2,
      hit: true,
    },
    {
      name: 'an ellipse centre',
      it: item('ellipse', [0, 0, 0, 200, 100, 0]),
      x: 100,
      y: 50,
      r: 2,
      hit: false,
    },
    { name: 'an arrow', it: item('arrow', [0, 0, 0, 0, 100, 0]), x: 1, y: 99, r: 1, hit: true },
    {
      name: 'inside a text box',
      it: item('text', [10, 10, 0], 20, 'hello'),
      x: 40,
      y: 20,
      r: 1,
      hit: true,
    },
    {
      name: 'beside a text box',
      it: item('text', [10, 10, 0], 20, 'hello'),
      x: 200,
      y: 20,
      r: 1,
      hit: false,
    },
  ])('$name: $hit', ({ it: target, x, y, r, hit }) => {
    expect(hits(target, x, y, r)).toBe(hit);
  });
});
