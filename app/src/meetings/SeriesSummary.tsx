import { useEffect, useState } from 'preact/hooks';
import type { SeriesFeedback } from '@parley/protocol';
import { fetchSeries } from './meetingsApi.ts';
import { Stars, ratingText } from './ratings.tsx';

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The top of the meetings page when the room met more than once (issue 21's "per recurring
 * series": a weekly scheduled meeting is one room, and so is a room people come back to): the
 * average over every rating, and the comments with the date of the meeting each is about.
 */
export function SeriesSummary({ roomId, meetings }: { roomId: string; meetings: number }) {
  const [series, setSeries] = useState<SeriesFeedback | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    fetchSeries(roomId).then(setSeries, () => setFailed(true));
  }, [roomId, meetings]);

  return (
    <section class="series-summary" aria-labelledby="series-title">
      <h2 id="series-title">All meetings in this room</h2>
      {failed && <p class="error">The summary of all meetings could not be loaded.</p>}
      {!failed && series === null && <p class="muted">Loading…</p>}
      {series && (
        <>
          <p class="rating-average">
            {ratingText(series.averageStars, series.ratings)}
            <span class="muted">
              {' '}
              over {series.meetings} {series.meetings === 1 ? 'meeting' : 'meetings'}
            </span>
          </p>
          {series.latest.length > 0 ? (
            <>
              <h3>Comments, the newest meeting first</h3>
              <ul class="comments">
                {series.latest.map((c) => (
                  <li key={`${c.meetingId}-${c.at}`}>
                    <Stars n={c.stars} /> <span class="comment">{c.comment}</span>
                    <span class="muted comment-meeting">
                      Meeting of {day.format(c.meetingStartedAt)}
                    </span>
                  </li>
                ))}
              </ul>
              {series.comments > series.latest.length && (
                <p class="muted">
                  Showing the {series.latest.length} comments of the newest meetings, of{' '}
                  {series.comments} in all.
                </p>
              )}
            </>
          ) : (
            series.ratings > 0 && <p class="muted">No comments yet.</p>
          )}
        </>
      )}
    </section>
  );
}
