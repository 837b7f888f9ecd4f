import { BOARD_H, BOARD_W, type ItemView } from './BoardDoc.ts';

/**
 * Pure geometry for the board: the view transform (fit, pan, zoom) and the eraser's hit test.
 * No canvas here, so it is tested in Node.
 */

/** The user's view, relative to "page fitted and centred": zoom 1 and pan 0 is Fit. */
export interface View {
  zoom: number;
  panX: number;
  panY: number;
}

/** board -> canvas pixels: `screen = board * scale + (tx, ty)`. */
export interface Transform {
  scale: number;
  tx: number;
  ty: number;
}

export const FIT: View = { zoom: 1, panX: 0, panY: 0 };
export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 8;
/** Room around the page when fitted, in canvas pixels. */
const MARGIN = 8;

/** The scale that fits the whole page into a canvas of w x h pixels. */
export function fitScale(w: number, h: number): number {
  const s = Math.min((w - 2 * MARGIN) / BOARD_W, (h - 2 * MARGIN) / BOARD_H);
  return Math.max(s, 0.01);
}

export function transformOf(view: View, w: number, h: number): Transform {
  const scale = fitScale(w, h) * view.zoom;
  return {
    scale,
    tx: w / 2 + view.panX - (BOARD_W / 2) * scale,
    ty: h / 2 + view.panY - (BOARD_H / 2) * scale,
  };
}

export function toBoard(t: Transform, x: number, y: number): [number, number] {
  return [(x - t.tx) / t.scale, (y - t.ty) / t.scale];
}

export function toScreen(t: Transform, x: number, y: number): [number, number] {
  return [x * t.scale + t.tx, y * t.scale + t.ty];
}

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** Zooms by `factor` keeping the board point under canvas pixel (px, py) where it is. */
export function zoomAt(
  view: View,
  factor: number,
  px: number,
  py: number,
  w: number,
  h: number,
): View {
  const before = transformOf(view, w, h);
  const [bx, by] = toBoard(before, px, py);
  const zoom = clampZoom(view.zoom * factor);
  const scale = fitScale(w, h) * zoom;
  // Solve px = bx * scale + tx for tx, then tx back to pan.
  const tx = px - bx * scale;
  const ty = py - by * scale;
  return {
    zoom,
    panX: tx - w / 2 + (BOARD_W / 2) * scale,
    panY: ty - h / 2 + (BOARD_H / 2) * scale,
  };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, panX: view.panX + dx, panY: view.panY + dy };
}

/** Squared distance from p to the segment a-b. */
export function distToSegmentSq(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len));
  const cx = ax + t * dx - px;
  const cy = ay + t * dy - py;
  return cx * cx + cy * cy;
}

/** The polyline an item is drawn along, as flat x,y pairs (for hit testing). */
export function outlineOf(item: ItemView): number[] {
  const p = item.points;
  if (item.kind === 'pen') {
    const xy: number[] = [];
    for (let i = 0; i + 1 < p.length; i += 3) xy.push(p[i]!, p[i + 1]!);
    return xy;
  }
  const [x0 = 0, y0 = 0, , x1 = x0, y1 = y0] = p;
  switch (item.kind) {
    case 'line':
    case 'arrow':
      return [x0, y0, x1, y1];
    case 'rect':
    case 'text':
      return [x0, y0, x1, y0, x1, y1, x0, y1, x0, y0];
    case 'ellipse':
      return ellipseOutline(x0, y0, x1, y1);
  }
}

function ellipseOutline(x0: number, y0: number, x1: number, y1: number): number[] {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const rx = Math.abs(x1 - x0) / 2;
  const ry = Math.abs(y1 - y0) / 2;
  const xy: number[] = [];
  for (let i = 0; i <= 32; i++) {
    const a = (i / 32) * 2 * Math.PI;
    xy.push(cx + rx * Math.cos(a), cy + ry * Math.sin(a));
  }
  return xy;
}

/** A text item's box: its anchor is the top left; the width is estimated from the length. */
export function textBox(item: ItemView): number[] {
  const [x = 0, y = 0] = item.points;
  const w = Math.max(item.size, item.text.length * item.size * 0.6);
  return [x, y, 0, x + w, y + item.size * 1.2, 0];
}

/** The eraser (a disc of `radius` at x,y in board units) touches the item. */
export function hits(item: ItemView, x: number, y: number, radius: number): boolean {
  if (item.kind === 'text') {
    const [x0 = 0, y0 = 0, , x1 = 0, y1 = 0] = textBox(item);
    return x >= x0 - radius && x <= x1 + radius && y >= y0 - radius && y <= y1 + radius;
  }
  const xy = outlineOf(item);
  const reach = radius + item.size / 2;
  const reachSq = reach * reach;
  if (xy.length === 2) return distToSegmentSq(x, y, xy[0]!, xy[1]!, xy[0]!, xy[1]!) <= reachSq;
  for (let i = 0; i + 3 < xy.length; i += 2) {
    if (distToSegmentSq(x, y, xy[i]!, xy[i + 1]!, xy[i + 2]!, xy[i + 3]!) <= reachSq) return true;
  }
  return false;
}

/** The ids of the items the eraser touches. */
export function hitIds(items: ItemView[], x: number, y: number, radius: number): Set<string> {
  const ids = new Set<string>();
  for (const item of items) if (hits(item, x, y, radius)) ids.add(item.id);
  return ids;
}

/** Fits a w x h image (a slide) into the page, centred: the box in board units. */
export function fitBox(w: number, h: number): { x: number; y: number; w: number; h: number } {
  const s = Math.min(BOARD_W / w, BOARD_H / h);
  return { x: (BOARD_W - w * s) / 2, y: (BOARD_H - h * s) / 2, w: w * s, h: h * s };
}
