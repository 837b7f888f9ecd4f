// A walkie-talkie team member for tests (issue #16): the protocol of a team's room and real
// WebRTC over loopback (werift, ICE, DTLS, SRTP), as the app does it. It sends one Opus
// microphone all the time, as a held-open mic would (the server keeps it paused unless the
// member holds a floor), and counts what each channel consumer receives, from RTP headers.
//
// The WebRTC pieces are the load bots' (tests/load/peer.ts, sdp.ts, rtpCounter.ts), used as
// they are, with BotSfu.ts's transport check and connection wait. One thing is added here: a
// placeholder VP8 codec, because botMedia() wants a router with VP8 and a team's router is
// audio-only (the placeholder is never offered on any m-line).

import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ChannelId, PeerId, ServerMessage, ServerMessageOf } from '@parley/protocol';
import { connected, transportOf } from '../../load/BotSfu.ts';
import { RecvPeer, SendPeer } from '../../load/peer.ts';
import type { DtlsParams, RouterCaps } from '../../load/peer.ts';
import { RtpCounter } from '../../load/rtpCounter.ts';
import type { RtpCounts } from '../../load/rtpCounter.ts';
import type { RtpParams } from '../../load/sdp.ts';
import { TestClient } from './client.ts';

/** 20 ms Opus frames: 50 packets a second. */
const FRAME_MS = 20;
const FRAME_TICKS = 960;
/** An Opus-looking payload (TOC: CELT FB 20 ms, one frame); nothing here decodes it. */
const PAYLOAD = Buffer.concat([Buffer.from([0xfc]), Buffer.alloc(59, 0x5a)]);

/** The router's capabilities plus a VP8 entry botMedia() insists on (see the header). */
function withPlaceholderVp8(caps: RouterCaps): RouterCaps {
  if (caps.codecs.some((c) => c.mimeType.toLowerCase() === 'video/vp8')) return caps;
  const used = new Set(caps.codecs.map((c) => c.preferredPayloadType));
  let pt = 96;
  while (used.has(pt)) pt += 1;
  const vp8 = { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: pt, clockRate: 90000 };
  return { ...caps, codecs: [...caps.codecs, vp8] };
}

/** What a listener's `channel-listen` says it can receive: Opus, as a browser would. */
function audioCapabilities(caps: RouterCaps): Record<string, unknown> {
  const opus = caps.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
  if (!opus) throw new Error('router has no Opus');
  return {
    codecs: [
      {
        kind: 'audio',
        mimeType: 'audio/opus',
        clockRate: 48000,
        channels: 2,
        preferredPayloadType: opus.preferredPayloadType,
        rtcpFeedback: [{ type: 'transport-cc' }],
      },
    ],
    headerExtensions: caps.headerExtensions
      .filter((e) => e.kind === 'audio')
      .map((e) => ({ ...e, direction: 'sendrecv' })),
  };
}

/** A channel consumer and what reached it. */
export interface Listening {
  consumerId: string;
  counter: RtpCounter;
}

export class TeamMember {
  readonly #caps: RouterCaps;
  #recv: RecvPeer | undefined;
  #send: SendPeer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sentPackets = 0;
  #listening = new Map<ChannelId, Listening>();

  private constructor(
    readonly name: string,
    readonly client: TestClient,
    readonly joined: ServerMessageOf<'joined'>,
  ) {
    const sfu = joined.sfu;
    if (!sfu) throw new Error(`${name} joined a team without its SFU side`);
    this.#caps = sfu.routerRtpCapabilities as unknown as RouterCaps;
  }

  /** Says hello and joins the team's room (an admin with its host key). */
  static async join(url: string, teamId: string, name: string, hostKey?: string) {
    const client = await TestClient.connect(url);
    await client.request({ type: 'hello', version: PROTOCOL_VERSION });
    const reply = await client.request({
      type: 'join',
      roomId: teamId,
      name,
      media: { audio: true, video: false },
      ...(hostKey ? { hostKey } : {}),
    });
    if (reply.type !== 'joined') throw new Error(`${name} did not join: ${JSON.stringify(reply)}`);
    return new TeamMember(name, client, reply);
  }

  get peerId(): PeerId {
    return this.joined.peerId;
  }

  /** Sends and resolves with the reply (or the error) carrying the request's rid. */
  request(message: Record<string, unknown>): Promise<ServerMessage> {
    return this.client.request(message);
  }

  /**
   * Opens the send transport, connects it (ICE and DTLS done), produces the microphone and
   * starts sending 50 packets a second on it, held or not, for as long as the member lives.
   */
  async openMic(timeoutMs = 10_000): Promise<void> {
    const t = await this.#expect(
      { type: 'sfu-transport', direction: 'send' },
      'sfu-transport-created',
    );
    const caps = withPlaceholderVp8(this.#caps);
    const { peer, dtls } = await SendPeer.open(transportOf(t), caps, ['audio']);
    this.#send = peer;
    await this.#connect(t.id, dtls);
    await connected(peer.pc, timeoutMs);
    const rtpParameters = peer.parameters.get('audio');
    if (!rtpParameters) throw new Error('no audio m-line');
    await this.#expect(
      {
        type: 'sfu-produce',
        transportId: t.id,
        kind: 'audio',
        rtpParameters: rtpParameters as unknown as Record<string, unknown>,
        source: 'mic',
      },
      'sfu-produced',
    );
    let timestamp = Math.floor(Math.random() * 0xffffffff);
    this.#timer = setInterval(() => {
      timestamp = (timestamp + FRAME_TICKS) >>> 0;
      this.#sentPackets += 1;
      peer.send('audio', PAYLOAD, timestamp, false);
    }, FRAME_MS);
  }

  /** Stops sending, as a lost media path would (ICE or the network gone): the socket lives on. */
  stopMic(): void {
    clearInterval(this.#timer);
  }

  /** Packets the microphone sent so far (paused on the server or not). */
  get sentPackets(): number {
    return this.#sentPackets;
  }

  /** Starts hearing a channel: its consumer on the receive transport, counted from now on. */
  async listen(channelId: ChannelId): Promise<Listening> {
    const reply = await this.#expect(
      { type: 'channel-listen', channelId, rtpCapabilities: audioCapabilities(this.#caps) },
      'channel-consumer',
    );
    const recv = this.#recvPeer();
    const counter = new RtpCounter('audio');
    const { dtls } = await recv.addConsumer(
      reply.consumerId,
      'audio',
      reply.rtpParameters as unknown as RtpParams,
      counter,
    );
    if (dtls) await this.#connect(recv.transportId, dtls);
    const listening = { consumerId: reply.consumerId, counter };
    this.#listening.set(channelId, listening);
    return listening;
  }

  /** Resolves once the receive transport is connected (ICE and DTLS done). */
  receiving(timeoutMs = 10_000): Promise<void> {
    if (!this.#recv) throw new Error(`${this.name} listens to nothing`);
    return connected(this.#recv.pc, timeoutMs);
  }

  /** What reached this member's consumer of `channelId` (all zero if it never listened). */
  heard(channelId: ChannelId): RtpCounts {
    const counter = this.#listening.get(channelId)?.counter ?? new RtpCounter('audio');
    return counter.counts();
  }

  consumerOf(channelId: ChannelId): string | undefined {
    return this.#listening.get(channelId)?.consumerId;
  }

  /** The first message (received or to come) matching `match`. */
  next(match: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage> {
    return this.client.next(match, timeoutMs);
  }

  /** Where the messages received so far end: `since` looks only past it. */
  mark(): number {
    return this.client.received.length;
  }

  /** The first message received after `mark` (or to come) matching `match`. */
  since(
    mark: number,
    match: (m: ServerMessage) => boolean,
    timeoutMs?: number,
  ): Promise<ServerMessage> {
    const { received } = this.client;
    return this.client.next((m) => received.indexOf(m) >= mark && match(m), timeoutMs);
  }

  /** Stops the microphone and closes the peer connections and the socket (no `leave`). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#send?.close().catch(() => undefined);
    await this.#recv?.close().catch(() => undefined);
    if (this.client.ws.readyState <= 1) await this.client.close();
  }

  /** Ends the socket as a network loss would: no close frame, no `leave`. Media keeps going. */
  dropSocket(): void {
    this.client.ws.terminate();
  }

  #recvPeer(): RecvPeer {
    const t = this.joined.sfu?.recvTransport;
    if (!t) throw new Error(`${this.name} has no receive transport`);
    this.#recv ??= new RecvPeer(t.id, transportOf(t), withPlaceholderVp8(this.#caps));
    return this.#recv;
  }

  async #connect(transportId: string, dtlsParameters: DtlsParams): Promise<void> {
    await this.#expect({ type: 'sfu-connect', transportId, dtlsParameters }, 'sfu-ok');
  }

  async #expect<T extends ServerMessage['type']>(
    message: Record<string, unknown>,
    type: T,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const reply = await this.client.request(message);
    if (reply.type !== type) {
      throw new Error(`${this.name}: ${String(message.type)} got ${JSON.stringify(reply)}`);
    }
    return reply as Extract<ServerMessage, { type: T }>;
  }
}
