import { afterEach, describe, expect, it, vi } from 'vitest';
import { mediasoupWorkerBinaryPath } from '../../scripts/build-mediasoup-worker.mjs';
import { workerBinaryPath } from './workerBinary.ts';

// The runtime finds the binary without importing the build script (issue 12), so it computes
// the cache path itself: it must land where the script builds.
describe('workerBinaryPath', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is where the build script caches the worker', () => {
    expect(workerBinaryPath()).toBe(mediasoupWorkerBinaryPath());
  });

  it('follows PARLEY_CACHE_DIR as the build script does', () => {
    vi.stubEnv('PARLEY_CACHE_DIR', '/tmp/parley-cache-elsewhere');
    expect(workerBinaryPath()).toMatch(/^\/tmp\/parley-cache-elsewhere\/mediasoup-worker-/);
    expect(workerBinaryPath()).toBe(mediasoupWorkerBinaryPath());
  });
});
