import { ERROR_CODES } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import type { CallSnapshot } from '../../callState.ts';
import { RequestError } from '../../session/RequestChannel.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';

export interface BroadcastDeps {
  rpc: RequestChannel;
  update(patch: Partial<CallSnapshot>): void;
}

function refusal(err: unknown): string {
  if (err instanceof RequestError && err.code === ERROR_CODES.FORBIDDEN) {
    return 'Only a host can start or stop the broadcast.';
  }
  if (err instanceof RequestError && err.code === ERROR_CODES.UNAVAILABLE) {
    return 'This server cannot broadcast (it has no media server or FFmpeg).';
  }
  return `The broadcast could not change: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * The room's on-air state: a host's Go live / Stop broadcast request, and the server's
 * `broadcast-state` pushes, which everyone gets (the server may end a failing broadcast).
 */
export class BroadcastControl {
  constructor(private readonly deps: BroadcastDeps) {}

  async set(live: boolean): Promise<void> {
    this.deps.update({ broadcastBusy: true, broadcastNotice: null });
    try {
      const reply = await this.deps.rpc.request({ type: 'broadcast', live });
      // A private room's broadcast needs the viewer token in the watch link (host's reply only).
      this.deps.update({
        live: reply.live,
        watchToken: reply.watchToken ?? null,
        ...(reply.broadcastId ? { broadcastId: reply.broadcastId } : {}),
      });
    } catch (err) {
      this.deps.update({ broadcastNotice: refusal(err) });
    } finally {
      this.deps.update({ broadcastBusy: false });
    }
  }

  onState(msg: ServerMessageOf<'broadcast-state'>): void {
    const notice = msg.error ? `The broadcast stopped on its own (${msg.error}).` : null;
    this.deps.update({ live: msg.live, broadcastNotice: notice });
  }
}
