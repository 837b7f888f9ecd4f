// Issue 17, slide decks over HTTP: the route with a real node:http server on an ephemeral port
// and a real SQLite store. (The server's router does not mount the route yet; once it does,
// these cases move to startTestServer with tickets from a real `board-ticket`.)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, LIMITS, SlideUploadReplySchema } from '@parley/protocol';
import type { PeerId, RoomId } from '@parley/protocol';
import { BoardTickets } from '../../signaling/src/classroom/boardTickets.ts';
import { handleSlideRoute } from '../../signaling/src/http/slideRoutes.ts';
import { defaultSettings } from '../../signaling/src/store/settings.ts';
import { openSqliteStorage } from '../../signaling/src/store/sqlite/index.ts';
import type { Storage } from '../../signaling/src/store/types.ts';

const MiB = 1024 * 1024;
const tickets = new BoardTickets(randomBytes(32));
let dataDir = '';
let storage: Storage;
let server: Server;
let base = '';

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'parley-slides-'));
  storage = openSqliteStorage(dataDir);
  const deps = {
    slides: storage.slides,
    tickets,
    rooms: { exists: async (id: RoomId) => (await storage.rooms.get(id)) !== undefined },
  };
  server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    handleSlideRoute(req, res, deps, pathname)
      .then((handled) => (handled ? undefined : res.writeHead(404).end()))
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await storage?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A stored room, and an upload (host) and a read-only (guest) ticket for it. */
async function newRoom() {
  const id = randomBytes(16).toString('base64url') as RoomId;
  await storage.rooms.create({
    id,
    hostKeyHash: 'h'.repeat(64),
    createdAt: Date.now(),
    ownerId: null,
    title: null,
    settings: defaultSettings(),
    passwordHash: null,
  });
  const host = tickets.mint(id, 'host-peer-1' as PeerId, true).ticket;
  const guest = tickets.mint(id, 'guest-peer-1' as PeerId, false).ticket;
  return { id, host, guest };
}

/** A small but real-looking PDF (only its header is checked) with random bytes after it. */
const pdf = (size = 4096): Buffer =>
  Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

const upload = (id: RoomId, ticket: string | undefined, body: Buffer, type = 'application/pdf') =>
  fetch(`${base}/api/rooms/${id}/slides`, {
    method: 'POST',
    headers: { 'content-type': type, ...(ticket ? { authorization: `Bearer ${ticket}` } : {}) },
    body,
  });

async function uploaded(id: RoomId, ticket: string, body: Buffer): Promise<string> {
  const res = await upload(id, ticket, body);
  expect(res.status).toBe(201);
  const reply = SlideUploadReplySchema.parse(await res.json());
  expect(reply.bytes).toBe(body.length);
  return reply.deckId;
}

const errorCode = async (res: Response): Promise<string> =>
  ((await res.json()) as { error: { code: string } }).error.code;

/**
 * POSTs `total` bytes in 1 MiB writes, stopping as soon as an answer comes. `declare`: with a
 * Content-Length (else chunked). Resolves with the answer and how much was written by then.
 */
function bigUpload(id: RoomId, ticket: string, total: number, declare: boolean) {
  return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
    const headers = {
      'content-type': 'application/pdf',
      authorization: `Bearer ${ticket}`,
      ...(declare ? { 'content-length': String(total) } : {}),
    };
    const req = request(`${base}/api/rooms/${id}/slides`, { method: 'POST', headers });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
    });
    // The server closes the connection after answering: writes after that may fail.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(MiB, '%PDF-');
    const pump = (): void => {
      while (!answered && sent < total) {
        const piece = chunk.subarray(0, Math.min(MiB, total - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('slide decks over HTTP (issue 17)', () => {
  it('stores an upload with a host ticket and serves it byte for byte to any ticket', async () => {
    const { id, host, guest } = await newRoom();
    const body = pdf(300_000);
    const deckId = await uploaded(id, host, body);
    const byBearer = await fetch(`${base}/api/rooms/${id}/slides/${deckId}`, {
      headers: { authorization: `Bearer ${guest}` },
    });
    expect(byBearer.status).toBe(200);
    expect(Object.fromEntries(byBearer.headers)).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(body.length),
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline',
    });
    expect(Buffer.from(await byBearer.arrayBuffer()).equals(body)).toBe(true);
    const byQuery = await fetch(`${base}/api/rooms/${id}/slides/${deckId}?t=${guest}`);
    expect(Buffer.from(await byQuery.arrayBuffer()).equals(body)).toBe(true);
    expect(await storage.slides.list(id)).toEqual([
      { id: deckId, roomId: id, bytes: body.length, createdAt: expect.any(Number) },
    ]);
  });

  it('refuses a request without a valid ticket of that room', async () => {
    const { id, host } = await newRoom();
    const other = await newRoom();
    const deckId = await uploaded(id, host, pdf());
    const deck = `${base}/api/rooms/${id}/slides/${deckId}`;
    const refusals = [
      await upload(id, undefined, pdf()),
      await upload(id, other.host, pdf()),
      await upload(id, `${host}x`, pdf()),
      await fetch(deck),
      await fetch(deck, { headers: { authorization: `Bearer ${other.guest}` } }),
      await fetch(`${deck}?t=${other.host}`),
      await fetch(`${base}/api/rooms/not-a-room/slides/${deckId}?t=${host}`),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(await errorCode(refusals[0] as Response)).toBe(ERROR_CODES.UNAUTHORIZED);
    // The other room's ticket does not reach this room's deck by way of its own room either.
    const viaOther = await fetch(`${base}/api/rooms/${other.id}/slides/${deckId}?t=${other.guest}`);
    expect(viaOther.status).toBe(404);
    expect(await storage.slides.list(id)).toHaveLength(1);
  });

  it('lets a read-only ticket download but not upload', async () => {
    const { id, host, guest } = await newRoom();
    const refused = await upload(id, guest, pdf());
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe(ERROR_CODES.FORBIDDEN);
    const deckId = await uploaded(id, host, pdf());
    expect((await fetch(`${base}/api/rooms/${id}/slides/${deckId}?t=${guest}`)).status).toBe(200);
    expect((await fetch(`${base}/api/rooms/${id}/slides/unknown-deck?t=${guest}`)).status).toBe(
      404,
    );
    expect(await storage.slides.list(id)).toHaveLength(1);
  });

  it('takes only PDFs, and only by POST and GET', async () => {
    const { id, host } = await newRoom();
    const notPdf = Buffer.from('<html><script>alert(1)</script></html>');
    const typed = await upload(id, host, pdf(), 'text/html');
    expect([typed.status, await errorCode(typed)]).toEqual([415, ERROR_CODES.BAD_MESSAGE]);
    const sniffed = await upload(id, host, notPdf);
    expect([sniffed.status, await errorCode(sniffed)]).toEqual([400, ERROR_CODES.BAD_MESSAGE]);
    expect((await upload(id, host, Buffer.alloc(0))).status).toBe(400);
    const get = await fetch(`${base}/api/rooms/${id}/slides?t=${host}`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const put = await fetch(`${base}/api/rooms/${id}/slides/x?t=${host}`, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET']);
    expect(await storage.slides.list(id)).toEqual([]);
  });

  it('refuses a deck over the size limit with 413 before reading it all', async () => {
    const { id, host } = await newRoom();
    const total = LIMITS.SLIDES_MAX_BYTES + 1;
    // Declared too large: answered from the headers, long before the body is all sent.
    const declared = await bigUpload(id, host, total, true);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ error: { code: ERROR_CODES.BAD_MESSAGE } });
    expect(declared.sent).toBeLessThan(total);
    // Chunked: answered as soon as the count passes the limit.
    const chunked = await bigUpload(id, host, total, false);
    expect(chunked.status).toBe(413);
    expect(await storage.slides.list(id)).toEqual([]);
    // Exactly at the limit is fine.
    const atLimit = await upload(id, host, pdf(LIMITS.SLIDES_MAX_BYTES));
    expect(atLimit.status).toBe(201);
  });

  it(`keeps ${LIMITS.SLIDE_DECKS_MAX} decks per room and refuses the next with BOARD_FULL`, async () => {
    const { id, host } = await newRoom();
    for (let i = 0; i < LIMITS.SLIDE_DECKS_MAX; i++) await uploaded(id, host, pdf(1024));
    const full = await upload(id, host, pdf(1024));
    expect([full.status, await errorCode(full)]).toEqual([409, ERROR_CODES.BOARD_FULL]);
    expect(await storage.slides.list(id)).toHaveLength(LIMITS.SLIDE_DECKS_MAX);
    // Another room is not full.
    const other = await newRoom();
    await uploaded(other.id, other.host, pdf(1024));
  });
});
