import { ClientMessageSchema, ServerMessageSchema } from './messages.ts';
import type { ClientMessage, ServerMessage } from './messages.ts';
import { ERROR_CODES } from './errors.ts';
import { LIMITS } from './limits.ts';
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

/**
 * True when `value` nests objects or arrays deeper than `max`. Iterative, so a hostile frame
 * cannot overflow the stack here; and schemas (whose size checks serialize recursively) only
 * ever see shallow values.
 */
function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
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
  if (depthOver(value, LIMITS.JSON_DEPTH_MAX)) {
    const error = `nested deeper than ${LIMITS.JSON_DEPTH_MAX} levels`;
    return { ok: false, code: ERROR_CODES.BAD_MESSAGE, error, ...salvage(value) };
  }
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(value);
  } catch {
    // A refinement that throws (it should not) must not take the server down with it.
    return {
      ok: false,
      code: ERROR_CODES.BAD_MESSAGE,
      error: 'invalid message',
      ...salvage(value),
    };
  }
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
