import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ScheduledMeeting } from '@parley/protocol';
import { log } from '../log.ts';
import { CalendarFeed } from './CalendarFeed.tsx';
import { ScheduleForm } from './ScheduleForm.tsx';
import { Upcoming } from './Upcoming.tsx';
import { fetchUpcoming } from './scheduleApi.ts';
import './schedule.css';

/** The home page's scheduling, for a signed-in user: the form, Upcoming, the calendar feed. */
export function ScheduleSection() {
  const [open, setOpen] = useState(false);
  const [scheduled, setScheduled] = useState<ScheduledMeeting | null>(null);
  const [meetings, setMeetings] = useState<ScheduledMeeting[] | null>(null);
  const [failed, setFailed] = useState(false);
  const load = useCallback(() => {
    fetchUpcoming().then(
      (list) => {
        setFailed(false);
        setMeetings(list);
      },
      (err: unknown) => {
        log.warn('could not load upcoming meetings', err);
        setFailed(true);
      },
    );
  }, []);
  useEffect(load, [load]);

  return (
    <>
      <section class="schedule" aria-labelledby="schedule-heading">
        <h2 id="schedule-heading">Schedule</h2>
        {!open && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              setScheduled(null);
              setOpen(true);
            }}
          >
            Schedule a meeting
          </button>
        )}
        {open && (
          <ScheduleForm
            onDone={(m) => {
              setOpen(false);
              setScheduled(m);
              load();
            }}
            onCancel={() => setOpen(false)}
          />
        )}
        {scheduled && (
          <p class="scheduled" role="status">
            Scheduled “{scheduled.title}”. Its link: <a href={scheduled.url}>{scheduled.url}</a>
          </p>
        )}
      </section>
      <Upcoming meetings={meetings} failed={failed} onChanged={load} />
      <CalendarFeed />
    </>
  );
}
