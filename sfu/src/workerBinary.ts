import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The recipe that builds the worker (`npm start` runs it through scripts/setup.mjs). Its bytes
 * are part of the cache key, so it is read here as data; it is never imported, because runtime
 * code does not run build scripts (issue 12).
 */
const BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'build-mediasoup-worker.mjs');

/** The worker's meson files the recipe patches; their unpatched bytes are in the key too. */
const PATCHED_MESON_FILES = ['meson.build', 'deps/libwebrtc/meson.build'];

/**
 * Where the build recipe caches the worker binary for the installed mediasoup (it may not
 * exist yet): `$PARLEY_CACHE_DIR` (default `~/.cache/parley`), then
 * `mediasoup-worker-<version>-<key>/mediasoup-worker`, where the key is a short sha256 of the
 * recipe and the unpatched meson files. Synchronous, so that code can point mediasoup at it
 * before importing mediasoup.
 *
 * Must compute what `mediasoupWorkerBinaryPath()` in the recipe computes;
 * workerBinary.test.ts holds the two together.
 */
export function workerBinaryPath(): string {
  const require = createRequire(import.meta.url);
  const mediasoupDir = path.dirname(require.resolve('mediasoup/package.json'));
  const { version } = JSON.parse(readFileSync(path.join(mediasoupDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const hash = createHash('sha256').update(readFileSync(BUILD_SCRIPT));
  for (const file of PATCHED_MESON_FILES) {
    hash.update(readFileSync(path.join(mediasoupDir, 'worker', file)));
  }
  const key = hash.digest('hex').slice(0, 12);
  const cacheRoot = process.env.PARLEY_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'parley');
  return path.join(cacheRoot, `mediasoup-worker-${version}-${key}`, 'mediasoup-worker');
}

/**
 * Points mediasoup at the worker binary to spawn, by setting `MEDIASOUP_WORKER_BIN`.
 *
 * Must run BEFORE the `mediasoup` module is first imported: mediasoup reads the variable once,
 * at module load, and otherwise looks for a binary inside `node_modules/mediasoup`, which
 * does not exist here (its postinstall build is skipped; see
 * `scripts/build-mediasoup-worker.mjs`). Import mediasoup dynamically afterwards
 * (`await import('mediasoup')`), since static imports are evaluated before any code runs.
 *
 * @param path Binary to use. Defaults to `MEDIASOUP_WORKER_BIN` if already set, else the
 *   cached build (`workerBinaryPath()`, which `npm start` ensures exists).
 * @returns The path now in `MEDIASOUP_WORKER_BIN`.
 */
export function configureWorkerBinary(path?: string): string {
  const binary = path ?? (process.env.MEDIASOUP_WORKER_BIN || workerBinaryPath());
  process.env.MEDIASOUP_WORKER_BIN = binary;
  return binary;
}
