import { randomBytes } from 'node:crypto';
import { ERROR_CODES } from '@parley/protocol';
import type {
  ClientMessageOf,
  PollId,
  PollResults,
  PollView,
  RoomId,
  ServerMessage,
} from '@parley/protocol';
import type { PollStore, StoredPoll, StoredVote } from '../store/index.ts';
import { ProtocolError } from '../util/errors.ts';
import { personKey } from '../rooms/identity.ts';
import { isModerator } from '../rooms/permissions.ts';
import type { Peer } from '../rooms/peer.ts';

/** A room's polls as its Room opens: the store, and the current poll with its votes. */
export interface LoadedPolls {
  store: PollStore;
  current: StoredPoll | undefined;
  votes: StoredVote[];
}

export type PollDraft = Omit<ClientMessageOf<'poll-launch'>, 'type' | 'rid'>;

/** The room's last launched poll with its votes (an open one goes on after a restart). */
export async function loadPolls(roomId: RoomId, store: PollStore): Promise<LoadedPolls> {
  const current = await store.latest(roomId);
  const votes = current ? await store.votes(current.id) : [];
  return { store, current, votes };
}

const keyOf = (peer: Peer): string => personKey(peer.identity, peer.id);

/**
 * A meeting's polls (issue 17): its current poll (the last launched, open or ended) and the
 * votes in it, one per person (`personKey`: the account, else the server-issued guest id), so a
 * reload, a second tab or a resume cannot vote twice. Written to the store first; the store's
 * keys decide a race (another node, another tab). Each member is told the poll as they may
 * see it: results to hosts and co-hosts (and to everyone once shared), voters' names to hosts
 * and co-hosts of named polls only.
 *
 * Call inside the room's queue.
 */
export class Polls {
  #current: StoredPoll | undefined;
  /** The current poll's votes by person. */
  readonly #votes: Map<string, StoredVote>;

  constructor(
    readonly roomId: RoomId,
    private readonly peers: () => Iterable<Peer>,
    private readonly loaded: LoadedPolls,
  ) {
    this.#current = loaded.current;
    this.#votes = new Map(loaded.votes.map((v) => [v.key, v]));
  }

  /** Opens a new poll and tells everyone; POLL_ALREADY_OPEN while one is open. */
  async launch(draft: PollDraft): Promise<void> {
    if (this.#current && this.#current.endedAt === null) throw alreadyOpen();
    const poll: StoredPoll = {
      id: randomBytes(12).toString('base64url'),
      roomId: this.roomId,
      ...draft,
      launchedAt: Date.now(),
      endedAt: null,
      shared: false,
    };
    // The store's index has the last word: another node may have opened one for the room.
    if (!(await this.loaded.store.create(poll))) throw alreadyOpen();
    this.#current = poll;
    this.#votes.clear();
    this.#publish(() => true);
  }

  /** `peer`'s person votes; once, unless the poll lets a vote be changed. */
  async vote(peer: Peer, pollId: PollId, choices: readonly number[]): Promise<void> {
    const poll = this.#open(pollId);
    const picked = [...new Set(choices)].sort((a, b) => a - b);
    if (picked.some((i) => i >= poll.options.length)) {
      throw new ProtocolError(ERROR_CODES.INVALID_VOTE, 'no such option in this poll');
    }
    if (!poll.multiple && picked.length !== 1) {
      throw new ProtocolError(ERROR_CODES.INVALID_VOTE, 'this poll takes one choice');
    }
    const key = keyOf(peer);
    if (this.#votes.has(key) && !poll.changeable) throw alreadyVoted();
    // An anonymous poll's names are never stored: nobody can learn them later, from the CSV either.
    const vote = { key, name: poll.anonymous ? null : peer.name, choices: picked, at: Date.now() };
    const outcome = await this.loaded.store.vote(poll.id, vote, poll.changeable);
    if (outcome === 'duplicate') throw alreadyVoted();
    this.#votes.set(key, vote);
    this.#publish((p) => p.shared || isModerator(p.peer.role) || keyOf(p.peer) === key);
  }

  /** Closes the open poll; everyone is told (the results stay with hosts until shared). */
  async end(pollId: PollId): Promise<void> {
    const poll = this.#open(pollId);
    const endedAt = Date.now();
    await this.loaded.store.end(poll.id, endedAt);
    this.#current = { ...poll, endedAt };
    this.#publish(() => true);
  }

  /** Shows the current poll's results to everyone from now on. */
  async share(pollId: PollId): Promise<void> {
    const poll = this.#currentOf(pollId);
    if (poll.shared) return;
    await this.loaded.store.share(poll.id);
    this.#current = { ...poll, shared: true };
    this.#publish(() => true);
  }

  /**
   * What `joined` carries for `peer`: the open poll, or the last one once shared; hosts and
   * co-hosts get the last one whatever its state (to end, share or read it).
   */
  joinView(peer: Peer): PollView | undefined {
    const poll = this.#current;
    if (!poll) return undefined;
    const visible = poll.endedAt === null || poll.shared || isModerator(peer.role);
    return visible ? this.#view(poll, peer) : undefined;
  }

  #view(poll: StoredPoll, peer: Peer): PollView {
    const moderator = isModerator(peer.role);
    return {
      pollId: poll.id as PollId,
      question: poll.question,
      options: poll.options,
      multiple: poll.multiple,
      anonymous: poll.anonymous,
      changeable: poll.changeable,
      state: poll.endedAt === null ? 'open' : 'ended',
      shared: poll.shared,
      launchedAt: poll.launchedAt,
      myChoices: this.#votes.get(keyOf(peer))?.choices ?? null,
      ...(moderator || poll.shared ? { results: this.#results(poll, moderator) } : {}),
    };
  }

  #results(poll: StoredPoll, withNames: boolean): PollResults {
    const counts = poll.options.map(() => 0);
    for (const vote of this.#votes.values()) {
      for (const i of vote.choices) counts[i] = (counts[i] ?? 0) + 1;
    }
    const results: PollResults = { counts, voters: this.#votes.size };
    if (withNames && !poll.anonymous) {
      const votes = [...this.#votes.values()].sort((a, b) => a.at - b.at);
      results.named = votes.map((v) => ({ name: v.name ?? '', choices: v.choices }));
    }
    return results;
  }

  /** Sends the current poll to the admitted peers `to` picks, each as they may see it. */
  #publish(to: (p: { peer: Peer; shared: boolean }) => boolean): void {
    const poll = this.#current;
    if (!poll) return;
    for (const peer of this.peers()) {
      if (!to({ peer, shared: poll.shared })) continue;
      const message: ServerMessage = { type: 'poll', poll: this.#view(poll, peer) };
      peer.send(message);
    }
  }

  #currentOf(pollId: PollId): StoredPoll {
    const poll = this.#current;
    if (!poll || poll.id !== pollId) {
      throw new ProtocolError(ERROR_CODES.NO_SUCH_POLL, 'not the current poll of this meeting');
    }
    return poll;
  }

  #open(pollId: PollId): StoredPoll {
    const poll = this.#currentOf(pollId);
    if (poll.endedAt !== null) throw new ProtocolError(ERROR_CODES.POLL_CLOSED, 'the poll ended');
    return poll;
  }
}

const alreadyOpen = () =>
  new ProtocolError(ERROR_CODES.POLL_ALREADY_OPEN, 'a poll is open: end it first');
const alreadyVoted = () =>
  new ProtocolError(ERROR_CODES.ALREADY_VOTED, 'you have voted in this poll already');
