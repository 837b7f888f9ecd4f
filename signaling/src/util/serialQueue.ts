/**
 * Runs tasks one after another. Each room owns one, so two joins (or a join and a leave)
 * arriving together cannot interleave their checks and writes, even once steps become async
 * (SFU router creation, mode switches).
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  run<T>(task: () => T | Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return result;
  }

  get idle(): boolean {
    return this.#pending === 0;
  }
}
