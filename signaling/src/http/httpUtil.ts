import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodType } from 'zod';
import { ERROR_CODES } from '@parley/protocol';
import type { LimitError } from '../util/limits.ts';

/** A JSON reply that no cache keeps: every API answer depends on who asks and when. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** The one shape of every REST error: `{error: {code, message}}` (ApiError). */
export function apiError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string | string[]> = {},
): void {
  json(res, status, { error: { code, message } }, headers);
}

/**
 * A request a limit refused: 429 with the error's code (RATE_LIMITED, LIMIT_REACHED) and
 * `Retry-After` (the window's remaining seconds; 10 for a quota on what is open at once).
 */
export function sendLimitError(res: ServerResponse, error: LimitError): void {
  const retryAfter = String(error.retryAfterS ?? 10);
  apiError(res, 429, error.code, error.message, { 'Retry-After': retryAfter });
}

/** Reads a request body of at most `max` bytes; undefined when it is larger. */
export function readSmallBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Reads a small JSON body and checks it against `schema`. On any failure (too large, not JSON,
 * wrong shape) it has already answered 400 BAD_MESSAGE with `hint`, and returns undefined.
 * `options.empty`, when given, stands for an empty body (an optional one); `max` is in bytes.
 * `options.jsonOnly` refuses any other Content-Type with 415: an HTML form on another site can
 * POST text/plain but cannot send application/json without a CORS preflight, which we never
 * grant, so such routes cannot be driven by cross-site forms (login CSRF).
 */
export async function readJsonBody<T>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: ZodType<T>,
  hint: string,
  options: { max?: number; empty?: unknown; jsonOnly?: boolean } = {},
): Promise<T | undefined> {
  if (options.jsonOnly && !isJson(req)) {
    apiError(res, 415, ERROR_CODES.BAD_MESSAGE, 'send Content-Type: application/json');
    return undefined;
  }
  const text = await readSmallBody(req, options.max ?? 4096);
  let body: unknown;
  try {
    if (text !== undefined) {
      body = text.trim() === '' && 'empty' in options ? options.empty : JSON.parse(text);
    }
  } catch {
    body = undefined;
  }
  const parsed = body === undefined ? undefined : schema.safeParse(body);
  if (parsed?.success) return parsed.data;
  apiError(res, 400, ERROR_CODES.BAD_MESSAGE, hint);
  return undefined;
}

const isJson = (req: IncomingMessage): boolean =>
  /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');

export function methodNotAllowed(res: ServerResponse, allow: string): void {
  apiError(res, 405, 'METHOD_NOT_ALLOWED', `use ${allow}`, { Allow: allow });
}
