import type { Channel, ServerMessageOf, TeamState } from '@parley/protocol';
import type { RequestChannel } from '../call/session/RequestChannel.ts';
import { RequestError } from '../call/session/RequestChannel.ts';
import { safeGet, safeSet } from '../api.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';
import type { TeamMedia } from './TeamMedia.ts';
import type { TeamStore } from './TeamStore.ts';
import { withChannels } from './teamState.ts';

export interface ChannelDeps {
  rpc: RequestChannel;
  store: TeamStore;
  media(): TeamMedia | null;
  teamId: string;
}

/** What this browser remembers of a team: the channels it listens to, the one it talks on. */
interface Choices {
  listening: string[];
  talkOn: string | null;
}

/**
 * The channels and what we do with them: which we listen to (a consumer each), which we talk
 * on, their volumes, who talks on each (`floor-state`), and an admin's add, rename and remove.
 * The listening choices are remembered per team in this browser.
 */
export class TeamChannels {
  constructor(private readonly deps: ChannelDeps) {}

  /** The team as `joined` has it. */
  onTeam(team: TeamState): void {
    const talkers = Object.fromEntries(team.talkers.map((t) => [t.channelId, t.peerId]));
    const saved = this.loadChoices();
    const first = team.channels[0]?.id;
    const { store } = this.deps;
    store.update({
      teamName: team.name,
      settings: team.settings,
      talkers,
      // A first visit listens to and talks on the first channel ("General").
      listening: saved?.listening ?? (first ? [first] : []),
      talkOn: saved?.talkOn ?? null,
    });
    store.update(withChannels(store.current, team.channels));
  }

  /** Consumes every channel we chose (after a fresh join). */
  async listenToChosen(): Promise<void> {
    const media = this.deps.media();
    if (!media) return;
    await Promise.all(this.deps.store.current.listening.map((id) => this.consume(media, id)));
  }

  setListening(channelId: string, on: boolean): void {
    const { store } = this.deps;
    const listening = store.current.listening.filter((id) => id !== channelId);
    if (on) listening.push(channelId);
    store.update({ listening });
    this.saveChoices();
    const media = this.deps.media();
    if (!media) return;
    if (on) background(this.consume(media, channelId), 'listening to a channel');
    else background(media.unlisten(channelId), 'unlistening');
  }

  setTalkOn(channelId: string): void {
    this.deps.store.update({ talkOn: channelId });
    this.saveChoices();
  }

  setVolume(channelId: string, volume: number): void {
    const { store } = this.deps;
    store.update({ volumes: { ...store.current.volumes, [channelId]: volume } });
    this.deps.media()?.setVolume(channelId, volume);
  }

  onFloorState(msg: ServerMessageOf<'floor-state'>): void {
    const { store } = this.deps;
    const talkers = { ...store.current.talkers };
    if (msg.talker) talkers[msg.channelId] = msg.talker.peerId;
    else delete talkers[msg.channelId];
    store.update({ talkers });
  }

  onChannels(channels: Channel[]): void {
    const { store } = this.deps;
    const ids = new Set(channels.map((c) => c.id));
    for (const c of store.current.channels) if (!ids.has(c.id)) this.deps.media()?.drop(c.id);
    store.update(withChannels(store.current, channels));
  }

  onPeerLeft(peerId: string): void {
    const { store } = this.deps;
    const talkers = Object.fromEntries(
      Object.entries(store.current.talkers).filter(([, p]) => p !== peerId),
    );
    store.update({ talkers });
  }

  // ---------- admins ----------

  add(name: string): Promise<boolean> {
    return this.admin({ type: 'channel-add', name });
  }

  rename(channelId: string, name: string): Promise<boolean> {
    return this.admin({ type: 'channel-rename', channelId, name });
  }

  remove(channelId: string): Promise<boolean> {
    return this.admin({ type: 'channel-remove', channelId });
  }

  /** Sends an admin request; false (and the reason shown) when the server refused it. */
  private async admin(
    msg:
      | { type: 'channel-add'; name: string }
      | { type: 'channel-rename'; channelId: string; name: string }
      | { type: 'channel-remove'; channelId: string },
  ): Promise<boolean> {
    try {
      await this.deps.rpc.request(msg);
      this.deps.store.update({ notice: null });
      return true;
    } catch (err) {
      const notice =
        err instanceof RequestError && err.code === 'CHANNEL_NAME_TAKEN'
          ? 'Another channel has that name.'
          : `The server refused: ${err instanceof Error ? err.message : String(err)}`;
      this.deps.store.update({ notice });
      return false;
    }
  }

  private async consume(media: TeamMedia, channelId: string): Promise<void> {
    try {
      await media.listen(channelId);
      const volume = this.deps.store.current.volumes[channelId];
      if (volume !== undefined) media.setVolume(channelId, volume);
    } catch (err) {
      log.warn(`team: could not listen to ${channelId}`, err);
      this.deps.store.update({ notice: 'Could not listen to that channel. Try again.' });
    }
  }

  private get choicesKey(): string {
    return `parley.team.${this.deps.teamId}`;
  }

  private loadChoices(): Choices | null {
    try {
      const raw = JSON.parse(safeGet(this.choicesKey) ?? 'null') as Partial<Choices> | null;
      if (!raw || !Array.isArray(raw.listening)) return null;
      const listening = raw.listening.filter((id): id is string => typeof id === 'string');
      return { listening, talkOn: typeof raw.talkOn === 'string' ? raw.talkOn : null };
    } catch {
      return null;
    }
  }

  private saveChoices(): void {
    const { listening, talkOn } = this.deps.store.current;
    safeSet(this.choicesKey, JSON.stringify({ listening, talkOn }));
  }
}
