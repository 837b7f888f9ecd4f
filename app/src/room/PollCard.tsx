import { useState } from 'preact/hooks';
import type { PollResults, PollView } from '@parley/protocol';
import type { Polls } from '../call/features/classroom/Polls.ts';
import { background } from '../util/background.ts';

interface Props {
  poll: PollView;
  polls: Pick<Polls, 'vote' | 'end' | 'share'>;
  /** Hosts and co-hosts: End poll, Share results. */
  moderator: boolean;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function kindOf(poll: PollView): string {
  const parts = [poll.multiple ? 'Several choices' : 'One choice'];
  parts.push(poll.anonymous ? 'anonymous' : 'named');
  if (poll.changeable) parts.push('votes may change');
  return parts.join(' · ');
}

/**
 * The current poll: its question, a Vote form while we may vote, what we voted, and the
 * results where we see them (hosts always, everyone once shared).
 */
export function PollCard({ poll, polls, moderator }: Props) {
  const open = poll.state === 'open';
  const voted = poll.myChoices !== null;
  const [changing, setChanging] = useState(false);
  const canVote = open && (!voted || changing);
  return (
    <article class="poll-card" aria-labelledby="poll-question-text">
      <h3 id="poll-question-text" class="poll-question">
        {poll.question}
      </h3>
      <p class="muted hint">
        {kindOf(poll)} · {open ? 'Open' : 'Ended'}
        {poll.shared && ' · Results shared'}
      </p>
      {canVote ? (
        <VoteForm
          poll={poll}
          onVote={async (choices) => {
            if (await polls.vote(poll.pollId, choices)) setChanging(false);
          }}
        />
      ) : (
        <MyVote poll={poll} onChange={open && poll.changeable ? () => setChanging(true) : null} />
      )}
      {poll.results && <Results poll={poll} results={poll.results} />}
      {moderator && (
        <div class="row">
          {open && (
            <button type="button" onClick={() => background(polls.end(poll.pollId), 'end poll')}>
              End poll
            </button>
          )}
          {!poll.shared && (
            <button
              type="button"
              onClick={() => background(polls.share(poll.pollId), 'share results')}
            >
              Share results
            </button>
          )}
        </div>
      )}
    </article>
  );
}

function VoteForm({ poll, onVote }: { poll: PollView; onVote(choices: number[]): Promise<void> }) {
  const [picked, setPicked] = useState<number[]>(poll.myChoices ?? []);
  const [busy, setBusy] = useState(false);
  const pick = (i: number, on: boolean) =>
    setPicked((all) => (poll.multiple ? (on ? [...all, i] : all.filter((j) => j !== i)) : [i]));
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    background(
      onVote(picked).finally(() => setBusy(false)),
      'vote',
    );
  };
  return (
    <form class="poll-vote" onSubmit={submit}>
      <fieldset aria-labelledby="poll-question-text">
        {poll.options.map((option, i) => (
          <label key={i} class="poll-choice">
            <input
              type={poll.multiple ? 'checkbox' : 'radio'}
              name={`poll-${poll.pollId}`}
              checked={picked.includes(i)}
              onChange={(e) => pick(i, e.currentTarget.checked)}
            />
            <span>{option}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary" disabled={busy || picked.length === 0}>
        Vote
      </button>
    </form>
  );
}

function MyVote({ poll, onChange }: { poll: PollView; onChange: (() => void) | null }) {
  if (poll.myChoices === null) {
    return <p class="muted">{poll.state === 'open' ? '' : 'The poll has ended.'}</p>;
  }
  const chosen = poll.myChoices.map((i) => poll.options[i]).join(', ');
  return (
    <div class="row poll-voted">
      <p role="status">
        <strong>You voted</strong>: {chosen}
      </p>
      {onChange && (
        <button type="button" class="secondary" onClick={onChange}>
          Change vote
        </button>
      )}
    </div>
  );
}

function Results({ poll, results }: { poll: PollView; results: PollResults }) {
  const most = Math.max(1, results.voters);
  return (
    <div class="poll-results">
      <h4>Results</h4>
      <ul>
        {poll.options.map((option, i) => {
          const count = results.counts[i] ?? 0;
          const share = Math.round((count / most) * 100);
          return (
            <li key={i} class="poll-result" data-option={option}>
              <div class="poll-result-text">
                <span>{option}</span>
                <span class="poll-count">
                  {plural(count, 'vote', 'votes')} ({share}%)
                </span>
              </div>
              <div class="poll-bar" aria-hidden="true">
                <span style={{ width: `${share}%` }} />
              </div>
            </li>
          );
        })}
      </ul>
      <p class="muted hint poll-voters">{plural(results.voters, 'person', 'people')} voted</p>
      {results.named && results.named.length > 0 && (
        <details>
          <summary>Who voted what</summary>
          <ul class="poll-named">
            {results.named.map((v, i) => (
              <li key={i}>
                {v.name}: {v.choices.map((c) => poll.options[c]).join(', ')}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
