import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessage, PollId, PollView, ServerMessage } from '@parley/protocol';
import { Polls, pollFailure } from './Polls.ts';
import { RequestChannel, RequestError } from '../../session/RequestChannel.ts';
import { SnapshotStore } from '../../SnapshotStore.ts';

/** Polls on a real RequestChannel whose socket is a list; `reply` answers the last send. */
function setup() {
  const sent: (ClientMessage & { rid?: number })[] = [];
  let rid = 1;
  const rpc = new RequestChannel(
    (msg) => (sent.push(msg), true),
    () => rid++,
  );
  const store = new SnapshotStore();
  const polls = new Polls({
    rpc,
    update: (patch) => store.update(patch),
    roomId: 'room',
    hostHeaders: async () => null,
  });
  const reply = (msg: Record<string, unknown>) =>
    rpc.onMessage({ ...msg, rid: sent.at(-1)?.rid } as ServerMessage);
  return { sent, store, polls, reply };
}

const view: PollView = {
  pollId: 'poll-0001' as PollId,
  question: 'Lunch?',
  options: ['Yes', 'No'],
  multiple: false,
  anonymous: true,
  changeable: false,
  state: 'open',
  shared: false,
  launchedAt: 0,
  myChoices: null,
};

describe('Polls', () => {
  it('sends a vote and keeps what the server says; a refusal becomes the poll notice', async () => {
    const { sent, store, polls, reply } = setup();
    polls.onPoll(view);
    expect(store.current.poll).toEqual(view);
    const first = polls.vote(view.pollId, [1]);
    expect(sent.at(-1)).toMatchObject({ type: 'poll-vote', pollId: view.pollId, choices: [1] });
    reply({ type: 'ok' });
    expect(await first).toBe(true);
    const again = polls.vote(view.pollId, [0]);
    reply({ type: 'error', code: ERROR_CODES.ALREADY_VOTED, message: 'no' });
    expect(await again).toBe(false);
    expect(store.current.pollNotice).toBe('You have voted in this poll already.');
    // The next poll message clears it; leaving the call clears the poll.
    polls.onPoll({ ...view, myChoices: [1] });
    expect(store.current.pollNotice).toBeNull();
    polls.reset();
    expect(store.current.poll).toBeNull();
  });

  it('tells a co-host without the host key that the download is the host’s', async () => {
    const { store, polls } = setup();
    await polls.download();
    expect(store.current.pollNotice).toBe('Only the room’s host can download the polls.');
  });
});

describe('pollFailure', () => {
  it.each([
    [ERROR_CODES.POLL_CLOSED, 'The poll has ended.'],
    [ERROR_CODES.POLL_ALREADY_OPEN, 'A poll is open: end it before launching another.'],
    [ERROR_CODES.INVALID_VOTE, 'Pick one of the options.'],
    [ERROR_CODES.FORBIDDEN, 'That did not work: nope'],
  ])('%s', (code, text) => {
    expect(pollFailure(new RequestError(code, 'nope'))).toBe(text);
  });
});
