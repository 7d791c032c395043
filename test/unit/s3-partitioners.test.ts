/** The S3 sink's partitioners, path formats, time zones and timestamp extractors (Confluent's semantics). */
import { describe, expect, it } from 'vitest';
import { DataError, SchemaBuilder, Schemas, Struct, type SinkRecord } from '../../src/sdk/index.js';
import {
  createPartitioner,
  DefaultPartitioner,
  FieldPartitioner,
  TimeBasedPartitioner,
  TombstonePartitioner,
  dailyPathFormat,
  hourlyPathFormat,
} from '../../connectors/s3/partitioners.js';
import { bucketStart, compilePathFormat, ZoneRules } from '../../connectors/s3/path-format.js';
import {
  createTimestampExtractor,
  RecordFieldTimestampExtractor,
  RecordTimestampExtractor,
  WallclockTimestampExtractor,
} from '../../connectors/s3/timestamp-extractors.js';
import { parseS3SinkSettings } from '../../connectors/s3/s3-config.js';

function record(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 'orders',
    kafkaPartition: 3,
    kafkaOffset: 42,
    keySchema: null,
    key: null,
    valueSchema: value instanceof Struct ? value.schema : null,
    value,
    timestamp: Date.parse('2024-01-31T13:45:12.345Z'),
    timestampType: 'CreateTime',
    headers: [],
    originalTopic: 'orders',
    originalKafkaPartition: 3,
    originalKafkaOffset: 42,
    ...extra,
  };
}

const at = (iso: string): number => Date.parse(iso);
const NONE = record({});

function timeBased(pathFormat: string, durationMs: number, timezone: string): TimeBasedPartitioner {
  return new TimeBasedPartitioner({ pathFormat, durationMs, timezone });
}
const hourly = (tz: string) => timeBased(hourlyPathFormat('/'), 3_600_000, tz);
const daily = (tz: string) => timeBased(dailyPathFormat('/'), 86_400_000, tz);

describe('DefaultPartitioner', () => {
  it('encodes the Kafka partition', () => {
    expect(new DefaultPartitioner().encodePartition(record(null))).toBe('partition=3');
  });
});

describe('FieldPartitioner', () => {
  const schema = SchemaBuilder.struct()
    .name('Order')
    .field('tier', Schemas.INT64)
    .field('vip', Schemas.BOOLEAN)
    .field('region', Schemas.OPTIONAL_STRING)
    .field('amount', Schemas.FLOAT64)
    .field('address', SchemaBuilder.struct().name('Address').field('country', Schemas.STRING).field('zip', Schemas.OPTIONAL_INT32).optional().build())
    .field('placed', SchemaBuilder.timestamp().build())
    .build();
  const value = new Struct(schema)
    .put('tier', 9007199254740993n)
    .put('vip', true)
    .put('region', null)
    .put('amount', 1.5)
    .put('address', new Struct(schema.fields![4]!.schema).put('country', 'de').put('zip', 10115))
    .put('placed', new Date(0));

  it('encodes int, boolean, string and nested fields, and null as f=null, with directory.delim', () => {
    const p = new FieldPartitioner(['tier', 'vip', 'region', 'address.country', 'address.zip'], '/');
    expect(p.encodePartition(record(value))).toBe('tier=9007199254740993/vip=true/region=null/address.country=de/address.zip=10115');
    expect(new FieldPartitioner(['address.country', 'tier'], '#').encodePartition(record(value))).toBe('address.country=de#tier=9007199254740993');
  });

  it('gives f=null when a struct on the way is null', () => {
    const v = new Struct(schema).put('tier', 1).put('vip', false).put('amount', 0).put('address', null).put('placed', new Date(0));
    expect(new FieldPartitioner(['address.country'], '/').encodePartition(record(v))).toBe('address.country=null');
  });

  it('refuses other types, logical types and unknown fields, naming the record', () => {
    const err = (names: string[]) => {
      try {
        new FieldPartitioner(names, '/').encodePartition(record(value));
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    };
    expect(err(['amount'])).toBeInstanceOf(DataError);
    expect(err(['amount']).message).toMatch(/field amount .*topic orders partition 3 offset 42.*float64 is not supported/);
    expect(err(['placed']).message).toMatch(/org\.apache\.kafka\.connect\.data\.Timestamp is not supported/);
    expect(err(['nope']).message).toMatch(/'nope' is not a field of Order/);
    expect(err(['address.street']).message).toMatch(/'street' is not a field of Address/);
  });

  it('accepts schemaless objects and Maps (Confluent refuses them) with integer, string and boolean values', () => {
    const p = new FieldPartitioner(['country', 'meta.tier', 'missing'], '/');
    expect(p.encodePartition(record({ country: 'fr', meta: { tier: 2 } }))).toBe('country=fr/meta.tier=2/missing=null');
    expect(p.encodePartition(record(new Map<string, unknown>([['country', 'it'], ['meta', new Map([['tier', 5n]])]])))).toBe('country=it/meta.tier=5/missing=null');
    expect(() => p.encodePartition(record({ country: 1.25 }))).toThrow(/non-integer number is not supported/);
    expect(() => p.encodePartition(record(null))).toThrow(/tombstone/);
  });
});

describe('path.format (Joda-Time patterns)', () => {
  const utc = ZoneRules.of('UTC');
  const t = at('2024-03-05T07:08:09.123Z');
  const fmt = (p: string, ms = t) => compilePathFormat(p).format(ms, utc);

  it('prints the numeric fields users write', () => {
    expect(fmt("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH")).toBe('year=2024/month=03/day=05/hour=07');
    expect(fmt("'dt'=YYYY-MM-dd")).toBe('dt=2024-03-05');
    expect(fmt('yyyy/yy/M/d/H/mm/ss')).toBe('2024/24/3/5/7/08/09');
    expect(fmt('yyyyMMdd-HHmmss.SSS')).toBe('20240305-070809.123');
    expect(fmt('S SS SSSS')).toBe('1 12 1230');
    expect(fmt('D DDD k K h e w xxxx C')).toBe('65 065 7 7 7 2 10 2024 20');
  });

  it('follows Joda quoting: quoted text, doubled quotes, other characters literal', () => {
    expect(fmt("'it''s' YYYY")).toBe("it's 2024");
    expect(fmt("''YYYY''")).toBe("'2024'");
    expect(fmt('YYYY_MM=dd!')).toBe('2024_03=05!');
    expect(fmt("'unterminated YYYY")).toBe('unterminated YYYY');
  });

  it('handles ISO week years at the year boundary and midnight as k=24', () => {
    expect(fmt("xxxx-'W'ww-e", at('2024-12-30T12:00:00Z'))).toBe('2025-W01-1');
    expect(fmt("xxxx-'W'ww-e", at('2021-01-03T12:00:00Z'))).toBe('2020-W53-7');
    expect(fmt('kk hh', at('2024-03-05T00:15:00Z'))).toBe('24 12');
  });

  it('refuses text fields and illegal letters', () => {
    expect(() => compilePathFormat('YYYY/MMM')).toThrow(/MMM \(month text\) is not supported/);
    expect(() => compilePathFormat('EEE')).toThrow(/day-of-week text/);
    expect(() => compilePathFormat("YYYY-MM-dd'T'HH")).not.toThrow();
    expect(() => compilePathFormat('YYYY-MM-ddTHH')).toThrow('Illegal pattern component: T');
  });
});

describe('time zones and bucket floors (Joda rules)', () => {
  it('reads offsets across DST in Europe/Berlin and America/New_York', () => {
    const berlin = ZoneRules.of('Europe/Berlin');
    expect(berlin.offsetAt(at('2024-01-15T12:00:00Z'))).toBe(3_600_000);
    expect(berlin.offsetAt(at('2024-07-15T12:00:00Z'))).toBe(7_200_000);
    expect(berlin.offsetAt(at('2024-03-31T00:59:59.999Z'))).toBe(3_600_000);
    expect(berlin.offsetAt(at('2024-03-31T01:00:00Z'))).toBe(7_200_000);
    const ny = ZoneRules.of('America/New_York');
    expect(ny.offsetAt(at('2024-11-03T05:59:59Z'))).toBe(-4 * 3_600_000);
    expect(ny.offsetAt(at('2024-11-03T06:00:00Z'))).toBe(-5 * 3_600_000);
    expect(ZoneRules.of('+05:30').offsetAt(0)).toBe(19_800_000);
    expect(ZoneRules.of('-03').offsetAt(0)).toBe(-10_800_000);
    expect(() => ZoneRules.of('Mars/Olympus')).toThrow(/not recognised/);
  });

  it('floors in local time, truncating toward zero like Java (pre-1970 rounds up)', () => {
    const utc = ZoneRules.of('UTC');
    expect(bucketStart(at('2024-01-31T13:44:59Z'), 15 * 60_000, utc)).toBe(at('2024-01-31T13:30:00Z'));
    expect(bucketStart(at('2024-01-31T13:44:59Z'), 7 * 86_400_000, utc)).toBe(at('2024-01-25T00:00:00Z')); // weeks from Thursday 1970-01-01
    expect(bucketStart(at('1969-12-31T12:00:00Z'), 86_400_000, utc)).toBe(0);
    expect(bucketStart(at('2024-01-31T23:30:00Z'), 86_400_000, ZoneRules.of('Europe/Berlin'))).toBe(at('2024-01-31T23:00:00Z'));
  });

  it('maps a floor that falls in a DST gap as Joda does: west keeps the earlier offset, east the later', () => {
    // Sao Paulo skipped 2018-11-04 00:00-01:00 (UTC-3 -> UTC-2): midnight does not exist.
    expect(bucketStart(at('2018-11-04T12:00:00Z'), 86_400_000, ZoneRules.of('America/Sao_Paulo'))).toBe(at('2018-11-04T03:00:00Z'));
    expect(daily('America/Sao_Paulo').encodePartition(NONE, at('2018-11-04T12:00:00Z'))).toBe('year=2018/month=11/day=04');
    // Tehran skipped 2022-03-22 00:00-01:00 (UTC+3:30 -> UTC+4:30).
    expect(bucketStart(at('2022-03-22T12:00:00Z'), 86_400_000, ZoneRules.of('Asia/Tehran'))).toBe(at('2022-03-21T20:30:00Z'));
    expect(daily('Asia/Tehran').encodePartition(NONE, at('2022-03-22T12:00:00Z'))).toBe('year=2022/month=03/day=22');
  });
});

describe('TimeBasedPartitioner, Daily and Hourly', () => {
  it('formats the floored record time in the zone', () => {
    expect(hourly('UTC').encodePartition(NONE, at('2024-01-31T13:45:12Z'))).toBe('year=2024/month=01/day=31/hour=13');
    expect(daily('UTC').encodePartition(NONE, at('2024-01-31T23:59:59.999Z'))).toBe('year=2024/month=01/day=31');
    expect(daily('Europe/Berlin').encodePartition(NONE, at('2024-01-31T23:30:00Z'))).toBe('year=2024/month=02/day=01');
    expect(daily('America/New_York').encodePartition(NONE, at('2024-02-01T04:59:59Z'))).toBe('year=2024/month=01/day=31');
    expect(timeBased("'dt'=YYYY-MM-dd", 86_400_000, 'Asia/Kolkata').encodePartition(NONE, at('2024-01-31T18:30:00Z'))).toBe('dt=2024-02-01');
  });

  it('is right across the spring-forward gap', () => {
    const b = hourly('Europe/Berlin');
    expect(b.encodePartition(NONE, at('2024-03-31T00:59:59Z'))).toBe('year=2024/month=03/day=31/hour=01');
    expect(b.encodePartition(NONE, at('2024-03-31T01:00:00Z'))).toBe('year=2024/month=03/day=31/hour=03');
    const ny = hourly('America/New_York');
    expect(ny.encodePartition(NONE, at('2024-03-10T06:59:59Z'))).toBe('year=2024/month=03/day=10/hour=01');
    expect(ny.encodePartition(NONE, at('2024-03-10T07:00:00Z'))).toBe('year=2024/month=03/day=10/hour=03');
    expect(daily('America/New_York').encodePartition(NONE, at('2024-03-10T04:59:59Z'))).toBe('year=2024/month=03/day=09');
    expect(daily('America/New_York').encodePartition(NONE, at('2024-03-10T05:00:00Z'))).toBe('year=2024/month=03/day=10');
    expect(bucketStart(at('2024-03-10T12:00:00Z'), 86_400_000, ZoneRules.of('America/New_York'))).toBe(at('2024-03-10T05:00:00Z'));
  });

  it('files both passes of the repeated fall-back hour under the same hour', () => {
    const b = hourly('Europe/Berlin');
    expect(b.encodePartition(NONE, at('2024-10-27T00:30:00Z'))).toBe('year=2024/month=10/day=27/hour=02'); // 02:30 CEST
    expect(b.encodePartition(NONE, at('2024-10-27T01:30:00Z'))).toBe('year=2024/month=10/day=27/hour=02'); // 02:30 CET
    expect(b.encodePartition(NONE, at('2024-10-27T02:00:00Z'))).toBe('year=2024/month=10/day=27/hour=03');
    const ny = hourly('America/New_York');
    expect(ny.encodePartition(NONE, at('2024-11-03T05:30:00Z'))).toBe('year=2024/month=11/day=03/hour=01');
    expect(ny.encodePartition(NONE, at('2024-11-03T06:30:00Z'))).toBe('year=2024/month=11/day=03/hour=01');
    // A daily bucket on the 25-hour day starts at local midnight (EDT).
    expect(bucketStart(at('2024-11-03T17:00:00Z'), 86_400_000, ZoneRules.of('America/New_York'))).toBe(at('2024-11-03T04:00:00Z'));
  });

  it('floors to partition.duration.ms and uses directory.delim in Daily/Hourly formats', () => {
    const quarter = timeBased("'dt'=YYYY-MM-dd/'t'=HHmm", 15 * 60_000, 'Europe/Berlin');
    expect(quarter.encodePartition(NONE, at('2024-06-01T11:44:59Z'))).toBe('dt=2024-06-01/t=1330');
    expect(quarter.encodePartition(NONE, at('2024-06-01T11:45:00Z'))).toBe('dt=2024-06-01/t=1345');
    expect(timeBased(hourlyPathFormat('_'), 3_600_000, 'UTC').encodePartition(NONE, at('2024-01-31T13:45:12Z'))).toBe('year=2024_month=01_day=31_hour=13');
  });

  it('ignores locale: numeric fields print the same everywhere', () => {
    const base = { 's3.bucket.name': 'b', 'format.class': 'json', 'flush.size': '1', 'partitioner.class': 'Daily', timezone: 'Europe/Paris' };
    const encodings = ['en_US', 'fr_FR', 'ar_EG', 'th_TH', 'hi_IN'].map((locale) =>
      createPartitioner(parseS3SinkSettings({ ...base, locale })).encodePartition(NONE, at('2024-01-31T13:45:12Z')),
    );
    expect(new Set(encodings)).toEqual(new Set(['year=2024/month=01/day=31']));
  });

  it('refuses a non-positive duration and a timestamp that is not a number', () => {
    expect(() => timeBased('YYYY', 0, 'UTC')).toThrow(/positive/);
    expect(() => hourly('UTC').encodePartition(NONE, Number.NaN)).toThrow(/topic orders partition 3 offset 42/);
  });
});

describe('TombstonePartitioner', () => {
  it('sends null values to the tombstone folder', () => {
    const p = new TombstonePartitioner(new DefaultPartitioner(), 'tombstone');
    expect(p.encodePartition(record(null), 0)).toBe('tombstone');
    expect(p.encodePartition(record({}), 0)).toBe('partition=3');
    const settings = parseS3SinkSettings({ 's3.bucket.name': 'b', 'format.class': 'json', 'flush.size': '1', 'behavior.on.null.values': 'write', 'store.kafka.keys': 'true', 'keys.format.class': 'JsonFormat' });
    expect(createPartitioner(settings).encodePartition(record(null), 0)).toBe('tombstone');
  });
});

describe('timestamp extractors', () => {
  it('Wallclock reads the injected clock', () => {
    let now = 1000;
    const ex = new WallclockTimestampExtractor(() => now);
    expect(ex.extract()).toBe(1000);
    now = 2000;
    expect(ex.extract()).toBe(2000);
  });

  it('Record reads the Kafka timestamp and names the record when there is none', () => {
    const ex = new RecordTimestampExtractor();
    expect(ex.extract(record({}))).toBe(at('2024-01-31T13:45:12.345Z'));
    expect(() => ex.extract(record({}, { timestamp: null }))).toThrow(DataError);
    expect(() => ex.extract(record({}, { timestamp: null }))).toThrow(/topic orders partition 3 offset 42/);
  });

  const meta = SchemaBuilder.struct().name('Meta').field('ts', Schemas.INT64).field('iso', Schemas.OPTIONAL_STRING).field('when', SchemaBuilder.timestamp().optional().build()).build();
  const schema = SchemaBuilder.struct().field('timestamp', Schemas.INT32).field('meta', meta).field('flag', Schemas.BOOLEAN).build();
  const value = new Struct(schema)
    .put('timestamp', 1_700_000)
    .put('meta', new Struct(meta).put('ts', 1_706_659_200_000).put('iso', '2024-01-31T10:00:00.5+01:00').put('when', new Date(123_456)))
    .put('flag', true);

  it('RecordField reads Struct fields by schema, nested as a.b', () => {
    expect(new RecordFieldTimestampExtractor('timestamp').extract(record(value))).toBe(1_700_000);
    expect(new RecordFieldTimestampExtractor('meta.ts').extract(record(value))).toBe(1_706_659_200_000);
    expect(new RecordFieldTimestampExtractor('meta.when').extract(record(value))).toBe(123_456);
    expect(new RecordFieldTimestampExtractor('meta.iso').extract(record(value))).toBe(at('2024-01-31T09:00:00.500Z'));
    expect(() => new RecordFieldTimestampExtractor('flag').extract(record(value))).toThrow(/unsupported type boolean/);
    expect(() => new RecordFieldTimestampExtractor('meta.nope').extract(record(value))).toThrow(/'nope' is not a field of Meta/);
  });

  it('RecordField reads schemaless objects and Maps: numbers, numeric and ISO strings, Dates', () => {
    const ex = new RecordFieldTimestampExtractor('a.b');
    expect(ex.extract(record({ a: { b: 1_706_659_200_000.9 } }))).toBe(1_706_659_200_000);
    expect(ex.extract(record({ a: { b: '1706659200000' } }))).toBe(1_706_659_200_000);
    expect(ex.extract(record({ a: { b: '-5' } }))).toBe(-5);
    expect(ex.extract(record(new Map([['a', new Map([['b', new Date(5)]])]])))).toBe(5);
    expect(ex.extract(record({ a: { b: '2024-01-31' } }))).toBe(at('2024-01-31T00:00:00Z'));
    expect(ex.extract(record({ a: { b: '2024-01-31T10:11Z' } }))).toBe(at('2024-01-31T10:11:00Z'));
    expect(ex.extract(record({ a: { b: '2024-01-31T10:11:12,25-0530' } }))).toBe(at('2024-01-31T15:41:12.250Z'));
    expect(ex.extract(record({ a: { b: '2024-032T00:00:00Z' } }))).toBe(at('2024-02-01T00:00:00Z'));
    expect(() => ex.extract(record({ a: { b: 'yesterday' } }))).toThrow(/neither a number of ms nor an ISO-8601/);
    expect(() => ex.extract(record({ a: { b: '2024-02-30' } }))).toThrow(/out of range/);
    expect(() => ex.extract(record({ a: {} }))).toThrow(/'b' does not exist/);
    expect(() => ex.extract(record(null))).toThrow(/record field a\.b at topic orders partition 3 offset 42: the value is null/);
  });

  it('createTimestampExtractor follows the settings, tombstones taking the Kafka timestamp with write', () => {
    const base = { 's3.bucket.name': 'b', 'format.class': 'json', 'flush.size': '1' };
    expect(createTimestampExtractor(parseS3SinkSettings(base), () => 7).extract(record({}))).toBe(7);
    const field = parseS3SinkSettings({ ...base, 'timestamp.extractor': 'RecordField', 'timestamp.field': 'ts' });
    expect(createTimestampExtractor(field, () => 7).extract(record({ ts: 9 }))).toBe(9);
    const write = parseS3SinkSettings({ ...base, 'timestamp.extractor': 'RecordField', 'behavior.on.null.values': 'write', 'store.kafka.keys': 'true', 'keys.format.class': 'json' });
    expect(createTimestampExtractor(write, () => 7).extract(record(null))).toBe(at('2024-01-31T13:45:12.345Z'));
  });
});
