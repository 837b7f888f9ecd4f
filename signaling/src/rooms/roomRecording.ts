import type { PeerId, RecordingLayout, RoomId, ServerMessage } from '@parley/protocol';
import type { SfuRoom } from '@parley/sfu';
import type { ActiveRecording, EndReason, Recordings } from '../recording/recordings.ts';
import type { TrackSpec } from '../recording/engine.ts';
import type { Log } from '../telemetry/log.ts';
import { background } from '../util/background.ts';
import type { MediaJobBudget, MediaJobLease } from './mediaJobs.ts';

/** What a recording needs to know about its room. */
export interface RecordingRoom {
  readonly id: string;
  sfuRoom(): SfuRoom | undefined;
  /** The display name of an admitted peer (drawn under their tile). */
  nameOf(peerId: PeerId): string;
  /** Who speaks now, as the SFU's observer last said. */
  activeSpeaker(): PeerId | null;
  broadcast(message: ServerMessage): void;
}

/** Producers come and go in bursts (a join produces two): gathered this long, then applied. */
const TRACK_DEBOUNCE_MS = 200;
/** How long Record waits for the first media before it says so anyway (a room of muted people). */
const FIRST_MEDIA_WAIT_MS = 5_000;

/**
 * One room's recording (issue 18): starts and ends it, keeps the recorder told which tracks the
 * room has and who speaks, and tells everyone when it starts or stops. Each track has its own
 * recorder, so a change is a new file for that track only, not a seam in the others.
 */
export class RoomRecording {
  #active: ActiveRecording | undefined;
  #lease: MediaJobLease | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly room: RecordingRoom,
    private readonly recordings: Recordings | undefined,
    private readonly log: Log,
    private readonly jobs?: MediaJobBudget,
  ) {}

  get available(): boolean {
    return this.recordings !== undefined;
  }

  /** While recording: when it began. */
  get since(): number | undefined {
    return this.#active?.startedAt;
  }

  /**
   * Starts recording the room's SFU side (which must be up), `account` paying for it in the
   * media-job budget. LIMIT_REACHED or UNAVAILABLE change nothing.
   */
  async start(account: string | undefined, layout: RecordingLayout): Promise<void> {
    const sfuRoom = this.room.sfuRoom();
    if (!this.recordings || !sfuRoom || this.#active || this.#closed) return;
    this.#lease = this.jobs?.acquire('recording', account);
    try {
      this.#active = await this.recordings.start(this.room.id as RoomId, layout, sfuRoom);
    } catch (error) {
      this.#release();
      throw error;
    }
    const active = this.#active;
    active.onEnded((reason) => this.#endedOnItsOwn(reason));
    active.setSpeaker(this.room.activeSpeaker());
    // Everyone is told once media is being written, not before: what they see from the
    // indicator on is in the recording.
    await active.setTracks(this.#tracks(sfuRoom));
    await active.firstMedia(FIRST_MEDIA_WAIT_MS);
    if (this.#active !== active) return; // ended meanwhile (stopped, or failed)
    this.room.broadcast({
      type: 'recording-state',
      recording: true,
      startedAt: active.startedAt,
    });
    this.log.info('recording started', { recordingId: active.id });
  }

  /** Ends the recording (Stop, or the meeting ended); its composite is queued. */
  async stop(reason: Extract<EndReason, 'stopped' | 'ended'> = 'stopped'): Promise<void> {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    clearTimeout(this.#timer);
    try {
      await active.finish(reason);
    } finally {
      this.#release();
    }
    this.room.broadcast({ type: 'recording-state', recording: false, ended: reason });
  }

  /** The room closed: nothing starts again (call `stop()` to end what records). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /** Producers changed: tell the recorder, after the debounce. */
  tracksChanged(): void {
    if (!this.#active) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const sfuRoom = this.room.sfuRoom();
      const active = this.#active;
      if (sfuRoom && active)
        background(active.setTracks(this.#tracks(sfuRoom)), 'tracks', this.log);
    }, TRACK_DEBOUNCE_MS);
    this.#timer.unref();
  }

  speakerChanged(peerId: PeerId | null): void {
    this.#active?.setSpeaker(peerId);
  }

  /**
   * The SFU side was rebuilt on another worker: every recorder's consumer died with the old
   * router. The recording ends there, and its composite covers the meeting up to that moment.
   */
  async rebuilt(): Promise<void> {
    if (!this.#active) return;
    const active = this.#active;
    this.#active = undefined;
    clearTimeout(this.#timer);
    try {
      await active.finish('failed');
    } finally {
      this.#release();
    }
    this.room.broadcast({ type: 'recording-state', recording: false, ended: 'failed' });
    this.log.warn('recording ended: the media worker under the room died');
  }

  #tracks(sfuRoom: SfuRoom): TrackSpec[] {
    return sfuRoom.producers().flatMap((p): TrackSpec[] => {
      const source = p.source === 'screen' ? 'screen' : p.kind === 'audio' ? 'mic' : 'camera';
      // A shared screen's own sound is left out: it would double what the sharer's mic hears.
      if (p.source === 'screen-audio') return [];
      const name = this.room.nameOf(p.peerId as PeerId);
      return [{ producerId: p.producerId, peerId: p.peerId, name, kind: p.kind, source }];
    });
  }

  #endedOnItsOwn(reason: EndReason): void {
    if (!this.#active) return;
    this.#active = undefined;
    clearTimeout(this.#timer);
    this.#release();
    this.room.broadcast({ type: 'recording-state', recording: false, ended: reason });
    this.log.warn('recording ended on its own', { reason });
  }

  #release(): void {
    this.#lease?.release();
    this.#lease = undefined;
  }
}
