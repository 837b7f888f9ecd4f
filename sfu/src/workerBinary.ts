import { mediasoupWorkerBinaryPath } from '../../scripts/build-mediasoup-worker.mjs';

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
 *   cached build from `scripts/build-mediasoup-worker.mjs` (which `npm start` ensures exists).
 * @returns The path now in `MEDIASOUP_WORKER_BIN`.
 */
export function configureWorkerBinary(path?: string): string {
  const binary = path ?? (process.env.MEDIASOUP_WORKER_BIN || mediasoupWorkerBinaryPath());
  process.env.MEDIASOUP_WORKER_BIN = binary;
  return binary;
}
