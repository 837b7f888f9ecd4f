import type { MediaSource } from '@parley/protocol';
import type { SfuTrack } from './sfu/SfuSession.ts';
import { inboundOf, isFlowing } from './rtcStats.ts';
import { log } from '../../log.ts';
import { background } from '../../util/background.ts';

export type Via = 'mesh' | 'sfu';
export type TileSource = 'camera' | 'screen';

export function tileKey(peerId: string, source: TileSource): string {
  return `${peerId}/${source}`;
}

export function tileSourceOf(source: MediaSource): TileSource {
  return source === 'screen' || source === 'screen-audio' ? 'screen' : 'camera';
}

export interface RemoteMediaEvents {
  /** Some tile now shows another stream (re-read them). */
  changed(): void;
  /** Every tile of `peerId` shows media from `via` (or has nothing to show). */
  peerOn(peerId: string, via: Via): void;
}

export interface TrackInfo {
  via: Via;
  stats(): Promise<RTCStatsReport>;
}

interface Candidate {
  track: MediaStreamTrack;
  stats(): Promise<RTCStatsReport>;
}
interface Shown {
  via: Via;
  tracks: MediaStreamTrack[];
  stream: MediaStream;
}
interface MeshEntry {
  stream: MediaStream;
  stats(track: MediaStreamTrack): Promise<RTCStatsReport>;
}

const TICK_MS = 200;
/** How long a tile waits for the other path to bring every kind it shows now (audio+video). */
const COVER_WAIT_MS = 5_000;
const SOURCES: TileSource[] = ['camera', 'screen'];

/**
 * Which stream each remote tile shows, and when it swaps (make before break). A tile has
 * candidate tracks from the mesh link and from SFU consumers; it moves to the path the room
 * is heading to (`target`) only once that path's tracks cover what it shows now and decode
 * (video frames decoded, audio bytes received). Until then it keeps showing the old path,
 * frozen on its last frame at worst, never blank.
 */
export class RemoteMedia {
  private target: Via = 'mesh';
  private readonly peers = new Set<string>();
  private readonly mesh = new Map<string, Map<string, MeshEntry>>();
  private readonly screenIds = new Map<string, string>();
  private readonly sfu = new Map<string, SfuTrack>();
  private readonly shown = new Map<string, Shown>();
  private readonly waitingSince = new Map<string, number>();
  private readonly reported = new Map<string, Via>();
  private readonly timer: ReturnType<typeof setInterval>;
  private busy = false;
  private dirty = false;

  constructor(
    private readonly events: RemoteMediaEvents,
    /** Whether a tile is on screen; hidden tiles need no decoded video to swap. */
    private readonly visible: (key: string) => boolean,
  ) {
    this.timer = setInterval(() => this.kick(), TICK_MS);
  }

  get mode(): Via {
    return this.target;
  }

  setTarget(via: Via): void {
    if (this.target === via) return;
    this.target = via;
    this.reported.clear();
    this.waitingSince.clear();
    this.kick();
  }

  addPeer(peerId: string): void {
    this.peers.add(peerId);
    this.kick();
  }

  removePeer(peerId: string): void {
    this.peers.delete(peerId);
    this.mesh.delete(peerId);
    this.screenIds.delete(peerId);
    this.reported.delete(peerId);
    for (const [id, t] of this.sfu) if (t.peerId === peerId) this.sfu.delete(id);
    for (const s of SOURCES) this.shown.delete(tileKey(peerId, s));
    this.events.changed();
  }

  addMeshStream(peerId: string, stream: MediaStream, stats: MeshEntry['stats']): void {
    let streams = this.mesh.get(peerId);
    if (!streams) this.mesh.set(peerId, (streams = new Map()));
    streams.set(stream.id, { stream, stats });
    stream.addEventListener('addtrack', () => this.kick());
    stream.addEventListener('removetrack', () => this.kick());
    this.kick();
  }

  meshGone(peerId: string): void {
    this.mesh.delete(peerId);
    this.kick();
  }

  /** The id of the mesh stream that carries `peerId`'s screen (told through the relay). */
  setScreenStream(peerId: string, streamId: string | null): void {
    if (streamId) this.screenIds.set(peerId, streamId);
    else this.screenIds.delete(peerId);
    this.kick();
  }

  addSfuTrack(t: SfuTrack): void {
    this.sfu.set(t.consumerId, t);
    this.kick();
  }

  sfuGone(consumerId: string): void {
    if (this.sfu.delete(consumerId)) this.kick();
  }

  stream(peerId: string, source: TileSource): MediaStream | undefined {
    return this.shown.get(tileKey(peerId, source))?.stream;
  }

  via(peerId: string, source: TileSource): Via | undefined {
    return this.shown.get(tileKey(peerId, source))?.via;
  }

  /** Which path brought a remote track, and its receiver's stats (debug hook, speaker). */
  lookup(track: MediaStreamTrack): TrackInfo | undefined {
    for (const t of this.sfu.values()) if (t.track === track) return { via: 'sfu', stats: t.stats };
    for (const streams of this.mesh.values()) {
      for (const e of streams.values()) {
        if (e.stream.getTracks().includes(track))
          return { via: 'mesh', stats: () => e.stats(track) };
      }
    }
    return undefined;
  }

  close(): void {
    clearInterval(this.timer);
    this.shown.clear();
  }

  private kick(): void {
    background(this.evaluate(), 'remote media: evaluation');
  }

  private async evaluate(): Promise<void> {
    if (this.busy) {
      this.dirty = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.dirty = false;
        for (const peerId of [...this.peers]) await this.evaluatePeer(peerId);
      } while (this.dirty);
    } catch (err) {
      log.warn('remote media: evaluation failed', err);
    } finally {
      this.busy = false;
    }
  }

  private async evaluatePeer(peerId: string): Promise<void> {
    let onTarget = true;
    for (const source of SOURCES) {
      if (!(await this.evaluateTile(peerId, source))) onTarget = false;
    }
    if (!this.peers.has(peerId)) return;
    if (onTarget && this.reported.get(peerId) !== this.target) {
      this.reported.set(peerId, this.target);
      this.events.peerOn(peerId, this.target);
    }
  }

  /** Swaps one tile when it should; true when it shows the target path (or nothing at all). */
  private async evaluateTile(peerId: string, source: TileSource): Promise<boolean> {
    const key = tileKey(peerId, source);
    const target = this.target;
    const cand = this.candidates(peerId, source, target);
    const cur = this.shown.get(key);
    if (cand.length === 0) {
      const alt = this.candidates(peerId, source, target === 'sfu' ? 'mesh' : 'sfu');
      // Nothing anywhere: keep the last frame (a restarting SFU, a screen being stopped).
      if (alt.length === 0) return true;
      if (!cur || !sameTracks(cur.tracks, alt))
        this.show(key, alt, target === 'sfu' ? 'mesh' : 'sfu');
      return false;
    }
    if (cur?.via === target && sameTracks(cur.tracks, cand)) {
      this.waitingSince.delete(key);
      return true;
    }
    if (cur && !(this.covers(key, cand, cur) && (await this.flowing(key, cand)))) return false;
    if (this.target !== target || !this.peers.has(peerId)) return false;
    this.show(key, cand, target);
    return true;
  }

  /**
   * Puts the candidates on the tile. Each tile keeps ONE MediaStream for its life and only
   * its tracks are exchanged: a new srcObject would reset the <video> (blank until its
   * first frame), while a track swapped inside the attached stream keeps the picture.
   */
  private show(key: string, cand: Candidate[], via: Via): void {
    const tracks = cand.map((c) => c.track);
    const stream = this.shown.get(key)?.stream ?? new MediaStream();
    for (const t of stream.getTracks()) if (!tracks.includes(t)) stream.removeTrack(t);
    for (const t of tracks) if (!stream.getTracks().includes(t)) stream.addTrack(t);
    this.shown.set(key, { via, tracks, stream });
    this.waitingSince.delete(key);
    this.events.changed();
  }

  /** The candidates bring every kind the tile shows now, or we have waited long enough. */
  private covers(key: string, cand: Candidate[], cur: Shown): boolean {
    const kinds = new Set(cand.map((c) => c.track.kind));
    if (cur.tracks.every((t) => kinds.has(t.kind))) return true;
    const since = this.waitingSince.get(key) ?? Date.now();
    this.waitingSince.set(key, since);
    return Date.now() - since > COVER_WAIT_MS;
  }

  private async flowing(key: string, cand: Candidate[]): Promise<boolean> {
    for (const c of cand) {
      // A hidden tile's video is paused on the SFU: nothing to see, nothing to wait for.
      if (c.track.kind === 'video' && !this.visible(key)) continue;
      if (!isFlowing(c.track.kind, inboundOf(await c.stats()))) return false;
    }
    return true;
  }

  private candidates(peerId: string, source: TileSource, via: Via): Candidate[] {
    if (via === 'sfu') {
      // One track per kind: the newest, should a peer briefly have two producers of a source.
      const byKind = new Map<string, Candidate>();
      for (const t of this.sfu.values()) {
        if (t.peerId !== peerId || tileSourceOf(t.source) !== source) continue;
        if (t.track.readyState === 'live') byKind.set(t.kind, { track: t.track, stats: t.stats });
      }
      return [...byKind.values()];
    }
    const entry = this.meshEntry(peerId, source);
    if (!entry) return [];
    return entry.stream
      .getTracks()
      .filter((t) => t.readyState === 'live')
      .map((track) => ({ track, stats: () => entry.stats(track) }));
  }

  /** The screen stream is the one the peer named; the camera one is the first other. */
  private meshEntry(peerId: string, source: TileSource): MeshEntry | undefined {
    const screenId = this.screenIds.get(peerId);
    const entries = [...(this.mesh.get(peerId)?.values() ?? [])];
    if (source === 'screen') return entries.find((e) => e.stream.id === screenId);
    return entries.find((e) => e.stream.id !== screenId);
  }
}

function sameTracks(a: MediaStreamTrack[], b: Candidate[]): boolean {
  return a.length === b.length && b.every((c) => a.includes(c.track));
}
