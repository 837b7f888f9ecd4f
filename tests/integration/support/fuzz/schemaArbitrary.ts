import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Values drawn from a zod schema of the protocol, so every client message type (one added
 * tomorrow included) is fuzzed without a hand-written sample. Strings honour their length
 * bounds and regexes, numbers their bounds, objects their required and optional fields; a
 * refinement (a non-blank chat text, a size cap) may still refuse a draw, which only makes it
 * a malformed frame: the fuzz classifies every frame with the protocol's own parser.
 *
 * `hints` give a field, by name, a second source next to the schema (real ids of the fuzzed
 * server, near-valid RTP parameters), drawn from most of the time.
 */
export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/** Free-form strings stay short: long ones only slow the fuzz, the mutations make them long. */
const STRING_MAX = 40;
/** Arrays and records likewise. */
const ITEMS_MAX = 4;

// zod 4 keeps a schema's definition in `_zod.def`; only the parts read here are typed.
interface Check {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number | bigint;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}
interface Def {
  type: string;
  checks?: { _zod: { def: Check } }[];
  shape?: Record<string, Schema>;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  options?: Schema[];
  items?: Schema[];
  keyType?: Schema;
  valueType?: Schema;
  values?: unknown[];
  entries?: Record<string, unknown>;
  getter?: () => Schema;
}
type Schema = z.ZodType | { _zod: { def: Def } };

const defOf = (schema: Schema): Def => (schema as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): Check[] => (def.checks ?? []).map((c) => c._zod.def);

export function arbitraryOf(schema: Schema, hints: Hints = {}): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return objectOf(def.shape ?? {}, hints);
    case 'string':
      return stringOf(checksOf(def));
    case 'number':
      return numberOf(checksOf(def));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case 'union':
      return fc.oneof(...(def.options ?? []).map((o) => arbitraryOf(o, hints)));
    case 'array':
      return arrayOf(def.element!, checksOf(def), hints);
    case 'tuple':
      return fc.tuple(...(def.items ?? []).map((i) => arbitraryOf(i, hints)));
    case 'record':
      return fc
        .array(fc.tuple(arbitraryOf(def.keyType!), arbitraryOf(def.valueType!, hints)), {
          maxLength: ITEMS_MAX,
        })
        .map((entries) => Object.fromEntries(entries as [string, unknown][]));
    case 'optional':
      return fc.option(arbitraryOf(def.innerType!, hints), { nil: undefined });
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType!, hints), { nil: null });
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return arbitraryOf(def.innerType!, hints);
    case 'pipe':
      return arbitraryOf(def.in!, hints);
    case 'lazy':
      return fc.constant(null).chain(() => arbitraryOf(def.getter!(), hints));
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    default:
      // A construct this walker does not know must fail the fuzz, not shrink its coverage.
      throw new Error(`schemaArbitrary: no generator for zod type "${def.type}"`);
  }
}

function objectOf(shape: Record<string, Schema>, hints: Hints): fc.Arbitrary<unknown> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const optional = defOf(field).type === 'optional';
    const fromSchema = arbitraryOf(optional ? defOf(field).innerType! : field, hints);
    const hint = hints[key];
    model[key] = hint
      ? fc.oneof({ arbitrary: hint, weight: 3 }, { arbitrary: fromSchema, weight: 1 })
      : fromSchema;
    if (!optional) requiredKeys.push(key);
  }
  return fc.record(model, { requiredKeys });
}

function stringOf(checks: Check[]): fc.Arbitrary<string> {
  const pattern = checks.find((c) => c.check === 'string_format' && c.pattern)?.pattern;
  if (pattern) return fc.stringMatching(pattern);
  const exact = checks.find((c) => c.check === 'length_equals')?.length;
  const min =
    exact ?? Math.max(0, ...checks.map((c) => (c.check === 'min_length' ? c.minimum! : 0)));
  const max =
    exact ??
    Math.min(
      min + STRING_MAX,
      ...checks.map((c) => (c.check === 'max_length' ? c.maximum! : Infinity)),
    );
  return fc.string({ unit: 'grapheme-composite', minLength: min, maxLength: max });
}

function numberOf(checks: Check[]): fc.Arbitrary<number> {
  const integer = checks.some(
    (c) => c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32'),
  );
  let min = integer ? Number.MIN_SAFE_INTEGER : -1e9;
  let max = integer ? Number.MAX_SAFE_INTEGER : 1e9;
  for (const c of checks) {
    const v = Number(c.value);
    if (c.check === 'greater_than') min = Math.max(min, c.inclusive ? v : v + (integer ? 1 : 1e-9));
    if (c.check === 'less_than') max = Math.min(max, c.inclusive ? v : v - (integer ? 1 : 1e-9));
  }
  // Small values most of the time (they are the ones handlers act on), the bounds sometimes.
  const small = integer
    ? fc.integer({ min: Math.max(min, -1000), max: Math.max(Math.min(max, 1000), min) })
    : fc.double({ min: Math.max(min, -1000), max: Math.min(max, 1000), noNaN: true });
  const any = integer
    ? fc.integer({ min, max })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ arbitrary: small, weight: 4 }, { arbitrary: any, weight: 1 });
}

function arrayOf(element: Schema, checks: Check[], hints: Hints): fc.Arbitrary<unknown[]> {
  const minLength = Math.max(0, ...checks.map((c) => (c.check === 'min_length' ? c.minimum! : 0)));
  const maxLength = Math.min(
    minLength + ITEMS_MAX,
    ...checks.map((c) => (c.check === 'max_length' ? c.maximum! : Infinity)),
  );
  return fc.array(arbitraryOf(element, hints), { minLength, maxLength });
}

/** Every field name used anywhere in `schema`'s objects (for mutations that mix fields up). */
export function fieldNamesOf(schema: Schema, seen = new Set<string>()): Set<string> {
  const def = defOf(schema);
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    seen.add(key);
    fieldNamesOf(field, seen);
  }
  for (const inner of [def.innerType, def.in, def.element, def.valueType]) {
    if (inner) fieldNamesOf(inner, seen);
  }
  for (const option of [...(def.options ?? []), ...(def.items ?? [])]) fieldNamesOf(option, seen);
  return seen;
}
