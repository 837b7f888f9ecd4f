import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { RoomId } from '@parley/protocol';
import type { PlainConsumerSource } from '@parley/hls-gateway';
import { openSqliteStorage } from '../store/sqlite/index.ts';
import type { Storage } from '../store/index.ts';
import { quietLog } from '../telemetry/log.ts';
import type { ComposeOptions, Composed, LiveRecorder, RecorderEngine } from './engine.ts';
import { Recordings } from './recordings.ts';
import type { RecordingsOptions } from './recordings.ts';

// The service's bookkeeping (jobs, restarts, retention, disk space) over a real SQLite store,
// with the media side behind its interface: the media is proven with real FFmpeg in
// recorder/ and end to end (tests/e2e/recording.test.ts).

const ROOM = 'room-recordings-test-0' as RoomId;
const SOURCE = {} as PlainConsumerSource;

/** A media side that records nothing and composes when told to. */
class ScriptedEngine implements RecorderEngine {
  readonly composing: { dir: string; options: ComposeOptions; finish(ok: boolean): void }[] = [];
  readonly failures: ((reason: string) => void)[] = [];
  recovered = async () => ({ endedAt: 5_000, gapMs: 250 });

  async record(): Promise<LiveRecorder> {
    return {
      setTracks: async () => undefined,
      firstMedia: async () => undefined,
      setSpeaker: () => undefined,
      stop: async () => ({ endedAt: Date.now(), gapMs: 120 }),
      onFailed: (listener) => this.failures.push(listener),
    };
  }

  compose(dir: string, options: ComposeOptions): Promise<Composed> {
    return new Promise((resolve, reject) => {
      options.onProgress(0.5);
      options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      const finish = (ok: boolean) =>
        ok ? resolve({ durationMs: 4_000, bytes: 1_000, audioBytes: 100 }) : reject(new Error('x'));
      this.composing.push({ dir, options, finish });
    });
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let dir: string;
let storage: Storage;
let engine: ScriptedEngine;
let free: number;
const made: Recordings[] = [];

function service(options: Partial<RecordingsOptions> = {}): Recordings {
  const recordings = new Recordings({
    store: storage.recordings,
    engine,
    root: path.join(dir, 'recordings'),
    node: null,
    retentionDays: 30,
    minFreeBytes: 1_000,
    composites: 1,
    freeSpace: async () => free,
    log: quietLog,
    diskCheckMs: 20,
    ...options,
  });
  made.push(recordings);
  return recordings;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-recordings-'));
  storage = openSqliteStorage(dir);
  engine = new ScriptedEngine();
  free = 1_000_000;
});
afterEach(async () => {
  for (const r of made.splice(0)) r.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Recordings', () => {
  it('refuses to start with too little free disk, and records nothing', async () => {
    free = 999;
    await expect(service().start(ROOM, 'speaker', SOURCE)).rejects.toMatchObject({
      code: ERROR_CODES.UNAVAILABLE,
    });
    expect(await storage.recordings.listByRoom(ROOM)).toEqual([]);
  });

  it('ends, queues and composes one at a time: progress, then ready with its sizes', async () => {
    const recordings = service();
    const [a, b] = [
      await recordings.start(ROOM, 'speaker', SOURCE),
      await recordings.start(ROOM, 'grid', SOURCE),
    ];
    expect((await storage.recordings.get(a.id))?.status).toBe('recording');
    await Promise.all([a.finish('stopped'), b.finish('ended')]);
    // One composite runs (RECORDING_COMPOSITES=1); the other waits its turn.
    const first = await until('a composite', async () => engine.composing[0]);
    expect(engine.composing).toHaveLength(1);
    expect(first.options.layout).toBe('speaker');
    expect(first.options.output).toBe(path.join(recordings.dirOf(a.id), 'recording.mp4'));
    await until('progress saved', async () => (await storage.recordings.get(a.id))?.progress);
    expect(await storage.recordings.get(a.id)).toMatchObject({ status: 'processing', gapMs: 120 });
    expect((await storage.recordings.get(b.id))?.status).toBe('queued');
    first.finish(true);
    const second = await until('the next composite', async () => engine.composing[1]);
    expect(second.options.layout).toBe('grid');
    expect(await storage.recordings.get(a.id)).toMatchObject({
      status: 'ready',
      progress: 1,
      durationMs: 4_000,
      bytes: 1_000,
      audioBytes: 100,
    });
    second.finish(false);
    const failed = await until('the failure', async () => {
      const row = await storage.recordings.get(b.id);
      return row?.status === 'failed' && row;
    });
    expect(failed.error).toMatch(/composite failed/);
  });

  it('stops what records when the disk fills, and says why', async () => {
    const recordings = service();
    const active = await recordings.start(ROOM, 'speaker', SOURCE);
    const ended: string[] = [];
    active.onEnded((reason) => ended.push(reason));
    free = 10;
    await until('the end', async () => ended.length > 0);
    expect(ended).toEqual(['disk-full']);
    await until(
      'queued',
      async () => (await storage.recordings.get(active.id))?.status !== 'recording',
    );
  });

  it('after a restart, finalizes what a crash cut short and composes what was left', async () => {
    const before = service();
    const cut = await before.start(ROOM, 'speaker', SOURCE);
    const half = await before.start(ROOM, 'speaker', SOURCE);
    await half.finish('stopped');
    await until('composing', async () => engine.composing[0]);
    before.close(); // the process dies: `cut` is still recording, `half` half composed
    expect((await storage.recordings.get(cut.id))?.status).toBe('recording');
    expect((await storage.recordings.get(half.id))?.status).toBe('processing');

    engine.composing.length = 0;
    const after = service();
    await after.resume();
    expect(await storage.recordings.get(cut.id)).toMatchObject({ endedAt: 5_000, gapMs: 250 });
    const jobs = await until('both composed again', async () => {
      engine.composing[0]?.finish(true);
      engine.composing[1]?.finish(true);
      return engine.composing.length === 2 && engine.composing;
    });
    expect(jobs.map((j) => path.basename(j.dir)).sort()).toEqual([cut.id, half.id].sort());
    await until('both ready', async () => {
      const rows = await storage.recordings.listByRoom(ROOM);
      return rows.every((r) => r.status === 'ready');
    });
  });

  it('deletes recordings past the retention, files and all, and keeps the rest', async () => {
    const recordings = service({ retentionDays: 1 });
    const old = await recordings.start(ROOM, 'speaker', SOURCE);
    const fresh = await recordings.start(ROOM, 'speaker', SOURCE);
    await Promise.all([old.finish('stopped'), fresh.finish('stopped')]);
    await until('a composite', async () => engine.composing[0]).then((c) => c.finish(true));
    await until('the next', async () => engine.composing[1]).then((c) => c.finish(true));
    await until('both ready', async () =>
      (await storage.recordings.listByRoom(ROOM)).every((r) => r.status === 'ready'),
    );
    await storage.recordings.update(old.id, { endedAt: Date.now() - 2 * 86_400_000 });
    expect(await recordings.sweep()).toBe(1);
    expect(existsSync(recordings.dirOf(old.id))).toBe(false);
    expect(existsSync(recordings.dirOf(fresh.id))).toBe(true);
    expect((await storage.recordings.listByRoom(ROOM)).map((r) => r.id)).toEqual([fresh.id]);
    // 0 keeps everything.
    await storage.recordings.update(fresh.id, { endedAt: 1 });
    expect(await service({ retentionDays: 0 }).sweep()).toBe(0);
  });
});
