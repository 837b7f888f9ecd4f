import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import { hashPassword, isCommonPassword, limitHashing, verifyPassword } from './passwords.ts';
import type { LimitName } from '../util/limits.ts';

afterEach(() => limitHashing({ concurrency: 1, queueMax: 500 }));

describe('argon2 with bounded concurrency', () => {
  it('queues beyond HASH_CONCURRENCY and refuses beyond HASH_QUEUE_MAX, telling the metric', async () => {
    const hits: LimitName[] = [];
    limitHashing({ concurrency: 1, queueMax: 2, onLimit: (l) => hits.push(l) });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => hashPassword(`password number ${i}`)),
    );
    // One runs, two wait in line, two are refused at once.
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    const refused = results[3] as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: ERROR_CODES.RATE_LIMITED, retryAfterS: 2 });
    expect(hits).toEqual(['hash_queue', 'hash_queue']);
    // The queue drained: a verification goes through again, and checks what it should.
    const stored = (results[0] as PromiseFulfilledResult<string>).value;
    expect(await verifyPassword(stored, 'password number 0')).toBe(true);
    expect(await verifyPassword(stored, 'password number 1')).toBe(false);
  });
});

describe('isCommonPassword', () => {
  it.each([
    ['password', true],
    ['Password1', true],
    ['qwerty123', true],
    ['iloveyou', true],
    ['correct horse battery staple', false],
    ['hX9!t2Lq#pV', false],
  ])('%s -> %s', (password, common) => {
    expect(isCommonPassword(password)).toBe(common);
  });
});
