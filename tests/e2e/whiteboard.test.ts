import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { createRoom, joinRoom } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

// Issue 17's proof for the whiteboard, with three browsers (each its own person): a stroke
// drawn in A appears on B's and C's canvas (read back as pixels), survives a reload and a
// server restart, and a guest without the right to draw cannot change the board, not even with
// a message made by hand on their own socket. The server's rules against hand-made sync
// messages are also in tests/integration/board.test.ts.

const WIDE = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Pixels of the board canvas that are clearly the red pen (the board's background is white). */
const redPixels = (page: Page): Promise<number> => pixelsOf(page, 'red');

/** Items on the first page of the board, as the page's Yjs document has them. */
function itemsOnBoard(page: Page): Promise<number> {
  return page.evaluate(() => {
    const hook = (globalThis as unknown as { __parleyBoard?: { items(i: number): number } })
      .__parleyBoard;
    return hook ? hook.items(0) : -1;
  });
}

async function seesRed(page: Page, what: string): Promise<void> {
  await page.getByTestId('board-canvas').waitFor();
  await waitFor(what, async () => (await redPixels(page)) > 40, { timeoutMs: 15_000 });
}

/** A red stroke across the middle of the canvas. */
async function drawRed(page: Page): Promise<void> {
  const board = page.getByRole('region', { name: 'Whiteboard' });
  await board.getByRole('radio', { name: 'Red' }).check();
  await board.getByLabel('Size').selectOption({ label: 'Marker' });
  await board.getByRole('button', { name: 'Pen' }).click();
  const box = await page.getByTestId('board-canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + box.width * (0.3 + i * 0.03), y + i);
  await page.mouse.up();
}

/**
 * A sync message made by hand on a socket of the guest's own browser (its cookie: the same
 * person to the server): a fresh Yjs change, as a modified client would send it.
 */
function handMadeChange(): string {
  const doc = new Y.Doc();
  doc.getArray('handmade').push(['scribble']);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 2); // an update
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return Buffer.from(encoding.toUint8Array(e)).toString('base64');
}

async function sendByHand(page: Page, roomId: string, data: string): Promise<string> {
  return page.evaluate(
    async ({ roomId, data }) => {
      const g = globalThis as unknown as {
        WebSocket: new (url: string) => {
          send(s: string): void;
          close(): void;
          onopen: () => void;
          onmessage: (e: { data: string }) => void;
        };
        location: { origin: string };
      };
      const ws = new g.WebSocket(`${g.location.origin.replace(/^http/, 'ws')}/ws`);
      const replies: Record<number, (m: { type: string; code?: string }) => void> = {};
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data) as { rid?: number; type: string; code?: string };
        if (m.rid !== undefined) replies[m.rid]?.(m);
      };
      let rid = 0;
      const ask = (msg: object) =>
        new Promise<{ type: string; code?: string }>((resolve) => {
          replies[++rid] = resolve;
          ws.send(JSON.stringify({ ...msg, rid }));
        });
      await new Promise<void>((resolve) => (ws.onopen = resolve));
      await ask({ type: 'hello', version: 1 });
      const media = { audio: false, video: false };
      const joined = await ask({ type: 'join', roomId, name: 'Ann (by hand)', media });
      if (joined.type !== 'joined') return `join: ${joined.type} ${joined.code ?? ''}`;
      const reply = await ask({ type: 'board-sync', data });
      ws.close();
      return reply.type === 'error' ? (reply.code ?? 'error') : reply.type;
    },
    { roomId, data },
  );
}

/** A PDF of one page per colour, each page filled with it (RGB, 0-1): slides to recognise. */
function slidesPdf(colours: [number, number, number][]): Buffer {
  const objects: string[] = [];
  const pageIds = colours.map((_, i) => 3 + i * 2);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${colours.length} >>`); // prettier-ignore
  for (const [i, [r, g, b]] of colours.entries()) {
    const content = `${r} ${g} ${b} rg 0 0 640 360 re f`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 640 360] /Contents ${4 + i * 2} 0 R >>`); // prettier-ignore
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** Pixels of the board canvas that are clearly `colour` ('red' or 'blue'). */
function pixelsOf(page: Page, colour: 'red' | 'blue'): Promise<number> {
  return page.getByTestId('board-canvas').evaluate((el, colour) => {
    const canvas = el as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
      if (colour === 'red' ? r > 180 && g < 90 && b < 90 : b > 180 && r < 90 && g < 90) n++;
    }
    return n;
  }, colour);
}

/** Most of the canvas shows a slide of that colour. */
async function showsSlide(page: Page, colour: 'red' | 'blue', what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      const size = await page
        .getByTestId('board-canvas')
        .evaluate((el) => (el as unknown as { width: number; height: number }).width * (el as unknown as { height: number }).height); // prettier-ignore
      return (await pixelsOf(page, colour)) > size * 0.2;
    },
    { timeoutMs: 20_000 },
  );
}

describe('the whiteboard in a call (issue 17)', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a stroke reaches the others’ canvases, survives a reload and a restart, and drawing can be kept to hosts', async () => {
    const host = (await newPeerPage(browser, { label: 'host', viewport: WIDE })).page;
    const ann = (await newPeerPage(browser, { label: 'ann', viewport: PHONE })).page;
    const bob = (await newPeerPage(browser, { label: 'bob', viewport: WIDE })).page;
    const url = await createRoom(host, server.url);
    const roomId = new URL(url).pathname.split('/').pop() as string;
    await joinRoom(host, url, 'Hana');
    await joinRoom(ann, url, 'Ann');
    await joinRoom(bob, url, 'Bob');

    // The host opens the board and presents it: the others' boards open by themselves.
    await host.getByRole('button', { name: 'Whiteboard', exact: true }).click();
    const hostBoard = host.getByRole('region', { name: 'Whiteboard' });
    await hostBoard.getByRole('button', { name: 'Present' }).click();
    await drawRed(host);
    await seesRed(host, 'the stroke on the host’s own canvas');
    await seesRed(bob, 'the host’s stroke on Bob’s canvas');
    await seesRed(ann, 'the host’s stroke on Ann’s canvas (a phone)');
    // Undo takes the stroke away for everyone; Redo brings it back.
    await hostBoard.getByRole('button', { name: 'Undo' }).click();
    await waitFor('the stroke undone on Bob’s canvas', async () => (await redPixels(bob)) === 0);
    await hostBoard.getByRole('button', { name: 'Redo' }).click();
    await seesRed(bob, 'the stroke back on Bob’s canvas after Redo');
    await host.screenshot({ path: '/tmp/whiteboard-host-1280x800.png' });
    await ann.screenshot({ path: '/tmp/whiteboard-student-390x844.png' });

    // Ann reloads: the board is presented, so it opens again, with the stroke.
    await ann.reload();
    await joinRoom(ann, url, 'Ann');
    await seesRed(ann, 'the stroke after Ann’s reload');

    // The server restarts on the same data: the pages rejoin, and a newcomer gets the board
    // from the store.
    const { port, dataDir } = server;
    await server.close({ keepData: true });
    server = await startTestServer({ port, dataDir });
    const carol = (await newPeerPage(browser, { label: 'carol', viewport: WIDE })).page;
    await joinRoom(carol, url, 'Carol');
    await carol.getByRole('button', { name: 'Whiteboard', exact: true }).click();
    await seesRed(carol, 'the stroke for a newcomer after the restart');
    await carol.close();

    // Drawing for hosts only: Ann's tools go; a change she makes by hand is refused, and the
    // others' boards do not move.
    await waitFor('Bob back in the call', async () =>
      bob.getByRole('button', { name: 'Leave' }).isVisible(),
    );
    await host.getByRole('button', { name: 'Room settings' }).click();
    await host.getByLabel('Let guests draw on the whiteboard').uncheck();
    await ann.getByText('Only hosts can draw on this board').waitFor();
    const before = await itemsOnBoard(bob);
    expect(await sendByHand(ann, roomId, handMadeChange())).toBe('FORBIDDEN');
    await host.getByLabel('Let guests draw on the whiteboard').check();
    expect(await sendByHand(ann, roomId, handMadeChange())).toBe('ok');
    // The allowed change lands (it is outside the board's pages, so nothing is drawn); the
    // refused one never did: Bob's first page still holds what it held.
    expect(await itemsOnBoard(bob)).toBe(before);
  }, 180_000);

  it('a host uploads slides and presents them: pdf.js renders each page, the class follows the host’s page', async () => {
    const host = (await newPeerPage(browser, { label: 'host', viewport: WIDE })).page;
    const bob = (await newPeerPage(browser, { label: 'bob', viewport: WIDE })).page;
    const url = await createRoom(host, server.url);
    await joinRoom(host, url, 'Hana');
    await joinRoom(bob, url, 'Bob');
    await host.getByRole('button', { name: 'Whiteboard', exact: true }).click();
    const board = host.getByRole('region', { name: 'Whiteboard' });
    await board.getByRole('button', { name: 'Present' }).click();
    await host.locator('input[type="file"][accept="application/pdf"]').setInputFiles({
      name: 'lesson.pdf',
      mimeType: 'application/pdf',
      buffer: slidesPdf([
        [1, 0, 0],
        [0, 0, 1],
      ]),
    });
    // The first slide (red) is where the host goes, and so does Bob, following.
    await showsSlide(host, 'red', 'the first slide on the host’s board');
    await showsSlide(bob, 'red', 'the first slide on Bob’s board');
    await board.getByRole('button', { name: 'Next page' }).click();
    await showsSlide(bob, 'blue', 'Bob following the host to the second slide');
    await bob.screenshot({ path: '/tmp/whiteboard-slides-1280x800.png' });
    // Bob browses back on his own: he stays there, and may go back to the presenter.
    const bobBoard = bob.getByRole('region', { name: 'Whiteboard' });
    await bobBoard.getByRole('button', { name: 'Previous page' }).click();
    await showsSlide(bob, 'red', 'Bob back on the first slide');
    await bobBoard.getByRole('button', { name: 'Back to presenter' }).click();
    await showsSlide(bob, 'blue', 'Bob with the presenter again');
  }, 120_000);
});
