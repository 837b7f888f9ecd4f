import { useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import type { RoomSettings, RoomSettingsChange } from '@parley/protocol';
import type { Moderation } from '../call/features/moderation/Moderation.ts';
import { saveRoomPassword } from '../api.ts';
import { background } from '../util/background.ts';

interface Props {
  roomId: string;
  settings: RoomSettings;
  /** The password is the host's: a co-host sees whether there is one, not the controls. */
  isHost: boolean;
  moderation: Moderation;
  onClose(): void;
}

type Flag = 'waitingRoom' | 'locked' | 'screenShare' | 'chat' | 'selfUnmute' | 'draw';

const FLAGS: { key: Flag; label: string; hint: string }[] = [
  { key: 'waitingRoom', label: 'Waiting room', hint: 'Guests wait until a host lets them in.' },
  { key: 'locked', label: 'Lock meeting', hint: 'Nobody new can join, not even to wait.' },
  { key: 'screenShare', label: 'Allow screen sharing', hint: 'Guests may share their screen.' },
  { key: 'chat', label: 'Allow chat', hint: 'Guests may send chat messages.' },
  {
    key: 'selfUnmute',
    label: 'Let guests unmute themselves',
    hint: 'After a host mutes them. Off: only once a host allows it.',
  },
  {
    key: 'draw',
    label: 'Let guests draw on the whiteboard',
    hint: 'Off: only hosts and co-hosts draw; guests still see the board.',
  },
];

/**
 * Hosts and co-hosts: the room's settings. A switch shows the requested value while its change
 * is in flight, then what the server confirmed (its `settings` reply): a refused change springs
 * back.
 */
export function SettingsPanel({ roomId, settings, isHost, moderation, onClose }: Props) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Partial<Record<Flag, boolean>>>({});
  const change = async (c: RoomSettingsChange) => {
    setBusy(true);
    const ok = await moderation.changeSettings(c);
    setBusy(false);
    return ok;
  };
  const toggle = async (key: Flag, on: boolean) => {
    setPending((p) => ({ ...p, [key]: on }));
    await change({ [key]: on });
    setPending(({ [key]: _, ...rest }) => rest);
  };

  return (
    <section id="settings-panel" class="panel settings-panel" aria-labelledby="settings-title">
      <header class="panel-head">
        <h2 id="settings-title">Room settings</h2>
        <button type="button" class="secondary" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {FLAGS.map((f) => (
        <div class="setting" key={f.key}>
          <label class="toggle">
            <input
              type="checkbox"
              checked={pending[f.key] ?? settings[f.key]}
              aria-describedby={`setting-${f.key}`}
              onChange={(e) =>
                background(toggle(f.key, e.currentTarget.checked), 'changing a setting')
              }
            />
            {f.label}
          </label>
          <span id={`setting-${f.key}`} class="muted hint">
            {f.hint}
          </span>
        </div>
      ))}
      {isHost && (
        <div class="setting">
          <label class="toggle">
            <input
              type="checkbox"
              checked={settings.cohostsRecord}
              aria-describedby="setting-cohostsRecord"
              disabled={busy}
              onChange={(e) =>
                background(change({ cohostsRecord: e.currentTarget.checked }), 'changing a setting')
              }
            />
            Let co-hosts record
          </label>
          <span id="setting-cohostsRecord" class="muted hint">
            Off: only hosts start and stop recording.
          </span>
          <label for="recording-layout">Recordings show</label>
          <select
            id="recording-layout"
            value={settings.recordingLayout}
            disabled={busy}
            onChange={(e) => {
              const layout = e.currentTarget.value === 'grid' ? 'grid' : 'speaker';
              background(change({ recordingLayout: layout }), 'changing a setting');
            }}
          >
            <option value="speaker">The speaker large, others in a strip</option>
            <option value="grid">Everyone in a grid</option>
          </select>
        </div>
      )}
      {!isHost && (
        <p class="muted hint">
          {settings.hasPassword
            ? 'Joining needs the password. Only the host can change or remove it.'
            : 'Only the host can set a password.'}
        </p>
      )}
      {isHost && (
        <form
          class="setting"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!password || !(await change({ password }))) return;
            saveRoomPassword(roomId, password);
            setPassword('');
          }}
        >
          <label for="new-room-password">
            {settings.hasPassword ? 'Change the password' : 'Set a password'}
          </label>
          <div class="row">
            <input
              id="new-room-password"
              type="text"
              autoComplete="off"
              spellcheck={false}
              maxLength={LIMITS.ROOM_PASSWORD_MAX}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            <button type="submit" disabled={busy || password === ''}>
              {settings.hasPassword ? 'Change password' : 'Set password'}
            </button>
          </div>
          <span class="muted hint" role="status">
            {settings.hasPassword
              ? 'Joining needs the password. People already here stay.'
              : 'Anyone with the link can ask to join.'}
          </span>
          {settings.hasPassword && (
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                if (await change({ password: null })) saveRoomPassword(roomId, null);
              }}
            >
              Remove password
            </button>
          )}
        </form>
      )}
    </section>
  );
}
