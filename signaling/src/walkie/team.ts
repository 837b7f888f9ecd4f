import { ERROR_CODES } from '@parley/protocol';
import type {
  Channel,
  ChannelId,
  PeerId,
  RoomId,
  ServerMessage,
  ServerMessageOf,
  TeamState,
} from '@parley/protocol';
import type { ChannelBus, SfuRoom } from '@parley/sfu';
import type { ChannelRecord, TeamRecord, TeamRole, TeamStore } from '../store/index.ts';
import { identityKeys } from '../rooms/identity.ts';
import type { Identity } from '../rooms/identity.ts';
import type { Log } from '../telemetry/log.ts';
import { ProtocolError } from '../util/errors.ts';
import { FloorControl } from './floor.ts';
import { SilenceWatch } from './silenceWatch.ts';
import type { FloorEvent, FloorRefusal, FloorResult } from './floor.ts';

/** What a team needs from its room: who is in it, its SFU side, fan-out and its queue. */
export interface TeamHost {
  readonly id: RoomId;
  readonly log: Log;
  sfuRoom(): SfuRoom | undefined;
  /** Host and co-hosts are the team's admins. */
  isAdmin(peerId: PeerId): boolean;
  broadcast(message: ServerMessage): void;
  sendTo(peerId: PeerId, message: ServerMessage): void;
  /** Runs a task in the room's serial queue (the floor timer uses it). */
  enqueue(task: () => void | Promise<void>): void;
}

/** Who caused a floor change: an admin's revoke (`by`), or a request to answer (`requester`). */
interface Context {
  by?: PeerId;
  requester?: PeerId;
}

/** A team's channels at most (the channel bus refuses more). */
export const MAX_CHANNELS = 32;

const REFUSALS: Record<FloorRefusal, [ProtocolError['code'], string]> = {
  'unknown-channel': [ERROR_CODES.CHANNEL_NOT_FOUND, 'no such channel in this team'],
  busy: [ERROR_CODES.FLOOR_BUSY, 'someone else is talking on this channel'],
  'already-talking': [ERROR_CODES.ALREADY_TALKING, 'you are talking on another channel'],
  'not-holder': [ERROR_CODES.NOT_TALKING, 'you do not hold that floor'],
  'not-admin': [ERROR_CODES.FORBIDDEN, 'only an admin may do that'],
};

/**
 * The walkie-talkie side of a team's room: its channels (stored), who listens to which (one
 * consumer each, through the room's channel bus) and who talks (floor control). Every method
 * runs in the room's queue. A member's microphone is paused on the server unless they hold a
 * floor, and only the floor's holder is forwarded into the channel: the grant resumes it and
 * points the channel at it, the end does the reverse, in that order.
 */
export class Team {
  readonly #floors: FloorControl<PeerId, ChannelId>;
  #channels: ChannelRecord[];
  #bus: ChannelBus | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** While anyone talks: once a second, the floors whose audio stopped arriving end. */
  #watch: NodeJS.Timeout | undefined;
  readonly #silent = new SilenceWatch<PeerId, ChannelId>();
  #closed = false;

  constructor(
    private readonly host: TeamHost,
    private readonly store: TeamStore,
    private readonly record: TeamRecord,
    channels: ChannelRecord[],
  ) {
    this.#channels = [...channels];
    this.#floors = new FloorControl<PeerId, ChannelId>({
      channels: channels.map((c) => c.id),
      maxTalkMs: record.settings.maxTalkSeconds * 1000,
      queuing: record.settings.queue,
    });
  }

  state(): TeamState {
    return {
      name: this.record.name,
      channels: this.#channelList(),
      talkers: this.#floors.holders().map((h) => ({
        channelId: h.channelId,
        peerId: h.memberId,
        since: epoch(h.since),
      })),
      settings: { ...this.record.settings },
    };
  }

  /**
   * What the team knows of someone arriving: an admin, a member (let in before, so the waiting
   * room does not hold them again), or nobody (undefined).
   */
  async standing(identity: Identity): Promise<TeamRole | undefined> {
    const keys = lookupOrder(identity);
    if (keys.length === 0) return undefined;
    return (await this.store.member(this.host.id, keys))?.role;
  }

  /** An admitted member is remembered under its strongest key, as admin when host or co-host. */
  async remember(member: { identity: Identity; name: string; role: string }): Promise<void> {
    const [identityKey] = lookupOrder(member.identity);
    if (!identityKey) return;
    const role: TeamRole = member.role === 'guest' ? 'member' : 'admin';
    await this.store.putMember(this.host.id, { identityKey, name: member.name, role, addedAt: Date.now() }); // prettier-ignore
  }

  /** A removed member is forgotten under every key: next time they are a newcomer again. */
  async forget(identity: Identity): Promise<void> {
    for (const key of identityKeys(identity)) await this.store.removeMember(this.host.id, key);
  }

  /** Starts `peerId` hearing a channel: its consumer on the peer's receive transport. */
  async listen(
    peerId: PeerId,
    channelId: ChannelId,
    rtpCapabilities: Record<string, unknown>,
  ): Promise<ServerMessageOf<'channel-consumer'>> {
    this.#channel(channelId);
    const bus = await this.#openBus();
    const c = await bus.consumeChannel(peerId, channelId, rtpCapabilities, false);
    const { consumerId, producerId, rtpParameters } = c;
    return { type: 'channel-consumer', channelId, consumerId, producerId, rtpParameters };
  }

  unlisten(peerId: PeerId, channelId: ChannelId): void {
    this.#channel(channelId);
    this.#liveBus()?.stopListening(peerId, channelId);
  }

  async request(peerId: PeerId, channelId: ChannelId): Promise<ServerMessageOf<'floor'>> {
    const isAdmin = this.host.isAdmin(peerId);
    const events = await this.#apply(
      this.#floors.request(channelId, peerId, performance.now(), { isAdmin }),
      { requester: peerId },
    );
    // The requester's own standing, as the machine reported it (a repeat reports it again).
    const mine = events.find(
      (e) => e.memberId === peerId && e.channelId === channelId && e.type !== 'ended',
    );
    if (mine?.type === 'queued') {
      return { type: 'floor', channelId, state: 'queued', position: mine.position };
    }
    const held = this.#floors.holders().find((h) => h.memberId === peerId);
    return { type: 'floor', channelId, state: 'granted', until: epoch(held?.deadline ?? 0) };
  }

  async release(peerId: PeerId, channelId: ChannelId): Promise<void> {
    await this.#apply(this.#floors.release(channelId, peerId, performance.now()));
  }

  async revoke(by: PeerId, target: PeerId): Promise<void> {
    const isAdmin = this.host.isAdmin(by);
    await this.#apply(this.#floors.revoke(target, performance.now(), { isAdmin }), { by });
  }

  /** A member left or its socket dropped: whatever floor or place in line it had ends. */
  async drop(peerId: PeerId): Promise<void> {
    await this.#effects(this.#floors.drop(peerId, performance.now()));
  }

  /** A member's microphone reached the server: it stays paused unless they hold a floor. */
  async micProduced(peerId: PeerId): Promise<void> {
    const talking = this.#floors.holders().some((h) => h.memberId === peerId);
    await this.host.sfuRoom()?.setPaused(peerId, ['mic'], !talking);
  }

  async addChannel(name: string): Promise<void> {
    if (this.#channels.length >= MAX_CHANNELS) {
      throw new ProtocolError(ERROR_CODES.LIMIT_REACHED, `a team has ${MAX_CHANNELS} channels`);
    }
    const added = await this.store.addChannel(this.host.id, name);
    if (!added.ok) throw channelRefusal(added.reason);
    this.#channels.push(added.channel);
    this.#floors.addChannel(added.channel.id);
    await this.#liveBus()?.addChannel(added.channel.id);
    this.#channelsChanged();
  }

  async renameChannel(channelId: ChannelId, name: string): Promise<void> {
    this.#channel(channelId);
    const renamed = await this.store.renameChannel(this.host.id, channelId, name);
    if (!renamed.ok) throw channelRefusal(renamed.reason);
    this.#channels = this.#channels.map((c) => (c.id === channelId ? renamed.channel : c));
    this.#channelsChanged();
  }

  /** Its talker stops, its line is told, its listeners' consumers close. */
  async removeChannel(channelId: ChannelId): Promise<void> {
    this.#channel(channelId);
    await this.store.removeChannel(this.host.id, channelId);
    await this.#effects(this.#floors.removeChannel(channelId));
    this.#channels = this.#channels.filter((c) => c.id !== channelId);
    this.#liveBus()?.removeChannel(channelId);
    this.#channelsChanged();
  }

  /** The room closed: the bus goes with its router; only the timer is ours to stop. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#watch);
  }

  async #apply(result: FloorResult<PeerId, ChannelId>, context: Context = {}) {
    if (!result.ok) {
      const [code, text] = REFUSALS[result.reason];
      throw new ProtocolError(code, text);
    }
    await this.#effects(result.events, context);
    return result.events;
  }

  /** Applies the machine's effects in order: media first, then who is told what. */
  async #effects(events: FloorEvent<PeerId, ChannelId>[], context: Context = {}): Promise<void> {
    for (const e of events) {
      if (e.type === 'granted') await this.#talk(e.channelId, e.memberId);
      if (e.type === 'ended') await this.#silence(e.channelId, e.memberId);
      this.#tell(e, context);
    }
    this.#arm();
    this.#armWatch();
  }

  async #talk(channelId: ChannelId, peerId: PeerId): Promise<void> {
    const bus = await this.#openBus();
    await bus.setTalker(channelId, peerId);
    await this.host.sfuRoom()?.setPaused(peerId, ['mic'], false);
  }

  async #silence(channelId: ChannelId, peerId: PeerId): Promise<void> {
    await this.host.sfuRoom()?.setPaused(peerId, ['mic'], true);
    if (this.#bus?.channels().includes(channelId)) await this.#bus.setTalker(channelId, null);
  }

  #tell(e: FloorEvent<PeerId, ChannelId>, { by, requester }: Context): void {
    const { channelId, memberId } = e;
    // The requester learns its own standing from the reply, not from a push as well.
    const replied = memberId === requester;
    switch (e.type) {
      case 'granted': {
        const talker = { channelId, peerId: memberId, since: epoch(e.since) };
        this.host.broadcast({ type: 'floor-state', channelId, talker });
        if (replied) return;
        // A promotion from the line.
        this.host.sendTo(memberId, {
          type: 'floor',
          channelId,
          state: 'granted',
          until: epoch(e.deadline),
        });
        return;
      }
      case 'ended':
        this.host.broadcast({ type: 'floor-state', channelId, talker: null });
        if (e.reason === 'released' || e.reason === 'dropped') return;
        this.host.sendTo(memberId, {
          type: 'floor-ended',
          channelId,
          reason: e.reason,
          ...(e.by ? { by: e.by } : by ? { by } : {}),
        });
        return;
      case 'queued':
        if (replied) return;
        this.host.sendTo(memberId, {
          type: 'floor',
          channelId,
          state: 'queued',
          position: e.position,
        });
        return;
      case 'dequeued':
        if (e.reason === 'revoked' || e.reason === 'channel-removed') {
          this.host.sendTo(memberId, {
            type: 'floor-ended',
            channelId,
            reason: e.reason,
            ...(by ? { by } : {}),
          });
        }
    }
  }

  /** One timer, to the next floor's end. */
  #arm(): void {
    clearTimeout(this.#timer);
    const next = this.#floors.nextDeadline();
    if (next === undefined || this.#closed) return;
    this.#timer = setTimeout(
      () => this.host.enqueue(() => this.#effects(this.#floors.tick(performance.now()))),
      Math.max(0, next - performance.now()),
    );
    this.#timer.unref();
  }

  #armWatch(): void {
    if (this.#floors.holders().length === 0 || this.#closed) {
      clearInterval(this.#watch);
      this.#watch = undefined;
      return;
    }
    if (this.#watch) return;
    this.#watch = setInterval(() => this.host.enqueue(() => this.#endSilentFloors()), 1000);
    this.#watch.unref();
  }

  /**
   * A talker whose audio has not reached its channel for a while lost its media path (ICE or
   * the network dropped; its socket may still be up): its floor ends, as a dropped socket's does.
   */
  async #endSilentFloors(): Promise<void> {
    const bus = this.#liveBus();
    const counted = new Set(bus?.channels());
    const holders = this.#floors.holders().map(({ channelId, memberId, since }) => ({
      channelId,
      memberId,
      since,
      packets: counted.has(channelId) ? bus?.stats(channelId).forwardedPackets : undefined,
    }));
    const now = performance.now();
    for (const memberId of this.#silent.check(holders, now)) {
      this.host.log.info('no audio from the talker: its floor ends', { peerId: memberId });
      await this.#effects(this.#floors.drop(memberId, now));
    }
  }

  /**
   * The room's channel bus, opened on first use (the room is on its SFU from its first
   * admission) and again after its router was rebuilt (a worker died): then every channel is
   * added back and every floor pointed at its holder again.
   */
  async #openBus(): Promise<ChannelBus> {
    const open = this.#liveBus();
    if (open) return open;
    const sfuRoom = this.host.sfuRoom();
    if (!sfuRoom) throw new ProtocolError(ERROR_CODES.NOT_IN_SFU_MODE, 'the team has no SFU');
    const bus = await sfuRoom.openChannelBus({ maxChannels: MAX_CHANNELS });
    for (const c of this.#channels) await bus.addChannel(c.id);
    for (const h of this.#floors.holders()) await bus.setTalker(h.channelId, h.memberId);
    this.#bus = bus;
    return bus;
  }

  /**
   * The bus if it is still open. One closed with its router (the room's SFU side was released
   * while only the waiting room kept the room, or rebuilt after a worker died) is left alone:
   * `#openBus` opens the next one with every channel in `#channels`, so a channel added or
   * removed meanwhile needs nothing from it, and it has no consumer left to close.
   */
  #liveBus(): ChannelBus | undefined {
    return this.#bus && !this.#bus.closed ? this.#bus : undefined;
  }

  #channel(channelId: ChannelId): ChannelRecord {
    const channel = this.#channels.find((c) => c.id === channelId);
    if (!channel) throw new ProtocolError(ERROR_CODES.CHANNEL_NOT_FOUND, 'no such channel');
    return channel;
  }

  #channelList(): Channel[] {
    return this.#channels.map(({ id, name }) => ({ id, name }));
  }

  #channelsChanged(): void {
    this.host.broadcast({ type: 'team-channels', channels: this.#channelList() });
  }
}

function channelRefusal(reason: 'duplicate-name' | 'not-found'): ProtocolError {
  return reason === 'duplicate-name'
    ? new ProtocolError(ERROR_CODES.CHANNEL_NAME_TAKEN, 'another channel has that name')
    : new ProtocolError(ERROR_CODES.CHANNEL_NOT_FOUND, 'no such channel');
}

/**
 * The keys a team's standing is kept under, strongest first: the account, then the guest id
 * the server issued. Never the device id a client picks: it may add to a ban, never grant a
 * seat or an admin's role (identity.ts).
 */
function lookupOrder(identity: Identity): string[] {
  return identityKeys(identity)
    .filter((k) => k.startsWith('u:') || k.startsWith('g:'))
    .sort((a, b) => Number(b.startsWith('u:')) - Number(a.startsWith('u:')));
}

/** A `performance.now()` time as ms since the epoch (what clients are told). */
function epoch(t: number): number {
  return Math.round(performance.timeOrigin + t);
}
