import type * as Y from 'yjs';
import type { BoardDoc, ItemKind, ItemView } from './BoardDoc.ts';
import { hitIds, panBy, toBoard, type Transform, type View } from './geometry.ts';
import { itemViews } from './render.ts';

export type Tool = ItemKind | 'eraser' | 'hand';

/** What a gesture needs of the board around it. */
export interface GestureHost {
  board: BoardDoc;
  pageId: string;
  tool: Tool;
  color: string;
  size: number;
  canDraw: boolean;
  /** The space bar is held: any drag pans. */
  spaceHeld: boolean;
  transform(): Transform;
  view: View;
  setView(view: View): void;
  setPreview(item: ItemView | null): void;
  /** The text tool was clicked at this board point. */
  placeText(x: number, y: number): void;
}

type Active =
  | { kind: 'pan'; x: number; y: number }
  | { kind: 'pen'; item: Y.Map<unknown>; lastX: number; lastY: number }
  | { kind: 'shape'; shape: ItemKind; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'erase' };

/** Canvas pixels (device pixels, as the canvas is sized) of a pointer event. */
export function canvasPoint(
  canvas: HTMLCanvasElement,
  e: PointerEvent | WheelEvent,
): [number, number] {
  const rect = canvas.getBoundingClientRect();
  const sx = rect.width > 0 ? canvas.width / rect.width : 1;
  const sy = rect.height > 0 ? canvas.height / rect.height : 1;
  return [(e.clientX - rect.left) * sx, (e.clientY - rect.top) * sy];
}

/** A pen's pressure when the device gives one; 0 tells the renderer to simulate it. */
function pressureOf(e: PointerEvent): number {
  return e.pointerType === 'pen' && e.pressure > 0 ? Math.max(0.01, e.pressure) : 0;
}

/**
 * One pointer's drag on the canvas, from down to up: draws a stroke, a shape, erases or pans,
 * by the tool chosen at its start.
 */
export class Gesture {
  private active: Active | null = null;

  constructor(
    private readonly host: GestureHost,
    private readonly canvas: HTMLCanvasElement,
  ) {}

  down(e: PointerEvent): void {
    const [px, py] = canvasPoint(this.canvas, e);
    const { host } = this;
    if (e.button === 1 || host.tool === 'hand' || host.spaceHeld) {
      this.active = { kind: 'pan', x: px, y: py };
      return;
    }
    if (e.button !== 0 || !host.canDraw) return;
    const [x, y] = toBoard(host.transform(), px, py);
    switch (host.tool) {
      case 'pen':
        this.active = {
          kind: 'pen',
          item: host.board.addItem(host.pageId, {
            kind: 'pen',
            color: host.color,
            size: host.size,
            points: [x, y, pressureOf(e)].map(round2),
          }),
          lastX: x,
          lastY: y,
        };
        return;
      case 'text':
        host.placeText(x, y);
        return;
      case 'eraser':
        this.active = { kind: 'erase' };
        this.erase(x, y);
        return;
      default:
        this.active = { kind: 'shape', shape: host.tool, x0: x, y0: y, x1: x, y1: y };
    }
  }

  move(e: PointerEvent): void {
    const a = this.active;
    if (!a) return;
    const [px, py] = canvasPoint(this.canvas, e);
    if (a.kind === 'pan') {
      this.host.setView(panBy(this.host.view, px - a.x, py - a.y));
      a.x = px;
      a.y = py;
      return;
    }
    const t = this.host.transform();
    if (a.kind === 'pen') {
      // Coalesced events keep a fast stroke smooth where the browser batched its moves.
      const events = e.getCoalescedEvents?.() ?? [];
      this.extendStroke(a, events.length > 0 ? events : [e], t);
      return;
    }
    const [x, y] = toBoard(t, px, py);
    if (a.kind === 'erase') this.erase(x, y);
    else {
      a.x1 = x;
      a.y1 = y;
      this.host.setPreview(this.shapeItem(a));
    }
  }

  /** Ends the gesture (pointer up or cancel); returns whether it had started. */
  up(): boolean {
    const a = this.active;
    this.active = null;
    if (!a) return false;
    if (a.kind === 'shape') {
      this.host.setPreview(null);
      if (Math.hypot(a.x1 - a.x0, a.y1 - a.y0) >= 2) {
        const item = this.shapeItem(a);
        this.host.board.addItem(this.host.pageId, item);
      }
    }
    this.host.board.endStep();
    return true;
  }

  private extendStroke(a: Extract<Active, { kind: 'pen' }>, events: PointerEvent[], t: Transform) {
    const points: number[] = [];
    for (const ev of events) {
      const [px, py] = canvasPoint(this.canvas, ev);
      const [x, y] = toBoard(t, px, py);
      // Sub-unit moves add bytes, not shape.
      if (Math.hypot(x - a.lastX, y - a.lastY) < 1) continue;
      points.push(x, y, pressureOf(ev));
      a.lastX = x;
      a.lastY = y;
    }
    if (points.length > 0) this.host.board.appendPoints(a.item, points.map(round2));
  }

  private shapeItem(a: Extract<Active, { kind: 'shape' }>): ItemView {
    const { color, size } = this.host;
    const points = [a.x0, a.y0, 0, a.x1, a.y1, 0].map(round2);
    return { id: 'preview', kind: a.shape, color, size, points, text: '' };
  }

  private erase(x: number, y: number): void {
    const { board, pageId, size } = this.host;
    const ids = hitIds(itemViews(board.itemsOf(pageId)), x, y, Math.max(6, size * 2));
    board.removeItems(pageId, ids);
  }
}

/** Two decimals are plenty on a 1600-unit page and keep updates small. */
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
