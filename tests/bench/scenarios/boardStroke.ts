// A whiteboard stroke from one browser to 10 receivers (issue 17): a Chromium page draws on
// the board's canvas with the mouse (the app's own code: Yjs, its sync, the socket); ten
// receivers, Yjs documents on WebSockets in the bench process, note when each stroke's first
// change reaches them. The floor, in the same run: the same strokes sent by a bot instead of
// the browser (the server's path alone, no page, no canvas).

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as sync from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { startAppServer } from '../lib/appServer.ts';
import { Browsers, openRoomPage } from '../lib/browser.ts';
import { round, sleep, summarize } from '../lib/stats.ts';
import { LoadClient } from '../lib/wsClient.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

const FULL = { receivers: 10, strokes: 60 };
const SMOKE = { receivers: 3, strokes: 4 };
/** How long a stroke waits for every receiver. */
const STROKE_WAIT_MS = 3_000;
const REMOTE = Symbol('server');

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** A receiver (or the floor's sender): a Yjs document synced over a LoadClient. */
class Receiver {
  readonly doc = new Y.Doc();
  /** When each change from the server arrived (performance.now()), in order. */
  readonly changes: number[] = [];

  constructor(readonly client: LoadClient) {
    client.onPush = (m) => {
      if (m.type === 'board-sync') this.#receive(String(m.data));
    };
  }

  async open(): Promise<void> {
    const e = encoding.createEncoder();
    sync.writeSyncStep1(e, this.doc);
    await this.client.request({ type: 'board-sync', data: b64(encoding.toUint8Array(e)) });
  }

  /** The floor: a stroke's first change, as a bot draws it. */
  async stroke(i: number): Promise<void> {
    let update: Uint8Array | undefined;
    const take = (u: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) update = u;
    };
    this.doc.on('update', take);
    const points = Y.Array.from([100 + i, 100, 0.5]);
    const item = new Y.Map<unknown>([
      ['kind', 'pen'],
      ['points', points],
    ]);
    this.doc.getArray('floor').push([item]);
    this.doc.off('update', take);
    const e = encoding.createEncoder();
    sync.writeUpdate(e, update as Uint8Array);
    await this.client.request({ type: 'board-sync', data: b64(encoding.toUint8Array(e)) });
  }

  #receive(data: string): void {
    const decoder = decoding.createDecoder(new Uint8Array(Buffer.from(data, 'base64')));
    const reply = encoding.createEncoder();
    const kind = sync.readSyncMessage(decoder, reply, this.doc, REMOTE);
    if (encoding.length(reply) > 0) {
      this.client.send({ type: 'board-sync', data: b64(encoding.toUint8Array(reply)) });
    }
    if (kind === sync.messageYjsUpdate) this.changes.push(performance.now());
  }
}

/** When `r` got its first change at or after `since`; undefined: not yet. */
const firstAfter = (r: Receiver, since: number): number | undefined =>
  r.changes.find((t) => t >= since);

/**
 * Waits until every receiver got a change after `since`; the delay to each one's first such
 * change (ms), or null if one never got any.
 */
async function seenBy(receivers: Receiver[], since: number): Promise<number[] | null> {
  const deadline = since + STROKE_WAIT_MS;
  const done = () => receivers.every((r) => firstAfter(r, since) !== undefined);
  while (!done() && performance.now() < deadline) await sleep(1);
  return done() ? receivers.map((r) => (firstAfter(r, since) as number) - since) : null;
}

/** One stroke on the page's canvas: pointer down (timed), a short line, up. */
async function drawOnPage(page: Page, i: number): Promise<number> {
  const canvas = page.getByTestId('board-canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no board canvas');
  const x = box.x + 40 + ((i * 37) % Math.max(1, box.width - 120));
  const y = box.y + 40 + ((i * 23) % Math.max(1, box.height - 120));
  await page.mouse.move(x, y);
  const t0 = performance.now();
  await page.mouse.down();
  for (let step = 1; step <= 5; step++) await page.mouse.move(x + step * 10, y + step * 4);
  await page.mouse.up();
  return t0;
}

interface Measured {
  browser: number[];
  floor: number[];
  missed: number;
  bytesPerStroke: number;
}

async function measure(smoke: boolean, log: (l: string) => void): Promise<Measured> {
  const plan = smoke ? SMOKE : FULL;
  const app = await startAppServer();
  const browsers = new Browsers();
  try {
    const { id } = await app.createRoom();
    const room = await openRoomPage(await browsers.launch(), app.url, id, { name: 'Teacher' });
    await room.join.click();
    await room.page.getByRole('button', { name: 'Leave' }).waitFor();
    await room.page.getByRole('button', { name: 'Whiteboard', exact: true }).click();
    await room.page.getByTestId('board-canvas').waitFor();
    const receivers: Receiver[] = [];
    for (let i = 0; i < plan.receivers; i++) {
      const client = await LoadClient.ready(app.url);
      await client.request({ type: 'join', roomId: id, name: `student ${i}`, media: { audio: false, video: false } }); // prettier-ignore
      const receiver = new Receiver(client);
      await receiver.open();
      receivers.push(receiver);
    }
    log(`1 page drawing, ${receivers.length} receivers`);
    const result: Measured = { browser: [], floor: [], missed: 0, bytesPerStroke: 0 };
    await drawOnPage(room.page, 0); // warm-up (JIT, the first page of the board)
    await sleep(500);
    for (let i = 1; i <= plan.strokes; i++) {
      const t0 = await drawOnPage(room.page, i);
      const delays = await seenBy(receivers, t0);
      if (delays) result.browser.push(...delays);
      else result.missed += 1;
      await sleep(100);
    }
    const sender = receivers[0] as Receiver;
    const others = receivers.slice(1);
    const bot = new Receiver(await LoadClient.ready(app.url));
    await bot.client.request({ type: 'join', roomId: id, name: 'bot', media: { audio: false, video: false } }); // prettier-ignore
    await bot.open();
    const everyone = [sender, ...others];
    for (let i = 1; i <= plan.strokes; i++) {
      const t0 = performance.now();
      await bot.stroke(i);
      const delays = await seenBy(everyone, t0);
      if (delays) result.floor.push(...delays);
      else result.missed += 1;
      await sleep(100);
    }
    result.bytesPerStroke = Y.encodeStateAsUpdate(sender.doc).length / (2 * plan.strokes + 1);
    for (const r of [...receivers, bot]) r.client.close();
    return result;
  } finally {
    await browsers.close();
    await app.close();
  }
}

export const boardStroke: Scenario = {
  name: 'board-stroke',
  title: 'A whiteboard stroke from one browser to 10 receivers',
  description:
    "The real server in the bench process (`tests/bench/lib/appServer.ts`, no SFU: the board never touches media) serving the built app; one headless Chromium page joins a room, opens **Whiteboard** and draws with the mouse (`page.mouse`: down, five moves, up) on the board canvas, so the stroke goes through the app's own code (Yjs, its sync, the socket). Ten receivers are Yjs documents on WebSockets in the bench process (`board-sync` over `LoadClient`), each with the board open. Per stroke: pointer down -> the stroke's first change applied at each receiver (every stroke x receiver pair; the bench process holds both clocks). Then the floor, same run, same receivers: a bot draws the same number of strokes over its own socket (a Yjs change sent directly: the server's path without a page or a canvas). One warm-up stroke, then 60 strokes of each, 100 ms apart. `--smoke`: 3 receivers, 4 strokes.",
  target: 'stroke from a browser to 10 receivers, p95 <= 50 ms on loopback',
  anchor: 'the same strokes sent by a bot, same run (the server path alone)',
  needs: ['chromium'],
  analysis:
    "**Meets the target with room to spare** (2026-12-06 ~00:58 UTC, three full runs in a row, load average 1.1-3.4 on the 2 cores): a stroke drawn in the browser reaches all 10 receivers in **p50 14.1-16.7 ms, p95 21.3-24.2 ms**; the same strokes from a bot, in the same runs, in p50 2.2-3.0 ms, p95 4.7-6.1 ms (browser / bot at p95: 4.0-4.5x). The difference is the page: the mouse event through the DevTools protocol (~3 ms), the app's pointer handler and Yjs change, and its socket. No stroke was missed. The board sends a change at once when nothing went in the last 30 ms, then at most one message per 30 ms while a stroke is drawn: the first version waited 30 ms before every send, which the first smoke run showed (p50 ~75 ms, measured then to the stroke's last change; the scenario now times each receiver's first change after pointer down).",
  async run({ smoke, log }): Promise<ScenarioOutput> {
    const m = await measure(smoke, log);
    const browser = summarize(m.browser);
    const floor = summarize(m.floor);
    const figures: Figure[] = [
      { key: 'stroke_p50', label: 'browser stroke -> 10 receivers, p50', value: round(browser.p50), unit: 'ms' }, // prettier-ignore
      { key: 'stroke_p95', label: 'browser stroke -> 10 receivers, p95', value: round(browser.p95), unit: 'ms', target: { op: '<=', value: 50 } }, // prettier-ignore
      { key: 'floor_p50', label: 'bot stroke -> 10 receivers, p50', value: round(floor.p50), unit: 'ms' }, // prettier-ignore
      { key: 'floor_p95', label: 'bot stroke -> 10 receivers, p95', value: round(floor.p95), unit: 'ms' }, // prettier-ignore
      { key: 'stroke_ratio_p95', label: 'browser / bot, p95', value: round(browser.p95 / Math.max(0.001, floor.p95)), unit: 'x' }, // prettier-ignore
      { key: 'missed', label: 'strokes some receiver never got (3 s)', value: m.missed, unit: 'strokes', target: { op: '<=', value: 0 } }, // prettier-ignore
    ];
    return {
      figures,
      details: { browser, floor, bytesPerStroke: round(m.bytesPerStroke) },
      notes: [],
    };
  },
};
