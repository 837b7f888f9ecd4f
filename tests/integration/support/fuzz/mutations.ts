import fc from 'fast-check';
import { MESSAGE_TYPES } from './samples.ts';
import { Raw, deepNesting, defineKey, hugeString, nastyKey, nastyValue } from './values.ts';

/** Changes a message object (a fresh copy each time) into something it should not be. */
export type Mutation = (message: Record<string, unknown>) => unknown;

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** Picks one of the message's own keys (or `type` for an empty one). */
function keyAt(message: Record<string, unknown>, pick: number): string {
  const keys = Object.keys(message);
  return keys[Math.floor(pick * keys.length)] ?? 'type';
}

function copy(message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message)) defineKey(out, k, v);
  return out;
}

/** The message's `type`, misspelled in ways a lax comparison might still accept. */
const typeVariant = fc.oneof(
  fc.constantFrom(...MESSAGE_TYPES),
  fc.constantFrom(...MESSAGE_TYPES).chain((t) =>
    fc.constantFrom(
      t.toUpperCase(),
      ` ${t}`,
      `${t}\u0000`,
      `${t}\n`,
      t.replace(/-/g, '_'),
      t.normalize('NFD').replace('e', 'е'), // Cyrillic е
      [t],
      { type: t },
    ),
  ),
  nastyValue,
);

export const objectMutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A field of the wrong type.
  fc.tuple(unit, nastyValue).map(([p, v]): Mutation => (m) => {
    const out = copy(m);
    defineKey(out, keyAt(m, p), v);
    return out;
  }),
  // A required field missing (the type itself too).
  unit.map((p): Mutation => (m) => {
    const out = copy(m);
    delete out[keyAt(m, p)];
    return out;
  }),
  // An extra field: prototype keys, another message's fields, anything.
  fc.tuple(nastyKey, nastyValue).map(([k, v]): Mutation => (m) => {
    const out = copy(m);
    defineKey(out, k, v);
    return out;
  }),
  // A nested object or array of the message gets a bad value inside it.
  fc.tuple(unit, nastyKey, nastyValue).map(([p, k, v]): Mutation => (m) => {
    const out = copy(m);
    const key = keyAt(m, p);
    const inner = out[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const changed = copy(inner as Record<string, unknown>);
      defineKey(changed, k, v);
      defineKey(out, key, changed);
    } else defineKey(out, key, [inner, v]);
    return out;
  }),
  // Another type's name over this type's fields.
  typeVariant.map((t): Mutation => (m) => {
    const out = copy(m);
    defineKey(out, 'type', t);
    return out;
  }),
  // Huge strings and deep nesting where a small value belongs.
  fc.tuple(unit, fc.oneof(hugeString, deepNesting)).map(([p, v]): Mutation => (m) => {
    const out = copy(m);
    defineKey(out, keyAt(m, p), v);
    return out;
  }),
  // The whole message wrapped, doubled or stringified.
  fc.constantFrom('array', 'envelope', 'string', 'twice').map((how): Mutation => (m) => {
    if (how === 'array') return [m];
    if (how === 'envelope') return { type: m.type, message: m };
    if (how === 'string') return JSON.stringify(m);
    return [m, m];
  }),
  // Every number in the message replaced by a token JSON.stringify cannot write.
  fc
    .constantFrom('NaN', 'Infinity', '-1e999', '-0', '1e400', '9007199254740993')
    .map((token): Mutation => (m) => {
      const out = copy(m);
      for (const [k, v] of Object.entries(out))
        if (typeof v === 'number') defineKey(out, k, new Raw(token));
      return out;
    }),
);

/** Edits the serialized text: cuts, splices, duplicate keys, encodings a lax parser might accept. */
export type TextMutation = (text: string) => string;

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  unit.map(
    (p): TextMutation =>
      (t) =>
        t.slice(0, Math.floor(p * t.length)),
  ),
  fc
    .tuple(unit, fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
    .map(([p, s]): TextMutation => (t) => {
      const at = Math.floor(p * t.length);
      return t.slice(0, at) + s + t.slice(at);
    }),
  fc.tuple(unit, fc.integer({ min: 1, max: 8 })).map(([p, n]): TextMutation => (t) => {
    const at = Math.floor(p * t.length);
    return t.slice(0, at) + t.slice(at + n);
  }),
  // Duplicate keys: JSON.parse keeps the last, a validator might look at the first.
  fc
    .tuple(
      fc.constantFrom('type', 'rid', '__proto__', 'constructor'),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(
      ([k, v]): TextMutation =>
        (t) =>
          t.startsWith('{')
            ? `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'},${t.slice(1)}`
            : t,
    ),
  fc
    .constantFrom(
      (t: string) => `\ufeff${t}`,
      (t: string) => ` \n\t${t} \r\n`,
      (t: string) => `${t}${t}`,
      (t: string) => `${t} // comment`,
      (t: string) => `${t},`,
      (t: string) => t.replace(/"/g, "'"),
      (t: string) => t.replace(/"/, ''),
      (t: string) => t.replace(/:/, '='),
      (t: string) => `[${t}`,
      (t: string) => t.replace(/\}$/, ',}'),
    )
    .map((f): TextMutation => f),
);
