/**
 * Connect schema → Parquet schema of the S3 sink's Parquet writer: every primitive, Connect logical
 * type and Debezium semantic type, decimals by precision, nested groups, LIST and MAP layouts.
 */
import { describe, expect, it } from 'vitest';
import { DataError, SchemaBuilder, Schemas, type Schema } from '../../src/sdk/index.js';
import { decimalLayout, leafElement, parquetLayout } from '../../connectors/s3/parquet/parquet-schema.js';

const semantic = (b: SchemaBuilder, name: string): Schema => b.name(name).version(1).build();
const el = (s: Schema) => leafElement(s, 'c');

describe('primitives', () => {
  it('maps each Connect primitive to its physical type, REQUIRED or OPTIONAL by optional', () => {
    // INTEGER(8|16, signed) in its converted-type spelling (see leafElement on why not the logical type)
    expect(el(Schemas.INT8)).toEqual({ name: 'c', repetition_type: 'REQUIRED', type: 'INT32', converted_type: 'INT_8' });
    expect(el(Schemas.OPTIONAL_INT16)).toEqual({ name: 'c', repetition_type: 'OPTIONAL', type: 'INT32', converted_type: 'INT_16' });
    expect(el(Schemas.INT32)).toEqual({ name: 'c', repetition_type: 'REQUIRED', type: 'INT32' });
    expect(el(Schemas.INT64)).toEqual({ name: 'c', repetition_type: 'REQUIRED', type: 'INT64' });
    expect(el(Schemas.FLOAT32).type).toBe('FLOAT');
    expect(el(Schemas.FLOAT64).type).toBe('DOUBLE');
    expect(el(Schemas.BOOLEAN).type).toBe('BOOLEAN');
    expect(el(Schemas.STRING)).toEqual({ name: 'c', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } });
    expect(el(Schemas.OPTIONAL_BYTES)).toEqual({ name: 'c', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY' });
  });
});

describe('Connect logical types', () => {
  it('maps Date, Time (ms, UTC) and Timestamp (µs, UTC)', () => {
    expect(el(SchemaBuilder.date().build())).toMatchObject({ type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } });
    expect(el(SchemaBuilder.time().build())).toMatchObject({ type: 'INT32', converted_type: 'TIME_MILLIS', logical_type: { type: 'TIME', unit: 'MILLIS', isAdjustedToUTC: true } });
    expect(el(SchemaBuilder.timestamp().optional().build())).toMatchObject({
      repetition_type: 'OPTIONAL', type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', unit: 'MICROS', isAdjustedToUTC: true },
    });
  });

  it('stores a Decimal on INT32, INT64 or FIXED_LEN_BYTE_ARRAY by precision (38 when unstated)', () => {
    const dec = (scale: number, precision?: number): Schema => {
      const b = SchemaBuilder.decimal(scale);
      return (precision === undefined ? b : b.parameter('connect.decimal.precision', String(precision))).build();
    };
    expect(el(dec(2, 9))).toEqual({
      name: 'c', repetition_type: 'REQUIRED', type: 'INT32', converted_type: 'DECIMAL', scale: 2, precision: 9,
      logical_type: { type: 'DECIMAL', precision: 9, scale: 2 },
    });
    expect(el(dec(2, 10)).type).toBe('INT64');
    expect(el(dec(0, 18)).type).toBe('INT64');
    expect(el(dec(4, 19))).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 9, precision: 19, scale: 4 });
    expect(el(dec(3))).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, precision: 38, scale: 3 });
    expect(decimalLayout(dec(0, 38)).bound).toBe(10n ** 38n);
  });

  it('keeps Parquet scale rules: a negative scale is stored at 0, a scale above the precision widens it', () => {
    const negative = SchemaBuilder.decimal(-2).parameter('connect.decimal.precision', '5').build();
    expect(el(negative)).toMatchObject({ type: 'INT32', scale: 0, precision: 7 });
    const wide = SchemaBuilder.decimal(5).parameter('connect.decimal.precision', '3').build();
    expect(el(wide)).toMatchObject({ scale: 5, precision: 5 });
    expect(() => el(SchemaBuilder.bytes().name('org.apache.kafka.connect.data.Decimal').build())).toThrow(DataError);
  });
});

describe('Debezium semantic types', () => {
  it('maps dates, times and timestamps with their units; local ones are not UTC-adjusted', () => {
    expect(el(semantic(SchemaBuilder.int32(), 'io.debezium.time.Date'))).toMatchObject({ type: 'INT32', logical_type: { type: 'DATE' } });
    const time = el(semantic(SchemaBuilder.int32(), 'io.debezium.time.Time'));
    expect(time).toMatchObject({ type: 'INT32', logical_type: { type: 'TIME', unit: 'MILLIS', isAdjustedToUTC: false } });
    expect(time.converted_type).toBeUndefined(); // TIME_MILLIS would claim UTC
    expect(el(semantic(SchemaBuilder.int64(), 'io.debezium.time.MicroTime'))).toMatchObject({ type: 'INT64', logical_type: { type: 'TIME', unit: 'MICROS', isAdjustedToUTC: false } });
    expect(el(semantic(SchemaBuilder.int64(), 'io.debezium.time.NanoTime'))).toMatchObject({ type: 'INT64', logical_type: { type: 'TIME', unit: 'NANOS' } });
    for (const name of ['io.debezium.time.Timestamp', 'io.debezium.time.MicroTimestamp']) {
      const e = el(semantic(SchemaBuilder.int64(), name));
      expect(e).toMatchObject({ type: 'INT64', logical_type: { type: 'TIMESTAMP', unit: 'MICROS', isAdjustedToUTC: false } });
      expect(e.converted_type).toBeUndefined();
    }
    expect(el(semantic(SchemaBuilder.int64(), 'io.debezium.time.NanoTimestamp'))).toMatchObject({ logical_type: { type: 'TIMESTAMP', unit: 'NANOS', isAdjustedToUTC: false } });
    expect(el(semantic(SchemaBuilder.string(), 'io.debezium.time.ZonedTimestamp'))).toMatchObject({
      type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', unit: 'MICROS', isAdjustedToUTC: true },
    });
  });

  it('stores Json with the JSON logical type (JSON converted type in the footer), Uuid/Enum/ZonedTime as strings', () => {
    const json = SchemaBuilder.struct().field('j', semantic(SchemaBuilder.string().optional(), 'io.debezium.data.Json')).build();
    const layout = parquetLayout(json);
    expect(layout.elements[1]).toMatchObject({ type: 'BYTE_ARRAY', logical_type: { type: 'JSON' } });
    expect(layout.footerElements[1]).toEqual({ name: 'j', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } });
    for (const name of ['io.debezium.data.Uuid', 'io.debezium.data.Enum', 'io.debezium.time.ZonedTime']) {
      expect(el(semantic(SchemaBuilder.string(), name))).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } });
    }
  });

  it('stores a semantic name on another physical type, or an unknown name, by its physical type', () => {
    expect(el(semantic(SchemaBuilder.int64(), 'io.debezium.time.Date'))).toEqual({ name: 'c', repetition_type: 'REQUIRED', type: 'INT64' });
    expect(el(semantic(SchemaBuilder.string(), 'io.debezium.data.Bits'))).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    expect(el(semantic(SchemaBuilder.bytes(), 'io.debezium.data.Bits'))).toEqual({ name: 'c', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY' });
  });
});

describe('layout of a record', () => {
  const address = SchemaBuilder.struct().name('Address').optional().field('city', Schemas.STRING).field('zip', Schemas.OPTIONAL_STRING).build();
  const record = SchemaBuilder.struct().name('Value')
    .field('id', Schemas.INT64)
    .field('address', address)
    .field('tags', SchemaBuilder.array(Schemas.OPTIONAL_STRING).optional().build())
    .field('attrs', SchemaBuilder.map(Schemas.OPTIONAL_STRING, Schemas.INT32).build())
    .build();

  it('makes top-level fields columns, structs groups, arrays 3-level LISTs and maps MAPs with a REQUIRED key', () => {
    const { elements, leafKeys, columns } = parquetLayout(record);
    expect(elements).toEqual([
      { name: 'root', num_children: 4 },
      { name: 'id', repetition_type: 'REQUIRED', type: 'INT64' },
      { name: 'address', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'city', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
      { name: 'zip', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
      { name: 'tags', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
      { name: 'attrs', repetition_type: 'REQUIRED', num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' } },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
      { name: 'value', repetition_type: 'REQUIRED', type: 'INT32' },
    ]);
    expect(columns.map((c) => c.path)).toEqual([['id'], ['address'], ['tags'], ['attrs']]);
    expect(leafKeys.map((k) => k.split('\u0000').join('.'))).toEqual(['id', 'address.city', 'address.zip', 'tags.list.element', 'attrs.key_value.key', 'attrs.key_value.value']);
  });

  it('is computed once per schema object', () => {
    expect(parquetLayout(record)).toBe(parquetLayout(record));
  });

  it('rejects what Parquet cannot hold: a non-struct record, an empty struct', () => {
    expect(() => parquetLayout(Schemas.STRING)).toThrow(DataError);
    expect(() => parquetLayout(SchemaBuilder.struct().build())).toThrow(/no fields/);
    const emptyInside = SchemaBuilder.struct().field('e', SchemaBuilder.struct().optional().build()).build();
    expect(() => parquetLayout(emptyInside)).toThrow(/struct e has no fields/);
  });
});
