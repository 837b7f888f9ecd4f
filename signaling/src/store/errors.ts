/**
 * The database could not be reached or answered with a failure that is not the caller's fault
 * (connection refused, server shutting down, too many connections). Callers turn it into a
 * retryable answer (HTTP 503, the `UNAVAILABLE` error code) and never ack what was not stored.
 */
export class StorageUnavailable extends Error {
  override name = 'StorageUnavailable';
  constructor(cause: unknown) {
    super(`storage unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** Node socket errors and PostgreSQL SQLSTATE classes that mean "the server is not there". */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** True for an error that says the database is down or unreachable, not that the query is bad. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08'))) return true;
  // pg reports a pool whose server vanished mid-query with these messages and no code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}
