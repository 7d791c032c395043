/**
 * Compiled Connect → JSON writers: the text `toJson` (json-data.ts) produces, from a tree of
 * closures built once per schema instead of a walk that re-dispatches on every value.
 *
 * A writer only ever returns what `toJson` would return. Whenever it is not sure (a value that does
 * not match the schema, a null in a required field, a scale that cannot be rescaled, an unusual
 * shape such as a sparse array) it throws, and `fastJson` answers undefined so the caller runs
 * `toJson`, which then produces its usual result or error, path and message included. Any other
 * exception on the compiled path is treated the same way.
 *
 * Writers are cached per Schema object; this relies on schemas being immutable once built
 * (`SchemaBuilder.build` freezes them). Schemas that are not frozen are never compiled.
 */
import { type Schema, Decimal, INT64_MAX, INT64_MIN, LOGICAL, Struct } from '../../sdk/index.js';
import { bigDecimalString, javaDoubleString, javaFloatString, quoteJson, toTwosComplement } from './java-text.js';
import { type JsonDataOptions, decimalScale } from './json-data.js';
import { schemasEqual } from './schema-equality.js';
import { Where } from './where.js';

/** Writes a value (null or undefined included) under one schema; throws when unsure. */
type Write = (value: unknown) => string;

/** Thrown to abandon the compiled path; never seen outside this module. */
const UNSURE = Object.freeze(new Error('json-writer: unsure, use toJson'));
const unsure = (): never => {
  throw UNSURE;
};

const MILLIS_PER_DAY = 86_400_000;
const INT_RANGE = { int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] } as const;
/** A compile deeper than this is a cyclic (hand-made) schema; it is left to `toJson`. */
const MAX_DEPTH = 200;

/** One cache per combination of options (decimal format × replace.null.with.default). */
const caches = [new WeakMap<Schema, Write>(), new WeakMap<Schema, Write>(), new WeakMap<Schema, Write>(), new WeakMap<Schema, Write>()];

/** `toJson(schema, value, o, …)` when the compiled writer is sure of it, else undefined. */
export function fastJson(schema: Schema, value: unknown, o: JsonDataOptions): string | undefined {
  try {
    return writerFor(schema, o, 0)(value);
  } catch {
    return undefined;
  }
}

function writerFor(schema: Schema, o: JsonDataOptions, depth: number): Write {
  const cache = caches[(o.decimalFormat === 'NUMERIC' ? 1 : 0) + (o.replaceNullWithDefault ? 2 : 0)]!;
  let w = cache.get(schema);
  if (w === undefined) {
    if (!Object.isFrozen(schema) || depth > MAX_DEPTH) return unsure;
    w = compile(schema, o, depth);
    cache.set(schema, w);
  }
  return w;
}

function compile(schema: Schema, o: JsonDataOptions, depth: number): Write {
  // What toJson does for a null: the default (when replacing), 'null' when optional, else an error.
  const useDefault = o.replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null;
  const nullText = schema.optional ? 'null' : undefined;
  const other = (v: unknown): string => {
    if (v !== null && v !== undefined) return unsure();
    if (useDefault) return w(schema.defaultValue);
    return nullText ?? unsure();
  };
  const w = compileValue(schema, o, depth, other);
  return w;
}

/** The writer of non-null values; `other` handles null, undefined and anything unexpected. */
function compileValue(schema: Schema, o: JsonDataOptions, depth: number, other: Write): Write {
  switch (schema.name) {
    case LOGICAL.DECIMAL:
      return decimalWriter(schema, o, other);
    case LOGICAL.DATE:
      return (v) => {
        if (!(v instanceof Date)) return other(v);
        const ms = v.getTime();
        return ms % MILLIS_PER_DAY === 0 ? String(ms / MILLIS_PER_DAY) : unsure(); // NaN fails too
      };
    case LOGICAL.TIME:
      return (v) => {
        if (!(v instanceof Date)) return other(v);
        const ms = v.getTime();
        return ms >= 0 && ms <= MILLIS_PER_DAY ? String(ms) : unsure();
      };
    case LOGICAL.TIMESTAMP:
      return (v) => {
        if (!(v instanceof Date)) return other(v);
        const ms = v.getTime();
        return Number.isNaN(ms) ? unsure() : String(ms);
      };
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': {
      const [lo, hi] = INT_RANGE[schema.type];
      return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? String(v) : other(v));
    }
    case 'int64':
      return (v) => {
        if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : unsure();
        if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? v.toString() : unsure();
        return other(v);
      };
    case 'float32':
      return (v) => {
        if (typeof v !== 'number') return other(v);
        if (!Number.isFinite(v)) return `"${javaFloatString(v)}"`;
        return Number.isFinite(Math.fround(v)) ? javaFloatString(v) : unsure();
      };
    case 'float64':
      return (v) => {
        if (typeof v !== 'number') return other(v);
        // Java prints integers below 10^7 in plain notation with one fraction digit (-0 is '-0.0').
        if (Number.isInteger(v) && v < 1e7 && v > -1e7 && !Object.is(v, -0)) return `${v}.0`;
        return Number.isFinite(v) ? javaDoubleString(v) : `"${javaDoubleString(v)}"`;
      };
    case 'boolean':
      return (v) => (v === true ? 'true' : v === false ? 'false' : other(v));
    case 'string':
      return (v) => (typeof v === 'string' ? quoteJson(v) : other(v));
    case 'bytes':
      return (v) => (Buffer.isBuffer(v) ? `"${v.toString('base64')}"` : other(v));
    case 'array':
      return arrayWriter(schema, o, depth, other);
    case 'map':
      return mapWriter(schema, o, depth, other);
    case 'struct':
      return structWriter(schema, o, depth, other);
    default:
      return unsure;
  }
}

function decimalWriter(schema: Schema, o: JsonDataOptions, other: Write): Write {
  let scale: number;
  try {
    scale = decimalScale(schema, Where.root('', 'value'));
  } catch {
    return unsure;
  }
  const numeric = o.decimalFormat === 'NUMERIC';
  return (v) => {
    if (!(v instanceof Decimal)) return other(v);
    const d = v.withScale(scale) ?? unsure();
    return numeric ? bigDecimalString(d) : `"${twosComplementBase64(d.unscaled)}"`;
  };
}

function arrayWriter(schema: Schema, o: JsonDataOptions, depth: number, other: Write): Write {
  if (!schema.valueSchema) return unsure;
  const item = writerFor(schema.valueSchema, o, depth + 1);
  return (v) => {
    if (!Array.isArray(v)) return other(v);
    if (Object.getPrototypeOf(v) !== Array.prototype) return unsure();
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // toJson's Array#map keeps holes, and join writes them as nothing.
      if (x === undefined && !(i in v)) return unsure();
      s += i === 0 ? item(x) : `,${item(x)}`;
    }
    return `${s}]`;
  };
}

function mapWriter(schema: Schema, o: JsonDataOptions, depth: number, other: Write): Write {
  if (!schema.keySchema || !schema.valueSchema) return unsure;
  const key = writerFor(schema.keySchema, o, depth + 1);
  const value = writerFor(schema.valueSchema, o, depth + 1);
  const asObject = schema.keySchema.type === 'string';
  return (v) => {
    if (!(v instanceof Map)) return other(v);
    if (Object.getPrototypeOf(v) !== Map.prototype) return unsure();
    let s = asObject ? '{' : '[';
    let first = true;
    for (const [k, x] of v as Map<unknown, unknown>) {
      if (!first) s += ',';
      first = false;
      const kText = key(k);
      // A null key of an optional string schema becomes the name "null", as Jackson's asText().
      if (asObject) s += `${kText === 'null' ? '"null"' : kText}:${value(x)}`;
      else s += `[${kText},${value(x)}]`;
    }
    return s + (asObject ? '}' : ']');
  };
}

function structWriter(schema: Schema, o: JsonDataOptions, depth: number, other: Write): Write {
  const fields = schema.fields;
  // toJson reads each field by name; by index is the same only while names are unique.
  if (!fields || new Set(fields.map((f) => f.name)).size !== fields.length) return unsure;
  const n = fields.length;
  const keys = fields.map((f, i) => `${i === 0 ? '' : ','}${quoteJson(f.name)}:`);
  const indexes = fields.map((f) => f.index);
  const writers = fields.map((f) => writerFor(f.schema, o, depth + 1));
  return (v) => {
    if (!(v instanceof Struct)) return other(v);
    if (v.schema !== schema && !schemasEqual(v.schema, schema)) return unsure();
    let s = '{';
    for (let i = 0; i < n; i++) s += keys[i]! + writers[i]!(v.valueAt(indexes[i]!));
    return `${s}}`;
  };
}

// ---------------------------------------------------------------- text helpers

function twosComplementBase64(u: bigint): string {
  return toTwosComplement(u).toString('base64');
}
