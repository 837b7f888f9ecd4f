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
