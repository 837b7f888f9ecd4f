import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Records unhandled rejections and uncaught exceptions while installed. The server under test
 * runs in this process, so anything it fails to catch lands here.
 */
export class ProcessFailures {
  readonly seen: string[] = [];
  #signal!: () => void;
  /** Resolves at the first failure seen. */
  readonly first = new Promise<void>((resolve) => (this.#signal = resolve));
  readonly #onRejection = (reason: unknown): void => this.#saw('unhandledRejection', reason);
  readonly #onException = (error: unknown): void => this.#saw('uncaughtException', error);

  #saw(kind: string, value: unknown): void {
    this.seen.push(`${kind}: ${describe(value)}`);
    this.#signal();
  }

  install(): this {
    process.on('unhandledRejection', this.#onRejection);
    process.on('uncaughtException', this.#onException);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.#onRejection);
    process.off('uncaughtException', this.#onException);
  }
}

function describe(value: unknown): string {
  if (value instanceof Error)
    return (value.stack ?? String(value)).split('\n').slice(0, 4).join(' | ');
  return String(value);
}

/**
 * A full garbage collection, if one can be had: `global.gc` when node runs with --expose-gc,
 * otherwise V8's flag set at runtime and the function taken from a fresh context (V8 installs
 * `gc` on contexts created after the flag is set). Undefined if neither works.
 */
export function fullGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export interface MemorySample {
  heapUsed: number;
  heapTotal: number;
  /** Buffers and other memory outside the JS heap that JS objects hold. */
  external: number;
  rss: number;
  /** Whether a full GC ran just before (heapUsed is then live data, not garbage). */
  afterGc: boolean;
}

/** Heap and RSS after a full GC when available (twice, so weak and finalized objects go too). */
export async function sampleMemory(): Promise<MemorySample> {
  const gc = fullGc();
  if (gc) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
  }
  const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
  return { heapUsed, heapTotal, external, rss, afterGc: gc !== undefined };
}

export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** "heapUsed a -> b, ..." for the log line a fuzz run prints. */
export function describeGrowth(before: MemorySample, after: MemorySample): string {
  const keys = ['heapUsed', 'heapTotal', 'external', 'rss'] as const;
  const parts = keys.map((k) => `${k} ${mb(before[k])} -> ${mb(after[k])}`);
  return `${parts.join(', ')} (${after.afterGc ? 'after a full GC' : 'no GC available'})`;
}
