import fc from 'fast-check';
import { ClientMessageSchema, PROTOCOL_VERSION, WALKIE_CLIENT_SCHEMAS } from '@parley/protocol';
import type { ClientMessageType, PeerId, RoomId } from '@parley/protocol';
import { dtlsParameters, rtpCapabilities, rtpParameters } from './rtp.ts';
import { arbitraryOf, fieldNamesOf } from './schemaArbitrary.ts';
import { boardData } from './board.ts';
import type { Hints } from './schemaArbitrary.ts';

/**
 * Real ids of the fuzzed server, so valid messages reach the handlers and not just the parser.
 * The SFU ids are those of transports, producers and consumers opened for the fuzz.
 */
export interface SampleContext {
  roomIds: readonly RoomId[];
  peerIds: readonly PeerId[];
  transportIds?: readonly string[];
  producerIds?: readonly string[];
  consumerIds?: readonly string[];
  /** A team's channels: open ones, a removed one and a well-formed unknown one. */
  channelIds?: readonly string[];
}

/**
 * Every client message type, read from the protocol's own union: a type added to
 * `ClientMessageSchema` is fuzzed from the day it is added, with nothing to write here.
 */
export const MESSAGE_TYPES: readonly ClientMessageType[] = ClientMessageSchema.options.map(
  (o) => o.shape.type.value,
);

/** Every field name of every client message, nested ones included. */
export const FIELD_NAMES: readonly string[] = [...fieldNamesOf(ClientMessageSchema)];

const SCHEMAS = new Map(ClientMessageSchema.options.map((o) => [o.shape.type.value, o]));

/** A real id most of the time, another well-formed one sometimes. */
const idFrom = (ids: readonly string[] | undefined): fc.Arbitrary<string> | undefined =>
  ids && ids.length > 0 ? fc.constantFrom(...ids) : undefined;

function hintsFor(ctx: SampleContext): Hints {
  const hints: Record<string, fc.Arbitrary<unknown> | undefined> = {
    // The fuzz's own request ids start at 2^45 (driver.ts): drawn ids stay below.
    rid: fc.nat(),
    version: fc.constant(PROTOCOL_VERSION),
    roomId: idFrom(ctx.roomIds),
    peerId: idFrom(ctx.peerIds),
    to: idFrom(ctx.peerIds),
    transportId: idFrom(ctx.transportIds),
    // join.receive.warm: a warm transport's id (the scenario opens one).
    warm: idFrom(ctx.transportIds),
    producerId: idFrom(ctx.producerIds),
    consumerId: idFrom(ctx.consumerIds),
    channelId: idFrom(ctx.channelIds),
    rtpParameters,
    rtpCapabilities,
    dtlsParameters,
  };
  return Object.fromEntries(Object.entries(hints).filter(([, a]) => a !== undefined)) as Hints;
}

/** Messages of `type` drawn from its schema, with the context's ids (mostly valid ones). */
export function messageOf(
  type: ClientMessageType,
  ctx: SampleContext,
): fc.Arbitrary<Record<string, unknown>> {
  const schema = SCHEMAS.get(type);
  if (!schema) throw new Error(`no schema for client message type ${type}`);
  // `data` is a field of `signal` too: only the board's gets sync messages.
  const hints = type === 'board-sync' ? { ...hintsFor(ctx), data: boardData } : hintsFor(ctx);
  return arbitraryOf(schema, hints) as fc.Arbitrary<Record<string, unknown>>;
}

/** The walkie-talkie messages (issue #16): what a team's room does and a meeting refuses. */
export const WALKIE_TYPES: readonly ClientMessageType[] = WALKIE_CLIENT_SCHEMAS.map(
  (s) => s.shape.type.value,
);

/** A walkie-talkie message of any type, every type equally likely. */
export function walkieMessage(ctx: SampleContext): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(...WALKIE_TYPES.map((type) => messageOf(type, ctx)));
}

/** A message of any client type, every type equally likely. */
export function anyMessage(ctx: SampleContext): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(...MESSAGE_TYPES.map((type) => messageOf(type, ctx)));
}
