import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../log.ts';
import { background } from './background.ts';

describe('background', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs a rejection with what was running', async () => {
    const error = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    const cause = new Error('boom');
    background(Promise.reject(cause), 'joining');
    await vi.waitFor(() => expect(error).toHaveBeenCalledWith('joining failed', cause));
  });

  it('says nothing when the work succeeds', async () => {
    const error = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    background(Promise.resolve(1), 'joining');
    await Promise.resolve();
    await Promise.resolve();
    expect(error).not.toHaveBeenCalled();
  });
});
