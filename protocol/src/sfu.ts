import { z } from 'zod';
import { PeerIdSchema, RequestIdSchema, RoomIdSchema } from './ids.ts';

/**
 * SFU messages. mediasoup's own structures (RTP capabilities and parameters, ICE and DTLS
 * parameters) are checked here only for shape and size; mediasoup validates their contents
 * and the server turns its refusals into typed errors.
 */

const rid = { rid: RequestIdSchema.optional() };
const Id = z.string().min(1).max(64);
/** A bounded JSON object whose contents mediasoup validates. */
export const MediasoupObject = z
  .record(z.string(), z.unknown())
  .refine((o) => JSON.stringify(o).length <= 16 * 1024, { message: 'object too large' });

export const MediaSourceSchema = z.enum(['mic', 'camera', 'screen', 'screen-audio']);
export type MediaSource = z.infer<typeof MediaSourceSchema>;
export const MediaKindSchema = z.enum(['audio', 'video']);

export const DtlsParametersSchema = z.strictObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.strictObject({ algorithm: z.string().max(16), value: z.string().max(256) }))
    .min(1)
    .max(8),
});

export const ProducerInfoSchema = z.strictObject({
  producerId: Id,
  peerId: PeerIdSchema,
  kind: MediaKindSchema,
  source: MediaSourceSchema,
});
export type ProducerInfo = z.infer<typeof ProducerInfoSchema>;

/** A WebRtcTransport as the server opened it (mediasoup's ICE and DTLS parameters). */
const TransportFields = {
  id: Id,
  direction: z.enum(['send', 'recv']),
  iceParameters: z.record(z.string(), z.unknown()),
  iceCandidates: z.array(z.record(z.string(), z.unknown())),
  dtlsParameters: z.record(z.string(), z.unknown()),
};
export const SfuTransportSchema = z.strictObject(TransportFields);
export type SfuTransport = z.infer<typeof SfuTransportSchema>;

/**
 * Sent with `join` by a client whose mediasoup Device is loaded (on the pre-join screen): what
 * it can receive, so that a room already on the SFU admits it with its consumers made. `videos`
 * of the video consumers (the first page of its grid) start running, the others paused.
 */
export const SfuReceiveSchema = z.strictObject({
  rtpCapabilities: MediasoupObject,
  /** A grid page holds 16 at most; more would only start videos nobody sees. */
  videos: z.number().int().min(0).max(64),
  /**
   * The warm transport this socket opened on the pre-join screen (`sfu-warm`), connected: the
   * server makes it the joiner's receive transport. Another socket's id is ignored.
   */
  warm: z.string().min(1).max(64).optional(),
});
export type SfuReceive = z.infer<typeof SfuReceiveSchema>;

/** A consumer as the server made it: the `sfu-consumer` reply's fields, and its pause state. */
const ConsumerFields = {
  consumerId: Id,
  producerId: Id,
  peerId: PeerIdSchema,
  kind: MediaKindSchema,
  source: MediaSourceSchema,
  rtpParameters: z.record(z.string(), z.unknown()),
};
export const SfuConsumerInfoSchema = z.strictObject({
  ...ConsumerFields,
  paused: z.boolean(),
  /**
   * Made paused only because the receive transport already carries media (a warm one): the
   * client resumes it (`sfu-consumer-pause`) once its side of the consumer is set up.
   */
  resume: z.boolean().optional(),
});
export type SfuConsumerInfo = z.infer<typeof SfuConsumerInfoSchema>;

/** What a client needs to load its mediasoup Device and consume what is already there. */
export const SfuStateSchema = z.strictObject({
  routerRtpCapabilities: z.record(z.string(), z.unknown()),
  producers: z.array(ProducerInfoSchema),
  /**
   * Only in the `joined` of a peer admitted into a room already on the SFU: its receive
   * transport, opened with the admission, so its first consume needs no round trip before it.
   */
  recvTransport: SfuTransportSchema.optional(),
  /**
   * With `recvTransport`, when the `join` said what the client can receive (`SfuReceive`): its
   * consumers of `producers`, already made on that transport (video first). A producer missing
   * here is consumed with `sfu-consume` as usual.
   */
  consumers: z.array(SfuConsumerInfoSchema).optional(),
});
export type SfuState = z.infer<typeof SfuStateSchema>;

// ---------- client -> server ----------

export const SfuTransportRequestSchema = z.strictObject({
  type: z.literal('sfu-transport'),
  ...rid,
  direction: z.enum(['send', 'recv']),
});
export const SfuConnectSchema = z.strictObject({
  type: z.literal('sfu-connect'),
  ...rid,
  transportId: Id,
  dtlsParameters: DtlsParametersSchema,
});
export const SfuProduceSchema = z.strictObject({
  type: z.literal('sfu-produce'),
  ...rid,
  transportId: Id,
  kind: MediaKindSchema,
  rtpParameters: MediasoupObject,
  source: MediaSourceSchema,
});
export const SfuCloseProducerSchema = z.strictObject({
  type: z.literal('sfu-close-producer'),
  ...rid,
  producerId: Id,
});
export const SfuConsumeSchema = z.strictObject({
  type: z.literal('sfu-consume'),
  ...rid,
  producerId: Id,
  rtpCapabilities: MediasoupObject,
  /**
   * Default true: created paused, resumed with `sfu-consumer-pause` once the client's side is
   * set up. A client whose recv transport is not yet connected may ask for it running.
   */
  paused: z.boolean().optional(),
});
/** Resume or pause one consumer (a tile became visible or hidden). */
export const SfuConsumerPauseSchema = z.strictObject({
  type: z.literal('sfu-consumer-pause'),
  ...rid,
  consumerId: Id,
  paused: z.boolean(),
});
/** The simulcast layer a receiver wants, from how large it shows the tile. */
export const SfuLayersSchema = z.strictObject({
  type: z.literal('sfu-layers'),
  ...rid,
  consumerId: Id,
  spatialLayer: z.number().int().min(0).max(2),
});

/** New ICE credentials for a transport whose connection failed (answered `sfu-ice-restarted`). */
export const SfuRestartIceSchema = z.strictObject({
  type: z.literal('sfu-restart-ice'),
  ...rid,
  transportId: Id,
});

/**
 * On the pre-join screen (greeted, not joined): a receive transport in `roomId`, connected
 * before Join so that the first picture does not wait for ICE and DTLS. Answered `sfu-warmed`,
 * without a transport where the room is not on the SFU on this server (nothing to warm).
 */
export const SfuWarmSchema = z.strictObject({
  type: z.literal('sfu-warm'),
  ...rid,
  roomId: RoomIdSchema,
});
/** The client's DTLS parameters for its warm transport (`sfu-connect` before joining). */
export const SfuWarmConnectSchema = z.strictObject({
  type: z.literal('sfu-warm-connect'),
  ...rid,
  transportId: Id,
  dtlsParameters: DtlsParametersSchema,
});

export const SFU_CLIENT_SCHEMAS = [
  SfuWarmSchema,
  SfuWarmConnectSchema,
  SfuTransportRequestSchema,
  SfuConnectSchema,
  SfuProduceSchema,
  SfuCloseProducerSchema,
  SfuConsumeSchema,
  SfuConsumerPauseSchema,
  SfuLayersSchema,
  SfuRestartIceSchema,
] as const;

// ---------- server -> client ----------

const replyRid = { rid: RequestIdSchema.optional() };

export const RoomModeChangedSchema = z.strictObject({
  type: z.literal('room-mode'),
  mode: z.enum(['mesh', 'sfu']),
  /** Present when mode is `sfu`. */
  sfu: SfuStateSchema.optional(),
});
export const SfuTransportCreatedSchema = z.strictObject({
  type: z.literal('sfu-transport-created'),
  ...replyRid,
  ...TransportFields,
});
export const SfuProducedSchema = z.strictObject({
  type: z.literal('sfu-produced'),
  ...replyRid,
  producerId: Id,
});
export const SfuConsumerCreatedSchema = z.strictObject({
  type: z.literal('sfu-consumer'),
  ...replyRid,
  ...ConsumerFields,
});
/**
 * A warm transport: a receive transport with SCTP and one data consumer of the room's idle
 * channel (it never sends), which the client consumes so that its browser connects now.
 */
export const SfuWarmTransportSchema = z.strictObject({
  ...TransportFields,
  sctpParameters: z.record(z.string(), z.unknown()),
  dataConsumer: z.strictObject({
    id: Id,
    dataProducerId: Id,
    sctpStreamParameters: z.record(z.string(), z.unknown()),
    label: z.string().max(64),
    protocol: z.string().max(64),
  }),
});
export type SfuWarmTransport = z.infer<typeof SfuWarmTransportSchema>;
export const SfuWarmedSchema = z.strictObject({
  type: z.literal('sfu-warmed'),
  ...replyRid,
  /** Absent: the room is not on the SFU here, or holds as many warm transports as it may. */
  transport: SfuWarmTransportSchema.optional(),
});
export const SfuOkSchema = z.strictObject({ type: z.literal('sfu-ok'), ...replyRid });
export const SfuIceRestartedSchema = z.strictObject({
  type: z.literal('sfu-ice-restarted'),
  ...replyRid,
  iceParameters: z.record(z.string(), z.unknown()),
});
export const SfuProducerAddedSchema = z.strictObject({
  type: z.literal('sfu-producer-added'),
  producer: ProducerInfoSchema,
});
export const SfuProducerClosedSchema = z.strictObject({
  type: z.literal('sfu-producer-closed'),
  producerId: Id,
  peerId: PeerIdSchema,
});
export const SfuConsumerClosedSchema = z.strictObject({
  type: z.literal('sfu-consumer-closed'),
  consumerId: Id,
});
/**
 * The SFU sends one of our video consumers a lower layer than we asked for, to fit our
 * downlink (its estimate of it), or the asked one again.
 */
export const SfuConsumerLoweredSchema = z.strictObject({
  type: z.literal('sfu-consumer-lowered'),
  consumerId: Id,
  lowered: z.boolean(),
});
/**
 * The SFU side of the room was rebuilt (its media worker died): drop every transport,
 * producer and consumer, load the Device again and produce/consume afresh.
 */
export const SfuRestartSchema = z.strictObject({
  type: z.literal('sfu-restart'),
  sfu: SfuStateSchema,
});
export const ActiveSpeakerSchema = z.strictObject({
  type: z.literal('active-speaker'),
  peerId: PeerIdSchema.nullable(),
});

export const SFU_SERVER_SCHEMAS = [
  RoomModeChangedSchema,
  SfuTransportCreatedSchema,
  SfuProducedSchema,
  SfuConsumerCreatedSchema,
  SfuWarmedSchema,
  SfuOkSchema,
  SfuIceRestartedSchema,
  SfuProducerAddedSchema,
  SfuProducerClosedSchema,
  SfuConsumerClosedSchema,
  SfuConsumerLoweredSchema,
  SfuRestartSchema,
  ActiveSpeakerSchema,
] as const;
