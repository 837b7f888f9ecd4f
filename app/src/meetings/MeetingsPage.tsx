import { useEffect, useState } from 'preact/hooks';
import type { MeetingReport, MeetingSummary } from '@parley/protocol';
import { navigate } from '../router.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { background } from '../util/background.ts';
import { NotHostError, downloadAttendance, fetchMeetings, fetchReport } from './meetingsApi.ts';
import { Stars, ratingText } from './ratings.tsx';
import { SeriesSummary } from './SeriesSummary.tsx';
import './meetings.css';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

const NOT_HOST =
  "Only this room's host can see its attendance and feedback: open this page in the browser that created the room, or sign in with the account that owns it.";

/** A stay's length as people say it: "40 s", "12 min", "1 h 5 min". */
export function stayLength(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

function Report({ roomId, report }: { roomId: string; report: MeetingReport }) {
  const [error, setError] = useState<string | null>(null);
  const { meeting, attendees, feedback } = report;
  const comments = feedback.filter((f) => f.comment);
  const csv = () =>
    background(
      downloadAttendance(roomId, meeting.id).catch((e: unknown) =>
        setError(`The CSV could not be downloaded: ${String(e)}`),
      ),
      'attendance csv',
    );
  return (
    <section class="meeting-report" aria-labelledby="report-title">
      <h2 id="report-title">
        {when.format(meeting.startedAt)}
        {meeting.endedAt === null ? ' (running)' : ` – ${time.format(meeting.endedAt)}`}
      </h2>
      <h3>Attendance ({attendees.length})</h3>
      <div class="table-scroll">
        <table class="attendance">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Joined</th>
              <th scope="col">Left</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {attendees.map((a) => (
              <tr key={`${a.name}-${a.firstJoinedAt}`}>
                <th scope="row">
                  {a.account ? a.account.name : a.name}
                  {a.account ? (
                    <span class="muted account"> {a.account.email}</span>
                  ) : (
                    <span class="muted account"> guest</span>
                  )}
                </th>
                <td>{time.format(a.firstJoinedAt)}</td>
                <td>{a.lastLeftAt === null ? 'still in' : time.format(a.lastLeftAt)}</td>
                <td>
                  {stayLength(a.durationMs)}
                  {a.stays > 1 && <span class="muted"> ({a.stays} stays)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="button" class="primary" onClick={csv}>
        Download attendance (CSV)
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <h3>Feedback</h3>
      <p class="rating-average">{ratingText(meeting.averageStars, meeting.ratings)}</p>
      {comments.length > 0 ? (
        <ul class="comments">
          {comments.map((f) => (
            <li key={f.at}>
              <Stars n={f.stars} /> <span class="comment">{f.comment}</span>
            </li>
          ))}
        </ul>
      ) : (
        meeting.ratings > 0 && <p class="muted">No comments.</p>
      )}
    </section>
  );
}

/** `/r/<roomId>/meetings`: each meeting's attendance and ratings, for the room's hosts (issue 21). */
export function MeetingsPage({ roomId }: { roomId: string }) {
  usePageTitle('Attendance and feedback - Parley');
  const [list, setList] = useState<MeetingSummary[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [report, setReport] = useState<MeetingReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const fail = (e: unknown) =>
    setProblem(e instanceof NotHostError ? NOT_HOST : `Could not load: ${String(e)}`);
  useEffect(() => {
    fetchMeetings(roomId).then((meetings) => {
      setList(meetings);
      setChosen(meetings[0]?.id ?? null);
    }, fail);
  }, [roomId]);
  useEffect(() => {
    setReport(null);
    if (chosen) fetchReport(roomId, chosen).then(setReport, fail);
  }, [roomId, chosen]);

  const room = `/r/${roomId}`;
  return (
    <main class="page meetings-page">
      <header class="room-header">
        <a
          href={room}
          class="brand"
          onClick={(e) => {
            e.preventDefault();
            navigate(room);
          }}
        >
          Back to the room
        </a>
      </header>
      <h1>Attendance and feedback</h1>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {!problem && list === null && <p class="muted">Loading…</p>}
      {list?.length === 0 && (
        <p class="muted">
          No meetings yet. Each time people meet in this room, who came and how they rated it shows
          up here.
        </p>
      )}
      {list && list.length > 1 && <SeriesSummary roomId={roomId} meetings={list.length} />}
      {list && list.length > 0 && (
        <div class="meetings-layout">
          <nav aria-label="Meetings">
            <ul class="meeting-list">
              {list.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    aria-current={m.id === chosen ? 'true' : undefined}
                    onClick={() => setChosen(m.id)}
                  >
                    <span class="meeting-when">{when.format(m.startedAt)}</span>
                    <span class="muted">
                      {m.attendees} {m.attendees === 1 ? 'person' : 'people'} ·{' '}
                      {ratingText(m.averageStars, m.ratings)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {report ? (
            <Report roomId={roomId} report={report} />
          ) : (
            !problem && <p class="muted">Loading…</p>
          )}
        </div>
      )}
    </main>
  );
}
