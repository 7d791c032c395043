/**
 * The string forms of Kafka Connect's `Values` class, which SimpleHeaderConverter uses:
 * `convertToString` writes a value as text, `parseString` infers a schema and value from text.
 *
 * `convertToString` follows Kafka's `Values.append`: strings and bytes bare at the top level and
 * quoted (escaping only `\` and `"`) inside arrays, maps and structs; dates as ISO-8601 in UTC. One
 * deliberate difference: a date inside a container is quoted, so a container is always JSON.
 *
 * `parseString` handles a subset of Kafka's parser: null, booleans, integers (the smallest of
 * int8..int64 that holds them, as Kafka, then a scale-0 Decimal), other numbers as float64 (Kafka
 * infers float32 when the value fits one), ISO-8601 dates, times and timestamps, and JSON arrays and
 * objects as schemaless values. Anything else is a string.
 */
import { type Schema, type SchemaAndValue, DataError, Decimal, SchemaBuilder, Schemas, Struct } from '../../sdk/index.js';
import { schemalessToConnect } from './json-data.js';
import { bigDecimalString, javaDoubleString, javaFloatString } from './java-text.js';
import { parseJson } from './lossless-json.js';

const MILLIS_PER_DAY = 86_400_000;
const DATE_SCHEMA = SchemaBuilder.date().build();
const TIME_SCHEMA = SchemaBuilder.time().build();
const TIMESTAMP_SCHEMA = SchemaBuilder.timestamp().build();

function escapeEmbedded(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Kafka's `Values.dateFormatFor`: a time before one day, a date at midnight, else a timestamp. */
export function formatDate(d: Date): string {
  const ms = d.getTime();
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
  if (ms < MILLIS_PER_DAY) return time;
  return ms % MILLIS_PER_DAY === 0 ? day : `${day}T${time}`;
}

function numberText(n: number, schema: Schema | null | undefined): string {
  if (schema?.type === 'float32') return javaFloatString(n);
  if (schema?.type === 'float64' || !Number.isSafeInteger(n)) return javaDoubleString(n);
  return String(n);
}

function append(value: unknown, schema: Schema | null | undefined, embedded: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return numberText(value, schema);
    case 'bigint': case 'boolean':
      return String(value);
    case 'string':
      return embedded ? `"${escapeEmbedded(value)}"` : value;
  }
  if (value instanceof Uint8Array) {
    const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return embedded ? `"${b64}"` : b64;
  }
  if (value instanceof Decimal) return bigDecimalString(value);
  if (value instanceof Date) return embedded ? `"${formatDate(value)}"` : formatDate(value);
  if (Array.isArray(value)) return `[${value.map((v) => append(v, schema?.valueSchema, true)).join(',')}]`;
  if (value instanceof Map) {
    const parts = [...(value as Map<unknown, unknown>)].map(([k, v]) => `${append(k, schema?.keySchema, true)}:${append(v, schema?.valueSchema, true)}`);
    return `{${parts.join(',')}}`;
  }
  if (value instanceof Struct) {
    const parts = value.schema.fields!.map((f) => `"${escapeEmbedded(f.name)}":${append(value.get(f.name), f.schema, true)}`);
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `"${escapeEmbedded(k)}":${append(v, null, true)}`).join(',')}}`;
  }
  throw new DataError(`Failed to serialize unexpected value type ${typeof value}: ${String(value)}`);
}

/** Kafka's `Values.convertToString`. */
export function convertToString(schema: Schema | null, value: unknown): string {
  return append(value, schema, false);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function utcMillis(y: string, mo: string, d: string, h = '0', mi = '0', s = '0', ms = '0'): number | undefined {
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  const back = new Date(t);
  // Reject out-of-range parts (Date.UTC would roll 2024-02-30 over into March).
  const ok = back.getUTCFullYear() === Number(y) && back.getUTCMonth() === Number(mo) - 1 && back.getUTCDate() === Number(d) &&
    back.getUTCHours() === Number(h) && back.getUTCMinutes() === Number(mi) && back.getUTCSeconds() === Number(s);
  return ok ? t : undefined;
}

function parseTemporal(text: string): SchemaAndValue | undefined {
  let m = TIMESTAMP_RE.exec(text);
  if (m) {
    const t = utcMillis(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6], m[7]);
    return t === undefined ? undefined : { schema: TIMESTAMP_SCHEMA, value: new Date(t) };
  }
  m = DATE_RE.exec(text);
  if (m) {
    const t = utcMillis(m[1]!, m[2]!, m[3]!);
    return t === undefined ? undefined : { schema: DATE_SCHEMA, value: new Date(t) };
  }
  m = TIME_RE.exec(text);
  if (m) {
    const t = utcMillis('1970', '01', '01', m[1], m[2], m[3], m[4]);
    return t === undefined ? undefined : { schema: TIME_SCHEMA, value: new Date(t) };
  }
  return undefined;
}

const INT_SCHEMAS: readonly [bigint, bigint, Schema][] = [
  [-128n, 127n, Schemas.INT8],
  [-32768n, 32767n, Schemas.INT16],
  [-2147483648n, 2147483647n, Schemas.INT32],
  [-(2n ** 63n), 2n ** 63n - 1n, Schemas.INT64],
];

function parseNumber(token: string): SchemaAndValue {
  let d: Decimal;
  try {
    d = Decimal.parse(token);
  } catch {
    // More digits than a Decimal holds here (an exponent like 1e999999999): a double if one fits, else the text.
    const f = Number(token);
    return Number.isFinite(f) ? { schema: Schemas.FLOAT64, value: f } : { schema: Schemas.STRING, value: token };
  }
  const integral = d.withScale(0);
  if (integral) {
    const v = integral.unscaled;
    for (const [lo, hi, schema] of INT_SCHEMAS) {
      if (v >= lo && v <= hi) return { schema, value: v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v };
    }
    return { schema: SchemaBuilder.decimal(0).build(), value: integral };
  }
  const f = Number(token);
  if (Number.isFinite(f)) return { schema: Schemas.FLOAT64, value: f };
  return { schema: SchemaBuilder.decimal(d.scale).build(), value: d };
}

/** Kafka's `Values.parseString`, for the subset described above. */
export function parseString(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  if (text === 'null') return { schema: null, value: null };
  if (text === 'true' || text === 'false') return { schema: Schemas.BOOLEAN, value: text === 'true' };
  const trimmed = text.trim();
  const first = trimmed.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) {
    const temporal = parseTemporal(trimmed);
    if (temporal) return temporal;
  }
  if (NUMBER_RE.test(trimmed) && trimmed[0] !== '.') return parseNumber(trimmed);
  if (first === 0x5b || first === 0x7b) {
    try {
      return { schema: null, value: schemalessToConnect(parseJson(trimmed, { allowControlChars: true })) };
    } catch {
      // not JSON: a string
    }
  }
  return { schema: Schemas.STRING, value: text };
}
