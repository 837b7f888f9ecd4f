import { useState } from 'preact/hooks';
import type { ScheduledMeeting } from '@parley/protocol';
import { navigate } from '../router.ts';
import { log } from '../log.ts';
import { ScheduleForm } from './ScheduleForm.tsx';
import { cancelMeeting, downloadIcs, fetchMeeting } from './scheduleApi.ts';

interface Props {
  meetings: ScheduledMeeting[] | null;
  failed: boolean;
  /** Something changed: load the list again. */
  onChanged(): void;
}

/** "Tuesday, 22 March 2027 at 09:00", in the meeting's own zone (named beside it). */
function when(m: ScheduledMeeting): string {
  const format = new Intl.DateTimeFormat(undefined, {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: m.timeZone,
  });
  return format.format(m.nextStartsAt);
}

function repeats(m: ScheduledMeeting): string {
  const r = m.recurrence;
  if (!r) return '';
  return 'count' in r ? `, weekly, ${r.count} times` : `, weekly until ${r.until}`;
}

/** "Upcoming": the user's own and invited meetings, the next first; organisers edit and cancel. */
export function Upcoming({ meetings, failed, onChanged }: Props) {
  return (
    <section class="upcoming" aria-labelledby="upcoming-title">
      <h2 id="upcoming-title">Upcoming</h2>
      {failed && <p class="error">Your meetings could not be loaded.</p>}
      {!failed && meetings === null && <p class="muted">Loading…</p>}
      {meetings?.length === 0 && (
        <p class="muted">Meetings you schedule or are invited to show up here.</p>
      )}
      {meetings && meetings.length > 0 && (
        <ul>
          {meetings.map((m) => (
            <UpcomingItem key={`${m.id}-${m.sequence}`} meeting={m} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UpcomingItem({ meeting: m, onChanged }: { meeting: ScheduledMeeting; onChanged(): void }) {
  /** The meeting as the edit form shows it: read again, with its room's door. */
  const [editing, setEditing] = useState<ScheduledMeeting | null>(null);
  const [opening, setOpening] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (what: string, work: Promise<unknown>, after?: () => void) => {
    setError(null);
    work.then(
      () => after?.(),
      (err: unknown) => {
        log.warn(`could not ${what}`, err);
        setError(`Could not ${what}: ${(err as Error).message}`);
      },
    );
  };
  const path = new URL(m.url).pathname;
  return (
    <li class="upcoming-item">
      <h3>{m.title}</h3>
      <p>
        {when(m)} ({m.timeZone}){repeats(m)}, {m.durationMin} min
        {!m.mine && <span class="muted">, organised by {m.organiser}</span>}
      </p>
      <p>
        <a
          href={path}
          onClick={(e) => {
            e.preventDefault();
            navigate(path);
          }}
        >
          {m.url}
        </a>
      </p>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => act('download the .ics', downloadIcs(m))}
        >
          Download .ics
        </button>
        {m.mine && !editing && (
          <button
            type="button"
            class="secondary"
            disabled={opening}
            onClick={() => {
              setOpening(true);
              const read = fetchMeeting(m.id).then(setEditing);
              act(
                'open it for editing',
                read.finally(() => setOpening(false)),
              );
            }}
          >
            {opening ? 'Opening…' : 'Edit'}
          </button>
        )}
        {m.mine && !confirming && (
          <button type="button" class="secondary" onClick={() => setConfirming(true)}>
            Cancel meeting
          </button>
        )}
      </div>
      {confirming && (
        <div class="confirm" role="group" aria-label={`Cancel ${m.title}?`}>
          <p>Cancel this meeting for everyone invited?</p>
          <button
            type="button"
            class="danger"
            onClick={() => act('cancel it', cancelMeeting(m.id), onChanged)}
          >
            Yes, cancel it
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {editing && (
        <ScheduleForm
          meeting={editing}
          onDone={() => {
            setEditing(null);
            onChanged();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
