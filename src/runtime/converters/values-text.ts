/**
 * The string form of Kafka Connect's `Values` class, which SimpleHeaderConverter writes headers
 * with (reading them back is the SDK's `parseString`).
 *
 * `convertToString` follows Kafka's `Values.append`: strings and bytes bare at the top level and
 * quoted (escaping only `\` and `"`) inside arrays, maps and structs; dates as ISO-8601 in UTC. One
 * deliberate difference: a date inside a container is quoted, so a container is always JSON.
 */
import { type Schema, DataError, Decimal, Struct } from '../../sdk/index.js';
import { bigDecimalString, javaDoubleString, javaFloatString } from './java-text.js';

const MILLIS_PER_DAY = 86_400_000;

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
