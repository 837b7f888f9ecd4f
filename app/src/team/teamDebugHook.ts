import type { ChannelLevel } from './ChannelOutput.ts';
import type { TeamController } from './TeamController.ts';

/**
 * The team page's hook for end-to-end tests (`window.__parleyTeam`): numbers only, in debug
 * builds only (see call/debugHook.ts for why).
 */
export interface TeamDebugHook {
  selfId(): string | null;
  /** What a channel we listen to sounds like now, after its volume (null: not listening). */
  level(channel: string, frequency: number): ChannelLevel | null;
  /** RTP bytes received on a channel's consumer (null: not listening). */
  bytesReceived(channel: string): Promise<number | null>;
  /** Whether our microphone is produced (the page can talk). */
  hasMic(): boolean;
  busyTones(): number;
  permitTones(): number;
}

declare global {
  interface Window {
    __parleyTeam?: TeamDebugHook;
  }
}

const DEBUG_HOOK_BUILT = import.meta.env.DEV || import.meta.env.VITE_PARLEY_DEBUG === '1';

/** Sets `window.__parleyTeam` in debug builds; returns its removal. Channels go by name. */
export function installTeamDebugHook(controller: TeamController): () => void {
  if (!DEBUG_HOOK_BUILT) return () => {};
  const idOf = (name: string) => controller.snapshot.channels.find((c) => c.name === name)?.id;
  const hook: TeamDebugHook = {
    selfId: () => controller.snapshot.selfId,
    level: (channel, frequency) => {
      const id = idOf(channel);
      return id ? (controller.mediaForDebug()?.level(id, frequency) ?? null) : null;
    },
    bytesReceived: async (channel) => {
      const id = idOf(channel);
      return id ? ((await controller.mediaForDebug()?.bytesReceived(id)) ?? null) : null;
    },
    hasMic: () => controller.mediaForDebug()?.hasMic ?? false,
    busyTones: () => controller.snapshot.busyTones,
    permitTones: () => controller.snapshot.permitTones,
  };
  window.__parleyTeam = hook;
  return () => {
    if (window.__parleyTeam === hook) delete window.__parleyTeam;
  };
}
