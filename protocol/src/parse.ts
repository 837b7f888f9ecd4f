import { ClientMessageSchema, ServerMessageSchema } from './messages.ts';
import type { ClientMessage, ServerMessage } from './messages.ts';
import { ERROR_CODES } from './errors.ts';
import type { ErrorCode } from './errors.ts';

export type ParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: ErrorCode; error: string; ref?: string; rid?: number };

/** Reads what the type and rid of a frame were meant to be, so an error can point back at it. */
function salvage(value: unknown): { ref?: string; rid?: number } {
  if (typeof value !== 'object' || value === null) return {};
  const { type, rid } = value as Record<string, unknown>;
  return {
    ...(typeof type === 'string' ? { ref: type.slice(0, 32) } : {}),
    ...(typeof rid === 'number' && Number.isSafeInteger(rid) && rid >= 0 ? { rid } : {}),
  };
}

function parseWith<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  text: string,
): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ERROR_CODES.BAD_JSON, error: 'message is not valid JSON' };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return {
    ok: false,
    code: ERROR_CODES.BAD_MESSAGE,
    error: `${where}${issue?.message ?? 'invalid message'}`,
    ...salvage(value),
  };
}

/** The one entry point for wire data arriving at the server. Never throws. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  return parseWith(ClientMessageSchema, text);
}

/** The client's counterpart (tests and tools use it; the app trusts the server's types). */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  return parseWith(ServerMessageSchema, text);
}
