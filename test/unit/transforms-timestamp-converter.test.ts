import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, SchemaBuilder, Schemas, Struct, sourceRecord, type ConnectRecord, type Schema } from '../../src/sdk/index.js';
import { TimestampConverter } from '../../transforms/kafka/timestamp-converter.js';
import { KEY, VALUE } from '../../transforms/support/record-part.js';

const FMT = 'yyyy MM dd HH mm ss SSS z';
const DATE_PLUS_TIME = new Date(86_401_234); // 1970-01-02T00:00:01.234Z
const DATE_PLUS_TIME_STRING = '1970 01 02 00 00 01 234 UTC';
const DATE = new Date(86_400_000);
const TIME = new Date(1234);
const TIMESTAMP = SchemaBuilder.timestamp().build();
const OPT_TIMESTAMP = SchemaBuilder.timestamp().optional().build();
const DATE_SCHEMA = SchemaBuilder.date().build();
const OPT_DATE = SchemaBuilder.date().optional().build();
const TIME_SCHEMA = SchemaBuilder.time().build();
const OPT_TIME = SchemaBuilder.time().optional().build();

function converter(props: Record<string, string>, part = VALUE): TimestampConverter {
  const t = new TimestampConverter(part, () => Date.parse('2024-06-01T00:00:00Z'));
  t.configure(props);
  return t;
}
const record = (schema: Schema | null, v: unknown): ConnectRecord => sourceRecord({ topic: 't', valueSchema: schema, value: v });
const run = (props: Record<string, string>, schema: Schema | null, v: unknown): ConnectRecord => converter(props).apply(record(schema, v));

describe('TimestampConverter configuration', () => {
  it('validates target.type, unix.precision and format', () => {
    expect(() => converter({})).toThrow('Missing required configuration "target.type"');
    expect(() => converter({ 'target.type': 'invalid' })).toThrow('String must be one of: string, unix, Date, Time, Timestamp');
    expect(() => converter({ 'target.type': 'unix', 'unix.precision': 'invalid' })).toThrow(ConfigError);
    expect(() => converter({ 'target.type': 'unix', 'unix.precision': 'seconds' })).not.toThrow();
    expect(() => converter({ 'target.type': 'string' })).toThrow('TimestampConverter requires format option to be specified when using string timestamps');
    expect(() => converter({ 'target.type': 'string', format: 'bad-format' })).toThrow('TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format');
    try {
      converter({ 'target.type': 'string', format: 'bad-format' });
    } catch (err) {
      expect((err as ConfigError).key).toBe('format');
    }
  });
});

describe('TimestampConverter without schemas', () => {
  it.each([
    ['Timestamp', DATE_PLUS_TIME, DATE_PLUS_TIME],
    ['Date', DATE_PLUS_TIME, DATE],
    ['Time', DATE_PLUS_TIME, TIME],
    ['unix', DATE_PLUS_TIME, 86_401_234],
    ['string', DATE_PLUS_TIME, DATE_PLUS_TIME_STRING],
    ['Timestamp', DATE, DATE],
    ['Timestamp', TIME, TIME],
    ['Timestamp', 86_401_234, DATE_PLUS_TIME],
    ['Timestamp', DATE_PLUS_TIME_STRING, DATE_PLUS_TIME],
  ])('converts to %s from %j', (target, input, expected) => {
    const out = run({ 'target.type': target, format: FMT }, null, input);
    expect(out.valueSchema).toBeNull();
    expect(out.value).toEqual(expected);
  });

  it.each(['string', 'unix', 'Date', 'Time', 'Timestamp'])('keeps a null value and a null field null (%s)', (target) => {
    expect(run({ 'target.type': target, format: FMT }, null, null).value).toBeNull();
    expect(run({ 'target.type': target, format: FMT, field: 'ts' }, null, null).value).toBeNull();
    expect(run({ 'target.type': target, format: FMT, field: 'ts' }, null, { ts: null, other: 1 }).value).toEqual({ ts: null, other: 1 });
  });

  it('converts one map field, leaving the input map alone', () => {
    const input = { ts: DATE_PLUS_TIME, other: 'x' };
    expect(run({ 'target.type': 'Date', field: 'ts' }, null, input).value).toEqual({ ts: DATE, other: 'x' });
    expect(input.ts).toBe(DATE_PLUS_TIME);
  });

  it('converts unix strings in every precision, losing sub-millisecond digits', () => {
    const unix = (precision: string): unknown => run({ 'target.type': 'unix', 'unix.precision': precision, format: FMT }, null, DATE_PLUS_TIME_STRING).value;
    expect(unix('microseconds')).toBe(86_401_234_000);
    expect(unix('nanoseconds')).toBe(86_401_234_000_000);
    expect(unix('seconds')).toBe(86_401);
    expect(run({ 'target.type': 'unix', 'unix.precision': 'nanoseconds' }, null, new Date(1.7e12)).value).toBe(1_700_000_000_000_000_000n);
  });

  it('refuses values it cannot read as timestamps', () => {
    expect(() => run({ 'target.type': 'unix' }, null, 1.5)).toThrow('TimestampConverter does not support double objects as timestamps');
    expect(() => run({ 'target.type': 'unix' }, null, true)).toThrow(DataError);
    expect(() => run({ 'target.type': 'unix', format: FMT }, null, 'yesterday')).toThrow(`Could not parse timestamp: value (yesterday) does not match pattern (${FMT})`);
    expect(() => run({ 'target.type': 'unix' }, null, 'yesterday')).toThrow(DataError);
    expect(() => run({ 'target.type': 'Date', field: 'ts' }, null, 42)).toThrow('Only Map objects supported in absence of schema for [converting timestamp formats], found: number');
  });

  it('converts the key with $Key', () => {
    const r = sourceRecord({ topic: 't', key: DATE_PLUS_TIME, value: 'v' });
    const out = converter({ 'target.type': 'unix' }, KEY).apply(r);
    expect(out).toEqual({ ...r, key: 86_401_234 });
  });
});

describe('TimestampConverter with schemas', () => {
  it.each([
    ['Timestamp', TIMESTAMP, DATE_PLUS_TIME, TIMESTAMP, DATE_PLUS_TIME],
    ['Date', TIMESTAMP, DATE_PLUS_TIME, DATE_SCHEMA, DATE],
    ['Time', TIMESTAMP, DATE_PLUS_TIME, TIME_SCHEMA, TIME],
    ['unix', TIMESTAMP, DATE_PLUS_TIME, Schemas.INT64, 86_401_234],
    ['string', TIMESTAMP, DATE_PLUS_TIME, Schemas.STRING, DATE_PLUS_TIME_STRING],
    ['Timestamp', DATE_SCHEMA, DATE, TIMESTAMP, DATE],
    ['Timestamp', TIME_SCHEMA, TIME, TIMESTAMP, TIME],
    ['Timestamp', Schemas.INT64, 86_401_234, TIMESTAMP, DATE_PLUS_TIME],
    ['Timestamp', Schemas.STRING, DATE_PLUS_TIME_STRING, TIMESTAMP, DATE_PLUS_TIME],
  ])('converts to %s from %j', (target, schema, input, expectedSchema, expected) => {
    const out = run({ 'target.type': target, format: FMT }, schema, input);
    expect(out.valueSchema).toEqual(expectedSchema);
    expect(out.value).toEqual(expected);
  });

  const optionalInputs = [Schemas.OPTIONAL_INT64, OPT_TIME, OPT_DATE, Schemas.OPTIONAL_STRING, OPT_TIMESTAMP];
  it.each([
    ['Timestamp', OPT_TIMESTAMP], ['unix', Schemas.OPTIONAL_INT64], ['Time', OPT_TIME], ['Date', OPT_DATE], ['string', Schemas.OPTIONAL_STRING],
  ])('keeps null values and null fields null, with an optional %s schema', (target, expectedSchema) => {
    for (const input of optionalInputs) {
      const whole = run({ 'target.type': target, format: FMT }, input, null);
      expect(whole.valueSchema).toEqual(expectedSchema);
      expect(whole.value).toBeNull();
      const struct = SchemaBuilder.struct().field('ts', input).field('other', Schemas.STRING);
      const expectedStruct = SchemaBuilder.struct().field('ts', expectedSchema).field('other', Schemas.STRING);
      const t = converter({ 'target.type': target, format: FMT, field: 'ts' });
      const out = t.apply(record(struct.build(), new Struct(struct.build()).put('ts', null).put('other', 'test')));
      expect(out.valueSchema).toEqual(expectedStruct.build());
      expect((out.value as Struct).get('ts')).toBeNull();
      const tombstone = t.apply(record(struct.optional().build(), null));
      expect(tombstone.valueSchema).toEqual(expectedStruct.optional().build());
      expect(tombstone.value).toBeNull();
    }
  });

  it('converts a struct field, keeping the struct basics and other fields', () => {
    const schema = SchemaBuilder.struct().name('ev').doc('an event').field('ts', Schemas.INT64).field('other', Schemas.STRING).build();
    const t = converter({ 'target.type': 'Timestamp', field: 'ts' });
    const out = t.apply(record(schema, new Struct(schema).put('ts', 86_401_234).put('other', 'test')));
    expect(out.valueSchema).toEqual(SchemaBuilder.struct().name('ev').doc('an event').field('ts', TIMESTAMP).field('other', Schemas.STRING).build());
    expect((out.value as Struct).get('ts')).toEqual(DATE_PLUS_TIME);
    expect((out.value as Struct).get('other')).toBe('test');
  });

  it.each([[false, null], [true, new Date(0)]])('replace.null.with.default=%s on the converted field', (replace, expected) => {
    const schema = SchemaBuilder.struct().field('ts', SchemaBuilder.int64().optional().defaultValue(0).build()).field('other', Schemas.STRING).build();
    const t = converter({ 'target.type': 'Timestamp', field: 'ts', 'replace.null.with.default': String(replace) });
    const out = t.apply(record(schema, new Struct(schema).put('ts', null).put('other', 'test')));
    expect(out.valueSchema).toEqual(SchemaBuilder.struct().field('ts', OPT_TIMESTAMP).field('other', Schemas.STRING).build());
    expect((out.value as Struct).get('ts')).toEqual(expected);
  });

  it.each([
    ['microseconds', 86_401_234_123, DATE_PLUS_TIME],
    ['nanoseconds', 86_401_234_123_456n, DATE_PLUS_TIME],
    ['seconds', 86_401, new Date(86_401_000)],
    ['milliseconds', -1_500, new Date(-1_500)],
    ['microseconds', -1_500, new Date(-1)],
  ])('reads unix %s', (precision, input, expected) => {
    const schema = SchemaBuilder.struct().field('ts', Schemas.INT64).build();
    const out = converter({ 'target.type': 'Timestamp', field: 'ts', 'unix.precision': precision }).apply(record(schema, new Struct(schema).put('ts', input)));
    expect((out.value as Struct).get('ts')).toEqual(expected);
  });

  it('converts the default value of a struct schema', () => {
    const base = SchemaBuilder.struct().optional().field('ts', Schemas.INT64);
    const schema = base.defaultValue(new Struct(base.build()).put('ts', 86_400_000)).build();
    const out = converter({ 'target.type': 'Date', field: 'ts' }).apply(record(schema, null));
    expect((out.valueSchema!.defaultValue as Struct).get('ts')).toEqual(DATE);
  });

  it('refuses schemas that are no timestamp and non-struct values for a field', () => {
    expect(() => run({ 'target.type': 'unix' }, Schemas.INT32, 5)).toThrow('Schema Schema{INT32} does not correspond to a known timestamp type format');
    expect(() => run({ 'target.type': 'unix' }, Schemas.OPTIONAL_BOOLEAN, null)).toThrow(DataError);
    const schema = SchemaBuilder.struct().field('ts', Schemas.FLOAT64).build();
    expect(() => run({ 'target.type': 'unix', field: 'ts' }, schema, new Struct(schema).put('ts', 1.5))).toThrow('Schema{FLOAT64}');
    expect(() => run({ 'target.type': 'unix', field: 'ts' }, Schemas.INT64, 5)).toThrow('Only Struct objects supported for [converting timestamp formats], found: number');
  });

  it('formats and parses with the configured pattern in UTC', () => {
    const t = { 'target.type': 'string', format: "yyyy-MM-dd'T'HH:mm:ssXXX" };
    expect(run(t, TIMESTAMP, new Date('2024-03-05T07:08:09Z')).value).toBe('2024-03-05T07:08:09Z');
    expect(run({ 'target.type': 'unix', format: 'dd.MM.yy HH:mm Z' }, Schemas.STRING, '05.03.24 07:08 +0100').value).toBe(Date.parse('2024-03-05T06:08:00Z'));
  });
});
