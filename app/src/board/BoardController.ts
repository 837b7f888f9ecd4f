import type * as Y from 'yjs';
import type { BoardLink, SlidesTicket } from './api.ts';
import { BOARD_W, BoardDoc, FIRST_PAGE, type ItemView, type PageInfo } from './BoardDoc.ts';
import { BoardSync } from './BoardSync.ts';
import { FIT, transformOf, zoomAt, type Transform, type View } from './geometry.ts';
import { Gesture, canvasPoint, type GestureHost, type Tool } from './gestures.ts';
import { drawPage } from './render.ts';
import { SlideCache } from './slides.ts';

/** What the toolbar shows; plain data. */
export interface BoardState {
  pages: PageInfo[];
  canUndo: boolean;
  canRedo: boolean;
}

export interface ControllerOptions {
  roomId: string;
  link: BoardLink;
  ticket(): Promise<SlidesTicket>;
  onState(state: BoardState): void;
  onNotice(text: string): void;
}

/** Longest text item, in characters. */
export const TEXT_MAX = 500;

/**
 * The board without its UI: owns the Y.Doc (through BoardSync), the canvas and its drawing
 * loop, the view and the pointer gestures. The Preact component holds only plain state and
 * calls in here.
 */
export class BoardController implements GestureHost {
  board: BoardDoc;
  readonly slides: SlideCache;
  pageId = FIRST_PAGE;
  tool: Tool = 'pen';
  color = '#111827';
  size = 8;
  canDraw = false;
  spaceHeld = false;
  view: View = FIT;
  /** The last redraw's cost, for the end-to-end tests' budget check. */
  lastDrawMs = 0;
  /** Where the text tool was clicked (board units), for the component's input overlay. */
  onPlaceText: (x: number, y: number) => void = () => undefined;
  private readonly sync: BoardSync;
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;
  private gesture: Gesture | null = null;
  private resize: ResizeObserver | null = null;
  private preview: ItemView | null = null;
  private frame = 0;
  private lastState = '';
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: ControllerOptions) {
    this.sync = new BoardSync(options.link, {
      onDoc: (doc) => this.replaceDoc(doc),
      onNotice: options.onNotice,
    });
    this.board = this.bind(this.sync.doc);
    this.slides = new SlideCache(options, () => this.scheduleDraw());
  }

  start(): void {
    this.sync.start();
    this.emit();
  }

  close(): void {
    this.attach(null);
    this.sync.close();
    this.board.destroy();
    this.slides.destroy();
  }

  /** The canvas mounted (or went): listens to its pointers and keeps it sized to its box. */
  attach(canvas: HTMLCanvasElement | null): void {
    for (const off of this.detach.splice(0)) off();
    this.resize?.disconnect();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.canvas = canvas;
    this.ctx = canvas?.getContext('2d', { alpha: false }) ?? null;
    this.gesture = canvas ? new Gesture(this, canvas) : null;
    if (!canvas) return;
    this.resize = new ResizeObserver(() => this.fitCanvas());
    this.resize.observe(canvas);
    this.listen(canvas);
    this.fitCanvas();
  }

  transform(): Transform {
    const c = this.canvas;
    return transformOf(this.view, c?.width ?? BOARD_W, c?.height ?? 900);
  }

  setView(view: View): void {
    this.view = view;
    this.scheduleDraw();
  }

  /** Zooms about the canvas centre (the buttons) or a pointer (the wheel). */
  zoom(factor: number, at?: [number, number]): void {
    const w = this.canvas?.width ?? BOARD_W;
    const h = this.canvas?.height ?? 900;
    const [px, py] = at ?? [w / 2, h / 2];
    this.setView(zoomAt(this.view, factor, px, py, w, h));
  }

  setPage(pageId: string): void {
    if (pageId === this.pageId) return;
    this.gesture?.up();
    this.pageId = pageId;
    this.preview = null;
    this.scheduleDraw();
  }

  setPreview(item: ItemView | null): void {
    this.preview = item;
    this.scheduleDraw();
  }

  placeText(x: number, y: number): void {
    this.onPlaceText(x, y);
  }

  addText(x: number, y: number, text: string): void {
    const value = text.trim().slice(0, TEXT_MAX);
    if (!value || !this.canDraw) return;
    const size = Math.max(16, this.size * 5);
    this.board.addItem(this.pageId, {
      kind: 'text',
      color: this.color,
      size,
      points: [x, y, 0],
      text: value,
    });
    this.board.endStep();
  }

  undo(): void {
    if (this.canDraw) this.board.undo.undo();
  }

  redo(): void {
    if (this.canDraw) this.board.undo.redo();
  }

  /** Board units -> CSS pixels relative to the canvas box, to place the text overlay. */
  cssPoint(x: number, y: number): [number, number] {
    const t = this.transform();
    const ratio = this.canvas ? this.canvas.clientWidth / Math.max(1, this.canvas.width) : 1;
    return [(x * t.scale + t.tx) * ratio, (y * t.scale + t.ty) * ratio];
  }

  scheduleDraw(): void {
    if (this.frame || !this.ctx) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const start = performance.now();
    const t = this.transform();
    const page = this.board.pageList().find((p) => p.id === this.pageId);
    const slide = page?.slide ? this.slides.image(page.slide, BOARD_W * t.scale) : null;
    drawPage(ctx, t, {
      items: this.board.itemsOf(this.pageId),
      slide: slide?.image ?? null,
      slideSize: slide?.size ?? null,
      preview: this.preview,
    });
    this.lastDrawMs = performance.now() - start;
  }

  private fitCanvas(): void {
    const c = this.canvas;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(c.clientWidth * dpr));
    const h = Math.max(1, Math.round(c.clientHeight * dpr));
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    // Resizing clears a canvas: draw now, not on the next frame, so it never shows blank.
    this.draw();
  }

  private listen(canvas: HTMLCanvasElement): void {
    const on = <K extends keyof HTMLElementEventMap>(
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      opts?: AddEventListenerOptions,
    ) => {
      canvas.addEventListener(type, fn, opts);
      this.detach.push(() => canvas.removeEventListener(type, fn));
    };
    on('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.gesture?.down(e);
    });
    on('pointermove', (e) => this.gesture?.move(e));
    on('pointerup', () => this.gesture?.up());
    on('pointercancel', () => this.gesture?.up());
    on(
      'wheel',
      (e) => {
        e.preventDefault();
        this.zoom(Math.exp(-e.deltaY * 0.0015), canvasPoint(canvas, e));
      },
      { passive: false },
    );
  }

  private bind(doc: Y.Doc): BoardDoc {
    const board = new BoardDoc(doc);
    doc.on('update', () => {
      this.emit();
      this.scheduleDraw();
    });
    // Undo and redo availability changes without a doc update when a stack item is added.
    board.undo.on('stack-item-added', () => this.emit());
    board.undo.on('stack-item-popped', () => this.emit());
    return board;
  }

  private replaceDoc(doc: Y.Doc): void {
    this.gesture?.up();
    this.board.destroy();
    this.board = this.bind(doc);
    this.emit();
    this.scheduleDraw();
  }

  /** Tells the component, only when what it shows changed (updates come ~30 times a second). */
  private emit(): void {
    const state: BoardState = {
      pages: this.board.pageList(),
      canUndo: this.board.undo.canUndo(),
      canRedo: this.board.undo.canRedo(),
    };
    const key = JSON.stringify(state);
    if (key === this.lastState) return;
    this.lastState = key;
    this.options.onState(state);
  }
}
