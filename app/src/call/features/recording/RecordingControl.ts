import { ERROR_CODES } from '@parley/protocol';
import type { RecordingEnd, ServerMessageOf } from '@parley/protocol';
import type { CallSnapshot } from '../../callState.ts';
import { RequestError } from '../../session/RequestChannel.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';

export interface RecordingDeps {
  rpc: RequestChannel;
  update(patch: Partial<CallSnapshot>): void;
}

function refusal(err: unknown): string {
  if (err instanceof RequestError && err.code === ERROR_CODES.FORBIDDEN) {
    return 'Only a host can start or stop recording in this room.';
  }
  if (err instanceof RequestError && err.code === ERROR_CODES.UNAVAILABLE) {
    return `Recording is not possible now: ${err.message}.`;
  }
  if (err instanceof RequestError && err.code === ERROR_CODES.LIMIT_REACHED) {
    return `Recording could not start: ${err.message}.`;
  }
  return `Recording could not change: ${err instanceof Error ? err.message : String(err)}`;
}

/** What everyone is told when a recording ends on its own. */
const ENDED: Partial<Record<RecordingEnd, string>> = {
  'disk-full': 'Recording stopped: the server is out of disk space. What was recorded is kept.',
  failed: 'Recording stopped because of a server problem. What was recorded is kept.',
};

/**
 * The meeting's recording (issue 18): a host's Record / Stop recording request, and the
 * server's `recording-state` pushes, which everyone gets (so everyone sees the indicator).
 */
export class RecordingControl {
  constructor(private readonly deps: RecordingDeps) {}

  async set(on: boolean): Promise<void> {
    this.deps.update({ recordingBusy: true, recordingNotice: null });
    try {
      const reply = await this.deps.rpc.request({ type: 'record', on });
      this.deps.update({
        recordingSince: reply.recording ? (reply.startedAt ?? Date.now()) : null,
      });
    } catch (err) {
      this.deps.update({ recordingNotice: refusal(err) });
    } finally {
      this.deps.update({ recordingBusy: false });
    }
  }

  onState(msg: ServerMessageOf<'recording-state'>): void {
    const since = msg.recording ? (msg.startedAt ?? Date.now()) : null;
    const notice = (msg.ended && ENDED[msg.ended]) ?? null;
    this.deps.update({ recordingSince: since, recordingNotice: notice });
  }
}
