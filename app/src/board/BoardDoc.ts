import * as Y from 'yjs';

/**
 * The whiteboard's shared model (issue 17) over one Y.Doc.
 *
 * Layout:
 * - `pages` (root Y.Array): the page list, in order, each a Y.Map `{id, slide?}`.
 * - `items:<pageId>` (a root Y.Array per page): the page's items, each a Y.Map
 *   `{id, kind, color, size, points: Y.Array<number>, text?}`; points are flat x,y,pressure in
 *   board coordinates (BOARD_W x BOARD_H, whatever the screen).
 *
 * Why each page's items are a *root* type rather than a child of the page's map: root types
 * are named, not created, so two clients that draw on the same page before they have synced
 * write into the same array and both strokes survive. A nested array created by two clients
 * at once would be a last-writer-wins conflict and one client's strokes would vanish.
 *
 * The first page, FIRST_PAGE, is implicit for the same reason: it is always there (an empty
 * board shows one page) and nobody has to "create" it, so two clients starting to draw at once
 * cannot make two first pages. Pages added later get random ids, so two clients adding a page at
 * once get two pages, which is what both asked for. Ids listed twice (only possible by hand
 * edits of the doc) are shown once.
 */

export const BOARD_W = 1600;
export const BOARD_H = 900;
export const FIRST_PAGE = 'p1';

export type ItemKind = 'pen' | 'line' | 'rect' | 'ellipse' | 'arrow' | 'text';
export const SHAPE_KINDS: readonly ItemKind[] = ['line', 'rect', 'ellipse', 'arrow'];

export interface SlideRef {
  deckId: string;
  /** 1-based, as pdf.js counts. */
  page: number;
}

export interface PageInfo {
  id: string;
  slide: SlideRef | null;
}

/** A plain snapshot of one item, for hit testing and drawing. */
export interface ItemView {
  id: string;
  kind: ItemKind;
  color: string;
  size: number;
  points: number[];
  text: string;
}

export interface NewItem {
  kind: ItemKind;
  color: string;
  size: number;
  points: number[];
  text?: string;
}

/** A random id that a page id and an item id may both use (BoardPageIdSchema: [A-Za-z0-9_-]). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

export class BoardDoc {
  readonly doc: Y.Doc;
  /** The origin of our own transactions: the only one undo tracks and the sync sends. */
  readonly origin = { board: 'local' };
  readonly undo: Y.UndoManager;
  private readonly pages: Y.Array<Y.Map<unknown>>;

  constructor(doc: Y.Doc) {
    this.doc = doc;
    this.pages = doc.getArray('pages');
    // Only our own origin: undo never removes what someone else drew.
    // Steps are cut explicitly (a stroke, a shape, an erase gesture), not by a pause: a slow
    // stroke stays one undo step.
    this.undo = new Y.UndoManager([this.pages], {
      trackedOrigins: new Set([this.origin]),
      captureTimeout: 10 * 60_000,
    });
  }

  destroy(): void {
    this.undo.destroy();
  }

  pageList(): PageInfo[] {
    const out: PageInfo[] = [{ id: FIRST_PAGE, slide: null }];
    const seen = new Set([FIRST_PAGE]);
    for (const page of this.pages.toArray()) {
      const id = page.get('id');
      if (typeof id !== 'string' || seen.has(id)) continue;
      seen.add(id);
      out.push({ id, slide: parseSlide(page.get('slide')) });
    }
    return out;
  }

  /** Adds pages after `afterId` (at the end if absent); returns their ids. */
  addPages(slides: (SlideRef | null)[], afterId?: string): string[] {
    const ids = slides.map(() => randomId());
    const list = this.pages.toArray();
    const found = list.findIndex((p) => p.get('id') === afterId);
    // The implicit first page is before everything listed.
    const at = afterId === FIRST_PAGE ? 0 : found >= 0 ? found + 1 : list.length;
    this.doc.transact(() => {
      const maps = slides.map((slide, i) => {
        const page = new Y.Map<unknown>();
        page.set('id', ids[i]);
        if (slide) page.set('slide', { deckId: slide.deckId, page: slide.page });
        return page;
      });
      this.pages.insert(at, maps);
    }, this.origin);
    return ids;
  }

  /** The page's items; brings the array into undo's scope so our changes to it can be undone. */
  itemsOf(pageId: string): Y.Array<Y.Map<unknown>> {
    const items = this.doc.getArray<Y.Map<unknown>>(`items:${pageId}`);
    this.undo.addToScope(items);
    return items;
  }

  items(pageId: string): ItemView[] {
    return this.itemsOf(pageId)
      .toArray()
      .map(viewOf)
      .filter((v): v is ItemView => v !== null);
  }

  /** Adds an item; returns its map, so a pen stroke can grow with `appendPoints`. */
  addItem(pageId: string, item: NewItem): Y.Map<unknown> {
    const map = new Y.Map<unknown>();
    this.undo.stopCapturing();
    this.doc.transact(() => {
      map.set('id', randomId());
      map.set('kind', item.kind);
      map.set('color', item.color);
      map.set('size', item.size);
      const points = new Y.Array<number>();
      points.push(item.points);
      map.set('points', points);
      if (item.text !== undefined) map.set('text', item.text);
      this.itemsOf(pageId).push([map]);
    }, this.origin);
    return map;
  }

  /** A pen stroke grows while drawn, so others see it live. */
  appendPoints(item: Y.Map<unknown>, points: number[]): void {
    const arr = item.get('points');
    if (!(arr instanceof Y.Array)) return;
    this.doc.transact(() => arr.push(points), this.origin);
  }

  /** Ends one undo step (a stroke, a shape, an erase gesture). */
  endStep(): void {
    this.undo.stopCapturing();
  }

  removeItems(pageId: string, ids: ReadonlySet<string>): number {
    if (ids.size === 0) return 0;
    const items = this.itemsOf(pageId);
    let removed = 0;
    this.doc.transact(() => {
      for (let i = items.length - 1; i >= 0; i--) {
        if (ids.has(String(items.get(i).get('id')))) {
          items.delete(i, 1);
          removed++;
        }
      }
    }, this.origin);
    return removed;
  }

  /** Moderators: empties a page (everyone's items; undo brings them back). */
  clearPage(pageId: string): void {
    const items = this.itemsOf(pageId);
    this.undo.stopCapturing();
    this.doc.transact(() => items.delete(0, items.length), this.origin);
    this.undo.stopCapturing();
  }
}

function parseSlide(value: unknown): SlideRef | null {
  if (typeof value !== 'object' || value === null) return null;
  const { deckId, page } = value as Record<string, unknown>;
  if (typeof deckId !== 'string' || typeof page !== 'number') return null;
  return { deckId, page };
}

const KINDS = new Set<string>(['pen', 'line', 'rect', 'ellipse', 'arrow', 'text']);

/** Reads an item defensively: the doc is written by other clients. */
export function viewOf(map: Y.Map<unknown>): ItemView | null {
  const kind = map.get('kind');
  const points = map.get('points');
  if (typeof kind !== 'string' || !KINDS.has(kind) || !(points instanceof Y.Array)) return null;
  const size = Number(map.get('size'));
  const text = map.get('text');
  return {
    id: String(map.get('id')),
    kind: kind as ItemKind,
    color: String(map.get('color') ?? '#000000'),
    size: Number.isFinite(size) && size > 0 ? Math.min(size, 200) : 4,
    points: (points.toArray() as unknown[]).map(Number),
    text: typeof text === 'string' ? text : '',
  };
}
