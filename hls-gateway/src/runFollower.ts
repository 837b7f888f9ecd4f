// Follows one FFmpeg run's own playlist and hands each finished segment to the PlaylistWriter.

import fs from 'node:fs/promises';
import path from 'node:path';
import { FFMPEG_INIT, FFMPEG_PLAYLIST, FFMPEG_SEGMENT_PATTERN } from './ffmpegArgs.ts';
import { parseMediaPlaylist } from './m3u8.ts';
import type { PlaylistWriter } from './playlistWriter.ts';

export interface RunFollowerOptions {
  /** The run's working directory (FFmpeg's output). */
  workDir: string;
  writer: PlaylistWriter;
  /** How often to read FFmpeg's playlist, ms (default 200). */
  pollMs?: number;
  /** Called after each published segment. */
  onSegment?: () => void;
  onError: (error: unknown) => void;
}

/**
 * Polls rather than watches: fs.watch misses renames on some filesystems, and a 200 ms poll of
 * a small file costs nothing next to the encoder. FFmpeg lists a segment only once the file is
 * complete (and with `temp_file` renames it into place first), so whatever is listed is whole.
 * Segments are taken in FFmpeg's numbering order, each exactly once.
 */
export class RunFollower {
  private readonly timer: NodeJS.Timeout;
  private lastIndex = -1;
  private initDone = false;
  private polling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: RunFollowerOptions) {
    this.timer = setInterval(() => this.schedulePoll(), options.pollMs ?? 200);
  }

  /** Segments taken from this run so far. */
  get taken(): number {
    return this.lastIndex + 1;
  }

  /** Stops polling after one last read (FFmpeg has exited: its final segments are listed). */
  async drain(): Promise<void> {
    if (this.stopped) return this.polling;
    this.stopped = true;
    clearInterval(this.timer);
    this.polling = this.polling.then(() => this.pollSafely());
    return this.polling;
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    // Chained: two reads never overlap, and drain() waits for the one in flight.
    this.polling = this.polling.then(() => this.pollSafely());
  }

  private async pollSafely(): Promise<void> {
    try {
      await this.poll();
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async poll(): Promise<void> {
    const { workDir, writer } = this.options;
    let text: string;
    try {
      text = await fs.readFile(path.join(workDir, FFMPEG_PLAYLIST), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const playlist = parseMediaPlaylist(text);
    for (const segment of playlist.segments) {
      const index = Number(FFMPEG_SEGMENT_PATTERN.exec(segment.uri)?.[1] ?? NaN);
      if (!Number.isInteger(index) || index <= this.lastIndex) continue;
      if (!this.initDone) {
        await writer.addInit(path.join(workDir, playlist.map ?? FFMPEG_INIT));
        this.initDone = true;
      }
      this.lastIndex = index;
      try {
        const file = path.join(workDir, segment.uri);
        await writer.addSegment(file, segment.duration, segment.programDateTime);
      } catch (error) {
        // Skipped, not retried: the playlist goes on without it.
        this.options.onError(error);
        continue;
      }
      this.options.onSegment?.();
    }
  }
}
