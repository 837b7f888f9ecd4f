import { useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import { createTeam, saveHostKey } from '../api.ts';
import { navigate } from '../router.ts';

interface Props {
  /** Creating failed: `offline` when the network itself failed (fetch rejected). */
  onError(message: string | null, offline: boolean): void;
}

/**
 * Create team (issue 16): a walkie-talkie team with a name. Its creator keeps the host key as
 * for a room, which makes them the team's admin on `join`.
 */
export function CreateTeamForm({ onError }: Props) {
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [requireApproval, setRequireApproval] = useState(false);
  const [queue, setQueue] = useState(false);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    onError(null, false);
    try {
      const team = await createTeam({ name: name.trim(), requireApproval, queue });
      saveHostKey(team.id, team.hostKey);
      navigate(`/t/${team.id}`);
    } catch (err) {
      // fetch() rejects (TypeError) only when the network itself failed.
      if (err instanceof TypeError) onError(null, true);
      else onError(err instanceof Error ? err.message : String(err), false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="create-form" onSubmit={onSubmit} aria-label="New team">
      <div class="field">
        <label for="team-name">Team name (walkie-talkie channels, hold to talk)</label>
        <input
          id="team-name"
          type="text"
          required
          maxLength={LIMITS.TEAM_NAME_MAX}
          placeholder="Night shift"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <label class="toggle">
        <input
          type="checkbox"
          checked={requireApproval}
          onChange={(e) => setRequireApproval(e.currentTarget.checked)}
        />
        Approval: an admin lets each newcomer in
      </label>
      <label class="toggle">
        <input
          type="checkbox"
          checked={queue}
          onChange={(e) => setQueue(e.currentTarget.checked)}
        />
        Queue: a press on a busy channel waits its turn
      </label>
      <button type="submit" class="primary big" disabled={busy || !name.trim()}>
        {busy ? 'Creating…' : 'Create team'}
      </button>
    </form>
  );
}
