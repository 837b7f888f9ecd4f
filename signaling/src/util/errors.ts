import { ERROR_CODES } from '@parley/protocol';
import type { ErrorCode } from '@parley/protocol';

/**
 * The one error type a handler throws for a request it refuses. The connection turns it into
 * an `error` message with the same code; anything else thrown becomes INTERNAL and is logged.
 */
export class ProtocolError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** One answer for an unknown room and a wrong password: neither reveals that a room exists. */
export const roomNotFound = (): ProtocolError =>
  new ProtocolError(ERROR_CODES.ROOM_NOT_FOUND, 'no room with that id, or the password is wrong');

/**
 * The wire outcome of a failure that is not a bug: a ProtocolError as it is, a database or
 * cluster that is away as UNAVAILABLE (the client retries; nothing was acked). Undefined for
 * anything else, which the caller logs and answers INTERNAL.
 */
export function refusalOf(error: unknown): ProtocolError | undefined {
  if (error instanceof ProtocolError) return error;
  if (error instanceof Error && UNAVAILABLE_ERRORS.has(error.name)) {
    return new ProtocolError(ERROR_CODES.UNAVAILABLE, 'temporarily unavailable: try again shortly');
  }
  return undefined;
}

/** Errors that mean "a backing service is away" (StorageUnavailable, ClusterUnavailable). */
const UNAVAILABLE_ERRORS = new Set(['StorageUnavailable', 'ClusterUnavailable']);
