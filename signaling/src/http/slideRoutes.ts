import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES, LIMITS, RoomIdSchema, SlideDeckIdSchema } from '@parley/protocol';
import type { RoomId, SlideUploadReply } from '@parley/protocol';
import type { BoardTickets, TicketHolder } from '../classroom/boardTickets.ts';
import type { SlideStore } from '../store/index.ts';
import { apiError, json, methodNotAllowed } from './httpUtil.ts';

/** What the slides' routes need from the server. */
export interface SlideRouteDeps {
  slides: SlideStore;
  tickets: BoardTickets;
  rooms: { exists(id: RoomId): Promise<boolean> };
}

const ROUTE = /^\/api\/rooms\/([^/]+)\/slides(?:\/([^/]+))?$/;
/** Every PDF starts so (ISO 32000-1, 7.5.2: the header line `%PDF-1.n`). */
const PDF_MAGIC = Buffer.from('%PDF-');

/**
 * The slide decks of a room's whiteboard (issue 17), read from the store (any node answers,
 * the meeting need not be running here). Authorised by a board ticket (boardTickets.ts) that
 * the member got over the socket:
 * - `POST /api/rooms/<id>/slides`: the PDF as the body, with an upload ticket in
 *   `Authorization: Bearer` only (a cross-site form cannot set it). 201 `SlideUploadReply`.
 * - `GET /api/rooms/<id>/slides/<deckId>`: any ticket of the room, as a bearer or as `?t=`
 *   (pdf.js workers and `<img>` cannot always set headers).
 * True when the path was one of these routes.
 */
export async function handleSlideRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: SlideRouteDeps,
  path: string,
): Promise<boolean> {
  const match = ROUTE.exec(path);
  if (!match) return false;
  const [, rawRoomId = '', deckId] = match;
  const allowed = deckId === undefined ? 'POST' : 'GET';
  if (req.method !== allowed) {
    methodNotAllowed(res, allowed);
    return true;
  }
  const roomId = RoomIdSchema.safeParse(rawRoomId);
  const holder = roomId.success ? ticketHolder(req, deps.tickets, roomId.data) : undefined;
  // Checked before the room: without a ticket nobody learns whether a room exists.
  if (!roomId.success || !holder) {
    refuse(req, res, 401, ERROR_CODES.UNAUTHORIZED, 'send a board ticket of this room');
  } else if (deckId === undefined) {
    await upload(req, res, deps, roomId.data, holder);
  } else {
    await download(res, deps, roomId.data, deckId);
  }
  return true;
}

async function upload(
  req: IncomingMessage,
  res: ServerResponse,
  deps: SlideRouteDeps,
  roomId: RoomId,
  holder: TicketHolder,
): Promise<void> {
  if (!holder.upload) {
    return refuse(req, res, 403, ERROR_CODES.FORBIDDEN, 'only hosts and co-hosts upload slides');
  }
  if (!(await deps.rooms.exists(roomId))) {
    return refuse(req, res, 404, ERROR_CODES.ROOM_NOT_FOUND, 'no such room');
  }
  if (!/^application\/pdf\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    return refuse(req, res, 415, ERROR_CODES.BAD_MESSAGE, 'send Content-Type: application/pdf');
  }
  const pdf = await readCapped(req, LIMITS.SLIDES_MAX_BYTES);
  if (!pdf) {
    const most = `${LIMITS.SLIDES_MAX_BYTES / 1024 / 1024} MiB`;
    return refuse(req, res, 413, ERROR_CODES.BAD_MESSAGE, `a slide deck is at most ${most}`);
  }
  if (!pdf.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
    return apiError(res, 400, ERROR_CODES.BAD_MESSAGE, 'the body is not a PDF file');
  }
  const deck = {
    id: randomBytes(16).toString('base64url'),
    roomId,
    bytes: pdf.byteLength,
    createdAt: Date.now(),
  };
  if (!(await deps.slides.put(deck, pdf, LIMITS.SLIDE_DECKS_MAX))) {
    const full = `a room keeps at most ${LIMITS.SLIDE_DECKS_MAX} slide decks`;
    return apiError(res, 409, ERROR_CODES.BOARD_FULL, full);
  }
  const reply: SlideUploadReply = { deckId: deck.id, bytes: deck.bytes };
  json(res, 201, reply);
}

async function download(
  res: ServerResponse,
  deps: SlideRouteDeps,
  roomId: RoomId,
  deckId: string,
): Promise<void> {
  const known = SlideDeckIdSchema.safeParse(deckId).success;
  const pdf = known ? await deps.slides.get(roomId, deckId) : undefined;
  if (!pdf) return apiError(res, 404, 'NOT_FOUND', 'no such slide deck');
  res.writeHead(200, {
    'Content-Type': 'application/pdf',
    'Content-Length': pdf.byteLength,
    // A deck never changes (a new upload is a new id); private: the URL may carry a ticket.
    'Cache-Control': 'private, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': 'inline',
  });
  res.end(pdf);
}

/** The holder of the request's ticket for `roomId`: a bearer, or `?t=` on a GET. */
function ticketHolder(
  req: IncomingMessage,
  tickets: BoardTickets,
  roomId: RoomId,
): TicketHolder | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const query =
    req.method === 'GET'
      ? new URL(req.url ?? '/', 'http://localhost').searchParams.get('t')
      : undefined;
  const ticket = bearer ?? query;
  return ticket ? tickets.verify(ticket, roomId) : undefined;
}

/**
 * The body, when it is at most `max` bytes; undefined as soon as it is larger (a declared
 * Content-Length says so before anything is read), keeping nothing of it.
 */
function readCapped(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length']) > max) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      chunks = [];
      req.off('data', onData).off('end', onEnd).off('error', reject);
      resolve(undefined);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks, size));
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

/**
 * An error answer to a request whose body may still be coming. The connection closes once the
 * answer is out, so a client that goes on sending (20 MiB to an expired ticket) is not read
 * to its end; what arrives meanwhile is discarded, never kept.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  if (req.complete) return apiError(res, status, code, message);
  apiError(res, status, code, message, { Connection: 'close' });
}
