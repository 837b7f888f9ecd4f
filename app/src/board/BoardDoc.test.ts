import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BoardDoc, FIRST_PAGE, type NewItem } from './BoardDoc.ts';
import { hitIds } from './geometry.ts';

const stroke = (x: number): NewItem => ({
  kind: 'pen',
  color: '#000000',
  size: 4,
  points: [x, 100, 0, x + 50, 120, 0],
});

/** Two boards whose docs pass every update to each other at once (a perfect network). */
function connectedPair(): [BoardDoc, BoardDoc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== b && Y.applyUpdate(b, u, a));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== a && Y.applyUpdate(a, u, b));
  return [new BoardDoc(a), new BoardDoc(b)];
}

function exchange(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('BoardDoc', () => {
  it('starts with one page and adds a stroke that grows', () => {
    const board = new BoardDoc(new Y.Doc());
    expect(board.pageList()).toEqual([{ id: FIRST_PAGE, slide: null }]);
    const item = board.addItem(FIRST_PAGE, stroke(10));
    board.appendPoints(item, [80, 130, 0.5]);
    const [view] = board.items(FIRST_PAGE);
    expect(view).toMatchObject({
      kind: 'pen',
      size: 4,
      points: [10, 100, 0, 60, 120, 0, 80, 130, 0.5],
    });
    expect(board.pageList()).toHaveLength(1);
  });

  it('erases the items the eraser touches, and only those', () => {
    const board = new BoardDoc(new Y.Doc());
    board.addItem(FIRST_PAGE, stroke(10));
    board.addItem(FIRST_PAGE, stroke(500));
    const ids = hitIds(board.items(FIRST_PAGE), 35, 110, 4);
    expect(board.removeItems(FIRST_PAGE, ids)).toBe(1);
    expect(board.items(FIRST_PAGE).map((i) => i.points[0])).toEqual([500]);
  });

  it('undoes and redoes only our own strokes', () => {
    const [a, b] = connectedPair();
    a.addItem(FIRST_PAGE, stroke(10));
    a.endStep();
    b.addItem(FIRST_PAGE, stroke(300));
    b.endStep();
    a.addItem(FIRST_PAGE, stroke(600));
    a.endStep();
    expect(b.items(FIRST_PAGE)).toHaveLength(3);
    a.undo.undo();
    a.undo.undo();
    expect(b.items(FIRST_PAGE).map((i) => i.points[0])).toEqual([300]);
    expect(a.undo.canUndo()).toBe(false);
    a.undo.redo();
    expect(a.items(FIRST_PAGE).map((i) => i.points[0])).toEqual([10, 300]);
  });

  it('makes a whole pen stroke one undo step, however long it takes', () => {
    const board = new BoardDoc(new Y.Doc());
    const item = board.addItem(FIRST_PAGE, stroke(10));
    for (let i = 0; i < 20; i++) board.appendPoints(item, [i, i, 0]);
    board.endStep();
    board.addItem(FIRST_PAGE, stroke(200));
    board.endStep();
    board.undo.undo();
    expect(board.items(FIRST_PAGE)).toHaveLength(1);
    expect(board.items(FIRST_PAGE)[0]!.points).toHaveLength(6 + 60);
    board.undo.undo();
    expect(board.items(FIRST_PAGE)).toHaveLength(0);
  });

  it('adds pages, slides included, after a given page', () => {
    const board = new BoardDoc(new Y.Doc());
    const [p2] = board.addPages([null]);
    const [s1, s2] = board.addPages(
      [
        { deckId: 'deck-0001', page: 1 },
        { deckId: 'deck-0001', page: 2 },
      ],
      FIRST_PAGE,
    );
    const pages = board.pageList();
    expect(pages.map((p) => p.id)).toEqual([FIRST_PAGE, s1, s2, p2]);
    expect(pages[2]!.slide).toEqual({ deckId: 'deck-0001', page: 2 });
    for (const id of [p2!, s1!]) expect(id).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });

  it("clears a page (everyone's items), and undo brings them back", () => {
    const [a, b] = connectedPair();
    a.addItem(FIRST_PAGE, stroke(10));
    b.addItem(FIRST_PAGE, stroke(300));
    b.clearPage(FIRST_PAGE);
    expect(a.items(FIRST_PAGE)).toHaveLength(0);
    b.undo.undo();
    expect(a.items(FIRST_PAGE)).toHaveLength(2);
  });

  it('resolves the first-page race: two clients drawing on an empty board get one page', () => {
    const a = new BoardDoc(new Y.Doc());
    const b = new BoardDoc(new Y.Doc());
    a.addItem(FIRST_PAGE, stroke(10));
    b.addItem(FIRST_PAGE, stroke(300));
    exchange(a.doc, b.doc);
    for (const board of [a, b]) {
      expect(board.pageList()).toHaveLength(1);
      expect(board.items(FIRST_PAGE)).toHaveLength(2);
    }
  });

  it('keeps both pages when two clients add one at once, in the same order everywhere', () => {
    const a = new BoardDoc(new Y.Doc());
    const b = new BoardDoc(new Y.Doc());
    a.addPages([null]);
    b.addPages([null]);
    exchange(a.doc, b.doc);
    expect(a.pageList()).toHaveLength(3);
    expect(a.pageList()).toEqual(b.pageList());
  });
});
