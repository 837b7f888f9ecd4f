import { describe, expect, it, vi } from 'vitest';
import type { Log } from '../telemetry/log.ts';
import { background } from './background.ts';

function fakeLog(): Log & { error: ReturnType<typeof vi.fn> } {
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), child: () => log };
  return log;
}

describe('background', () => {
  it('logs a rejection with what was running', async () => {
    const log = fakeLog();
    const error = new Error('boom');
    background(Promise.reject(error), 'lease renewal', log);
    await vi.waitFor(() =>
      expect(log.error).toHaveBeenCalledWith('lease renewal failed', { error }),
    );
  });

  it('says nothing when the work succeeds', async () => {
    const log = fakeLog();
    background(Promise.resolve(), 'lease renewal', log);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log.error).not.toHaveBeenCalled();
  });
});
