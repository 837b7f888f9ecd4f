import { ERROR_CODES } from '@parley/protocol';
import type { PeerId, RaisedHand, Reaction, ServerMessageOf } from '@parley/protocol';
import type { CallSnapshot } from '../../callState.ts';
import { RequestError } from '../../session/RequestChannel.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';

/** How long a reaction floats over its sender's tile. */
export const FLOAT_MS = 4000;
/** At most this many float at once: the oldest goes first (a class of 50 pressing together). */
const MAX_FLOATING = 40;

/** A reaction on its way up a tile; `id` keys its element. */
export interface FloatingReaction {
  id: number;
  peerId: string;
  reaction: Reaction;
}

export interface ClassroomDeps {
  rpc: RequestChannel;
  update(patch: Partial<CallSnapshot>): void;
  snapshot(): CallSnapshot;
}

function failure(what: string, err: unknown): string {
  if (err instanceof RequestError && err.code === ERROR_CODES.RATE_LIMITED) {
    return 'Too many reactions at once: wait a moment.';
  }
  return `${what} did not work: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Raised hands and reactions in a call (issue 17). The server keeps the hands, in the order
 * they went up, and sends the list whenever it changes; reactions come in batches and float
 * for FLOAT_MS. Failures land in `notice`, like a refused chat message.
 */
export class Classroom {
  #nextId = 0;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: ClassroomDeps) {}

  /** Our own hand: "Raise hand" / "Lower hand". */
  async setHand(raised: boolean): Promise<void> {
    try {
      await this.deps.rpc.request({ type: 'hand', raised });
    } catch (err) {
      this.deps.update({
        notice: failure(raised ? 'Raising your hand' : 'Lowering your hand', err),
      });
    }
  }

  /** Hosts and co-hosts: lower someone's hand, or everyone's. */
  async lower(peerId?: string): Promise<void> {
    try {
      await this.deps.rpc.request({
        type: 'hand-lower',
        ...(peerId ? { peerId: peerId as PeerId } : {}),
      });
    } catch (err) {
      this.deps.update({ hostNotice: failure('Lowering the hand', err) });
    }
  }

  async react(reaction: Reaction): Promise<void> {
    try {
      await this.deps.rpc.request({ type: 'react', reaction });
    } catch (err) {
      this.deps.update({ notice: failure('The reaction', err) });
    }
  }

  onHands(raised: RaisedHand[]): void {
    this.deps.update({ hands: raised });
  }

  onReactions(msg: ServerMessageOf<'reactions'>): void {
    const added = msg.items.map((item) => ({ id: ++this.#nextId, ...item }));
    const floating = [...this.deps.snapshot().reactions, ...added].slice(-MAX_FLOATING);
    this.deps.update({ reactions: floating });
    const ids = new Set(added.map((r) => r.id));
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.deps.update({ reactions: this.deps.snapshot().reactions.filter((r) => !ids.has(r.id)) });
    }, FLOAT_MS);
    this.#timers.add(timer);
  }

  /** Out of the call: nothing floats, no hands. */
  reset(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.deps.update({ hands: [], reactions: [] });
  }
}

/** Our place in the hands' line (1 = first), or null with our hand down. */
export function handPosition(hands: readonly RaisedHand[], peerId: string | null): number | null {
  const index = hands.findIndex((h) => h.peerId === peerId);
  return index < 0 ? null : index + 1;
}
