import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ERROR_CODES } from '@parley/protocol';
import type { RecordingLayout, RoomId } from '@parley/protocol';
import type { PlainConsumerSource } from '@parley/hls-gateway';
import type { RecordingRecord, RecordingStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { ProtocolError } from '../util/errors.ts';
import type { FreeSpaceProbe } from './diskSpace.ts';
import { killStaleRecorders } from './staleRecorders.ts';
import type { LiveRecorder, RecorderEngine, TrackSpec } from './engine.ts';

export interface RecordingsOptions {
  store: RecordingStore;
  engine: RecorderEngine;
  /** RECORDINGS_DIR (default `<DATA_DIR>/recordings`): a directory per recording. */
  root: string;
  /** Cluster mode: this node's id (its disk holds the files); null in the embedded default. */
  node: string | null;
  /** RECORDING_RETENTION_DAYS (default 30; 0 keeps recordings until deleted). */
  retentionDays: number;
  /** RECORDING_MIN_FREE_MB as bytes: below it nothing starts, and what records stops. */
  minFreeBytes: number;
  /** RECORDING_COMPOSITES (default 1): composites running at once on this node. */
  composites: number;
  freeSpace: FreeSpaceProbe;
  log: Log;
  /** How often free space is checked while recording (default 5 s). */
  diskCheckMs?: number;
}

/** The two files a ready recording has, in its directory. */
export const COMPOSITE_FILES = { mp4: 'recording.mp4', m4a: 'recording.m4a' } as const;

/** Why a recording ended. */
export type EndReason = 'stopped' | 'ended' | 'disk-full' | 'failed';

/** A recording being made; the room holds it from Record to Stop. */
export interface ActiveRecording {
  readonly id: string;
  readonly startedAt: number;
  setTracks(tracks: TrackSpec[]): Promise<void>;
  /** Resolves once the first media is written, or after `timeoutMs`. */
  firstMedia(timeoutMs: number): Promise<void>;
  setSpeaker(peerId: string | null): void;
  /** Ends it (files finalized, composite queued). Idempotent. */
  finish(reason: EndReason): Promise<void>;
  /** The recording ended on its own (disk full, recorder failure): the room must say so. */
  onEnded(listener: (reason: EndReason) => void): void;
}

const newId = (): string => randomBytes(16).toString('base64url');

/** A title for the list: the date and time the recording began, in UTC. */
function titleOf(startedAt: number): string {
  return `Meeting of ${new Date(startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The node's recordings (issue 18): starts them into their own directories, ends them, and
 * composes each ended one in a background queue (at most `composites` at once). The queue's
 * state is the store's rows: a node that restarts finalizes what it was recording and composes
 * what was queued or half done, so a job never disappears. Old recordings are deleted after
 * `retentionDays`; nothing starts, and what records stops, below `minFreeBytes` free.
 */
export class Recordings {
  readonly #active = new Map<string, { live: LiveRecorder; end: (r: EndReason) => void }>();
  readonly #queue: string[] = [];
  readonly #running = new Map<string, AbortController>();
  #diskTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly options: RecordingsOptions) {}

  /** Composites queued or running on this node (metrics, tests). */
  get pending(): number {
    return this.#queue.length + this.#running.size;
  }

  dirOf(id: string): string {
    return path.join(this.options.root, id);
  }

  /** Starts recording `source` for `roomId`; UNAVAILABLE when the disk is short. */
  async start(roomId: RoomId, layout: RecordingLayout, source: PlainConsumerSource) {
    if (this.#closed) throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'the server is stopping');
    await mkdir(this.options.root, { recursive: true });
    if ((await this.options.freeSpace(this.options.root)) < this.options.minFreeBytes) {
      throw new ProtocolError(
        ERROR_CODES.UNAVAILABLE,
        'the server is low on disk space: recording is not possible now',
      );
    }
    const id = newId();
    const startedAt = Date.now();
    const dir = this.dirOf(id);
    await mkdir(dir, { recursive: true });
    const record: RecordingRecord = {
      id,
      roomId,
      title: titleOf(startedAt),
      node: this.options.node,
      startedAt,
      endedAt: null,
      status: 'recording',
      progress: 0,
      durationMs: null,
      bytes: null,
      audioBytes: null,
      layout,
      gapMs: 0,
      error: null,
    };
    await this.options.store.create(record);
    let live: LiveRecorder;
    try {
      live = await this.options.engine.record({ recordingId: id, dir, source });
    } catch (error) {
      await this.#fail(id, `the recorder did not start: ${String(error)}`);
      throw error;
    }
    return this.#track(id, startedAt, live);
  }

  #track(id: string, startedAt: number, live: LiveRecorder): ActiveRecording {
    const listeners: ((reason: EndReason) => void)[] = [];
    let finishing: Promise<void> | undefined;
    const finish = (reason: EndReason): Promise<void> => {
      finishing ??= (async () => {
        this.#active.delete(id);
        this.#stopDiskWatch();
        const summary = await live.stop();
        await this.options.store.update(id, {
          endedAt: summary.endedAt,
          gapMs: summary.gapMs,
          status: 'queued',
        });
        this.options.log.info('recording ended', { recordingId: id, reason, gapMs: summary.gapMs });
        this.#enqueue(id);
      })();
      return finishing;
    };
    const end = (reason: EndReason): void => {
      if (finishing) return;
      for (const listener of listeners) listener(reason);
      finish(reason).catch((e: unknown) => this.#logError('recording end failed', id, e));
    };
    live.onFailed((why) => {
      this.options.log.error('recorder failed', { recordingId: id, reason: why });
      end('failed');
    });
    this.#active.set(id, { live, end });
    this.#watchDisk();
    return {
      id,
      startedAt,
      setTracks: (tracks) => live.setTracks(tracks),
      firstMedia: (timeoutMs) => live.firstMedia(timeoutMs),
      setSpeaker: (peerId) => live.setSpeaker(peerId),
      finish,
      onEnded: (listener) => listeners.push(listener),
    };
  }

  /**
   * At start: what this node left unfinished. Recorders a crash left running are killed; a
   * recording cut short is finalized from its files and queued; queued and half-composed ones
   * are composed (again).
   */
  async resume(): Promise<void> {
    const stale = await killStaleRecorders(this.options.root);
    if (stale.length > 0) {
      this.options.log.warn('recorders of an earlier run killed', { pids: stale });
    }
    for (const record of await this.options.store.unfinished(this.options.node)) {
      if (record.status === 'recording') {
        try {
          const summary = await this.options.engine.recovered(this.dirOf(record.id));
          await this.options.store.update(record.id, { ...summary, status: 'queued' });
          this.options.log.warn('recording cut short by a restart, finalized', {
            recordingId: record.id,
          });
        } catch (error) {
          await this.#fail(record.id, `nothing usable was recorded: ${String(error)}`);
          continue;
        }
      }
      this.#enqueue(record.id);
    }
  }

  /** Deletes a recording and its files; a composite in progress is stopped first. */
  async remove(id: string): Promise<void> {
    this.#active.get(id)?.end('stopped');
    const i = this.#queue.indexOf(id);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#running.get(id)?.abort();
    await this.options.store.delete(id);
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  /** Deletes what is older than the retention; returns how many went. */
  async sweep(now = Date.now()): Promise<number> {
    const days = this.options.retentionDays;
    if (days <= 0) return 0;
    const old = await this.options.store.endedBefore(this.options.node, now - days * 86_400_000);
    for (const record of old) await this.remove(record.id);
    if (old.length > 0) this.options.log.info('old recordings deleted', { count: old.length });
    return old.length;
  }

  /** Sweeps now and then every `ms` until `close()`. */
  async sweepEvery(ms: number): Promise<void> {
    clearInterval(this.#sweepTimer);
    if (this.#closed) return;
    this.#sweepTimer = setInterval(() => {
      this.sweep().catch((e: unknown) => this.#logError('retention failed', '-', e));
    }, ms);
    this.#sweepTimer.unref();
    await this.sweep();
  }

  /** Stops composing (rows stay `processing`: the next start composes them again). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    this.#queue.length = 0;
    for (const controller of this.#running.values()) controller.abort();
    this.#stopDiskWatch(true);
  }

  #enqueue(id: string): void {
    if (this.#closed || this.#queue.includes(id) || this.#running.has(id)) return;
    this.#queue.push(id);
    this.#next();
  }

  #next(): void {
    while (!this.#closed && this.#running.size < this.options.composites) {
      const id = this.#queue.shift();
      if (id === undefined) return;
      const controller = new AbortController();
      this.#running.set(id, controller);
      this.#compose(id, controller.signal)
        .catch((e: unknown) => this.#logError('composite failed', id, e))
        .finally(() => {
          this.#running.delete(id);
          this.#next();
        });
    }
  }

  async #compose(id: string, signal: AbortSignal): Promise<void> {
    const record = await this.options.store.get(id);
    if (!record) return; // deleted while queued
    await this.options.store.update(id, { status: 'processing', progress: 0 });
    const dir = this.dirOf(id);
    let saved = 0;
    let saving = Promise.resolve();
    const onProgress = (fraction: number): void => {
      // At most every 5 %: a progress bar, not a write per FFmpeg report.
      if (fraction - saved < 0.05) return;
      saved = fraction;
      saving = saving
        .then(() => this.options.store.update(id, { progress: Math.min(fraction, 0.99) }))
        .then(() => undefined);
    };
    try {
      const made = await this.options.engine.compose(dir, {
        layout: record.layout,
        output: path.join(dir, COMPOSITE_FILES.mp4),
        audioOutput: path.join(dir, COMPOSITE_FILES.m4a),
        onProgress,
        signal,
      });
      await saving;
      if (signal.aborted) return;
      await this.options.store.update(id, { status: 'ready', progress: 1, ...made });
      this.options.log.info('recording ready', { recordingId: id, ...made });
    } catch (error) {
      await saving;
      if (signal.aborted) return; // stopping or deleted: the row says what is left to do
      await this.#fail(id, `the composite failed: ${String(error)}`);
    }
  }

  async #fail(id: string, error: string): Promise<void> {
    this.options.log.error('recording failed', { recordingId: id, error });
    await this.options.store.update(id, { status: 'failed', error: error.slice(0, 500) });
  }

  #watchDisk(): void {
    if (this.#diskTimer) return;
    this.#diskTimer = setInterval(() => {
      this.options
        .freeSpace(this.options.root)
        .then((free) => {
          if (free >= this.options.minFreeBytes) return;
          this.options.log.warn('disk nearly full: recordings stop', { free });
          for (const { end } of [...this.#active.values()]) end('disk-full');
        })
        .catch((e: unknown) => this.#logError('free space check failed', '-', e));
    }, this.options.diskCheckMs ?? 5_000);
    this.#diskTimer.unref();
  }

  #stopDiskWatch(always = false): void {
    if (!always && this.#active.size > 0) return;
    clearInterval(this.#diskTimer);
    this.#diskTimer = undefined;
  }

  #logError(what: string, id: string, error: unknown): void {
    this.options.log.error(what, { recordingId: id, error: String(error) });
  }
}
