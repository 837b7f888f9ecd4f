/**
 * Watches one socket's send buffer. A client that stops reading (a frozen tab, a stalled
 * network, a hostile script) makes every message to it pile up in the server's memory;
 * beyond `maxBytes` for longer than `graceMs` the socket is declared too slow. A short spike
 * (a `joined` with chat history, a burst of fan-out) passes.
 */
export class BackpressureWatch {
  #aboveSince: number | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly graceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Call after each send and now and then (the heartbeat) with the socket's `bufferedAmount`:
   * true once the buffer has stayed above the bound for longer than the grace.
   */
  tooSlow(bufferedBytes: number): boolean {
    if (bufferedBytes <= this.maxBytes) {
      this.#aboveSince = undefined;
      return false;
    }
    const now = this.now();
    this.#aboveSince ??= now;
    return now - this.#aboveSince >= this.graceMs;
  }
}
