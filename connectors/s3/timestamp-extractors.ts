/**
 * Where a record's time comes from for time-based partitioning and `rotate.interval.ms`: Confluent's
 * `TimeBasedPartitioner$WallclockTimestampExtractor`, `$RecordTimestampExtractor` and
 * `$RecordFieldTimestampExtractor`, selected by `timestamp.extractor`.
 */
import { DataError, LOGICAL, Struct, type Schema, type SinkRecord } from '../../src/sdk/index.js';
import type { S3SinkSettings } from './s3-config.js';

/**
 * Gives the time (ms since the epoch) a record is filed under. Called once per record by the
 * writer, on the task's thread; must not keep the record. Throws DataError naming the record when
 * the time cannot be determined.
 *
 * @example
 * ```ts
 * const ex = new RecordFieldTimestampExtractor('meta.created_at');
 * ex.extract(record); // 1706659200000
 * ```
 */
export interface TimestampExtractor {
  extract(record: SinkRecord): number;
}

/** Names the record in error messages (topic, partition, offset). */
export function describeRecord(r: SinkRecord): string {
  return `topic ${r.topic} partition ${r.kafkaPartition} offset ${r.kafkaOffset}`;
}

/**
 * Processing time: the injected clock, whatever the record holds. Not deterministic, so files are
 * not reproducible after a restart (Confluent's default, kept for compatibility). The writer may
 * pass a clock fixed for a batch, as Confluent passes one `now` per batch.
 */
export class WallclockTimestampExtractor implements TimestampExtractor {
  constructor(private readonly clock: () => number) {}

  extract(): number {
    return this.clock();
  }
}

/** The Kafka record timestamp (CreateTime or LogAppendTime); a record without one is a DataError. */
export class RecordTimestampExtractor implements TimestampExtractor {
  extract(record: SinkRecord): number {
    if (record.timestamp === null || record.timestamp === undefined) {
      throw new DataError(`Unable to determine timestamp using timestamp.extractor Record for record at ${describeRecord(record)}: the record has no timestamp`);
    }
    return record.timestamp;
  }
}

/** Confluent's pattern for a string that is a number of ms rather than an ISO-8601 date. */
const NUMERIC_TIMESTAMP = /^-?[0-9]{1,19}$/;

/**
 * A field of the record value, `a.b` for nested fields, in a Struct (by its schema: int32/int64 as
 * ms, Connect Timestamp or Date, string) or in a schemaless object or Map (number, string, Date).
 * Strings are ms when they match `-?[0-9]{1,19}`, else ISO-8601 (Joda's `dateTimeParser`:
 * `yyyy[-MM[-dd]]` or `yyyy-DDD`, then optionally `T` and `HH[:mm[:ss[.fff]]]`, then `Z` or
 * `±HH[:mm]`); a string without an offset is read as UTC (Confluent uses the JVM's zone).
 */
export class RecordFieldTimestampExtractor implements TimestampExtractor {
  private readonly path: readonly string[];

  constructor(readonly fieldName: string) {
    this.path = fieldName.split('.');
  }

  extract(record: SinkRecord): number {
    const value = record.value;
    const fail = (why: string): never => {
      throw new DataError(`Error extracting timestamp from record field ${this.fieldName} at ${describeRecord(record)}: ${why}`);
    };
    if (value instanceof Struct) {
      const { value: v, schema } = nestedStructField(value, this.path, fail);
      if (v === null || v === undefined) fail('the field is null');
      if (schema.name === LOGICAL.TIMESTAMP || schema.name === LOGICAL.DATE) {
        if (v instanceof Date) return v.getTime();
        fail(`a ${schema.name} field holds ${typeof v}`);
      }
      switch (schema.type) {
        case 'int32':
        case 'int64':
          return toMillis(v, fail);
        case 'string':
          return parseTimestampText(String(v), fail);
        default:
          return fail(`unsupported type ${schema.type} for a timestamp field (use int32, int64, string or Timestamp)`);
      }
    }
    if (isObjectLike(value)) {
      let v: unknown = value;
      for (const name of this.path) {
        v = isObjectLike(v) ? childOf(v, name) : undefined;
        if (v === undefined || v === null) fail(`the field '${name}' does not exist or is null`);
      }
      if (typeof v === 'number' || typeof v === 'bigint') return toMillis(v, fail);
      if (typeof v === 'string') return parseTimestampText(v, fail);
      if (v instanceof Date) return v.getTime();
      return fail(`unsupported value type ${Array.isArray(v) ? 'array' : typeof v} for a timestamp field`);
    }
    return fail(value === null ? 'the value is null (a tombstone)' : 'the value is not a Struct or a map');
  }
}

/**
 * Tombstones (null values) take the Kafka timestamp, other records `delegate`'s time (Confluent's
 * `TombstoneTimestampExtractor`, used with `behavior.on.null.values=write`).
 */
export class TombstoneTimestampExtractor implements TimestampExtractor {
  private readonly record = new RecordTimestampExtractor();

  constructor(private readonly delegate: TimestampExtractor) {}

  extract(record: SinkRecord): number {
    return record.value === null ? this.record.extract(record) : this.delegate.extract(record);
  }
}

/**
 * The extractor `timestamp.extractor` names, wrapped for tombstones when
 * `behavior.on.null.values=write`. `clock` is the Wallclock extractor's time source.
 */
export function createTimestampExtractor(settings: S3SinkSettings, clock: () => number): TimestampExtractor {
  let ex: TimestampExtractor;
  switch (settings.timestampExtractor) {
    case 'Wallclock':
      ex = new WallclockTimestampExtractor(clock);
      break;
    case 'Record':
      ex = new RecordTimestampExtractor();
      break;
    case 'RecordField':
      ex = new RecordFieldTimestampExtractor(settings.timestampField);
      break;
  }
  return settings.nullValues === 'write' ? new TombstoneTimestampExtractor(ex) : ex;
}

type Fail = (why: string) => never;

function isObjectLike(v: unknown): v is Record<string, unknown> | Map<unknown, unknown> {
  return v instanceof Map || (typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date) && !(v instanceof Struct));
}

function childOf(v: Record<string, unknown> | Map<unknown, unknown>, name: string): unknown {
  if (v instanceof Map) return v.get(name);
  return Object.prototype.hasOwnProperty.call(v, name) ? v[name] : undefined;
}

/**
 * The value and schema of a nested field of a Struct, walking `path` through struct fields (with
 * defaults applied, as Connect's `Struct.get`). The value is null when it or a struct on the way is
 * null; `fail` is called when a segment is not a field of its schema.
 */
export function nestedStructField(struct: Struct, path: readonly string[], fail: Fail): { value: unknown; schema: Schema } {
  let schema: Schema = struct.schema;
  let value: unknown = struct;
  for (const name of path) {
    const field = schema.type === 'struct' ? schema.fields!.find((f) => f.name === name) : undefined;
    if (!field) return fail(`'${name}' is not a field of ${schema.name ?? `the ${schema.type} schema`}`);
    value = value instanceof Struct ? value.get(name) : null;
    schema = field.schema;
  }
  return { value, schema };
}

function toMillis(v: unknown, fail: Fail): number {
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) fail(`${v} ms is out of range`);
    return n;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`${String(v)} is not a number of ms`);
  return Math.trunc(v);
}

const ISO = /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2}))?|-(\d{3}))?(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A string timestamp: ms digits, or ISO-8601 as described on RecordFieldTimestampExtractor. */
export function parseTimestampText(text: string, fail: Fail): number {
  const s = text.trim();
  if (NUMERIC_TIMESTAMP.test(s)) {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) fail(`${s} ms is out of range`);
    return n;
  }
  const m = ISO.exec(s);
  if (!m) return fail(`'${text}' is neither a number of ms nor an ISO-8601 date-time`);
  const [, y, mo, d, ordinal, hh, mi, ss, frac, zone] = m;
  const year = Number(y);
  const nums = { month: Number(mo ?? 1), day: Number(d ?? 1), hour: Number(hh ?? 0), minute: Number(mi ?? 0), second: Number(ss ?? 0) };
  if (nums.month < 1 || nums.month > 12 || nums.hour > 23 || nums.minute > 59 || nums.second > 59) fail(`'${text}' has a field out of range`);
  const base = new Date(Date.UTC(2000, 0, 1, nums.hour, nums.minute, nums.second));
  if (ordinal !== undefined) {
    const doy = Number(ordinal);
    base.setUTCFullYear(year, 0, doy);
    if (doy < 1 || base.getUTCFullYear() !== year) fail(`'${text}' has a day of year out of range`);
  } else {
    base.setUTCFullYear(year, nums.month - 1, nums.day);
    if (base.getUTCMonth() !== nums.month - 1 || nums.day < 1) fail(`'${text}' has a day of month out of range`);
  }
  const millis = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMs = 0;
  if (zone && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMs = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 3_600_000 + Number(z[3] ?? 0) * 60_000);
  }
  return base.getTime() + millis - offsetMs;
}
