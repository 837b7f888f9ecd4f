import { PortPool } from '@parley/hls-gateway';
import type { PortRange } from '@parley/hls-gateway';
import { RoomRecorder, composite, fromFirstMedia, gapsOf, readManifest } from '@parley/recorder';
import type { RecordingManifest } from '@parley/recorder';
import type { Log } from '../telemetry/log.ts';
import type { LiveRecorder, RecordedSummary, RecorderEngine, TrackSpec } from './engine.ts';

/** What a manifest says the recording holds: its end, and its holes summed. */
function summaryOf(manifest: RecordingManifest): RecordedSummary {
  const lastPartEnd = Math.max(
    manifest.startedAt,
    ...manifest.tracks.flatMap((t) => t.parts.map((p) => p.endedAt ?? p.startedAt)),
  );
  const gapMs = gapsOf(manifest).reduce((sum, g) => sum + (g.to - g.from), 0);
  return { endedAt: manifest.endedAt ?? lastPartEnd, gapMs };
}

/**
 * The real media side of recordings: `@parley/recorder`'s RoomRecorder (a copy per track,
 * FFmpeg restarted when it dies) on this node's own RTP port range, and its composite.
 */
export function createRecorderEngine(options: { ports: PortRange; log: Log }): RecorderEngine {
  const ports = new PortPool(options.ports);
  const { log } = options;
  return {
    async record({ recordingId, dir, source }): Promise<LiveRecorder> {
      const failed = new Set<string>();
      let listed = 0;
      const listeners: ((reason: string) => void)[] = [];
      const recorder = await RoomRecorder.start({
        recordingId,
        dir,
        source,
        ports,
        log: log.child({ recordingId }),
        onFailed: (producerId, reason) => {
          log.warn('a track is no longer recorded', { recordingId, producerId, reason });
          failed.add(producerId);
          // One lost track leaves the others recording; losing every one ends the recording.
          if (listed > 0 && failed.size >= listed) {
            for (const listener of listeners) listener('every track failed');
          }
        },
      });
      return {
        async setTracks(tracks: TrackSpec[]) {
          listed = tracks.length;
          await recorder.setTracks(tracks).catch((error: unknown) => {
            log.error('recorder could not follow the tracks', {
              recordingId,
              error: String(error),
            });
          });
        },
        async firstMedia(timeoutMs) {
          const until = Date.now() + timeoutMs;
          const started = () => recorder.manifest.tracks.some((t) => t.parts.length > 0);
          while (!started() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        },
        setSpeaker: (peerId) => recorder.setSpeaker(peerId),
        stop: async () => summaryOf(await recorder.stop()),
        onFailed: (listener) => listeners.push(listener),
      };
    },
    async recovered(dir) {
      return summaryOf(await readManifest(dir));
    },
    async compose(dir, { layout, output, audioOutput, onProgress, signal }) {
      return composite(fromFirstMedia(await readManifest(dir)), {
        dir,
        layout,
        output,
        audioOutput,
        onProgress,
        ...(signal ? { signal } : {}),
        log,
      });
    },
  };
}
