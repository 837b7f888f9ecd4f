import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { LimitName } from '../util/limits.ts';
import { MediaJobBudget } from './mediaJobs.ts';

function budget(perNode: number, perAccount: number) {
  const hits: LimitName[] = [];
  return { jobs: new MediaJobBudget({ perNode, perAccount }, (l) => hits.push(l)), hits };
}

describe('MediaJobBudget', () => {
  it('holds a node to perNode jobs of any kind, and frees a place on release', () => {
    const { jobs, hits } = budget(2, 5);
    const a = jobs.acquire('broadcast', 'u:ann');
    jobs.acquire('recording', 'u:bob');
    expect(() => jobs.acquire('broadcast', 'u:cy')).toThrow(
      expect.objectContaining({ code: ERROR_CODES.LIMIT_REACHED, limit: 'media_jobs_node' }),
    );
    expect(hits).toEqual(['media_jobs_node']);
    a.release();
    a.release(); // idempotent: frees one place, not two
    expect(jobs.running).toBe(1);
    jobs.acquire('broadcast', 'u:cy');
    expect(() => jobs.acquire('broadcast', undefined)).toThrow(/2 broadcasts or recordings/);
  });

  it('holds one account (or guest) to perAccount, whatever the others run', () => {
    const { jobs, hits } = budget(10, 1);
    const first = jobs.acquire('broadcast', 'g:guest1');
    expect(() => jobs.acquire('recording', 'g:guest1')).toThrow(
      expect.objectContaining({ code: ERROR_CODES.LIMIT_REACHED, limit: 'media_jobs_account' }),
    );
    expect(hits).toEqual(['media_jobs_account']);
    jobs.acquire('broadcast', 'u:someone-else');
    jobs.acquire('broadcast', undefined); // nobody to charge: only the node's budget applies
    first.release();
    jobs.acquire('broadcast', 'g:guest1');
    expect(jobs.running).toBe(3);
  });
});
