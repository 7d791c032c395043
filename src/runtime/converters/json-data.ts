/**
 * Connect values ⇄ JSON text, with and without a schema, as Kafka Connect's JsonConverter encodes
 * them (`convertToJson` / `convertToConnect`). Output is produced directly as text in Jackson's
 * layout; input is the lossless tree of `lossless-json.ts`, so int64 and decimals stay exact.
 *
 * Unlike Kafka, input is checked strictly against the schema (Jackson would read `"x"` in an int32
 * field as 0, or `12.5` as 12); every failure is a DataError naming the field path and topic.
 */
import { type Schema, Decimal, INT64_MAX, INT64_MIN, LOGICAL, MAX_DECIMAL_SCALE, Struct, validateValue } from '../../sdk/index.js';
import {
  bigDecimalString,
  decodeBase64,
  fromTwosComplement,
  javaDoubleString,
  javaFloatString,
  quoteJson,
  toTwosComplement,
} from './java-text.js';
import { type JsonValue, JsonNumber, JsonObject, nodeType } from './lossless-json.js';
import { schemasEqual } from './schema-equality.js';
import type { Where } from './where.js';

export type DecimalFormat = 'BASE64' | 'NUMERIC';

export interface JsonDataOptions {
  readonly decimalFormat: DecimalFormat;
  readonly replaceNullWithDefault: boolean;
}

const MILLIS_PER_DAY = 86_400_000;
/** The largest |ms| a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;
const INT_BOUNDS = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [INT64_MIN, INT64_MAX],
} as const;

function hasDefault(schema: Schema): boolean {
  return schema.defaultValue !== undefined && schema.defaultValue !== null;
}

// ---------------------------------------------------------------- Connect → JSON

/** The JSON text of `value` under `schema` (null schema: schemaless). */
export function toJson(schema: Schema | null, value: unknown, o: JsonDataOptions, at: Where): string {
  if (value === null || value === undefined) {
    if (schema === null) return 'null';
    if (hasDefault(schema) && o.replaceNullWithDefault) return toJson(schema, schema.defaultValue, o, at);
    if (schema.optional) return 'null';
    throw at.fail('Conversion error: null value for field that is required and has no default value');
  }
  if (schema === null) return schemalessToJson(value, o, at);
  try {
    validateValue(schema, value);
  } catch {
    validateValue(schema, value, at.describe()); // the same check again, now with the path in the message
  }
  switch (schema.name) {
    case LOGICAL.DECIMAL: {
      const scale = decimalScale(schema, at);
      const d = (value as Decimal).withScale(scale);
      if (!d) {
        throw at.fail(`Decimal value has mismatching scale for given Decimal schema. Schema has scale ${scale}, value has scale ${(value as Decimal).scale}.`);
      }
      return o.decimalFormat === 'NUMERIC' ? bigDecimalString(d) : `"${toTwosComplement(d.unscaled).toString('base64')}"`;
    }
    case LOGICAL.DATE: {
      const ms = dateMillis(value as Date, at);
      if (ms % MILLIS_PER_DAY !== 0) throw at.fail('Kafka Connect Date type should not have any time fields set to non-zero values.');
      return String(ms / MILLIS_PER_DAY);
    }
    case LOGICAL.TIME: {
      const ms = dateMillis(value as Date, at);
      if (ms < 0 || ms > MILLIS_PER_DAY) throw at.fail('Kafka Connect Time type should not have any date fields set to non-zero values.');
      return String(ms);
    }
    case LOGICAL.TIMESTAMP:
      return String(dateMillis(value as Date, at));
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      return String(value as number | bigint);
    case 'float32': {
      const f = value as number;
      if (Number.isFinite(f) && !Number.isFinite(Math.fround(f))) throw at.fail(`${f} is out of the range of float32`);
      return Number.isFinite(f) ? javaFloatString(f) : `"${javaFloatString(f)}"`;
    }
    case 'float64': {
      const d = value as number;
      // Jackson quotes non-finite numbers (QUOTE_NON_NUMERIC_NUMBERS).
      return Number.isFinite(d) ? javaDoubleString(d) : `"${javaDoubleString(d)}"`;
    }
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return quoteJson(value as string);
    case 'bytes':
      return `"${(value as Buffer).toString('base64')}"`;
    case 'array': {
      const items = childSchema(schema.valueSchema, 'Array', at);
      return `[${(value as unknown[]).map((v, i) => toJson(items, v, o, at.index(i))).join(',')}]`;
    }
    case 'map': {
      const keys = childSchema(schema.keySchema, 'Map key', at);
      const values = childSchema(schema.valueSchema, 'Map value', at);
      const parts: string[] = [];
      if (keys.type === 'string') {
        for (const [k, v] of value as Map<unknown, unknown>) {
          const key = toJson(keys, k, o, at.mapKey(k));
          // A null key of an optional string schema becomes the name "null", as Jackson's asText().
          parts.push(`${key === 'null' ? '"null"' : key}:${toJson(values, v, o, at.mapValue(k))}`);
        }
        return `{${parts.join(',')}}`;
      }
      for (const [k, v] of value as Map<unknown, unknown>) parts.push(`[${toJson(keys, k, o, at.mapKey(k))},${toJson(values, v, o, at.mapValue(k))}]`);
      return `[${parts.join(',')}]`;
    }
    case 'struct': {
      const struct = value as Struct;
      if (!schemasEqual(struct.schema, schema)) throw at.fail('Mismatching schema.');
      const parts = schema.fields!.map((f) => `${quoteJson(f.name)}:${toJson(f.schema, struct.getWithoutDefault(f.name), o, at.field(f.name))}`);
      return `{${parts.join(',')}}`;
    }
  }
}

function childSchema(s: Schema | undefined, what: string, at: Where): Schema {
  if (!s) throw at.fail(`${what} schema is missing`);
  return s;
}

function dateMillis(d: Date, at: Where): number {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw at.fail('Invalid Date');
  return ms;
}

export function decimalScale(schema: Schema, at: Where): number {
  const text = schema.parameters?.[LOGICAL.DECIMAL_SCALE];
  if (text === undefined) throw at.fail('Invalid Decimal schema: scale parameter not found.');
  if (!/^[+-]?\d+$/.test(text.trim()) || Number(text) > 2147483647) throw at.fail(`Invalid scale parameter found in Decimal schema: ${text}`);
  const scale = Number(text);
  // Negative scales are Java's too (a header read as 1E+400 is Decimal(1, -400)); beyond the bound, refused unexpanded.
  if (Math.abs(scale) > MAX_DECIMAL_SCALE) throw at.fail(`Decimal schemas with a scale beyond ±${MAX_DECIMAL_SCALE} (${scale}) are not supported`);
  return scale;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Schemaless values: what Kafka writes for Java values without a schema, extended to the JS forms
 * (plain objects as JSON objects, Struct with its own schema, Decimal as a JSON number, Date as
 * epoch milliseconds) where Kafka would fail.
 */
function schemalessToJson(value: unknown, o: JsonDataOptions, at: Where): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isSafeInteger(value)) return String(value);
      return Number.isFinite(value) ? javaDoubleString(value) : `"${javaDoubleString(value)}"`;
    case 'bigint':
      return value.toString();
    case 'string':
      return quoteJson(value);
    case 'object': {
      if (value instanceof Uint8Array) return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`;
      if (value instanceof Decimal) return bigDecimalString(value);
      if (value instanceof Date) return String(dateMillis(value, at));
      if (value instanceof Struct) return toJson(value.schema, value, o, at);
      if (Array.isArray(value)) return `[${value.map((v, i) => schemalessToJson(v, o, at.index(i))).join(',')}]`;
      if (value instanceof Map) {
        const entries = [...(value as Map<unknown, unknown>)];
        if (entries.every(([k]) => typeof k === 'string')) {
          return `{${entries.map(([k, v]) => `${quoteJson(k as string)}:${schemalessToJson(v, o, at.mapValue(k))}`).join(',')}}`;
        }
        return `[${entries.map(([k, v]) => `[${schemalessToJson(k, o, at.mapKey(k))},${schemalessToJson(v, o, at.mapValue(k))}]`).join(',')}]`;
      }
      if (isPlainObject(value)) {
        const parts: string[] = [];
        for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${quoteJson(k)}:${schemalessToJson(v, o, at.field(k))}`);
        return `{${parts.join(',')}}`;
      }
      throw at.fail(`${value.constructor?.name ?? 'object'} does not have a corresponding schema type`);
    }
    default:
      throw at.fail(`a ${typeof value} does not have a corresponding schema type`);
  }
}

// ---------------------------------------------------------------- JSON → Connect

/** The Connect value of a JSON node under `schema` (null schema: schemaless). */
export function toConnect(schema: Schema | null, node: JsonValue | undefined, o: JsonDataOptions, at: Where): unknown {
  if (schema === null) return schemalessToConnect(node);
  if (node === undefined || node === null) {
    // Any logical conversion of the default was applied when the schema was read.
    if (hasDefault(schema) && o.replaceNullWithDefault) return schema.defaultValue;
    if (schema.optional) return null;
    throw at.fail(`Invalid null value for required ${schema.type.toUpperCase()} field`);
  }
  switch (schema.name) {
    case LOGICAL.DECIMAL:
      return decimalToConnect(schema, node, at);
    case LOGICAL.DATE: {
      const days = intNode(node, 'int32', at, 'Invalid type for Date, underlying representation should be integer but was');
      return toDate(days * MILLIS_PER_DAY, at);
    }
    case LOGICAL.TIME: {
      const ms = intNode(node, 'int32', at, 'Invalid type for Time, underlying representation should be integer but was');
      if (ms < 0 || ms > MILLIS_PER_DAY) throw at.fail('Time values must use number of milliseconds greater than 0 and less than 86400000');
      return new Date(ms);
    }
    case LOGICAL.TIMESTAMP:
      return toDate(Number(intNode(node, 'int64', at, 'Invalid type for Timestamp, underlying representation should be integral but was')), at);
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      return intNode(node, schema.type, at, `Invalid value for ${schema.type.toUpperCase()} field: expected an integer but was`);
    case 'float32': case 'float64': {
      let d: number;
      if (node instanceof JsonNumber) d = Number(node.raw);
      else if (node === 'NaN' || node === 'Infinity' || node === '-Infinity') d = Number(node);
      else throw at.fail(`Invalid value for ${schema.type.toUpperCase()} field: expected a number but was ${nodeType(node)}`);
      return schema.type === 'float32' ? Math.fround(d) : d;
    }
    case 'boolean':
      if (typeof node !== 'boolean') throw at.fail(`Invalid value for BOOLEAN field: expected a boolean but was ${nodeType(node)}`);
      return node;
    case 'string':
      if (typeof node !== 'string') throw at.fail(`Invalid value for STRING field: expected a string but was ${nodeType(node)}`);
      return node;
    case 'bytes': {
      const b = typeof node === 'string' ? decodeBase64(node) : undefined;
      if (!b) throw at.fail(`Invalid bytes field: expected base64 text but was ${typeof node === 'string' ? 'other text' : nodeType(node)}`);
      return b;
    }
    case 'array': {
      if (!Array.isArray(node)) throw at.fail(`Arrays should be encoded as JSON arrays, but found ${nodeType(node)}`);
      const items = childSchema(schema.valueSchema, 'Array', at);
      return node.map((v, i) => toConnect(items, v, o, at.index(i)));
    }
    case 'map':
      return mapToConnect(schema, node, o, at);
    case 'struct': {
      if (!(node instanceof JsonObject)) throw at.fail(`Structs should be encoded as JSON objects, but found ${nodeType(node)}`);
      const struct = new Struct(schema);
      for (const f of schema.fields!) struct.put(f.name, toConnect(f.schema, node.get(f.name), o, at.field(f.name)));
      return struct;
    }
  }
}

function mapToConnect(schema: Schema, node: JsonValue, o: JsonDataOptions, at: Where): Map<unknown, unknown> {
  const keys = childSchema(schema.keySchema, 'Map key', at);
  const values = childSchema(schema.valueSchema, 'Map value', at);
  const out = new Map<unknown, unknown>();
  if (keys.type === 'string') {
    if (!(node instanceof JsonObject)) throw at.fail(`Maps with string fields should be encoded as JSON objects, but found ${nodeType(node)}`);
    for (const [k, v] of node.members) out.set(toConnect(keys, k, o, at.mapKey(k)), toConnect(values, v, o, at.mapValue(k)));
    return out;
  }
  if (!Array.isArray(node)) throw at.fail(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeType(node)}`);
  for (const [i, entry] of node.entries()) {
    if (!Array.isArray(entry)) throw at.index(i).fail(`Found invalid map entry instead of array tuple: ${nodeType(entry)}`);
    if (entry.length !== 2) throw at.index(i).fail(`Found invalid map entry, expected length 2 but found :${entry.length}`);
    const k = toConnect(keys, entry[0], o, at.index(i));
    out.set(k, toConnect(values, entry[1], o, at.mapValue(k)));
  }
  return out;
}

function decimalToConnect(schema: Schema, node: JsonValue, at: Where): Decimal {
  const scale = decimalScale(schema, at);
  if (node instanceof JsonNumber) {
    const d = decimalOf(node, at).withScale(scale);
    if (!d) throw at.fail(`Decimal value ${node.raw} has more fraction digits than the schema's scale ${scale}`);
    return d;
  }
  if (typeof node === 'string') {
    const b = decodeBase64(node);
    if (!b || b.length === 0) throw at.fail('Invalid bytes for Decimal field');
    return new Decimal(fromTwosComplement(b), scale);
  }
  throw at.fail(`Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeType(node)}`);
}

/** An integer node within the type's range: a number, or a bigint for int64 beyond 2^53. */
function intNode(node: JsonValue, type: 'int8' | 'int16' | 'int32', at: Where, wrongType: string): number;
function intNode(node: JsonValue, type: keyof typeof INT_BOUNDS, at: Where, wrongType: string): number | bigint;
function intNode(node: JsonValue, type: keyof typeof INT_BOUNDS, at: Where, wrongType: string): number | bigint {
  if (!(node instanceof JsonNumber)) throw at.fail(`${wrongType} ${nodeType(node)}`);
  let v: bigint;
  if (node.integral) v = node.toBigInt();
  else {
    const d = decimalOf(node, at);
    const whole = d.withScale(0);
    if (!whole) throw at.fail(`${wrongType} a number with a fraction (${node.raw})`);
    v = whole.unscaled;
  }
  const [lo, hi] = INT_BOUNDS[type];
  if (v < lo || v > hi) throw at.fail(`${node.raw} is out of the range of ${type}`);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** The exact value of a number token; the failure names the path when it has too many digits to hold. */
function decimalOf(node: JsonNumber, at: Where): Decimal {
  try {
    return Decimal.parse(node.raw);
  } catch (err) {
    throw at.fail((err as Error).message);
  }
}

function toDate(ms: number, at: Where): Date {
  if (Math.abs(ms) > MAX_DATE_MS) throw at.fail(`${ms} ms since the epoch is outside the range of a JavaScript Date`);
  return new Date(ms);
}

/** Schemaless JSON → plain JS values; integers beyond 2^53 become bigint. */
export function schemalessToConnect(node: JsonValue | undefined): unknown {
  if (node === undefined || node === null || typeof node !== 'object') return node ?? null;
  if (node instanceof JsonNumber) {
    if (!node.integral) return Number(node.raw);
    if (node.raw.length <= 15) return Number(node.raw);
    const v = node.toBigInt();
    return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }
  if (Array.isArray(node)) return node.map(schemalessToConnect);
  const out: Record<string, unknown> = {};
  for (const [k, v] of node.members) {
    if (k === '__proto__') Object.defineProperty(out, k, { value: schemalessToConnect(v), enumerable: true, writable: true, configurable: true });
    else out[k] = schemalessToConnect(v);
  }
  return out;
}
