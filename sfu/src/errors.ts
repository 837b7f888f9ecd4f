import type { SfuErrorCode } from './api.ts';

/**
 * The one error an SFU call throws on purpose. `code` is stable (signaling maps it to a
 * protocol error code); `message` is for people.
 */
export class SfuError extends Error {
  override readonly name = 'SfuError';

  constructor(
    readonly code: SfuErrorCode,
    message: string = code,
  ) {
    super(message);
  }
}

/**
 * The worker's answer to a request for an object it has closed while our side has not heard
 * of it yet: a consumer whose producer's peer just left, for example.
 */
const GONE_IN_WORKER = /request handler with ID \S+ not found/;

/**
 * Turns what mediasoup threw into an SfuError. mediasoup signals a closed object with
 * `InvalidStateError`, one the worker closed already with "request handler ... not found"
 * (NOT_FOUND, as if our side had known), and bad input (rtpParameters, dtlsParameters ...)
 * with TypeError or a plain Error from the worker; both become `fallback`.
 */
export function toSfuError(error: unknown, fallback: SfuErrorCode): SfuError {
  if (error instanceof SfuError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'InvalidStateError') {
    return new SfuError('CLOSED', message);
  }
  if (GONE_IN_WORKER.test(message)) return new SfuError('NOT_FOUND', message);
  return new SfuError(fallback, message);
}
