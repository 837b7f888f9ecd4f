import { useState } from 'preact/hooks';
import { newCalendarFeed, revokeCalendarFeed } from './scheduleApi.ts';

/**
 * The private calendar feed: a URL Google Calendar, Outlook or Apple Calendar subscribe to.
 * Only its hash is kept on the server, so it is shown once; a new one replaces it.
 */
export function CalendarFeed() {
  const [url, setUrl] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const run = (work: () => Promise<void>) => {
    setNote(null);
    work().catch((err: unknown) => setNote(`That did not work: ${(err as Error).message}`));
  };
  return (
    <section class="calendar-feed" aria-labelledby="feed-title">
      <h2 id="feed-title">Calendar feed</h2>
      <p class="muted">
        Subscribe to your meetings from your calendar app. Anyone with the link sees them: a new
        link stops the old one.
      </p>
      {url && (
        <div class="field">
          <label for="feed-url">Your private feed link (shown once)</label>
          <input
            id="feed-url"
            type="text"
            readOnly
            value={url}
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      )}
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => run(async () => setUrl(await newCalendarFeed()))}
        >
          {url ? 'Make a new link' : 'Get a feed link'}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() =>
            run(async () => {
              await revokeCalendarFeed();
              setUrl(null);
              setNote('The feed link no longer works.');
            })
          }
        >
          Turn the feed off
        </button>
      </div>
      {note && <p role="status">{note}</p>}
    </section>
  );
}
