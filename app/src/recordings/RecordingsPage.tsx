import { useCallback, useEffect, useState } from 'preact/hooks';
import type { RecordingInfo } from '@parley/protocol';
import { navigate } from '../router.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { background } from '../util/background.ts';
import { NotHostError, deleteRecording, fetchRecordings, recordingLinks } from './recordingsApi.ts';
import './recordings.css';

/** How often the list refreshes while a recording is being produced. */
const REFRESH_MS = 2_000;

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function duration(ms: number | null): string {
  if (ms === null) return '';
  const s = Math.round(ms / 1000);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const [, m, sec] = hms.map((n) => String(n).padStart(2, '0'));
  return hms[0] ? `${hms[0]}:${m}:${sec}` : `${Number(m)}:${sec}`;
}

export function size(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function StatusLine({ r }: { r: RecordingInfo }) {
  switch (r.status) {
    case 'recording':
      return <span>Recording now</span>;
    case 'queued':
      return <span>Waiting to be processed</span>;
    case 'processing': {
      const pct = Math.round(r.progress * 100);
      return (
        <span class="processing">
          Processing{' '}
          <progress max={100} value={pct} aria-label="Processing">
            {pct}%
          </progress>{' '}
          {pct}%
        </span>
      );
    }
    case 'ready':
      return (
        <span>
          {duration(r.durationMs)} · {size(r.bytes)}
          {r.gapMs > 0 && ` · ${(r.gapMs / 1000).toFixed(1)} s missing`}
        </span>
      );
    case 'failed':
      return <span class="error">Failed: {r.error ?? 'unknown error'}</span>;
  }
}

/** Opens a signed link: the browser downloads it with its own progress bar. */
function download(href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = '';
  document.body.append(a);
  a.click();
  a.remove();
}

function Item({ roomId, r, onChange }: { roomId: string; r: RecordingInfo; onChange(): void }) {
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const act = (what: string, run: () => Promise<void>) =>
    background(
      run().catch((e: unknown) => setError(`${what} failed: ${String(e)}`)),
      `recording: ${what}`,
    );
  const get = (file: 'mp4' | 'm4a') =>
    act('Download', async () => download((await recordingLinks(roomId, r.id))[file]));
  const titleId = `recording-${r.id}`;
  return (
    <li class="recording" aria-labelledby={titleId}>
      <div class="recording-head">
        <h2 id={titleId}>{r.title}</h2>
        <span class="muted">{when.format(r.startedAt)}</span>
      </div>
      <p class="muted">
        <StatusLine r={r} />
      </p>
      <div class="row">
        {r.status === 'ready' && (
          <>
            <button type="button" class="primary" onClick={() => get('mp4')}>
              Download video (MP4)
            </button>
            <button type="button" onClick={() => get('m4a')}>
              Download audio (M4A, {size(r.audioBytes)})
            </button>
          </>
        )}
        {r.status !== 'recording' &&
          (confirming ? (
            <>
              <button
                type="button"
                class="danger"
                onClick={() =>
                  act('Delete', async () => {
                    await deleteRecording(roomId, r.id);
                    onChange();
                  })
                }
              >
                Delete for good
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Delete
            </button>
          ))}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** `/r/<roomId>/recordings`: the room's recordings, for its hosts (issue 18). */
export function RecordingsPage({ roomId }: { roomId: string }) {
  usePageTitle('Recordings - Parley');
  const [list, setList] = useState<RecordingInfo[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(() => {
    fetchRecordings(roomId).then(
      (recordings) => {
        setList(recordings);
        setProblem(null);
      },
      (e: unknown) =>
        setProblem(
          e instanceof NotHostError
            ? "Only this room's host can see its recordings: open this page in the browser that created the room, or sign in with the account that owns it."
            : `The recordings could not be loaded: ${String(e)}`,
        ),
    );
  }, [roomId]);
  useEffect(load, [load]);
  const busy = list?.some((r) => r.status !== 'ready' && r.status !== 'failed') ?? false;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [busy, load]);

  const room = `/r/${roomId}`;
  return (
    <main class="page recordings-page">
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
      <h1>Recordings</h1>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {!problem && list === null && <p class="muted">Loading…</p>}
      {list?.length === 0 && (
        <p class="muted">
          No recordings yet. In a meeting, hosts start one with Record; it shows up here.
        </p>
      )}
      {list && list.length > 0 && (
        <ul class="recording-list">
          {list.map((r) => (
            <Item key={r.id} roomId={roomId} r={r} onChange={load} />
          ))}
        </ul>
      )}
    </main>
  );
}
