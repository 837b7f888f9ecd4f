import { useEffect, useState } from 'preact/hooks';
import type { OwnedRoom } from '@parley/protocol';
import { fetchMyRooms } from '../api.ts';
import { navigate } from '../router.ts';
import { log } from '../log.ts';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "Your rooms": the signed-in user's rooms (`GET /api/me/rooms`), newest first. */
export function YourRooms() {
  const [rooms, setRooms] = useState<OwnedRoom[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    fetchMyRooms().then(
      (r) => live && setRooms(r),
      (err: unknown) => {
        log.warn('could not load your rooms', err);
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <section class="your-rooms" aria-labelledby="your-rooms-title">
      <h2 id="your-rooms-title">Your rooms</h2>
      {failed && <p class="error">Your rooms could not be loaded.</p>}
      {!failed && rooms === null && <p class="muted">Loading…</p>}
      {rooms?.length === 0 && <p class="muted">Rooms you create while signed in show up here.</p>}
      {rooms && rooms.length > 0 && (
        <ul>
          {rooms.map((r) => (
            <li key={r.id}>
              <a
                href={`/r/${r.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/r/${r.id}`);
                }}
              >
                {r.title ?? 'Untitled room'}
              </a>{' '}
              <span class="muted">{dateFormat.format(r.createdAt)}</span>{' '}
              <a
                href={`/r/${r.id}/recordings`}
                aria-label={`Recordings of ${r.title ?? 'Untitled room'}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/r/${r.id}/recordings`);
                }}
              >
                Recordings
              </a>{' '}
              <a
                href={`/r/${r.id}/meetings`}
                aria-label={`Meetings of ${r.title ?? 'Untitled room'}: attendance and feedback`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/r/${r.id}/meetings`);
                }}
              >
                Meetings
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
