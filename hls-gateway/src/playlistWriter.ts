// Our public playlist for one broadcast: FFmpeg runs come and go (crash restarts, source
// changes), the playlist a viewer polls goes on with one numbering.

import fs from 'node:fs/promises';
import path from 'node:path';
import { renderMediaPlaylist, type PublishedSegment } from './m3u8.ts';

export const PUBLIC_PLAYLIST = 'index.m3u8';

export interface PlaylistWriterOptions {
  /** Public directory of the broadcast (`<outDir>/<roomId>`); created if missing. */
  dir: string;
  /** Unique per broadcast, so segment names never repeat and can be cached forever. */
  prefix: string;
  /** Nominal segment length, seconds: the initial EXT-X-TARGETDURATION. */
  segmentSeconds: number;
  /** The playlist's file name in `dir` (default `index.m3u8`; a rendition's with the ladder). */
  playlist?: string;
  /** Segments listed at a time (default 6). */
  windowSize?: number;
  /** Clock, ms (default Date.now); tests drive deletion with it. */
  now?: () => number;
}

/** A segment out of the window, still on disk. */
interface Retired {
  uri: string;
  map: string;
  at: number;
}

/**
 * Takes finished segments (files FFmpeg wrote, in its working directory), moves them into the
 * public directory under unique names, numbers them globally and rewrites `index.m3u8`
 * atomically (temp file + rename) after each one. Each run of FFmpeg starts with
 * EXT-X-DISCONTINUITY and its own init segment.
 *
 * A segment leaving the window is deleted only after it has been out for longer than the
 * window lasts: a viewer holding the previous playlist can still fetch every segment in it.
 */
export class PlaylistWriter {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly playlist: string;
  private readonly windowSize: number;
  private readonly now: () => number;
  private readonly window: PublishedSegment[] = [];
  private readonly retired: Retired[] = [];
  private readonly inits = new Set<string>();
  private targetDuration: number;
  private discontinuitySequence = 0;
  private nextSequence = 0;
  private run = 0;
  private runMap: string | undefined;
  private runStarted = false;
  private ended = false;
  private newestAt: number | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(options: PlaylistWriterOptions) {
    this.dir = options.dir;
    this.prefix = options.prefix;
    this.playlist = options.playlist ?? PUBLIC_PLAYLIST;
    this.windowSize = options.windowSize ?? 6;
    this.now = options.now ?? Date.now;
    this.targetDuration = Math.max(1, Math.ceil(options.segmentSeconds));
    if (!/^[A-Za-z0-9_-]+$/.test(this.prefix)) throw new Error(`bad prefix ${this.prefix}`);
    if (!/^[A-Za-z0-9_-]+\.m3u8$/.test(this.playlist)) {
      throw new Error(`bad playlist ${this.playlist}`);
    }
    if (!Number.isInteger(this.windowSize) || this.windowSize < 2) {
      throw new Error(`bad windowSize ${this.windowSize}`);
    }
  }

  /** Segments published so far. */
  get segmentCount(): number {
    return this.nextSequence;
  }

  /** Wall-clock ms when the newest segment was published (undefined before the first). */
  get newestSegmentAt(): number | undefined {
    return this.newestAt;
  }

  /** Current window (copies), oldest first. */
  segments(): PublishedSegment[] {
    return this.window.map((s) => ({ ...s }));
  }

  /** A new FFmpeg run begins: its first segment gets EXT-X-DISCONTINUITY and a new init. */
  beginRun(): void {
    this.run += 1;
    this.runMap = undefined;
    this.runStarted = false;
  }

  /** Publishes the current run's init segment (moves `file` into the public directory). */
  addInit(file: string): Promise<void> {
    return this.serialize(async () => {
      const name = `${this.prefix}-r${this.run}-init.mp4`;
      await fs.mkdir(this.dir, { recursive: true });
      // Copied, not moved: FFmpeg may still hold it, and it is small.
      await fs.copyFile(file, path.join(this.dir, `${name}.tmp`));
      await fs.rename(path.join(this.dir, `${name}.tmp`), path.join(this.dir, name));
      this.runMap = name;
      this.inits.add(name);
    });
  }

  /** Publishes one finished segment of the current run; addInit must have come first. */
  addSegment(file: string, duration: number, programDateTime?: string): Promise<void> {
    return this.serialize(async () => {
      if (this.ended) throw new Error('playlist has ended');
      if (!this.runMap) throw new Error('segment before its init segment');
      const sequence = this.nextSequence;
      const uri = `${this.prefix}-${sequence}.m4s`;
      await fs.rename(file, path.join(this.dir, uri));
      this.nextSequence += 1;
      const discontinuity = !this.runStarted && sequence > 0;
      this.runStarted = true;
      const segment: PublishedSegment = {
        sequence,
        uri,
        duration,
        map: this.runMap,
        discontinuity,
      };
      if (programDateTime) segment.programDateTime = programDateTime;
      this.window.push(segment);
      // Never lowered: the spec forbids changing it, but a long segment must still fit.
      this.targetDuration = Math.max(this.targetDuration, Math.round(duration));
      this.slideWindow();
      await this.writePlaylist();
      this.newestAt = this.now();
      await this.deleteExpired();
    });
  }

  /** Ends the playlist (EXT-X-ENDLIST). Idempotent; a no-op before the first segment. */
  end(): Promise<void> {
    return this.serialize(async () => {
      if (this.ended) return;
      this.ended = true;
      if (this.window.length > 0) await this.writePlaylist();
    });
  }

  /** Deletes what has been out of the window long enough; the session calls it periodically. */
  sweep(): Promise<void> {
    return this.serialize(() => this.deleteExpired());
  }

  /** Deletes every file this writer published, and the playlist. For after the broadcast. */
  purge(): Promise<void> {
    return this.serialize(async () => {
      const files = [
        ...this.retired.map((r) => r.uri),
        ...this.window.map((s) => s.uri),
        ...this.inits,
        this.playlist,
      ];
      this.window.length = 0;
      this.retired.length = 0;
      this.inits.clear();
      await Promise.all(files.map((f) => this.unlink(f)));
    });
  }

  private slideWindow(): void {
    while (this.window.length > this.windowSize) {
      const old = this.window.shift();
      if (!old) break;
      if (old.discontinuity) this.discontinuitySequence += 1;
      this.retired.push({ uri: old.uri, map: old.map, at: this.now() });
    }
  }

  private async writePlaylist(): Promise<void> {
    const text = renderMediaPlaylist({
      targetDuration: this.targetDuration,
      discontinuitySequence: this.discontinuitySequence,
      segments: this.window,
      ended: this.ended,
    });
    await writeAtomically(path.join(this.dir, this.playlist), text, this.prefix);
  }

  /** Window duration plus one segment: how long a retired file must stay fetchable. */
  private graceMs(): number {
    const listed = this.window.reduce((sum, s) => sum + s.duration, 0);
    return (listed + this.targetDuration) * 1000;
  }

  private async deleteExpired(): Promise<void> {
    const cutoff = this.now() - this.graceMs();
    const expired: string[] = [];
    while (this.retired[0] && this.retired[0].at <= cutoff) {
      const gone = this.retired.shift();
      if (gone) expired.push(gone.uri);
    }
    // An init goes once no listed or retired segment needs it (and its run is over).
    const needed = new Set([
      ...this.window.map((s) => s.map),
      ...this.retired.map((r) => r.map),
      this.runMap,
    ]);
    for (const init of [...this.inits]) {
      if (needed.has(init)) continue;
      expired.push(init);
      this.inits.delete(init);
    }
    await Promise.all(expired.map((f) => this.unlink(f)));
  }

  private async unlink(name: string): Promise<void> {
    await fs.rm(path.join(this.dir, name), { force: true });
  }

  /** One file operation at a time, in call order; a failure is reported to its caller only. */
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.writes.then(task);
    this.writes = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Replaces `file` whole (a temp file, then rename): a viewer never reads half a playlist. */
export async function writeAtomically(file: string, text: string, tag: string): Promise<void> {
  const tmp = `${file}.${tag}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}
