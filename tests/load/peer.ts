// A bot's two RTCPeerConnections (werift: WebRTC in TypeScript, no native code; why in
// docs/load.md), one per mediasoup WebRtcTransport, like mediasoup-client's send and receive
// transports in the browser. Only loopback: no STUN server (werift's default is a public one),
// host candidates on 127.0.0.1 only.

import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RtpHeader,
  RtpPacket,
  useFIR,
  useNACK,
  usePLI,
} from 'werift';
import type { RTCRtpSender } from 'werift';
import { LeanReceive } from './leanReceive.ts';
import type { RtpCounter } from './rtpCounter.ts';
import { localDtls, parseLocalMedia, produceParameters, recvOffer, sendAnswer } from './sdp.ts';
import type { ConsumerSection, LayerEncoding, RtpParams, TransportParams } from './sdp.ts';
import { TransportFeedback } from './transportFeedback.ts';

export type Kind = 'audio' | 'video';
export type DtlsParams = ReturnType<typeof localDtls>;

export const MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
export const TRANSPORT_CC =
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** The part of the router's RTP capabilities a bot reads. */
export interface RouterCaps {
  codecs: { kind: string; mimeType: string; preferredPayloadType: number; clockRate: number }[];
  headerExtensions: { kind: string; uri: string; preferredId: number }[];
}

/** The router's payload type and extension ids for what bots speak (Opus, VP8). */
export function botMedia(caps: RouterCaps) {
  const pt = (mime: string) => {
    const c = caps.codecs.find((x) => x.mimeType.toLowerCase() === mime);
    if (!c) throw new Error(`router has no ${mime}`);
    return c.preferredPayloadType;
  };
  const ext = (kind: Kind) =>
    caps.headerExtensions
      .filter((e) => e.kind === kind && [MID, ABS_SEND_TIME, TRANSPORT_CC].includes(e.uri))
      .map((e) => ({ uri: e.uri, id: e.preferredId }));
  const videoFeedback = [
    { type: 'nack' },
    { type: 'nack', parameter: 'pli' },
    { type: 'ccm', parameter: 'fir' },
    { type: 'transport-cc' },
  ];
  return {
    opus: { mimeType: 'audio/opus', payloadType: pt('audio/opus'), clockRate: 48000, channels: 2 },
    vp8: { mimeType: 'video/VP8', payloadType: pt('video/vp8'), clockRate: 90000 },
    videoFeedback,
    extensions: { audio: ext('audio'), video: ext('video') },
    /** What `sfu-consume` carries: mediasoup consumes exactly this (no RTX: see docs/load.md). */
    rtpCapabilities: {
      codecs: [
        {
          kind: 'audio',
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          preferredPayloadType: pt('audio/opus'),
          rtcpFeedback: [{ type: 'transport-cc' }],
        },
        {
          kind: 'video',
          mimeType: 'video/VP8',
          clockRate: 90000,
          preferredPayloadType: pt('video/vp8'),
          rtcpFeedback: videoFeedback,
        },
      ],
      headerExtensions: [...ext('audio'), ...ext('video')].map((e, i) => ({
        kind: i < ext('audio').length ? 'audio' : 'video',
        uri: e.uri,
        preferredId: e.id,
        direction: 'sendrecv',
      })),
    },
  };
}
type BotMedia = ReturnType<typeof botMedia>;
/** What a bot's RTCPeerConnection offers and accepts: Opus and VP8, and three extensions. */
export type PeerMedia = Pick<BotMedia, 'opus' | 'vp8' | 'extensions'>;

export function newPeerConnection(media: PeerMedia): RTCPeerConnection {
  const feedback = [useNACK(), usePLI(), useFIR(), { type: 'transport-cc' }];
  const ext = (list: { uri: string; id: number }[]) =>
    list.map((e) => new RTCRtpHeaderExtensionParameters(e));
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    // One ICE transport for every m-line (mediasoup bundles them all).
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ ...media.opus, rtcpFeedback: [{ type: 'transport-cc' }] }),
      ],
      video: [new RTCRtpCodecParameters({ ...media.vp8, rtcpFeedback: feedback })],
    },
    headerExtensions: { audio: ext(media.extensions.audio), video: ext(media.extensions.video) },
  });
}

/** PLI (206/1) and FIR (206/4): payload-specific feedback asking for a keyframe. */
export function isKeyframeRequest(p: { type: number }): boolean {
  if (p.type !== 206 || !('feedback' in p)) return false;
  const count = (p.feedback as { count?: number }).count;
  return count === 1 || count === 4;
}

/**
 * A bot's senders, one per kind and simulcast layer (video layer 0 when there is one):
 * ready payloads in, RTP out with this sender's own sequence numbers (werift stamps SSRC,
 * payload type and extensions). Each layer is its own werift sender, so its own SSRC with its
 * own sender reports (mediasoup switches layers only between streams that sent one), NACK
 * history, and PLI/FIR (werift routes RTCP to a sender by SSRC). Calls `onKeyframeRequest` on
 * PLI and FIR from the far end, for any layer.
 */
export class RtpOut {
  readonly #senders = new Map<string, { sender: RTCRtpSender; seq: number }>();
  onKeyframeRequest: () => void = () => undefined;

  add(kind: Kind, sender: RTCRtpSender, layer = 0): void {
    this.#senders.set(`${kind}${layer}`, { sender, seq: Math.floor(Math.random() * 0xffff) });
    sender.onRtcp.subscribe((p) => {
      if (isKeyframeRequest(p)) this.onKeyframeRequest();
    });
  }

  send(kind: Kind, payload: Buffer, timestamp: number, marker: boolean, layer = 0): void {
    const out = this.#senders.get(`${kind}${layer}`);
    if (!out) return;
    const { sender } = out;
    const seq = (out.seq + 1) & 0xffff;
    out.seq = seq;
    const header = new RtpHeader({ sequenceNumber: seq, timestamp: timestamp >>> 0, marker });
    void sender.sendRtp(new RtpPacket(header, payload)).catch(() => undefined);
  }
}

/**
 * The send side: one sendonly transceiver per kind on a mediasoup send transport, and one per
 * simulcast layer for video. The bot writes ready RTP packets (`send`); PLI and FIR from the
 * SFU call `onKeyframeRequest`.
 *
 * Simulcast: Chrome puts the layers in one m-line (`a=simulcast`, a rid per stream), which
 * werift cannot send. mediasoup never sees this SDP, only `sfu-produce`'s rtpParameters, and
 * routes a packet by its SSRC first: so each layer is a transceiver of its own here, and the
 * producer gets one encoding per layer with its SSRC (mediasoup's SSRC-signalled simulcast,
 * what mediasoup-client's Chrome67/70 handlers send with `a=ssrc-group:SIM`).
 */
export class SendPeer {
  readonly pc: RTCPeerConnection;
  readonly #out = new RtpOut();
  /** The rtpParameters `sfu-produce` needs, per kind. */
  readonly parameters = new Map<Kind, RtpParams>();

  set onKeyframeRequest(f: () => void) {
    this.#out.onKeyframeRequest = f;
  }

  private constructor(media: BotMedia) {
    this.pc = newPeerConnection(media);
  }

  /** Offers `kinds`, applies the server's answer; returns the DTLS parameters for `sfu-connect`. */
  static async open(
    transport: TransportParams,
    caps: RouterCaps,
    kinds: Kind[],
    videoLayers: LayerEncoding[] = [],
  ): Promise<{ peer: SendPeer; dtls: DtlsParams }> {
    const peer = new SendPeer(botMedia(caps));
    for (const kind of kinds) {
      const count = kind === 'video' ? Math.max(1, videoLayers.length) : 1;
      for (let layer = 0; layer < count; layer++) {
        const { sender } = peer.pc.addTransceiver(kind, { direction: 'sendonly' });
        peer.#out.add(kind, sender, layer);
      }
    }
    const offer = await peer.pc.createOffer();
    await peer.pc.setLocalDescription(offer);
    const local = parseLocalMedia(peer.pc.localDescription?.sdp ?? '');
    for (const kind of kinds) {
      const layers = kind === 'video' ? videoLayers : [];
      peer.parameters.set(kind, produceParameters(local, kind, layers));
    }
    await peer.pc.setRemoteDescription({ type: 'answer', sdp: sendAnswer(transport, local) });
    return { peer, dtls: localDtls(peer.pc.localDescription?.sdp ?? '') };
  }

  /** Sends one RTP payload of `kind` (werift stamps SSRC, payload type and extensions). */
  send(kind: Kind, payload: Buffer, timestamp: number, marker: boolean, layer?: number): void {
    this.#out.send(kind, payload, timestamp, marker, layer);
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}

/**
 * The receive side: the server's offer grows by one m-line per consumer (mediasoup gives each
 * its mid); every renegotiation is serialized. The first returns the DTLS parameters. Each
 * consumer's RTP is counted from its header (leanReceive.ts), its payload decrypted only for
 * the keyframe check.
 */
export class RecvPeer {
  readonly pc: RTCPeerConnection;
  readonly #sections: (ConsumerSection & { consumerId: string })[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** One transport-cc feedback for the whole transport, like a browser (transportFeedback.ts). */
  readonly #feedback = new TransportFeedback(
    () => this.pc.getTransceivers()[0]?.receiver.dtlsTransport,
  );
  readonly #lean = new LeanReceive();
  readonly #ssrcs = new Map<string, number>();

  constructor(
    readonly transportId: string,
    private readonly transport: TransportParams,
    caps: RouterCaps,
  ) {
    this.pc = newPeerConnection(botMedia(caps));
  }

  /**
   * Adds a consumer's m-line, renegotiates and counts its RTP in `counter`. Resolves with the
   * DTLS parameters when this was the first negotiation (the caller sends `sfu-connect`).
   */
  addConsumer(
    consumerId: string,
    kind: Kind,
    rtpParameters: RtpParams,
    counter: RtpCounter,
  ): Promise<{ dtls: DtlsParams | undefined }> {
    const next = this.#queue.then(async () => {
      const first = this.#sections.length === 0;
      this.#sections.push({ consumerId, kind, rtpParameters });
      const sdp = recvOffer(this.transport, this.#sections);
      await this.pc.setRemoteDescription({ type: 'offer', sdp });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      for (const t of this.pc.getTransceivers()) this.#feedback.attach(t.receiver);
      const mid = rtpParameters.mid ?? String(this.#sections.length - 1);
      const transceiver = this.pc.getTransceivers().find((t) => t.mid === mid);
      if (!transceiver) throw new Error(`no transceiver for mid ${mid}`);
      const ssrc = rtpParameters.encodings?.[0]?.ssrc;
      if (ssrc === undefined) throw new Error(`consumer ${consumerId} has no SSRC`);
      this.#lean.install(transceiver.receiver.dtlsTransport);
      this.#lean.add(ssrc, kind, transceiver.receiver, counter, rtpParameters.headerExtensions);
      this.#ssrcs.set(consumerId, ssrc);
      return { dtls: first ? localDtls(this.pc.localDescription?.sdp ?? '') : undefined };
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Stops counting a consumer (the app would close it); its RTCP feedback goes on. */
  uncount(consumerId: string): void {
    const ssrc = this.#ssrcs.get(consumerId);
    if (ssrc !== undefined) this.#lean.uncount(ssrc);
  }

  async close(): Promise<void> {
    this.#feedback.close();
    await this.pc.close();
  }
}
