import { useState } from 'preact/hooks';
import type { Channel } from '@parley/protocol';
import { LIMITS } from '@parley/protocol';
import type { TeamChannels } from './TeamChannels.ts';
import type { TeamSnapshot } from './teamState.ts';
import { isAdmin, talkerName } from './teamState.ts';
import { background } from '../util/background.ts';

interface Props {
  channels: TeamChannels;
  snap: TeamSnapshot;
}

/** Every channel: listen, talk on, who talks now, volume; rename and remove for admins. */
export function ChannelList({ channels, snap }: Props) {
  const admin = isAdmin(snap.role);
  return (
    <ul class="channels" aria-label="Channels">
      {snap.channels.map((c) => (
        <ChannelRow key={c.id} channel={c} channels={channels} snap={snap} admin={admin} />
      ))}
    </ul>
  );
}

interface RowProps extends Props {
  channel: Channel;
  admin: boolean;
}

function ChannelRow({ channel, channels, snap, admin }: RowProps) {
  const [renaming, setRenaming] = useState(false);
  const id = channel.id;
  const listening = snap.listening.includes(id);
  const who = talkerName(snap, id);
  const volume = snap.volumes[id] ?? 1;
  return (
    <li class={`channel${who ? ' live' : ''}`} data-channel={channel.name}>
      <div class="channel-head">
        <h2>{channel.name}</h2>
        <span class="talker" data-talker={who ?? ''}>
          {who ? `${who === 'You' ? 'You are' : `${who} is`} talking` : 'Quiet'}
        </span>
      </div>
      <div class="channel-controls">
        <label class="check">
          <input
            type="checkbox"
            checked={listening}
            onChange={(e) => channels.setListening(id, e.currentTarget.checked)}
          />
          Listen to {channel.name}
        </label>
        <label class="check">
          <input
            type="radio"
            name="talk-on"
            checked={snap.talkOn === id}
            onChange={() => channels.setTalkOn(id)}
          />
          Talk on {channel.name}
        </label>
        <label class="volume">
          <span>Volume of {channel.name}</span>
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={Math.round(volume * 100)}
            disabled={!listening}
            aria-valuetext={`${String(Math.round(volume * 100))}%`}
            onInput={(e) => channels.setVolume(id, Number(e.currentTarget.value) / 100)}
          />
        </label>
      </div>
      {admin && !renaming && (
        <div class="row channel-admin">
          <button type="button" class="secondary" onClick={() => setRenaming(true)}>
            Rename {channel.name}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={snap.channels.length < 2}
            onClick={() => background(channels.remove(id), 'removing a channel')}
          >
            Remove {channel.name}
          </button>
        </div>
      )}
      {admin && renaming && (
        <ChannelNameForm
          label={`New name for ${channel.name}`}
          submit="Save"
          initial={channel.name}
          onSubmit={(name) => channels.rename(id, name)}
          onDone={() => setRenaming(false)}
        />
      )}
    </li>
  );
}

interface NameFormProps {
  label: string;
  submit: string;
  initial?: string;
  onSubmit(name: string): Promise<boolean>;
  onDone?(): void;
}

/** A channel's name, for adding one or renaming it. */
export function ChannelNameForm({ label, submit, initial = '', onSubmit, onDone }: NameFormProps) {
  const [name, setName] = useState(initial);
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    const ok = await onSubmit(name.trim());
    setBusy(false);
    if (!ok) return;
    setName('');
    onDone?.();
  };
  return (
    <form class="row channel-name-form" onSubmit={(e) => background(send(e), submit)}>
      <label>
        <span>{label}</span>
        <input
          type="text"
          required
          maxLength={LIMITS.CHANNEL_NAME_MAX}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy || !name.trim()}>
        {submit}
      </button>
      {onDone && (
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      )}
    </form>
  );
}
