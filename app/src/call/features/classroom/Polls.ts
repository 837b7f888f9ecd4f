import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessageOf, PollId, PollView, RequestOf } from '@parley/protocol';
import type { CallSnapshot } from '../../callState.ts';
import { RequestError } from '../../session/RequestChannel.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';

export type PollDraft = Omit<ClientMessageOf<'poll-launch'>, 'type' | 'rid'>;

export interface PollsDeps {
  rpc: RequestChannel;
  update(patch: Partial<CallSnapshot>): void;
  roomId: string;
  /** What proves we are the room's host to the CSV download: its host key, else our sign-in. */
  hostHeaders(): Promise<Record<string, string> | null>;
}

/** What a refused poll request means to the person who made it. */
export function pollFailure(err: unknown): string {
  if (err instanceof RequestError) {
    switch (err.code) {
      case ERROR_CODES.ALREADY_VOTED:
        return 'You have voted in this poll already.';
      case ERROR_CODES.POLL_CLOSED:
        return 'The poll has ended.';
      case ERROR_CODES.POLL_ALREADY_OPEN:
        return 'A poll is open: end it before launching another.';
      case ERROR_CODES.NO_SUCH_POLL:
        return 'That poll is no longer the current one.';
      case ERROR_CODES.INVALID_VOTE:
        return 'Pick one of the options.';
    }
  }
  return `That did not work: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Polls in a call (issue 17). The server keeps the one current poll and sends it as we may
 * see it (our own vote, results when we may see them) whenever it changes; we only ask. A
 * refusal lands in `pollNotice`, shown in the poll's panel.
 */
export class Polls {
  constructor(private readonly deps: PollsDeps) {}

  /** Hosts and co-hosts: create and open a poll. True when it opened. */
  async launch(draft: PollDraft): Promise<boolean> {
    return this.#ask({ type: 'poll-launch', ...draft });
  }

  async vote(pollId: PollId, choices: number[]): Promise<boolean> {
    return this.#ask({ type: 'poll-vote', pollId, choices });
  }

  async end(pollId: PollId): Promise<boolean> {
    return this.#ask({ type: 'poll-end', pollId });
  }

  async share(pollId: PollId): Promise<boolean> {
    return this.#ask({ type: 'poll-share', pollId });
  }

  onPoll(poll: PollView): void {
    this.deps.update({ poll, pollNotice: null });
  }

  dismissNotice(): void {
    this.deps.update({ pollNotice: null });
  }

  /** Hosts: the room's polls as a CSV file, fetched with the host's proof and saved. */
  async download(): Promise<void> {
    const headers = await this.deps.hostHeaders();
    if (!headers) {
      this.deps.update({ pollNotice: 'Only the room’s host can download the polls.' });
      return;
    }
    const res = await fetch(`/api/rooms/${encodeURIComponent(this.deps.roomId)}/polls.csv`, {
      headers,
    });
    if (!res.ok) {
      this.deps.update({ pollNotice: `The download did not work (${res.status}).` });
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `polls-${this.deps.roomId}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Out of the call: no poll. */
  reset(): void {
    this.deps.update({ poll: null, pollNotice: null });
  }

  async #ask(
    message: RequestOf<'poll-launch' | 'poll-vote' | 'poll-end' | 'poll-share'>,
  ): Promise<boolean> {
    try {
      await this.deps.rpc.request(message);
      this.deps.update({ pollNotice: null });
      return true;
    } catch (err) {
      this.deps.update({ pollNotice: pollFailure(err) });
      return false;
    }
  }
}
