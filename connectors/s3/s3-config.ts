/**
 * The S3 sink's settings, declared once with the key names, defaults and rules of Confluent's
 * `io.confluent.connect.s3.S3SinkConnector` (S3SinkConnectorConfig, StorageSinkConnectorConfig,
 * StorageCommonConfig, PartitionerConfig), so that a Confluent config runs unchanged; plus five
 * keys of ours (`flush.size.bytes`, `memory.budget.bytes`, `s3.spill.dir`, `cdc.flatten`,
 * `parquet.row.group.bytes`) and the typed, frozen settings. Confluent keys we do not implement
 * are in `UNIMPLEMENTED_KEYS` (`s3-config-compat.ts`), each accepted at its default, refused
 * otherwise, or ignored, with the reason.
 */
import {
  atLeast,
  between,
  ConfigDef,
  configErrorOf,
  nonEmptyString,
  Password,
  type ConfigKeyDef,
  type ConfigType,
  type ConfigValueReport,
  type Validator,
} from '../../src/sdk/index.js';
import { compilePathFormat, ZoneRules } from './path-format.js';
import { fail, lowerOneOf, UNIMPLEMENTED_KEYS, validator } from './s3-config-compat.js';
import { dailyPathFormat, hourlyPathFormat } from './partitioners.js';

/** A file format: Confluent's JsonFormat, ParquetFormat, ByteArrayFormat. */
export type FormatName = 'json' | 'parquet' | 'bytearray';
/** The `parquet.codec` values Tributary writes. */
export type ParquetCodec = 'none' | 'snappy' | 'gzip' | 'zstd';
/** The partitioner `partitioner.class` names, without the `Partitioner` suffix. */
export type PartitionerClass = 'Default' | 'Field' | 'TimeBased' | 'Daily' | 'Hourly';
/** The `timestamp.extractor` short names. */
export type TimestampExtractorName = 'Wallclock' | 'Record' | 'RecordField';
/** `behavior.on.null.values`. */
export type NullValueBehavior = 'fail' | 'ignore' | 'write';

/** The partitioner to build; Daily and Hourly arrive as `time` with their fixed format and duration. */
export type PartitionerSettings =
  | { readonly kind: 'default'; readonly className: 'Default' }
  | { readonly kind: 'field'; readonly className: 'Field'; readonly fieldNames: readonly string[] }
  | {
      readonly kind: 'time';
      readonly className: 'TimeBased' | 'Daily' | 'Hourly';
      /** Joda pattern, trailing `directory.delim` removed (as Confluent does). */
      readonly pathFormat: string;
      readonly durationMs: number;
      /** Required as in Confluent, but changes nothing: only numeric pattern fields are supported. */
      readonly locale: string;
      readonly timezone: string;
    };

/** The typed, frozen settings of one S3 sink connector. Off switches are `null`. */
export interface S3SinkSettings {
  readonly bucket: string;
  readonly region: string;
  /** `store.url`: endpoint of an S3-compatible store, or null for AWS. */
  readonly endpoint: string | null;
  readonly pathStyleAccess: boolean;
  /** Static credentials, or null for the AWS SDK's default credential chain. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: Password } | null;
  /** `topics.dir`; empty means keys start with the topic. */
  readonly topicsDir: string;
  readonly directoryDelim: string;
  readonly fileDelim: string;
  /** `filename.offset.zero.pad.width`. */
  readonly offsetPadWidth: number;
  readonly format: FormatName;
  /** The format of `.keys` files, or null when `store.kafka.keys` is false. */
  readonly keysFormat: FormatName | null;
  /** The format of `.headers` files, or null when `store.kafka.headers` is false. */
  readonly headersFormat: FormatName | null;
  readonly parquetCodec: ParquetCodec;
  readonly parquetRowGroupBytes: number;
  /** `s3.compression.type`, for JSON and ByteArray files. */
  readonly compression: 'none' | 'gzip';
  /** `s3.compression.level`: -1 = zlib's default, 0–9. */
  readonly compressionLevel: number;
  readonly jsonDecimalFormat: 'BASE64' | 'NUMERIC';
  readonly byteArrayExtension: string;
  /** `format.bytearray.separator` as given (untrimmed), `\n` when not set. */
  readonly byteArraySeparator: string;
  /** Records per file; null: no count limit (then `flushSizeBytes` is set). */
  readonly flushSize: number | null;
  /** Bytes per file; null: no byte limit (then `flushSize` is set). */
  readonly flushSizeBytes: number | null;
  readonly rotateIntervalMs: number | null;
  readonly rotateScheduleIntervalMs: number | null;
  /** `timezone` when set (scheduled rotation aligns to its midnight), else null. */
  readonly timezone: string | null;
  readonly memoryBudgetBytes: number;
  /** `s3.spill.dir`: where a task's spill directory is made, or null for the OS temp dir. */
  readonly spillDir: string | null;
  readonly partSize: number;
  readonly partRetries: number;
  /** `retry.backoff.ms`: how long the runtime waits before redelivering after a retriable error. */
  readonly redeliveryBackoffMs: number;
  readonly partitioner: PartitionerSettings;
  readonly timestampExtractor: TimestampExtractorName;
  /** `timestamp.field`, for the RecordField extractor. */
  readonly timestampField: string;
  readonly nullValues: NullValueBehavior;
  readonly tombstoneEncodedPartition: string;
  readonly cdcFlatten: boolean;
}

const MIB = 1024 * 1024;
const S3 = 'S3';
const STORAGE = 'Storage';
const CONNECTOR = 'Connector';
const PARTITIONER = 'Partitioner';
const KEYS_HEADERS = 'Keys and Headers';
const OURS = 'Tributary';

const FORMAT_PKG = 'io.confluent.connect.s3.format';
const PARTITIONER_PKG = 'io.confluent.connect.storage.partitioner';
const EXTRACTOR_PREFIX = `${PARTITIONER_PKG}.TimeBasedPartitioner$`;
const AVRO_FORMAT = `${FORMAT_PKG}.avro.AvroFormat`;
const FORMAT_CLASSES: Readonly<Record<FormatName, string>> = {
  json: `${FORMAT_PKG}.json.JsonFormat`,
  parquet: `${FORMAT_PKG}.parquet.ParquetFormat`,
  bytearray: `${FORMAT_PKG}.bytearray.ByteArrayFormat`,
};
/** Codecs Confluent accepts (parquet-mr's CompressionCodecName) and the ones we write. */
const CONFLUENT_PARQUET_CODECS = ['none', 'snappy', 'gzip', 'lzo', 'brotli', 'lz4', 'zstd', 'lz4_raw'];
const PARQUET_CODECS: readonly ParquetCodec[] = ['none', 'snappy', 'gzip', 'zstd'];

function lastSegment(s: string): string {
  return s.slice(s.lastIndexOf('.') + 1);
}

/** The format a `format.class` value names, or null; Avro and other classes are refused by `formatClass`. */
export function formatOf(value: string): FormatName | null {
  const v = value.trim();
  for (const [name, cls] of Object.entries(FORMAT_CLASSES) as Array<[FormatName, string]>) {
    if (v === cls || v.toLowerCase() === name || v.toLowerCase() === lastSegment(cls).toLowerCase()) return name;
  }
  return null;
}

function formatClass(allowed: readonly FormatName[] = ['json', 'parquet', 'bytearray']): Validator {
  const names = allowed.map((f) => lastSegment(FORMAT_CLASSES[f])).join(', ');
  return validator(`one of ${names} (short or fully qualified)`, (name, v) => {
    const s = String(v).trim();
    const f = formatOf(s);
    if (f && allowed.includes(f)) return;
    if (f) fail(name, s, `${lastSegment(FORMAT_CLASSES[f])} is not supported for ${name} (Confluent refuses it too); use ${names}`);
    if (s === AVRO_FORMAT || /^avro(format)?$/i.test(s)) fail(name, s, `AvroFormat is not supported by Tributary's S3 sink yet; use ${names}`);
    fail(name, s, `unknown format class; use ${names} (other Java format classes cannot be loaded)`);
  });
}

const PARTITIONER_NAMES: readonly PartitionerClass[] = ['Default', 'Field', 'TimeBased', 'Daily', 'Hourly'];

/** The partitioner a `partitioner.class` value names (`Daily`, `DailyPartitioner`, or Confluent's class), or null. */
export function partitionerOf(value: string): PartitionerClass | null {
  const v = value.trim();
  return PARTITIONER_NAMES.find((p) => v === `${PARTITIONER_PKG}.${p}Partitioner` || [p, `${p}Partitioner`].some((n) => n.toLowerCase() === v.toLowerCase())) ?? null;
}

const partitionerClass = validator('Default, Field, TimeBased, Daily, Hourly (short, ...Partitioner, or Confluent class names)', (name, v) => {
  if (partitionerOf(String(v)) === null) {
    fail(name, v, `unknown partitioner; use DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner, DailyPartitioner or HourlyPartitioner (custom Java partitioner classes cannot be loaded)`);
  }
});

const EXTRACTORS: readonly TimestampExtractorName[] = ['Wallclock', 'Record', 'RecordField'];

/** The extractor a `timestamp.extractor` value names (`Record` or Confluent's nested class name), or null. */
export function extractorOf(value: string): TimestampExtractorName | null {
  const v = value.trim();
  return EXTRACTORS.find((e) => v.toLowerCase() === e.toLowerCase() || v === `${EXTRACTOR_PREFIX}${e}TimestampExtractor`) ?? null;
}

const timestampExtractor = validator('Wallclock, Record, RecordField', (name, v) => {
  if (extractorOf(String(v)) === null) fail(name, v, 'use Wallclock, Record or RecordField (custom Java timestamp extractor classes cannot be loaded)');
});

const partitionFieldNames = validator('field names, nested as a.b', (name, v) => {
  for (const f of v as string[]) {
    if (f.trim() === '') fail(name, f, 'Field name cannot be null or empty');
    if (f.split('.').some((s) => s.trim() === '')) fail(name, f, 'Field name cannot contain an empty or whitespace-only path segment');
  }
});

const timezone = validator('UTC, an IANA zone id (Europe/Berlin) or a fixed offset (+01:00)', (name, v) => {
  const s = String(v).trim();
  if (s === '') return;
  try {
    ZoneRules.of(s);
  } catch (err) {
    fail(name, s, (err as Error).message);
  }
});

const offOrPositive = validator('-1 (off) or at least 1', (name, v) => {
  if (typeof v !== 'number' || (v !== -1 && v < 1)) fail(name, v, 'Value must be -1 (off) or at least 1');
});

const endpoint = validator('an http(s) URL', (name, v) => {
  const s = String(v).trim();
  if (s === '') return;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return fail(name, s, 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(name, s, 'the store URL must be http:// or https://');
});

function declare(): ConfigDef {
  const order: Record<string, number> = {};
  const key = (group: string, k: Omit<ConfigKeyDef, 'group' | 'orderInGroup'>): ConfigKeyDef => {
    order[group] = (order[group] ?? 0) + 1;
    return { ...k, group, orderInGroup: order[group] };
  };
  const str = (group: string, name: string, def: string | null, importance: ConfigKeyDef['importance'], documentation: string, v?: Validator, type: ConfigType = 'STRING'): ConfigKeyDef =>
    key(group, { name, type, default: def, importance, documentation, ...(v ? { validator: v } : {}) });
  const keys: ConfigKeyDef[] = [
    key(S3, { name: 's3.bucket.name', type: 'STRING', importance: 'HIGH', displayName: 'S3 Bucket', documentation: 'The S3 bucket.', validator: nonEmptyString() }),
    str(S3, 's3.region', 'us-west-2', 'MEDIUM', 'The AWS region of the bucket.', nonEmptyString()),
    key(S3, { name: 's3.part.size', type: 'INT', default: 25 * MIB, importance: 'HIGH', documentation: 'The part size of S3 multipart uploads, in bytes (at least 5 MiB, the S3 minimum).', validator: validator(`[${5 * MIB},...,2147483647]`, (n, v) => { if ((v as number) < 5 * MIB) fail(n, v, `Part size must be at least: ${5 * MIB} bytes (5MB)`); }) }),
    str(S3, 'aws.access.key.id', '', 'HIGH', 'Access key id of static AWS credentials; with aws.secret.access.key. When both are absent the AWS SDK default credential chain is used (environment, profile, web identity, container or instance role).'),
    key(S3, { name: 'aws.secret.access.key', type: 'PASSWORD', default: null, importance: 'HIGH', documentation: 'Secret access key of static AWS credentials; with aws.access.key.id.' }),
    str(S3, 's3.compression.type', 'none', 'LOW', 'Compression of JSON and ByteArray files: none or gzip (adds .gz). Parquet files use parquet.codec.', lowerOneOf(['none', 'gzip'])),
    key(S3, { name: 's3.compression.level', type: 'INT', default: -1, importance: 'LOW', documentation: 'gzip level: -1 for the default, 0 (none) to 9 (best).', validator: between(-1, 9) }),
    str(S3, 'json.decimal.format', 'BASE64', 'MEDIUM', "How JsonFormat writes Decimal values: 'BASE64' (default) or 'NUMERIC'. Case insensitive.", validator('[BASE64, NUMERIC]', (n, v) => { if (!/^(base64|numeric)$/i.test(String(v).trim())) fail(n, v, 'Value must be one of: BASE64, NUMERIC'); })),
    key(S3, { name: 's3.part.retries', type: 'INT', default: 3, importance: 'MEDIUM', documentation: 'Retries of a failed S3 request (part upload, complete); 0 means none.', validator: atLeast(0) }),
    str(S3, 'format.bytearray.extension', '.bin', 'LOW', 'File extension of ByteArrayFormat files.'),
    str(S3, 'format.bytearray.separator', null, 'LOW', 'Bytes written after each ByteArrayFormat record, taken as given (not trimmed); a newline when not set.'),
    str(S3, 'behavior.on.null.values', 'fail', 'LOW', "Records with a null value (tombstones): 'fail' the task, 'ignore' them, or 'write' them to the tombstone.encoded.partition folder (needs store.kafka.keys=true; a tombstone has no value file, only its key file and, with store.kafka.headers, its header file).", lowerOneOf(['fail', 'ignore', 'write'])),
    str(S3, 'tombstone.encoded.partition', 'tombstone', 'LOW', 'Encoded partition (folder) of tombstones with behavior.on.null.values=write.', nonEmptyString()),
    key(S3, { name: 's3.path.style.access.enabled', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Address the bucket as <endpoint>/<bucket> rather than <bucket>.<endpoint>.' }),
    str(STORAGE, 'store.url', null, 'HIGH', 'Endpoint of an S3-compatible store (MinIO, Ceph, ...); AWS S3 when not set.', endpoint),
    str(STORAGE, 'topics.dir', 'topics', 'HIGH', 'Top-level folder of the data; empty puts topics at the bucket root.'),
    str(STORAGE, 'directory.delim', '/', 'MEDIUM', 'Separator between the parts of an object key path.', nonEmptyString()),
    str(STORAGE, 'file.delim', '+', 'MEDIUM', 'Separator between topic, partition and start offset in file names.', nonEmptyString()),
    key(CONNECTOR, { name: 'format.class', type: 'CLASS', importance: 'HIGH', documentation: 'Format of the files: JsonFormat, ParquetFormat or ByteArrayFormat, short (json, parquet, bytearray) or as Confluent class names. AvroFormat is not supported yet.', validator: formatClass() }),
    key(CONNECTOR, { name: 'flush.size', type: 'INT', default: null, importance: 'HIGH', documentation: 'Records per file: a file is committed when it holds this many. Required unless flush.size.bytes is set (Confluent always requires it).', validator: atLeast(1) }),
    key(CONNECTOR, { name: 'rotate.interval.ms', type: 'LONG', default: -1, importance: 'HIGH', documentation: 'Commit a file once the timestamps of its records (from timestamp.extractor) span this many ms; -1 is off.' }),
    key(CONNECTOR, { name: 'rotate.schedule.interval.ms', type: 'LONG', default: -1, importance: 'MEDIUM', documentation: 'Commit open files every this many ms of wall-clock time, aligned to 00:00 in timezone (which must be set); -1 is off. Not deterministic: files after a restart may differ.' }),
    key(CONNECTOR, { name: 'retry.backoff.ms', type: 'LONG', default: 5000, importance: 'LOW', documentation: 'Wait before redelivering records after a retriable failure, in ms.', validator: atLeast(0) }),
    key(CONNECTOR, { name: 'filename.offset.zero.pad.width', type: 'INT', default: 10, importance: 'LOW', documentation: 'Width the start offset in file names is zero-padded to, so names sort by offset.', validator: atLeast(0) }),
    str(CONNECTOR, 'parquet.codec', 'snappy', 'LOW', 'Compression of Parquet files: none, snappy, gzip or zstd (lzo, brotli, lz4, lz4_raw are not supported).', lowerOneOf(CONFLUENT_PARQUET_CODECS)),
    str(PARTITIONER, 'partitioner.class', `${PARTITIONER_PKG}.DefaultPartitioner`, 'HIGH', 'Default (partition=<n>), Field (partition.field.name values), TimeBased (path.format of the record time), Daily or Hourly; short names, ...Partitioner, or Confluent class names.', partitionerClass, 'CLASS'),
    key(PARTITIONER, { name: 'partition.field.name', type: 'LIST', default: '', importance: 'MEDIUM', documentation: 'Value fields FieldPartitioner partitions by, nested as a.b (int, string or boolean fields).', validator: partitionFieldNames }),
    key(PARTITIONER, { name: 'partition.duration.ms', type: 'LONG', default: -1, importance: 'MEDIUM', documentation: 'Width of a TimeBasedPartitioner bucket in ms, counted in local time.' }),
    str(PARTITIONER, 'path.format', '', 'MEDIUM', "Joda-Time pattern of TimeBasedPartitioner folders, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH or 'dt'=YYYY-MM-dd. Numeric fields only."),
    str(PARTITIONER, 'locale', '', 'MEDIUM', 'Locale of time-based partitioners; required as in Confluent, though numeric fields print the same in every locale.'),
    str(PARTITIONER, 'timezone', '', 'MEDIUM', 'Time zone of time-based partitioners and scheduled rotation: UTC, an IANA id (Europe/Berlin) or a fixed offset (+01:00).', timezone),
    str(PARTITIONER, 'timestamp.extractor', 'Wallclock', 'MEDIUM', 'Record time for time-based partitioning and rotate.interval.ms: Wallclock (processing time, not reproducible), Record (Kafka timestamp) or RecordField (timestamp.field).', timestampExtractor),
    str(PARTITIONER, 'timestamp.field', 'timestamp', 'MEDIUM', 'Value field (nested as a.b) the RecordField extractor reads: ms as a number, a Timestamp, or a numeric or ISO-8601 string.'),
    key(KEYS_HEADERS, { name: 'store.kafka.keys', type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Also write record keys, to files beside each value file named .keys<extension>, one key per record in the same order. A record with a null key fails the task (as in Confluent).' }),
    key(KEYS_HEADERS, { name: 'store.kafka.headers', type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Also write record headers, to files beside each value file named .headers<extension>, one entry per record in the same order ({"headers":[{"key","value"}]}, values as text). A record without headers fails the task (as in Confluent).' }),
    str(KEYS_HEADERS, 'keys.format.class', AVRO_FORMAT, 'LOW', "Format of key files. Confluent's default, AvroFormat, is not supported: set JsonFormat, ParquetFormat or ByteArrayFormat with store.kafka.keys=true.", undefined, 'CLASS'),
    str(KEYS_HEADERS, 'headers.format.class', AVRO_FORMAT, 'LOW', "Format of header files. Confluent's default, AvroFormat, is not supported: set JsonFormat or ParquetFormat with store.kafka.headers=true.", undefined, 'CLASS'),
    key(OURS, { name: 'flush.size.bytes', type: 'LONG', default: -1, importance: 'HIGH', documentation: 'Tributary only: commit a file once it holds this many bytes (its records\' encoded bytes before compression; an estimate for Parquet); -1 is off.', validator: offOrPositive }),
    key(OURS, { name: 'memory.budget.bytes', type: 'LONG', default: 268435456, importance: 'HIGH', documentation: "Tributary only: bytes all of a task's open files may hold in memory together; when reached the largest files are committed early instead of running out of memory. At least s3.part.size.", validator: atLeast(5 * MIB) }),
    str(OURS, 's3.spill.dir', '', 'LOW', "Tributary only: directory under which each task makes a directory of its own for spill files (empty: the OS temp dir). When a replay after a crash re-forms files an earlier run may have completed, they cannot be committed early, so the memory budget moves their buffered bytes to local disk instead; removed when the task stops."),
    key(OURS, { name: 'cdc.flatten', type: 'BOOLEAN', default: false, importance: 'MEDIUM', documentation: 'Tributary only: write Debezium change events as flat rows (the row image plus __op, __lsn, __source_ts_ms, __table, __deleted, __topic, __partition, __offset); tombstones are dropped. JsonFormat or ParquetFormat.' }),
    key(OURS, { name: 'parquet.row.group.bytes', type: 'LONG', default: 33554432, importance: 'LOW', documentation: 'Tributary only: a row group is written once the rows held for it reach this many bytes (their size in memory, above their encoded size).', validator: atLeast(1) }),
  ];
  const def = new ConfigDef();
  for (const k of keys) def.define(k);
  for (const u of UNIMPLEMENTED_KEYS) def.define(u.key);
  return def;
}

/** The declaration of every key the S3 sink reads, refuses or ignores. */
export const s3SinkConfigDef: ConfigDef = declare();

/**
 * Every key's finding (as `ConfigDef.validate`) plus the checks across keys, each reported on the
 * keys involved. Never throws; used by `PUT /connector-plugins/{p}/config/validate`.
 */
export function validateS3SinkConfig(props: Readonly<Record<string, string>>): ConfigValueReport[] {
  const reports = s3SinkConfigDef.validate(props);
  const byName = new Map(reports.map((r) => [r.name, r]));
  const ok = (k: string): boolean => (byName.get(k)?.errors.length ?? 1) === 0;
  const raw = (k: string): string => (byName.get(k)?.value ?? '').trim();
  const add = (message: string, ...keys: string[]): void => {
    for (const k of keys) byName.get(k)?.errors.push(message);
  };
  const num = (k: string): number => Number(raw(k));
  const bool = (k: string): boolean => raw(k).toLowerCase() === 'true';

  if (ok('flush.size') && ok('flush.size.bytes') && raw('flush.size') === '' && num('flush.size.bytes') === -1) {
    add('Missing required configuration "flush.size" which has no default value: set flush.size (records per file), flush.size.bytes (bytes per file), or both', 'flush.size', 'flush.size.bytes');
  }
  const tz = raw('timezone');
  if (ok('rotate.schedule.interval.ms') && num('rotate.schedule.interval.ms') > 0 && tz === '') {
    add('timezone configuration must be set when using rotate.schedule.interval.ms', 'timezone', 'rotate.schedule.interval.ms');
  }
  const partitioner = ok('partitioner.class') ? partitionerOf(raw('partitioner.class')) : null;
  if (partitioner === 'Field' && ok('partition.field.name') && raw('partition.field.name') === '') {
    add('Invalid value  for configuration partition.field.name: FieldPartitioner needs at least one field name', 'partition.field.name');
  }
  if (partitioner === 'TimeBased' || partitioner === 'Daily' || partitioner === 'Hourly') {
    if (raw('locale') === '') add(`Invalid value  for configuration locale: Locale cannot be empty (required by ${partitioner}Partitioner)`, 'locale');
    if (tz === '') add(`Invalid value  for configuration timezone: Timezone cannot be empty (required by ${partitioner}Partitioner)`, 'timezone');
    if (partitioner === 'TimeBased') {
      if (ok('partition.duration.ms') && num('partition.duration.ms') <= 0) {
        add(`Invalid value ${raw('partition.duration.ms')} for configuration partition.duration.ms: TimeBasedPartitioner needs a positive partition duration`, 'partition.duration.ms');
      }
      const pathFormat = trimmedPathFormat(raw('path.format'), ok('directory.delim') ? raw('directory.delim') : '/');
      if (pathFormat === '') add('Invalid value  for configuration path.format: Path format cannot be empty (required by TimeBasedPartitioner)', 'path.format');
      else {
        try {
          compilePathFormat(pathFormat);
        } catch (err) {
          add(`Invalid value ${pathFormat} for configuration path.format: ${(err as Error).message}`, 'path.format');
        }
      }
    }
  }
  if (ok('timestamp.extractor') && extractorOf(raw('timestamp.extractor')) === 'RecordField' && raw('timestamp.field') === '') {
    add('Invalid value  for configuration timestamp.field: the RecordField timestamp extractor needs a field name', 'timestamp.field', 'timestamp.extractor');
  }
  // Formats of values, keys and headers, with what each allows.
  const value = ok('format.class') ? formatOf(raw('format.class')) : null;
  const used: Array<[what: string, format: FormatName, keys: string[]]> = value ? [['data', value, ['format.class']]] : [];
  for (const [what, flag, key, allowed] of [
    ['keys', 'store.kafka.keys', 'keys.format.class', ['json', 'parquet', 'bytearray']],
    ['headers', 'store.kafka.headers', 'headers.format.class', ['json', 'parquet']],
  ] as const) {
    if (!ok(flag) || !bool(flag)) continue;
    try {
      formatClass(allowed)(key, raw(key));
      used.push([what, formatOf(raw(key))!, [flag, key]]);
    } catch (err) {
      add(`${(err as Error).message} (${flag}=true)`, key);
    }
  }
  if (ok('s3.compression.type') && raw('s3.compression.type').toLowerCase() === 'gzip') {
    for (const [what, format, keys] of used) {
      if (format === 'parquet') add(`Compression Type gzip not valid for ${what} format class ParquetFormat: s3.compression.type applies to JsonFormat and ByteArrayFormat; Parquet files are compressed with parquet.codec`, ...keys, 's3.compression.type');
    }
  }
  if (ok('parquet.codec') && used.some(([, f]) => f === 'parquet') && !(PARQUET_CODECS as readonly string[]).includes(raw('parquet.codec').toLowerCase())) {
    add(`Invalid value ${raw('parquet.codec')} for configuration parquet.codec: not supported by Tributary's S3 sink; use one of ${PARQUET_CODECS.join(', ')}`, 'parquet.codec');
  }
  if (ok('behavior.on.null.values') && raw('behavior.on.null.values').toLowerCase() === 'write' && ok('store.kafka.keys') && !bool('store.kafka.keys')) {
    add('Writing Kafka record keys to storage is mandatory when tombstone writing is enabled: set store.kafka.keys=true with behavior.on.null.values=write', 'store.kafka.keys', 'behavior.on.null.values');
  }
  if (ok('cdc.flatten') && bool('cdc.flatten') && value === 'bytearray') {
    add('cdc.flatten=true writes structured rows, which ByteArrayFormat cannot hold; use JsonFormat or ParquetFormat', 'cdc.flatten', 'format.class');
  }
  const hasId = raw('aws.access.key.id') !== '';
  const hasSecret = props['aws.secret.access.key'] !== undefined && props['aws.secret.access.key'].trim() !== '';
  if (hasId !== hasSecret) {
    const [set, missing] = hasId ? ['aws.access.key.id', 'aws.secret.access.key'] : ['aws.secret.access.key', 'aws.access.key.id'];
    add(`${set} is set without ${missing}: set both for static credentials, or neither for the AWS default credential chain`, missing);
  }
  if (ok('memory.budget.bytes') && ok('s3.part.size') && num('memory.budget.bytes') < num('s3.part.size')) {
    add(`Invalid value ${raw('memory.budget.bytes')} for configuration memory.budget.bytes: must be at least s3.part.size (${raw('s3.part.size')}), the buffer of one upload part`, 'memory.budget.bytes');
  }
  return reports;
}

/** `path.format` without one trailing directory delimiter, as Confluent trims it ('' when it is only the delimiter). */
function trimmedPathFormat(pathFormat: string, delim: string): string {
  return delim !== '' && pathFormat.endsWith(delim) ? pathFormat.slice(0, -delim.length) : pathFormat;
}

/**
 * Parses and validates a connector config into frozen settings; throws one ConfigError listing
 * every problem, with `key` set when all of them concern one key.
 */
export function parseS3SinkSettings(props: Readonly<Record<string, string>>): S3SinkSettings {
  const problems = configErrorOf(validateS3SinkConfig(props));
  if (problems) throw problems;
  const cfg = s3SinkConfigDef.parse(props);
  const str = (k: string): string => (cfg.getString(k) ?? '').trim();
  const positive = (k: string): number | null => (cfg.getLong(k) > 0 ? cfg.getLong(k) : null);
  const delim = str('directory.delim');
  const className = partitionerOf(str('partitioner.class'))!;
  let partitioner: PartitionerSettings;
  if (className === 'Default') partitioner = { kind: 'default', className };
  else if (className === 'Field') partitioner = { kind: 'field', className, fieldNames: Object.freeze([...cfg.getList('partition.field.name')]) };
  else {
    const [pathFormat, durationMs] =
      className === 'Daily' ? [dailyPathFormat(delim), 86_400_000] : className === 'Hourly' ? [hourlyPathFormat(delim), 3_600_000] : [trimmedPathFormat(str('path.format'), delim), cfg.getLong('partition.duration.ms')];
    partitioner = { kind: 'time', className, pathFormat, durationMs, locale: str('locale'), timezone: str('timezone') };
  }
  const secret = cfg.getPassword('aws.secret.access.key');
  const flushSize = cfg.getInt('flush.size') as number | null;
  return Object.freeze({
    bucket: str('s3.bucket.name'),
    region: str('s3.region').toLowerCase(),
    endpoint: str('store.url') || null,
    pathStyleAccess: cfg.getBoolean('s3.path.style.access.enabled'),
    credentials: str('aws.access.key.id') !== '' && secret ? Object.freeze({ accessKeyId: str('aws.access.key.id'), secretAccessKey: secret }) : null,
    topicsDir: str('topics.dir'),
    directoryDelim: delim,
    fileDelim: str('file.delim'),
    offsetPadWidth: cfg.getInt('filename.offset.zero.pad.width'),
    format: formatOf(str('format.class'))!,
    keysFormat: cfg.getBoolean('store.kafka.keys') ? formatOf(str('keys.format.class')) : null,
    headersFormat: cfg.getBoolean('store.kafka.headers') ? formatOf(str('headers.format.class')) : null,
    parquetCodec: str('parquet.codec').toLowerCase() as ParquetCodec,
    parquetRowGroupBytes: cfg.getLong('parquet.row.group.bytes'),
    compression: str('s3.compression.type').toLowerCase() as 'none' | 'gzip',
    compressionLevel: cfg.getInt('s3.compression.level'),
    jsonDecimalFormat: str('json.decimal.format').toUpperCase() as 'BASE64' | 'NUMERIC',
    byteArrayExtension: str('format.bytearray.extension'),
    byteArraySeparator: cfg.getString('format.bytearray.separator') ?? '\n',
    flushSize: flushSize ?? null,
    flushSizeBytes: positive('flush.size.bytes'),
    rotateIntervalMs: positive('rotate.interval.ms'),
    rotateScheduleIntervalMs: positive('rotate.schedule.interval.ms'),
    timezone: str('timezone') || null,
    memoryBudgetBytes: cfg.getLong('memory.budget.bytes'),
    spillDir: str('s3.spill.dir') || null,
    partSize: cfg.getInt('s3.part.size'),
    partRetries: cfg.getInt('s3.part.retries'),
    redeliveryBackoffMs: cfg.getLong('retry.backoff.ms'),
    partitioner: Object.freeze(partitioner),
    timestampExtractor: extractorOf(str('timestamp.extractor'))!,
    timestampField: str('timestamp.field'),
    nullValues: str('behavior.on.null.values').toLowerCase() as NullValueBehavior,
    tombstoneEncodedPartition: str('tombstone.encoded.partition'),
    cdcFlatten: cfg.getBoolean('cdc.flatten'),
  });
}
