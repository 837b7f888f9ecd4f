// Types for build-mediasoup-worker.mjs, so TypeScript code can import it under `strict`.

export interface EnsureMediasoupWorkerOptions {
  /** Repository root (holds `sfu/` and `node_modules/`); defaults to the script's parent dir. */
  rootDir?: string;
  /** Receives progress and build output lines; defaults to writing them to stderr. */
  log?: (message: string) => void;
}

/**
 * Returns the absolute path of a mediasoup worker binary built against Debian's system
 * libraries, building and caching it first if needed (~6 minutes on 2 cores).
 */
export function ensureMediasoupWorker(options?: EnsureMediasoupWorkerOptions): Promise<string>;

/**
 * Where the cached worker binary lives (it may not exist yet). Synchronous. The runtime does
 * not import this script: sfu/src/workerBinary.ts computes the same path, and
 * sfu/src/workerBinary.test.ts keeps the two equal.
 */
export function mediasoupWorkerBinaryPath(options?: { rootDir?: string }): string;
