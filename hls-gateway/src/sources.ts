// What a broadcast receives: plain consumers of one video and N audio producers, each sent to
// its own local port pair for FFmpeg.

import type { PlainConsumer, PlainConsumerOptions } from '@parley/sfu';
import type { PortPool } from './ports.ts';
import { sdpStreamOf } from './sdp.ts';
import type { SdpStream } from './sdp.ts';

/** The part of SfuRoom the gateway uses (SfuRoom satisfies it). */
export interface PlainConsumerSource {
  createPlainConsumer(options: PlainConsumerOptions): Promise<PlainConsumer>;
}

export type SourceChange = 'source-lost' | 'source-paused' | 'source-resumed';

interface Entry {
  producerId: string;
  port: number;
  consumer: PlainConsumer;
  /** We are closing it: its 'closed' is not news. */
  retiring: boolean;
}

/**
 * The broadcast's consumers. A consumer whose producer pauses, resumes or closes is reported
 * through `onChange` (the session then restarts FFmpeg without or with it: FFmpeg's amix waits
 * forever for a silent input, and a paused video would freeze the stream).
 */
export class BroadcastSources {
  private video: Entry | undefined;
  private audio: Entry[] = [];

  constructor(
    private readonly room: PlainConsumerSource,
    private readonly ports: PortPool,
    private readonly onChange: (change: SourceChange, producerId: string) => void,
  ) {}

  get videoProducerId(): string | undefined {
    return this.video?.producerId;
  }

  get audioProducerIds(): string[] {
    return this.audio.map((e) => e.producerId);
  }

  /** Streams FFmpeg should read now: the video first, paused or closed ones left out. */
  streams(): SdpStream[] {
    const live = [this.video, ...this.audio].filter(
      (e): e is Entry => !!e && !e.consumer.closed && !e.consumer.producerPaused,
    );
    return live.map(({ port, consumer: { stream } }) => sdpStreamOf(stream, port));
  }

  /** Replaces the video consumer (undefined: no video, FFmpeg encodes black). */
  async setVideo(producerId: string | undefined): Promise<void> {
    if (producerId === this.video?.producerId && !this.video?.consumer.closed) return;
    const next = producerId === undefined ? undefined : await this.open(producerId, 'video');
    const old = this.video;
    this.video = next;
    if (old) this.retire(old);
  }

  /** Replaces the set of audio consumers, keeping the ones still wanted. */
  async setAudio(producerIds: readonly string[]): Promise<void> {
    const wanted = [...new Set(producerIds)];
    const keep = this.audio.filter((e) => wanted.includes(e.producerId) && !e.consumer.closed);
    const opened: Entry[] = [];
    try {
      for (const id of wanted) {
        if (!keep.some((e) => e.producerId === id)) opened.push(await this.open(id, 'audio'));
      }
    } catch (error) {
      for (const entry of opened) this.retire(entry);
      throw error;
    }
    for (const entry of this.audio) if (!keep.includes(entry)) this.retire(entry);
    this.audio = wanted
      .map((id) => [...keep, ...opened].find((e) => e.producerId === id))
      .filter((e): e is Entry => !!e);
  }

  /** Starts forwarding (after FFmpeg has been spawned, so fewer packets hit a closed port). */
  async resume(): Promise<void> {
    const entries = [this.video, ...this.audio].filter((e): e is Entry => !!e);
    await Promise.all(entries.map((e) => (e.consumer.closed ? undefined : e.consumer.resume())));
  }

  requestKeyFrame(): Promise<void> {
    return this.video?.consumer.requestKeyFrame() ?? Promise.resolve();
  }

  close(): void {
    for (const entry of [this.video, ...this.audio]) if (entry) this.retire(entry);
    this.video = undefined;
    this.audio = [];
  }

  private async open(producerId: string, kind: 'audio' | 'video'): Promise<Entry> {
    const [port] = await this.ports.lease(1);
    if (port === undefined) throw new Error('no port');
    let consumer: PlainConsumer;
    try {
      consumer = await this.room.createPlainConsumer({ producerId, port, paused: true });
    } catch (error) {
      this.ports.release([port]);
      throw error;
    }
    const entry: Entry = { producerId, port, consumer, retiring: false };
    if (consumer.kind !== kind) {
      this.retire(entry);
      throw new Error(`producer ${producerId} is ${consumer.kind}, not ${kind}`);
    }
    consumer.on('closed', () => {
      this.ports.release([port]);
      if (!entry.retiring) this.onChange('source-lost', producerId);
    });
    consumer.on('producer-paused', () => this.onChange('source-paused', producerId));
    consumer.on('producer-resumed', () => this.onChange('source-resumed', producerId));
    return entry;
  }

  private retire(entry: Entry): void {
    entry.retiring = true;
    if (entry.consumer.closed) this.ports.release([entry.port]);
    else entry.consumer.close();
  }
}
