import fc from 'fast-check';
import { LIMITS } from '@parley/protocol';
import { FIELD_NAMES } from './samples.ts';

/**
 * A piece of JSON text spliced in verbatim when a message is serialized: literals JSON.stringify
 * cannot produce (`NaN`, `1e999`, `-0`) and nesting deeper than JSON.stringify can walk.
 */
export class Raw {
  constructor(readonly text: string) {}
}

/** Keys that mean something to JavaScript objects; a server must treat them as plain data. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'then',
] as const;

/** Number-like tokens JSON.stringify would never write, some valid JSON, most not. */
const NUMBER_TOKENS = ['NaN', '-NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '-0', '0x10'];
const MORE_TOKENS = ['01', '1.', '.5', '+1', '1e', 'undefined', 'null', 'true', '2e-400'];

const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d');

/** Strings meant to trip regexes, trimming, length checks and Unicode handling. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    '\u202e\u2066',
    '\ufeff',
    '\u200b',
    '👩‍👩‍👧‍👦',
    'e\u0301',
    'A'.repeat(22),
    'A'.repeat(23),
    'a'.repeat(LIMITS.NAME_MAX + 1),
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; DROP TABLE rooms; --",
    '%s%n%x',
    '${7*7}',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.oneof(loneSurrogate, fc.string({ maxLength: 3 })), { maxLength: 8 })
    .map((parts) => parts.join('')),
);

/** Long strings, up to about half the frame limit (a few frames then come near the limit). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1_000, max: LIMITS.MAX_PAYLOAD_BYTES / 2 }),
    fc.constantFrom('x', 'é', '🦊', '\u0000', 'ab'),
  )
  .map(([bytes, unit]) => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))));

const nastyNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    -0.5,
    0.5,
    2 ** 31,
    -(2 ** 31),
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    Number.EPSILON,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...NUMBER_TOKENS, ...MORE_TOKENS).map((t) => new Raw(t)),
);

/**
 * Nesting deeper than any real message: arrays or objects, up to a depth that makes recursive
 * walkers (JSON.stringify, schema validators) overflow the stack if they are not guarded.
 */
export const deepNesting: fc.Arbitrary<Raw> = fc
  .tuple(fc.integer({ min: 10, max: 20_000 }), fc.constantFrom('array', 'object', 'mixed'))
  .map(([depth, shape]) => {
    if (shape === 'array') return new Raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    if (shape === 'object') return new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    return new Raw(`${'{"a":['.repeat(depth / 2)}0${']}'.repeat(depth / 2)}`);
  });

/** A value of the wrong kind for whatever field it lands in. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 5 },
  { arbitrary: nastyNumber, weight: 4 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], { '': '' }), weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
);

/** A key to add: prototype keys, protocol keys in the wrong message, or anything at all. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  // Field names of the protocol, to confuse one message type with another's fields.
  fc.constantFrom(...FIELD_NAMES),
  fc.string({ maxLength: 12 }),
  nastyString,
);

const RAW_MARK = '\u0000raw:';

/**
 * JSON.stringify that splices in `Raw` pieces verbatim, and keeps `__proto__` as an own key
 * (objects built by the mutators define it with defineProperty).
 */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Raw)) return v;
    raws.push(v.text);
    return `${RAW_MARK}${raws.length - 1}`;
  });
  if (raws.length === 0) return text ?? 'undefined';
  // The marker starts with U+0000, which JSON.stringify escapes as \u0000.
  return (text ?? 'undefined').replace(/"\\u0000raw:(\d+)"/g, (_m, i: string) => {
    return raws[Number(i)] as string;
  });
}

/** Sets an own enumerable property, even `__proto__` (which plain assignment would not). */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
