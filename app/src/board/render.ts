import * as Y from 'yjs';
import { getStroke } from 'perfect-freehand';
import { BOARD_H, BOARD_W, viewOf, type ItemView } from './BoardDoc.ts';
import { fitBox, type Transform } from './geometry.ts';

/**
 * Draws one page onto the board's canvas. Everything goes on that one canvas, over an opaque
 * background, because the call captures it (`captureStream`) for the broadcast.
 */

interface Cached {
  /** The points array's length when cached. */
  n: number;
  view: ItemView;
  path: Path2D | null;
}

/** Each item's plain view (and a pen stroke's outline) until its points change. */
const cache = new WeakMap<Y.Map<unknown>, Cached>();

function cached(map: Y.Map<unknown>): Cached | null {
  const points = map.get('points');
  const n = points instanceof Y.Array ? points.length : -1;
  const hit = cache.get(map);
  // An item never changes once added, except a pen stroke that grows while drawn: the
  // points' length says whether the cached view is stale.
  if (hit && hit.n === n) return hit;
  const view = viewOf(map);
  if (!view) return null;
  const entry: Cached = { n, view, path: null };
  cache.set(map, entry);
  return entry;
}

/** The page's items as plain views, from the cache (the eraser's hit test uses them too). */
export function itemViews(items: Y.Array<Y.Map<unknown>>): ItemView[] {
  const out: ItemView[] = [];
  for (const map of items) {
    const entry = cached(map);
    if (entry) out.push(entry.view);
  }
  return out;
}

export interface PageScene {
  items: Y.Array<Y.Map<unknown>>;
  /** The slide behind the page, already rendered, with its size; null: a blank page. */
  slide: CanvasImageSource | null;
  slideSize: { w: number; h: number } | null;
  /** A shape or text being placed, not yet in the doc. */
  preview?: ItemView | null;
}

const OUTSIDE = '#d1d5db';

export function drawPage(ctx: CanvasRenderingContext2D, t: Transform, scene: PageScene): void {
  const { width, height } = ctx.canvas;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = OUTSIDE;
  ctx.fillRect(0, 0, width, height);
  ctx.setTransform(t.scale, 0, 0, t.scale, t.tx, t.ty);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, BOARD_W, BOARD_H);
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, BOARD_W, BOARD_H);
  ctx.clip();
  if (scene.slide && scene.slideSize) {
    const box = fitBox(scene.slideSize.w, scene.slideSize.h);
    ctx.drawImage(scene.slide, box.x, box.y, box.w, box.h);
  }
  for (const map of scene.items) {
    const entry = cached(map);
    if (entry) drawItem(ctx, entry);
  }
  if (scene.preview) drawItem(ctx, { n: -1, view: scene.preview, path: null });
  ctx.restore();
}

function drawItem(ctx: CanvasRenderingContext2D, entry: Cached): void {
  const item = entry.view;
  ctx.fillStyle = item.color;
  ctx.strokeStyle = item.color;
  ctx.lineWidth = item.size;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  switch (item.kind) {
    case 'pen':
      entry.path ??= penPath(item);
      ctx.fill(entry.path);
      return;
    case 'text':
      ctx.font = `${item.size}px system-ui, sans-serif`;
      ctx.textBaseline = 'top';
      ctx.fillText(item.text, item.points[0] ?? 0, item.points[1] ?? 0);
      return;
    case 'line':
    case 'arrow':
    case 'rect':
    case 'ellipse':
      entry.path ??= shapePath(item);
      ctx.stroke(entry.path);
      return;
  }
}

/** A stroke's outline by perfect-freehand, filled. Pressure 0 means "none given: simulate". */
function penPath(item: ItemView): Path2D {
  const pts: [number, number, number][] = [];
  const p = item.points;
  for (let i = 0; i + 2 < p.length; i += 3) pts.push([p[i]!, p[i + 1]!, p[i + 2]!]);
  const outline = getStroke(pts, {
    size: item.size,
    thinning: 0.5,
    smoothing: 0.5,
    streamline: 0.5,
    simulatePressure: (pts[0]?.[2] ?? 0) === 0,
  });
  const path = new Path2D();
  outline.forEach(([x = 0, y = 0], i) => (i === 0 ? path.moveTo(x, y) : path.lineTo(x, y)));
  path.closePath();
  return path;
}

function shapePath(item: ItemView): Path2D {
  const [x0 = 0, y0 = 0, , x1 = x0, y1 = y0] = item.points;
  const path = new Path2D();
  if (item.kind === 'rect') {
    path.rect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
  } else if (item.kind === 'ellipse') {
    const rx = Math.abs(x1 - x0) / 2;
    const ry = Math.abs(y1 - y0) / 2;
    path.ellipse((x0 + x1) / 2, (y0 + y1) / 2, rx, ry, 0, 0, 2 * Math.PI);
  } else {
    path.moveTo(x0, y0);
    path.lineTo(x1, y1);
    if (item.kind === 'arrow') arrowHead(path, x0, y0, x1, y1, item.size);
  }
  return path;
}

function arrowHead(path: Path2D, x0: number, y0: number, x1: number, y1: number, size: number) {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const len = Math.max(16, size * 4);
  for (const side of [-1, 1]) {
    const a = angle + Math.PI - (side * Math.PI) / 7;
    path.moveTo(x1, y1);
    path.lineTo(x1 + len * Math.cos(a), y1 + len * Math.sin(a));
  }
}
