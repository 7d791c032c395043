/**
 * Confluent's partitioners (`io.confluent.connect.storage.partitioner.*`): each turns a record into
 * its encoded partition, the directory part of the object key between the topic and the file name.
 */
import { DataError, LOGICAL, Struct, type SinkRecord } from '../../src/sdk/index.js';
import { bucketStart, compilePathFormat, ZoneRules, type PathFormatter } from './path-format.js';
import type { S3SinkSettings } from './s3-config.js';
import { describeRecord, nestedStructField } from './timestamp-extractors.js';

/**
 * Maps a record to its encoded partition (`partition=3`, `country=de/tier=1`,
 * `year=2024/month=01/day=31`), which the writer puts between `<topics.dir>/<topic>/` and the file
 * name, one open file per encoded partition. Called once per record on the task's thread; pure
 * apart from caches, so the same record and timestamp always give the same string. Throws DataError
 * naming the record when a field cannot be encoded.
 *
 * @example
 * ```ts
 * const p = createPartitioner(settings);
 * const ts = extractor.extract(record);   // only time-based partitioners read it
 * const dir = p.encodePartition(record, ts);
 * ```
 */
export interface Partitioner {
  /** `timestampMs` comes from the configured TimestampExtractor; only time-based partitioners use it. */
  encodePartition(record: SinkRecord, timestampMs: number): string;
}

/** `partition=<kafka partition>` (Confluent's `DefaultPartitioner`). */
export class DefaultPartitioner implements Partitioner {
  encodePartition(record: SinkRecord): string {
    return `partition=${record.kafkaPartition}`;
  }
}

/**
 * `f1=v1<delim>f2=v2` from value fields (Confluent's `FieldPartitioner`): nested names `a.b` as
 * written in `partition.field.name`; int8–int64, string and boolean fields only; a null value gives
 * `f=null`. Struct values are read through their schema; schemaless objects and Maps (which
 * Confluent refuses) are accepted with integer, string and boolean values.
 */
export class FieldPartitioner implements Partitioner {
  private readonly paths: ReadonlyArray<readonly [name: string, path: readonly string[]]>;

  constructor(
    fieldNames: readonly string[],
    private readonly delim: string,
  ) {
    if (fieldNames.length === 0) throw new DataError('FieldPartitioner needs at least one field name');
    this.paths = fieldNames.map((n) => [n, n.split('.')] as const);
  }

  encodePartition(record: SinkRecord): string {
    const value = record.value;
    const parts: string[] = [];
    for (const [name, path] of this.paths) {
      const fail = (why: string): never => {
        throw new DataError(`Cannot partition on field ${name} for record at ${describeRecord(record)}: ${why}`);
      };
      if (value instanceof Struct) {
        const { value: v, schema } = nestedStructField(value, path, (why) => fail(`${why} (the field is not present in the schema)`));
        if (v === null || v === undefined) {
          parts.push(`${name}=null`);
          continue;
        }
        const logical = schema.name === LOGICAL.DATE || schema.name === LOGICAL.TIME || schema.name === LOGICAL.TIMESTAMP || schema.name === LOGICAL.DECIMAL;
        switch (logical ? 'logical' : schema.type) {
          case 'int8': case 'int16': case 'int32': case 'int64': case 'string': case 'boolean':
            parts.push(`${name}=${String(v)}`);
            continue;
          default:
            fail(`type ${schema.name ?? schema.type} is not supported as a partition key (use an int8-int64, string or boolean field)`);
        }
      } else if (isPlainMap(value)) {
        const v = schemalessChild(value, path);
        if (v === null || v === undefined) parts.push(`${name}=null`);
        else if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) parts.push(`${name}=${String(v)}`);
        else fail(`a ${Array.isArray(v) ? 'list' : typeof v === 'number' ? 'non-integer number' : typeof v} is not supported as a partition key (use an integer, string or boolean)`);
      } else {
        fail(value === null ? 'the value is null (a tombstone)' : 'the value is not a Struct or a map');
      }
    }
    return parts.join(this.delim);
  }
}

function isPlainMap(v: unknown): v is Record<string, unknown> | Map<unknown, unknown> {
  return v instanceof Map || (typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date));
}

function schemalessChild(root: Record<string, unknown> | Map<unknown, unknown>, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const name of path) {
    if (v instanceof Map) v = v.get(name);
    else if (isPlainMap(v) && !(v instanceof Struct)) v = Object.prototype.hasOwnProperty.call(v, name) ? (v as Record<string, unknown>)[name] : undefined;
    else return null;
  }
  return v;
}

/** Settings of a time-based partitioner, as parsed from `path.format`, `partition.duration.ms`, `timezone`. */
export interface TimeBasedOptions {
  /** Joda-Time pattern, without a trailing directory delimiter. */
  readonly pathFormat: string;
  /** Bucket width in ms (> 0). */
  readonly durationMs: number;
  /** `UTC`, an IANA zone id or a fixed offset `±hh:mm`. */
  readonly timezone: string;
}

/**
 * The timestamp floored to `durationMs` in local time and printed with `pathFormat` in `timezone`
 * (Confluent's `TimeBasedPartitioner`; Daily and Hourly are this with fixed formats and durations).
 */
export class TimeBasedPartitioner implements Partitioner {
  private readonly formatter: PathFormatter;
  private readonly zone: ZoneRules;
  private lastBucket = Number.NaN;
  private lastEncoded = '';

  constructor(readonly options: TimeBasedOptions) {
    if (!(options.durationMs > 0)) throw new DataError(`partition duration must be positive, got ${options.durationMs}`);
    this.formatter = compilePathFormat(options.pathFormat);
    this.zone = ZoneRules.of(options.timezone);
  }

  encodePartition(record: SinkRecord, timestampMs: number): string {
    if (!Number.isFinite(timestampMs)) throw new DataError(`Unable to determine timestamp for record at ${describeRecord(record)}`);
    const bucket = bucketStart(timestampMs, this.options.durationMs, this.zone);
    if (bucket !== this.lastBucket) {
      this.lastEncoded = this.formatter.format(bucket, this.zone);
      this.lastBucket = bucket;
    }
    return this.lastEncoded;
  }
}

/** DailyPartitioner's `path.format`: `'year'=YYYY<delim>'month'=MM<delim>'day'=dd`. */
export function dailyPathFormat(delim: string): string {
  return `'year'=YYYY${delim}'month'=MM${delim}'day'=dd`;
}

/** HourlyPartitioner's `path.format`: the daily one plus `<delim>'hour'=HH`. */
export function hourlyPathFormat(delim: string): string {
  return `${dailyPathFormat(delim)}${delim}'hour'=HH`;
}

/**
 * Sends null-valued records (tombstones) to one fixed encoded partition and the rest to `delegate`
 * (Confluent's `TombstoneSupportedPartitioner`, used with `behavior.on.null.values=write`).
 */
export class TombstonePartitioner implements Partitioner {
  constructor(
    private readonly delegate: Partitioner,
    readonly tombstonePartition: string,
  ) {}

  encodePartition(record: SinkRecord, timestampMs: number): string {
    return record.value === null ? this.tombstonePartition : this.delegate.encodePartition(record, timestampMs);
  }
}

/**
 * The partitioner `settings` describe, wrapped for tombstones when `behavior.on.null.values=write`.
 * A new instance per call (time-based ones cache the last bucket): use one per task.
 */
export function createPartitioner(settings: S3SinkSettings): Partitioner {
  const p = settings.partitioner;
  let partitioner: Partitioner;
  switch (p.kind) {
    case 'default':
      partitioner = new DefaultPartitioner();
      break;
    case 'field':
      partitioner = new FieldPartitioner(p.fieldNames, settings.directoryDelim);
      break;
    case 'time':
      partitioner = new TimeBasedPartitioner(p);
      break;
  }
  return settings.nullValues === 'write' ? new TombstonePartitioner(partitioner, settings.tombstoneEncodedPartition) : partitioner;
}
