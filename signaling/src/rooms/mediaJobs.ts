import type { OnLimit } from '../util/limits.ts';
import { LimitError } from '../util/limits.ts';

/**
 * What a media job is: an FFmpeg (or later another transcoder) running for a room. A broadcast
 * is one today; recordings and later media jobs take their place in the same budget, since
 * they cost the same CPU.
 */
export type MediaJobKind = 'broadcast' | 'recording';

export interface MediaJobLimits {
  /** Jobs running on this node at once (MEDIA_JOBS_PER_NODE). */
  perNode: number;
  /** Jobs one account (or one guest identity) runs at once, on this node (MEDIA_JOBS_PER_ACCOUNT). */
  perAccount: number;
}

/** A job's place in the budget; `release()` is idempotent. */
export interface MediaJobLease {
  readonly kind: MediaJobKind;
  release(): void;
}

/**
 * The media-job budget of one node (issue 14): at most `perNode` jobs at once, and at most
 * `perAccount` for one account. A job is taken before its FFmpeg starts and given back when it
 * ends however it ends; a refusal is a LIMIT_REACHED (`LimitError`) and counts in
 * `parley_limit_hits_total{limit="media_jobs_node" | "media_jobs_account"}`.
 *
 * `account` is who pays: `u:<userId>` for a signed-in user, `g:<guestId>` for a guest (the
 * server-issued identity), undefined when there is neither (counted only per node).
 */
export class MediaJobBudget {
  #running = 0;
  readonly #byAccount = new Map<string, number>();

  constructor(
    private readonly limits: MediaJobLimits,
    private readonly onLimit: OnLimit = () => undefined,
  ) {}

  get running(): number {
    return this.#running;
  }

  acquire(kind: MediaJobKind, account: string | undefined): MediaJobLease {
    if (this.#running >= this.limits.perNode) {
      this.onLimit('media_jobs_node');
      throw new LimitError(
        'media_jobs_node',
        `this server runs ${this.limits.perNode} broadcasts or recordings already: try later`,
      );
    }
    const mine = account === undefined ? 0 : (this.#byAccount.get(account) ?? 0);
    if (account !== undefined && mine >= this.limits.perAccount) {
      this.onLimit('media_jobs_account');
      throw new LimitError(
        'media_jobs_account',
        `you run ${this.limits.perAccount} broadcasts or recordings already: stop one first`,
      );
    }
    this.#running += 1;
    if (account !== undefined) this.#byAccount.set(account, mine + 1);
    let released = false;
    return {
      kind,
      release: () => {
        if (released) return;
        released = true;
        this.#running -= 1;
        if (account === undefined) return;
        const left = (this.#byAccount.get(account) ?? 1) - 1;
        if (left > 0) this.#byAccount.set(account, left);
        else this.#byAccount.delete(account);
      },
    };
  }
}
