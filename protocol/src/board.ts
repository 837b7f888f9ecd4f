import { z } from 'zod';
import { PeerIdSchema, RequestIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';

/**
 * The shared whiteboard (issue 17): one Yjs document per room, synced over this socket with
 * the `y-protocols` sync messages (step 1, step 2, update), each carried base64-encoded in a
 * `board-sync`. The server holds the document, stores every update with the room (compacted
 * now and then), and passes each one on to the members who opened the board.
 *
 * Drawing is a right: hosts and co-hosts always, guests while the room's `draw` setting is on.
 * The server checks it on every step 2 and update; reading (step 1) is everyone's.
 *
 * Slides are PDF files a host uploads over HTTP (`POST /api/rooms/<id>/slides`), authorised by
 * a short-lived ticket the socket hands out (`board-ticket`); the board's pages refer to them.
 */

const rid = { rid: RequestIdSchema.optional() };

/**
 * One `y-protocols` sync message, base64 (standard alphabet, with padding). Its first varint
 * says which: 0 step 1 (a state vector: "send me what I lack"), 1 step 2, 2 update.
 */
export const BoardDataSchema = z
  .string()
  .min(4)
  .max(LIMITS.BOARD_MESSAGE_MAX)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

/** A board page's id, chosen by the client that adds the page (a key in the Yjs document). */
export const BoardPageIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);

/** A slide deck's id, minted by the server at upload. */
export const SlideDeckIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/);

/** Who presents the board, and on which page: everyone follows unless they browse away. */
export const BoardPresenterSchema = z.strictObject({
  peerId: PeerIdSchema,
  name: z.string(),
  pageId: BoardPageIdSchema,
});
export type BoardPresenter = z.infer<typeof BoardPresenterSchema>;

// ---------- client -> server ----------

/**
 * A sync message for the room's board. Step 1 opens the board (the server answers with a step 2
 * holding what the client lacks, and its own step 1); from then on the client receives every
 * update. Step 2 and update change the board: FORBIDDEN without the right to draw, BOARD_FULL
 * when the board has reached BOARD_DOC_MAX_BYTES. The `ok` comes once the change is stored.
 */
export const BoardSyncSchema = z.strictObject({
  type: z.literal('board-sync'),
  ...rid,
  data: BoardDataSchema,
});
/**
 * Hosts and co-hosts: present the board on `pageId` (everyone's board opens there and follows
 * each page change), or stop presenting (`null`).
 */
export const BoardPresentSchema = z.strictObject({
  type: z.literal('board-present'),
  ...rid,
  pageId: BoardPageIdSchema.nullable(),
});
/**
 * A ticket for the slides' HTTP routes (reading this room's decks; uploading one too for hosts
 * and co-hosts). Replied with `board-ticket`.
 */
export const BoardTicketSchema = z.strictObject({
  type: z.literal('board-ticket'),
  ...rid,
});

export const BOARD_CLIENT_SCHEMAS = [
  BoardSyncSchema,
  BoardPresentSchema,
  BoardTicketSchema,
] as const;

// ---------- server -> client ----------

/** A sync message for the board (step 2 and step 1 after a step 1; then each update). */
export const BoardSyncPushSchema = z.strictObject({
  type: z.literal('board-sync'),
  data: z.string(),
});
/** To everyone, when it changes: who presents the board and on which page (`null`: nobody). */
export const BoardPresentingSchema = z.strictObject({
  type: z.literal('board-presenting'),
  presenter: BoardPresenterSchema.nullable(),
});
/** The reply to `board-ticket`. */
export const BoardTicketReplySchema = z.strictObject({
  type: z.literal('board-ticket'),
  rid: RequestIdSchema.optional(),
  /** Send as `Authorization: Bearer <ticket>` to the slides routes. */
  ticket: z.string(),
  /** ms since the epoch; ask again after. */
  expiresAt: z.number(),
  /** The ticket lets this member upload a deck (hosts and co-hosts). */
  upload: z.boolean(),
});

export const BOARD_SERVER_SCHEMAS = [
  BoardSyncPushSchema,
  BoardPresentingSchema,
  BoardTicketReplySchema,
] as const;

// ---------- HTTP ----------

/** `POST /api/rooms/<id>/slides` (body: the PDF, `Content-Type: application/pdf`) answers this. */
export const SlideUploadReplySchema = z.strictObject({
  deckId: SlideDeckIdSchema,
  bytes: z.number().int(),
});
export type SlideUploadReply = z.infer<typeof SlideUploadReplySchema>;
