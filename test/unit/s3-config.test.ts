/** The S3 sink's config: Confluent's keys, defaults and rules, our additions, and the parsed settings. */
import { describe, expect, it } from 'vitest';
import { ConfigError, Password } from '../../src/sdk/index.js';
import { parseS3SinkSettings, s3SinkConfigDef, validateS3SinkConfig } from '../../connectors/s3/s3-config.js';
import { UNIMPLEMENTED_KEYS } from '../../connectors/s3/s3-config-compat.js';

const MIN = { 's3.bucket.name': 'lake', 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '1000' };

// Confluent's quick start config (Avro swapped for JSON), runtime keys included.
const CONFLUENT_QUICKSTART = {
  name: 's3-sink',
  'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
  'tasks.max': '1',
  topics: 's3_topic',
  's3.region': 'us-west-2',
  's3.bucket.name': 'confluent-kafka-connect-s3-testing',
  's3.part.size': '5242880',
  'flush.size': '3',
  'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
  'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
  'schema.generator.class': 'io.confluent.connect.storage.hive.schema.DefaultSchemaGenerator',
  'partitioner.class': 'io.confluent.connect.storage.partitioner.DefaultPartitioner',
  'schema.compatibility': 'NONE',
};

function configError(props: Record<string, string>): ConfigError {
  try {
    parseS3SinkSettings(props);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseS3SinkSettings', () => {
  it("applies Confluent's defaults and ours, and freezes the result", () => {
    const s = parseS3SinkSettings(MIN);
    expect(s).toMatchObject({
      bucket: 'lake', region: 'us-west-2', endpoint: null, pathStyleAccess: true, credentials: null,
      topicsDir: 'topics', directoryDelim: '/', fileDelim: '+', offsetPadWidth: 10,
      format: 'json', keysFormat: null, headersFormat: null, parquetCodec: 'snappy', parquetRowGroupBytes: 33554432,
      compression: 'none', compressionLevel: -1, jsonDecimalFormat: 'BASE64', byteArrayExtension: '.bin', byteArraySeparator: '\n',
      flushSize: 1000, flushSizeBytes: null, rotateIntervalMs: null, rotateScheduleIntervalMs: null, timezone: null,
      memoryBudgetBytes: 268435456, partSize: 25 * 1024 * 1024, partRetries: 3, redeliveryBackoffMs: 5000,
      partitioner: { kind: 'default', className: 'Default' }, timestampExtractor: 'Wallclock', timestampField: 'timestamp',
      nullValues: 'fail', tombstoneEncodedPartition: 'tombstone', cdcFlatten: false,
    });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.partitioner)).toBe(true);
  });

  it("runs Confluent's quick start config unchanged", () => {
    const s = parseS3SinkSettings(CONFLUENT_QUICKSTART);
    expect(s).toMatchObject({ bucket: 'confluent-kafka-connect-s3-testing', partSize: 5242880, flushSize: 3, format: 'json' });
  });

  it('requires s3.bucket.name and format.class, naming the key', () => {
    expect(configError({ 'format.class': 'json', 'flush.size': '1' }).key).toBe('s3.bucket.name');
    const e = configError({ 's3.bucket.name': 'b', 'flush.size': '1' });
    expect(e.key).toBe('format.class');
    expect(e.message).toMatch(/Missing required configuration "format.class"/);
  });

  it('requires flush.size or flush.size.bytes, and says so', () => {
    const e = configError({ 's3.bucket.name': 'b', 'format.class': 'json' });
    expect(e.message).toMatch(/flush\.size.*flush\.size\.bytes/);
    expect(parseS3SinkSettings({ 's3.bucket.name': 'b', 'format.class': 'json', 'flush.size.bytes': '67108864' })).toMatchObject({ flushSize: null, flushSizeBytes: 67108864 });
    expect(configError({ ...MIN, 'flush.size': '0' }).key).toBe('flush.size');
    expect(configError({ ...MIN, 'flush.size.bytes': '0' }).key).toBe('flush.size.bytes');
  });

  it('accepts format classes by Confluent class name and short names, and refuses Avro clearly', () => {
    for (const [v, f] of [
      ['io.confluent.connect.s3.format.parquet.ParquetFormat', 'parquet'], ['ParquetFormat', 'parquet'], ['parquet', 'parquet'],
      ['io.confluent.connect.s3.format.bytearray.ByteArrayFormat', 'bytearray'], ['bytearray', 'bytearray'], ['JSON', 'json'],
    ] as const) {
      expect(parseS3SinkSettings({ ...MIN, 'format.class': v }).format).toBe(f);
    }
    const avro = configError({ ...MIN, 'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat' });
    expect(avro.key).toBe('format.class');
    expect(avro.message).toMatch(/AvroFormat is not supported by Tributary's S3 sink yet/);
    expect(configError({ ...MIN, 'format.class': 'com.example.MyFormat' }).message).toMatch(/unknown format class/);
  });

  it('accepts partitioners by short name, ...Partitioner and class name', () => {
    for (const v of ['Daily', 'DailyPartitioner', 'io.confluent.connect.storage.partitioner.DailyPartitioner']) {
      expect(parseS3SinkSettings({ ...MIN, 'partitioner.class': v, locale: 'en-US', timezone: 'UTC' }).partitioner).toEqual({
        kind: 'time', className: 'Daily', pathFormat: "'year'=YYYY/'month'=MM/'day'=dd", durationMs: 86_400_000, locale: 'en-US', timezone: 'UTC',
      });
    }
    expect(parseS3SinkSettings({ ...MIN, 'partitioner.class': 'HourlyPartitioner', locale: 'en', timezone: 'UTC', 'directory.delim': '|' }).partitioner).toMatchObject({
      pathFormat: "'year'=YYYY|'month'=MM|'day'=dd|'hour'=HH", durationMs: 3_600_000,
    });
    expect(parseS3SinkSettings({ ...MIN, 'partitioner.class': 'Field', 'partition.field.name': 'country, address.zip' }).partitioner).toEqual({ kind: 'field', className: 'Field', fieldNames: ['country', 'address.zip'] });
    expect(configError({ ...MIN, 'partitioner.class': 'com.example.MyPartitioner' }).message).toMatch(/custom Java partitioner classes cannot be loaded/);
  });

  it('requires locale and timezone for time-based partitioners, as Confluent', () => {
    const e = configError({ ...MIN, 'partitioner.class': 'Daily' });
    expect(e.message).toMatch(/configuration locale: Locale cannot be empty/);
    expect(e.message).toMatch(/configuration timezone: Timezone cannot be empty/);
    expect(configError({ ...MIN, 'partitioner.class': 'Hourly', locale: 'en' }).key).toBe('timezone');
    expect(configError({ ...MIN, 'partitioner.class': 'Hourly', locale: 'en', timezone: 'Europe/Atlantis' }).message).toMatch(/timezone: The datetime zone id 'Europe\/Atlantis' is not recognised/);
  });

  it('checks TimeBasedPartitioner path.format and partition.duration.ms', () => {
    const tb = { ...MIN, 'partitioner.class': 'TimeBasedPartitioner', locale: 'en_US', timezone: 'America/New_York' };
    expect(configError({ ...tb, 'path.format': "'dt'=YYYY-MM-dd" }).key).toBe('partition.duration.ms');
    expect(configError({ ...tb, 'partition.duration.ms': '3600000' }).message).toMatch(/path\.format: Path format cannot be empty/);
    expect(configError({ ...tb, 'partition.duration.ms': '3600000', 'path.format': '/' }).key).toBe('path.format');
    expect(configError({ ...tb, 'partition.duration.ms': '3600000', 'path.format': 'YYYY-MM-ddTHH' }).message).toMatch(/Illegal pattern component: T/);
    expect(configError({ ...tb, 'partition.duration.ms': '3600000', 'path.format': "'m'=MMM" }).message).toMatch(/month text/);
    const s = parseS3SinkSettings({ ...tb, 'partition.duration.ms': '3600000', 'path.format': "'dt'=YYYY-MM-dd/'hour'=HH/" });
    expect(s.partitioner).toEqual({ kind: 'time', className: 'TimeBased', pathFormat: "'dt'=YYYY-MM-dd/'hour'=HH", durationMs: 3_600_000, locale: 'en_US', timezone: 'America/New_York' });
  });

  it('requires partition.field.name for FieldPartitioner and checks its names', () => {
    expect(configError({ ...MIN, 'partitioner.class': 'FieldPartitioner' }).key).toBe('partition.field.name');
    expect(configError({ ...MIN, 'partitioner.class': 'FieldPartitioner', 'partition.field.name': 'a..b' }).message).toMatch(/empty or whitespace-only path segment/);
  });

  it('accepts extractors by short and Confluent class names, and needs timestamp.field for RecordField', () => {
    expect(parseS3SinkSettings({ ...MIN, 'timestamp.extractor': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor' }).timestampExtractor).toBe('Record');
    expect(parseS3SinkSettings({ ...MIN, 'timestamp.extractor': 'RecordField', 'timestamp.field': 'meta.ts' })).toMatchObject({ timestampExtractor: 'RecordField', timestampField: 'meta.ts' });
    expect(configError({ ...MIN, 'timestamp.extractor': 'RecordField', 'timestamp.field': ' ' }).message).toMatch(/timestamp\.field: the RecordField timestamp extractor needs a field name/);
    expect(configError({ ...MIN, 'timestamp.extractor': 'com.example.Extractor' }).key).toBe('timestamp.extractor');
  });

  it('needs timezone with rotate.schedule.interval.ms', () => {
    expect(configError({ ...MIN, 'rotate.schedule.interval.ms': '600000' }).message).toMatch(/timezone configuration must be set when using rotate\.schedule\.interval\.ms/);
    expect(parseS3SinkSettings({ ...MIN, 'rotate.schedule.interval.ms': '600000', timezone: 'UTC', 'rotate.interval.ms': '0' })).toMatchObject({ rotateScheduleIntervalMs: 600000, timezone: 'UTC', rotateIntervalMs: null });
  });

  it('allows s3.compression.type gzip for JSON and ByteArray only', () => {
    expect(parseS3SinkSettings({ ...MIN, 's3.compression.type': 'gzip', 's3.compression.level': '9' })).toMatchObject({ compression: 'gzip', compressionLevel: 9 });
    const e = configError({ ...MIN, 'format.class': 'parquet', 's3.compression.type': 'gzip' });
    expect(e.message).toMatch(/Compression Type gzip not valid for data format class ParquetFormat/);
    expect(configError({ ...MIN, 's3.compression.type': 'zstd' }).key).toBe('s3.compression.type');
    expect(configError({ ...MIN, 's3.compression.level': '10' }).key).toBe('s3.compression.level');
  });

  it("refuses parquet codecs we cannot write only when Parquet is used; refuses ones Confluent does not know always", () => {
    expect(parseS3SinkSettings({ ...MIN, 'format.class': 'parquet', 'parquet.codec': 'ZSTD' }).parquetCodec).toBe('zstd');
    expect(configError({ ...MIN, 'format.class': 'parquet', 'parquet.codec': 'lz4' }).message).toMatch(/not supported by Tributary's S3 sink; use one of none, snappy, gzip, zstd/);
    expect(parseS3SinkSettings({ ...MIN, 'parquet.codec': 'lz4' }).format).toBe('json');
    expect(configError({ ...MIN, 'parquet.codec': 'lzma' }).key).toBe('parquet.codec');
  });

  it('checks keys and headers formats like Confluent (whose AvroFormat default we cannot write)', () => {
    const keys = configError({ ...MIN, 'store.kafka.keys': 'true' });
    expect(keys.key).toBe('keys.format.class');
    expect(keys.message).toMatch(/AvroFormat is not supported by Tributary's S3 sink yet.*store\.kafka\.keys=true/);
    expect(parseS3SinkSettings({ ...MIN, 'store.kafka.keys': 'true', 'keys.format.class': 'ByteArrayFormat', 'store.kafka.headers': 'true', 'headers.format.class': 'parquet' })).toMatchObject({ keysFormat: 'bytearray', headersFormat: 'parquet' });
    expect(configError({ ...MIN, 'store.kafka.headers': 'true', 'headers.format.class': 'ByteArrayFormat' }).message).toMatch(/ByteArrayFormat is not supported for headers\.format\.class/);
    expect(configError({ ...MIN, 's3.compression.type': 'gzip', 'store.kafka.keys': 'true', 'keys.format.class': 'parquet' }).message).toMatch(/not valid for keys format class ParquetFormat/);
  });

  it('needs store.kafka.keys with behavior.on.null.values=write', () => {
    const e = configError({ ...MIN, 'behavior.on.null.values': 'write' });
    expect(e.message).toMatch(/Writing Kafka record keys to storage is mandatory when tombstone writing is enabled/);
    expect(parseS3SinkSettings({ ...MIN, 'behavior.on.null.values': 'IGNORE' }).nullValues).toBe('ignore');
    expect(configError({ ...MIN, 'behavior.on.null.values': 'drop' }).key).toBe('behavior.on.null.values');
  });

  it('takes static credentials only as a pair, keeping the secret hidden', () => {
    const s = parseS3SinkSettings({ ...MIN, 'aws.access.key.id': 'AKIA1', 'aws.secret.access.key': 's3cr3t' });
    expect(s.credentials?.accessKeyId).toBe('AKIA1');
    expect(s.credentials?.secretAccessKey).toBeInstanceOf(Password);
    expect(s.credentials?.secretAccessKey.value).toBe('s3cr3t');
    expect(JSON.stringify(s)).not.toContain('s3cr3t');
    expect(configError({ ...MIN, 'aws.access.key.id': 'AKIA1' }).key).toBe('aws.secret.access.key');
    expect(configError({ ...MIN, 'aws.secret.access.key': 'x' }).key).toBe('aws.access.key.id');
    const report = validateS3SinkConfig({ ...MIN, 'aws.access.key.id': 'AKIA1', 'aws.secret.access.key': 's3cr3t' });
    expect(report.find((r) => r.name === 'aws.secret.access.key')?.value).toBe('[hidden]');
    expect(s3SinkConfigDef.mask({ 'aws.secret.access.key': 's3cr3t', 's3.sse.customer.key': 'k' })).toEqual({ 'aws.secret.access.key': '[hidden]', 's3.sse.customer.key': '[hidden]' });
  });

  it('checks sizes: s3.part.size at least 5 MiB, memory.budget.bytes at least s3.part.size', () => {
    expect(configError({ ...MIN, 's3.part.size': '1048576' }).message).toMatch(/Part size must be at least: 5242880 bytes/);
    expect(configError({ ...MIN, 'memory.budget.bytes': '10485760' }).message).toMatch(/memory\.budget\.bytes: must be at least s3\.part\.size/);
    expect(parseS3SinkSettings({ ...MIN, 'memory.budget.bytes': '10485760', 's3.part.size': '5242880', 'parquet.row.group.bytes': '1048576' })).toMatchObject({ memoryBudgetBytes: 10485760, parquetRowGroupBytes: 1048576 });
  });

  it('reads storage keys: store.url, topics.dir, delimiters, separator as given', () => {
    const s = parseS3SinkSettings({ ...MIN, 'store.url': 'http://localhost:9000', 's3.path.style.access.enabled': 'false', 'topics.dir': ' ', 'file.delim': '_', 'format.bytearray.separator': '\r\n', 'filename.offset.zero.pad.width': '20', 's3.region': 'EU-Central-1' });
    expect(s).toMatchObject({ endpoint: 'http://localhost:9000', pathStyleAccess: false, topicsDir: '', fileDelim: '_', byteArraySeparator: '\r\n', offsetPadWidth: 20, region: 'eu-central-1' });
    expect(configError({ ...MIN, 'store.url': 'ftp://x' }).key).toBe('store.url');
    expect(configError({ ...MIN, 'directory.delim': '' }).key).toBe('directory.delim');
  });

  it('refuses cdc.flatten with ByteArrayFormat', () => {
    expect(parseS3SinkSettings({ ...MIN, 'cdc.flatten': 'true', 'format.class': 'parquet' }).cdcFlatten).toBe(true);
    expect(configError({ ...MIN, 'cdc.flatten': 'true', 'format.class': 'bytearray' }).message).toMatch(/cdc\.flatten=true .*ByteArrayFormat/);
  });

  it('lists every problem at once', () => {
    const e = configError({ 'partitioner.class': 'Daily', 's3.part.size': '1' });
    for (const k of ['s3.bucket.name', 'format.class', 'flush.size', 's3.part.size', 'locale', 'timezone']) expect(e.message).toContain(k);
    expect(e.key).toBeUndefined();
  });
});

describe('Confluent keys we do not implement', () => {
  it('each has a reason and a declaration', () => {
    for (const u of UNIMPLEMENTED_KEYS) {
      expect(u.reason.length, u.name).toBeGreaterThan(10);
      expect(s3SinkConfigDef.key(u.name)?.documentation).toContain(u.reason);
    }
    const names = UNIMPLEMENTED_KEYS.map((u) => u.name);
    for (const k of ['schema.compatibility', 'avro.codec', 's3.ssea.name', 's3.sse.customer.key', 's3.sse.kms.key.id', 's3.acl.canned', 's3.object.tagging', 'enable.conditional.writes', 'max.write.duration.ms', 's3.elastic.buffer.enable', 'rotate.file.on.partition.change']) {
      expect(names).toContain(k);
    }
  });

  it('accepts their defaults silently', () => {
    const defaults = {
      ...MIN, 'schema.compatibility': 'none', 'avro.codec': 'null', 's3.ssea.name': '', 's3.sse.kms.key.id': '', 's3.object.tagging': 'false',
      'enable.conditional.writes': 'true', 'max.write.duration.ms': '9223372036854775807', 's3.elastic.buffer.enable': 'false', 'rotate.file.on.partition.change': 'true',
      's3.credentials.provider.class': 'software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider', 's3.schema.partition.affix.type': 'NONE',
    };
    expect(() => parseS3SinkSettings(defaults)).not.toThrow();
  });

  it('refuses other values of default-only keys, naming the key', () => {
    for (const [k, v] of [
      ['schema.compatibility', 'BACKWARD'], ['s3.ssea.name', 'aws:kms'], ['s3.sse.kms.key.id', 'arn:aws:kms:k'], ['s3.sse.customer.key', 'abc'],
      ['s3.acl.canned', 'bucket-owner-full-control'], ['s3.object.tagging', 'true'], ['s3.wan.mode', 'true'], ['s3.proxy.url', 'http://proxy:3128'],
      ['s3.credentials.provider.class', 'com.example.Provider'], ['storage.class', 'io.confluent.connect.hdfs.storage.HdfsStorage'],
    ]) {
      const e = configError({ ...MIN, [k!]: v! });
      expect(e.key, k).toBe(k);
      expect(e.message).toContain(`${k} is not supported by Tributary's S3 sink`);
    }
    expect(configError({ ...MIN, 's3.sse.customer.key': 'abc' }).message).not.toContain('abc');
  });

  it('ignores the ignored keys at any value Confluent accepts', () => {
    expect(() => parseS3SinkSettings({ ...MIN, 'enable.conditional.writes': 'false', 'avro.codec': 'deflate', 'rotate.file.on.partition.change': 'false', 's3.elastic.buffer.enable': 'true', 'max.write.duration.ms': '60000' })).not.toThrow();
    expect(configError({ ...MIN, 'avro.codec': 'lzma' }).key).toBe('avro.codec');
    expect(configError({ ...MIN, 'enable.conditional.writes': 'maybe' }).key).toBe('enable.conditional.writes');
  });
});
