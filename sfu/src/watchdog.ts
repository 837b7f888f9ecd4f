import type { types } from 'mediasoup';

/**
 * How often a worker is asked a question, and how long it has to answer. mediasoup 3.12 puts
 * no deadline on a request: a worker that stops answering (stopped, deadlocked, spinning)
 * leaves every request waiting for ever, and with it the socket that sent it (a socket's
 * messages are handled in order). A worker that has not answered for `timeoutMs` is killed,
 * so it dies like a crashed one: its pending requests fail, its rooms are rebuilt on its
 * replacement (Sfu.onWorkerDied, RoomMedia's rebuild).
 */
export interface WatchdogTiming {
  intervalMs: number;
  timeoutMs: number;
}

/**
 * The default: a question every 5 s. 20 s is far beyond a loaded worker's answer (a request
 * takes well under a millisecond of its time, and a busy machine's scheduler delays it by
 * tens of milliseconds), so only a worker that is not working is killed.
 */
export const DEFAULT_WATCHDOG: WatchdogTiming = { intervalMs: 5_000, timeoutMs: 20_000 };

/**
 * Asks `worker` for its resource usage every `intervalMs` (one question at a time) and calls
 * `onHung` once when an answer has not come within `timeoutMs`. Stops when the worker closes,
 * after `onHung`, or when the returned function is called. Its timers keep no process alive.
 */
export function watchWorker(
  worker: types.Worker,
  timing: WatchdogTiming,
  onHung: (waitedMs: number) => void,
): () => void {
  let stopped = false;
  let next: NodeJS.Timeout | undefined;
  const stop = (): void => {
    stopped = true;
    clearTimeout(next);
  };
  const ask = (): void => {
    if (stopped || worker.closed) return;
    const askedAt = Date.now();
    const deadline = setTimeout(() => {
      if (stopped) return;
      stop();
      onHung(Date.now() - askedAt);
    }, timing.timeoutMs);
    deadline.unref();
    // A failure is an answer too: closed or died meanwhile, which its own 'died' reports.
    const answered = (): void => {
      clearTimeout(deadline);
      if (stopped) return;
      next = setTimeout(ask, timing.intervalMs);
      next.unref();
    };
    worker.getResourceUsage().then(answered, answered);
  };
  next = setTimeout(ask, timing.intervalMs);
  next.unref();
  worker.observer.once('close', stop);
  return stop;
}
