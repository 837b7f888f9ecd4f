import { useEffect, useRef } from 'preact/hooks';
import type { PollView } from '@parley/protocol';
import type { Polls } from '../call/features/classroom/Polls.ts';
import { background } from '../util/background.ts';
import { NewPollForm } from './NewPollForm.tsx';
import { PollCard } from './PollCard.tsx';
import { isPhoneLayout } from './sheets.ts';

interface Props {
  poll: PollView | null;
  notice: string | null;
  moderator: boolean;
  polls: Polls;
  onClose(): void;
}

/**
 * The poll panel: the current poll for everyone; for hosts and co-hosts also New poll (while
 * none is open) and the download of every poll of the room.
 */
export function PollPanel({ poll, notice, moderator, polls, onClose }: Props) {
  const panel = useRef<HTMLElement>(null);
  // On a phone the panels share one sheet over the call: bring a new poll (or its shared
  // results) into the sheet's view rather than leave it scrolled out of sight.
  const key = poll ? `${poll.pollId} ${poll.state} ${poll.shared}` : '';
  useEffect(() => {
    if (key && isPhoneLayout()) {
      panel.current?.scrollIntoView({ block: 'nearest' });
    }
  }, [key]);
  return (
    <section ref={panel} id="poll-panel" class="panel poll-panel" aria-labelledby="poll-title">
      <header class="panel-head">
        <h2 id="poll-title">{moderator ? 'Polls' : 'Poll'}</h2>
        <button type="button" class="secondary" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {notice && (
        <p class="poll-notice" role="alert">
          {notice}
        </p>
      )}
      {poll ? (
        <PollCard key={poll.pollId} poll={poll} polls={polls} moderator={moderator} />
      ) : (
        !moderator && <p class="muted">No poll right now.</p>
      )}
      {moderator && poll?.state !== 'open' && (
        <NewPollForm onLaunch={(draft) => polls.launch(draft)} />
      )}
      {moderator && (
        <button
          type="button"
          class="secondary"
          onClick={() => background(polls.download(), 'download polls')}
        >
          Download all polls (CSV)
        </button>
      )}
    </section>
  );
}
