import { useState } from 'preact/hooks';
import { createRoom, saveHostKey } from '../api.ts';
import { navigate, roomIdFromInput } from '../router.ts';
import { OfflineBanner } from '../ui/OfflineBanner.tsx';
import { useOnline } from '../ui/useOnline.ts';

export function Home() {
  const online = useOnline();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fetchFailed, setFetchFailed] = useState(false);
  const [link, setLink] = useState('');

  const onCreate = async () => {
    setBusy(true);
    setError(null);
    try {
      const room = await createRoom();
      saveHostKey(room.id, room.hostKey);
      setFetchFailed(false);
      navigate(`/r/${room.id}`);
    } catch (err) {
      // fetch() rejects (TypeError) only when the network itself failed.
      if (err instanceof TypeError) setFetchFailed(true);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const onJoin = (e: Event) => {
    e.preventDefault();
    const id = roomIdFromInput(link);
    if (id) navigate(`/r/${id}`);
    else setError('That does not look like a Parley link or room id.');
  };

  return (
    <main class="page home">
      {(!online || fetchFailed) && (
        <OfflineBanner reason="Creating or joining a room needs a connection." />
      )}
      <h1>Parley</h1>
      <p class="lead">Video meetings in your browser. No account, no install.</p>
      <button type="button" class="primary big" onClick={onCreate} disabled={busy}>
        {busy ? 'Creating…' : 'Create room'}
      </button>
      <form class="join-form" onSubmit={onJoin}>
        <label for="join-link">Join by link</label>
        <div class="row">
          <input
            id="join-link"
            type="text"
            inputMode="url"
            autoComplete="off"
            placeholder="Paste a link or room id"
            value={link}
            onInput={(e) => setLink(e.currentTarget.value)}
          />
          <button type="submit">Join</button>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
