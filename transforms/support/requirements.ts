/**
 * Kafka Connect's `Requirements`: the checks a transformation makes on the value it works on, with
 * the same messages, thrown as `DataError` (so error tolerance and the dead letter queue apply).
 */
import { DataError, Struct, type ConnectRecord, type Schema, type SinkRecord } from '../../src/sdk/index.js';

/** A schemaless record's struct-like value: a plain object. */
export type PlainObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is PlainObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function className(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Struct) return 'Struct';
  if (v instanceof Map) return 'Map';
  if (Buffer.isBuffer(v)) return 'bytes';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

export function requireSchema(schema: Schema | null, purpose: string): Schema {
  if (schema === null) throw new DataError(`Schema required for [${purpose}]`);
  return schema;
}

export function requireStruct(value: unknown, purpose: string): Struct {
  if (!(value instanceof Struct)) throw new DataError(`Only Struct objects supported for [${purpose}], found: ${className(value)}`);
  return value;
}

/** Schemaless records carry maps as plain objects (a `Map` is accepted too and read as one). */
export function requireMap(value: unknown, purpose: string): PlainObject {
  if (value instanceof Map) {
    const out: PlainObject = {};
    for (const [k, v] of value) out[String(k)] = v;
    return out;
  }
  if (!isPlainObject(value)) throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${className(value)}`);
  return value;
}

export function requireStructOrNull(value: unknown, purpose: string): Struct | null {
  return value === null || value === undefined ? null : requireStruct(value, purpose);
}

export function requireMapOrNull(value: unknown, purpose: string): PlainObject | null {
  return value === null || value === undefined ? null : requireMap(value, purpose);
}

export function requireSinkRecord(record: ConnectRecord, purpose: string): SinkRecord {
  if (typeof (record as Partial<SinkRecord>).kafkaOffset !== 'number') throw new DataError(`Only SinkRecord supported for [${purpose}], found: SourceRecord`);
  return record as SinkRecord;
}
