import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { LIMITS } from '@parley/protocol';
import { objectMutation, textMutation } from './mutations.ts';
import { MESSAGE_TYPES, anyMessage, walkieMessage } from './samples.ts';
import type { SampleContext } from './samples.ts';
import { deepNesting, defineKey, nastyKey, nastyValue, serialize } from './values.ts';

/** One WebSocket frame to send: text (a JS string, sent as UTF-8) or binary. */
export type Frame = { binary: false; data: string } | { binary: true; data: Uint8Array };

export type FrameContext = SampleContext;

const text = (data: string): Frame => ({ binary: false, data: fitted(data) });

/**
 * Keeps a text frame within the server's maxPayload: an oversize frame closes the socket with
 * 1009, which the hardening suite tests on its own; the fuzz needs its sockets to stay open.
 */
function fitted(data: string): string {
  let out = data;
  for (;;) {
    const bytes = Buffer.byteLength(out);
    if (bytes <= LIMITS.MAX_PAYLOAD_BYTES) return out;
    out = out.slice(0, Math.floor((out.length * LIMITS.MAX_PAYLOAD_BYTES) / bytes) - 8);
  }
}

/** A message of any client type drawn from its schema (valid, but for a refinement or two). */
function validMessage(ctx: FrameContext): fc.Arbitrary<Record<string, unknown>> {
  return anyMessage(ctx);
}

/** A valid message changed by one to three mutations, then maybe edited as text. */
function mutatedMessage(
  ctx: FrameContext,
  valid: fc.Arbitrary<Record<string, unknown>> = validMessage(ctx),
): fc.Arbitrary<string> {
  return fc
    .tuple(
      valid,
      fc.array(objectMutation, { minLength: 1, maxLength: 3 }),
      fc.option(textMutation, { freq: 4 }),
    )
    .map(([message, mutations, edit]) => {
      let value: unknown = message;
      for (const mutate of mutations) {
        value =
          value && typeof value === 'object' && !Array.isArray(value)
            ? mutate(value as Record<string, unknown>)
            : value;
      }
      const serialized = serialize(value);
      return edit ? edit(serialized) : serialized;
    });
}

/** An object with a real `type` and random fields. */
const typedJunk = fc
  .tuple(
    fc.constantFrom(...MESSAGE_TYPES),
    fc.array(fc.tuple(nastyKey, nastyValue), { maxLength: 6 }),
  )
  .map(([type, fields]) => {
    const message: Record<string, unknown> = { type };
    for (const [k, v] of fields) defineKey(message, k, v);
    return serialize(message);
  });

/** Text from random bytes (decoded, so always valid UTF-8) or from random code points. */
const randomText = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
);

/** Deep nesting as the whole frame and inside the fields that hold free-form JSON. */
const deepFrame = fc
  .tuple(deepNesting, fc.constantFrom('bare', 'signal', 'produce', 'consume', 'chat'))
  .map(([deep, where]) => {
    const to = 'AAAAAAAAAAAA';
    if (where === 'bare') return deep.text;
    if (where === 'signal') return serialize({ type: 'signal', to, data: { x: deep } });
    if (where === 'chat') return serialize({ type: 'chat', clientId: 'deep-nest-1', text: deep });
    if (where === 'produce') {
      const m = { type: 'sfu-produce', transportId: 't', kind: 'audio', source: 'mic' };
      return serialize({ ...m, rtpParameters: { codecs: deep } });
    }
    return serialize({ type: 'sfu-consume', producerId: 'p', rtpCapabilities: { codecs: deep } });
  });

/** Binary frames: random bytes, invalid UTF-8, or a perfectly good message sent as binary. */
function binaryFrame(ctx: FrameContext): fc.Arbitrary<Frame> {
  return fc
    .oneof(
      fc.uint8Array({ maxLength: 512 }),
      invalidUtf8,
      validMessage(ctx).map((m) => new Uint8Array(Buffer.from(JSON.stringify(m)))),
    )
    .map((data): Frame => ({ binary: true, data }));
}

/** Byte sequences that are not UTF-8 (a text frame of them must be closed with 1007). */
export const invalidUtf8: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      [0xc3, 0x28],
      [0xa0, 0xa1],
      [0xe2, 0x28, 0xa1],
      [0xf0, 0x90, 0x28, 0xbc],
      [0xf8, 0xa1, 0xa1, 0xa1, 0xa1],
      [0xff],
      [0xc0, 0xaf], // overlong "/"
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82], // truncated sequence
    ),
    fc.string({ maxLength: 20 }),
  )
  .map(
    ([before, bad, after]) =>
      new Uint8Array(Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)])),
  )
  .filter((bytes) => !isUtf8(bytes));

/**
 * Everything the fuzz sends, weighted towards messages that look almost right (those reach
 * deepest into the server); every client type is drawn from the protocol's schemas.
 */
export function frameArbitrary(ctx: FrameContext): fc.Arbitrary<Frame> {
  return fc.oneof(
    { arbitrary: mutatedMessage(ctx).map(text), weight: 45 },
    { arbitrary: validMessage(ctx).map((m) => text(JSON.stringify(m))), weight: 12 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => text(JSON.stringify(v))), weight: 10 },
    { arbitrary: typedJunk.map(text), weight: 8 },
    { arbitrary: randomText.map(text), weight: 8 },
    { arbitrary: deepFrame.map(text), weight: 4 },
    { arbitrary: binaryFrame(ctx), weight: 8 },
  );
}

/**
 * For a member of a walkie-talkie team: everything above, plus as much again of walkie-talkie
 * messages, valid and mutated, on the team's real channels (open, removed) and unknown ones,
 * so floor requests, channel changes and listens flood the Team and not just the parser.
 */
export function teamFrameArbitrary(ctx: FrameContext): fc.Arbitrary<Frame> {
  const walkie = walkieMessage(ctx);
  return fc.oneof(
    { arbitrary: frameArbitrary(ctx), weight: 2 },
    { arbitrary: walkie.map((m) => text(JSON.stringify(m))), weight: 1 },
    { arbitrary: mutatedMessage(ctx, walkie).map(text), weight: 1 },
  );
}
