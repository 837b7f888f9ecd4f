import { log } from '../log.ts';

/**
 * Lets `promise` run on without anyone awaiting it (a click, a timer, a media event): the
 * caller has nobody to report to. A rejection is logged as "<what> failed" rather than left
 * as an unhandled rejection. With lint's `no-void` and `no-floating-promises`, this is the
 * one way app code drops a promise, so each dropped promise says what it is.
 */
export function background(promise: Promise<unknown>, what: string): void {
  promise.catch((err: unknown) => log.error(`${what} failed`, err));
}
