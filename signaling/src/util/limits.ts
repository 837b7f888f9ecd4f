import { ERROR_CODES } from '@parley/protocol';
import { ProtocolError } from './errors.ts';

/**
 * Every limit on what costs the server CPU, memory, ports or money, by the name the metric
 * `parley_limit_hits_total{limit}` gives it (issue #14). README's configuration table says
 * which variable sets each one.
 */
export type LimitName =
  | 'room_creations'
  | 'ws_connections'
  | 'waiting_room'
  | 'waiting_per_address'
  | 'room_password_attempts'
  | 'sign_in_attempts'
  | 'sign_in_slowdown'
  | 'sign_ups'
  | 'password_resets'
  | 'hash_queue'
  | 'sfu_transports'
  | 'sfu_producers'
  | 'sfu_consumers'
  | 'media_jobs_node'
  | 'media_jobs_account';

/** Told each time a limit refuses (or, for `sign_in_slowdown`, delays) something. */
export type OnLimit = (limit: LimitName) => void;

/**
 * A request refused by a limit: RATE_LIMITED for "too many in a while" (with the seconds until
 * one more may succeed), LIMIT_REACHED for "too many at once" (wait until one ends). Over
 * HTTP it is a 429 with `Retry-After`; on the socket an `error` with the same code.
 */
export class LimitError extends ProtocolError {
  constructor(
    readonly limit: LimitName,
    message: string,
    /** Seconds until another attempt may succeed; undefined for LIMIT_REACHED. */
    readonly retryAfterS?: number,
  ) {
    super(
      retryAfterS === undefined ? ERROR_CODES.LIMIT_REACHED : ERROR_CODES.RATE_LIMITED,
      message,
    );
    this.name = 'LimitError';
  }
}

/**
 * Counts things that are open at once (sockets, waiting guests) per key, with a ceiling. An
 * entry is deleted when its count returns to 0, so memory follows what is open, not who ever
 * came.
 */
export class OpenCounter {
  readonly #open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts one more for `key`; false (and nothing counted) when `key` is at the ceiling. */
  tryOpen(key: string): boolean {
    const n = this.#open.get(key) ?? 0;
    if (n >= this.max) return false;
    this.#open.set(key, n + 1);
    return true;
  }

  close(key: string): void {
    const n = (this.#open.get(key) ?? 0) - 1;
    if (n > 0) this.#open.set(key, n);
    else this.#open.delete(key);
  }

  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }
}
