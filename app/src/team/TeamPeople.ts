import type { ClientMessage, PeerInfo, Role, WaitingPeer } from '@parley/protocol';
import { actionFailure, arrivalNotice, arrivals } from '../call/features/moderation/lobbyState.ts';
import { RequestError } from '../call/session/RequestChannel.ts';
import type { RequestChannel } from '../call/session/RequestChannel.ts';
import type { TeamStore } from './TeamStore.ts';
import { isAdmin } from './teamState.ts';
import type { Person } from './teamState.ts';

export interface PeopleDeps {
  rpc: RequestChannel;
  store: TeamStore;
}

type PeerId = Extract<ClientMessage, { type: 'admit' }>['peerId'];
type Control = Extract<
  ClientMessage,
  { type: 'admit' | 'admit-all' | 'deny' | 'remove' | 'set-role' | 'floor-revoke' }
>;

function person(peer: PeerInfo): Person {
  return { peerId: peer.peerId, name: peer.name, role: peer.role };
}

/**
 * Who is in the team room (`joined.peers`, then `peer-joined`, `peer-updated`, `peer-left`),
 * who waits for approval (`lobby`, admins only), and the admins' controls over them: let in,
 * turn away, remove, make or unmake admin (the host), end someone's turn. Each control is a
 * request answered `ok`; the lists then change through the server's pushes. A refusal is told
 * in the page's notice, in the meeting's words.
 */
export class TeamPeople {
  /** The last "is waiting to join" told, to take back when the list empties. */
  private arrivalNotice: string | null = null;

  constructor(private readonly deps: PeopleDeps) {}

  /** A fresh `joined`: everyone already there. */
  onJoined(peers: PeerInfo[]): void {
    this.deps.store.update({ people: peers.map(person) });
  }

  /** Someone came in, or changed (a new role, a new name). */
  onPeer(peer: PeerInfo): void {
    const { people, names } = this.deps.store.current;
    const known = people.some((p) => p.peerId === peer.peerId);
    this.deps.store.update({
      people: known
        ? people.map((p) => (p.peerId === peer.peerId ? person(peer) : p))
        : [...people, person(peer)],
      names: { ...names, [peer.peerId]: peer.name },
    });
  }

  onLeft(peerId: string): void {
    const { people } = this.deps.store.current;
    this.deps.store.update({ people: people.filter((p) => p.peerId !== peerId) });
  }

  /** Our role changed: an admin sees the waiting list (the server sends it), a member not. */
  onRole(role: Role): void {
    const { store } = this.deps;
    const notice = isAdmin(role)
      ? 'You are now an admin of this team.'
      : 'You are no longer an admin.';
    store.update({ role, notice, ...(isAdmin(role) ? {} : { lobby: [] }) });
  }

  /** The waiting list changed (admins only). */
  onLobby(waiting: WaitingPeer[]): void {
    const { store } = this.deps;
    const arrived = arrivalNotice(arrivals(store.current.lobby, waiting));
    // "Dan is waiting to join" goes once nobody waits; any other notice stays.
    const stale = waiting.length === 0 && store.current.notice === this.arrivalNotice;
    const notice = arrived ?? (stale ? null : store.current.notice);
    store.update({ lobby: waiting, notice });
    if (arrived) this.arrivalNotice = arrived;
  }

  admit(peerId: string): Promise<boolean> {
    return this.control({ type: 'admit', peerId: peerId as PeerId }, 'let them in');
  }

  admitAll(): Promise<boolean> {
    return this.control({ type: 'admit-all' }, 'let everyone in');
  }

  deny(peerId: string): Promise<boolean> {
    return this.control({ type: 'deny', peerId: peerId as PeerId }, 'turn them away');
  }

  remove(peerId: string): Promise<boolean> {
    return this.control({ type: 'remove', peerId: peerId as PeerId }, 'remove them');
  }

  /** The host's: co-host is admin, guest a member. */
  setAdmin(peerId: string, admin: boolean): Promise<boolean> {
    const role = admin ? 'cohost' : 'guest';
    const what = admin ? 'make them admin' : 'remove them as admin';
    return this.control({ type: 'set-role', peerId: peerId as PeerId, role }, what, true);
  }

  /** Ends someone's turn (or place in line), whatever their button does. */
  endTurn(peerId: string): Promise<boolean> {
    return this.control({ type: 'floor-revoke', peerId: peerId as PeerId }, 'end their turn');
  }

  private async control(msg: Control, what: string, hostOnly = false): Promise<boolean> {
    try {
      await this.deps.rpc.request(msg);
      return true;
    } catch (err) {
      const code = err instanceof RequestError ? err.code : '';
      // Leaving closes every request in flight: nothing to tell then.
      if (code === 'CLOSED') return false;
      const message = err instanceof Error ? err.message : String(err);
      // A team says admin where a meeting says host or co-host.
      const notice =
        code === 'FORBIDDEN'
          ? `You cannot ${what}: only ${hostOnly ? 'the host' : 'an admin'} can.`
          : actionFailure(what, code, message);
      this.deps.store.update({ notice });
      return false;
    }
  }
}
