import type { CallController } from './CallController.ts';
import type { PeerStats } from './Mesh.ts';

/**
 * A tiny read-only window hook for end-to-end tests and for support ("paste the output of
 * `await __parley.stats()`"): inbound media counters per mesh link, and our own peer id.
 * It exposes numbers only, never streams or connections.
 */
export interface ParleyDebugHook {
  /** One entry per mesh link: decoded video frames and received audio bytes so far. */
  stats(): Promise<PeerStats[]>;
  /** Our peer id in the room, or null before joining. */
  selfId(): string | null;
}

declare global {
  interface Window {
    __parley?: ParleyDebugHook;
  }
}

export function installDebugHook(controller: CallController): () => void {
  const hook: ParleyDebugHook = {
    stats: () => controller.stats(),
    selfId: () => controller.snapshot.selfId,
  };
  window.__parley = hook;
  return () => {
    if (window.__parley === hook) delete window.__parley;
  };
}
