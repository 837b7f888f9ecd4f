import type { Log } from '../telemetry/log.ts';

/**
 * Lets `promise` run on without anyone awaiting it (a timer, a signal handler, a socket event):
 * the caller has nobody to report to. A rejection is logged as "<what> failed" rather than
 * left as an unhandled rejection, which would end the process. With lint's `no-void` and
 * `no-floating-promises`, this is the one way server code drops a promise.
 */
export function background(promise: Promise<unknown>, what: string, log: Log): void {
  promise.catch((error: unknown) => log.error(`${what} failed`, { error }));
}
