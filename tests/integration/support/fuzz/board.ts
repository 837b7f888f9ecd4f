import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * `board-sync` data for the fuzz: real y-protocols sync messages (a step 1, a step 2 or update
 * made by a real Yjs document: strokes, texts, deletions), the same with a wrong kind or cut
 * short, and random bytes. The schema alone only draws random base64, which the server
 * refuses before Yjs ever sees it.
 */

function message(kind: number, payload: Uint8Array): string {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, kind);
  encoding.writeVarUint8Array(e, payload);
  return Buffer.from(encoding.toUint8Array(e)).toString('base64');
}

const change = fc
  .record({
    texts: fc.array(fc.string({ maxLength: 40 }), { maxLength: 8 }),
    points: fc.array(fc.double({ noNaN: true }), { maxLength: 30 }),
    remove: fc.nat({ max: 4 }),
    client: fc.nat(),
  })
  .map(({ texts, points, remove, client }) => {
    const doc = new Y.Doc();
    doc.clientID = client;
    const pages = doc.getArray<Y.Map<unknown>>('pages');
    const page = new Y.Map<unknown>();
    page.set('id', 'p1');
    const items = new Y.Array<string>();
    items.push(texts);
    page.set('items', items);
    page.set('points', Y.Array.from(points));
    pages.push([page]);
    items.delete(0, Math.min(remove, items.length));
    return Y.encodeStateAsUpdate(doc);
  });

export const boardData: fc.Arbitrary<string> = fc.oneof(
  fc.constant(message(0, Y.encodeStateVector(new Y.Doc()))),
  fc.tuple(fc.constantFrom(1, 2), change).map(([kind, update]) => message(kind, update)),
  fc.tuple(fc.nat({ max: 9 }), change).map(([kind, update]) => message(kind, update)),
  change.map((update) => message(2, update).slice(0, Math.max(4, update.length / 2))),
  fc.uint8Array({ minLength: 3, maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
);
