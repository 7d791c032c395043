/**
 * Parquet files of the S3 sink's ParquetFileWriter, read back by DuckDB (@duckdb/node-api, Parquet
 * reader built in) and by hyparquet as a second, independent reader: every type exactly (µs
 * timestamps, decimals, nulls, nested groups, lists, maps), the schema annotations and UTC flags,
 * codecs and row groups, and schema evolution across row groups already written.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decompress as zstdDecompress } from 'zstd-napi';
import { Decimal, SchemaBuilder, Schemas, Struct, type Schema } from '../../src/sdk/index.js';
import { ParquetFileWriter, type ParquetFileOptions } from '../../connectors/s3/parquet/parquet-file.js';
import type { ParquetCodec } from '../../connectors/s3/parquet/parquet-codecs.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('tributary-parquet-');
let db: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
  await duck.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  duck.closeSync();
  db.closeSync();
});

const query = async (sql: string): Promise<Record<string, unknown>[]> => (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

/** A struct value from field values by name (absent names are null). */
const rowOf = (s: Schema, values: Record<string, unknown>): Struct => Struct.fromValues(s, s.fields!.map((f) => values[f.name] ?? null));

/** Writes `rows` (each with its schema) through the sink into one file; returns its path and bytes. */
async function writeParquet(first: Schema, rows: [Schema, Struct][], options: Partial<ParquetFileOptions> = {}) {
  const chunks: Uint8Array[] = [];
  const w = new ParquetFileWriter(first, { codec: 'zstd', rowGroupBytes: 1 << 20, ...options }, (c) => chunks.push(c));
  for (const [s, v] of rows) {
    expect(w.accepts(s)).not.toBe('incompatible');
    w.append(s, v);
  }
  w.finish();
  const bytes = Buffer.concat(chunks);
  const path = join(await tempDir(), 'part.parquet');
  await writeFile(path, bytes);
  return { path, bytes, buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer };
}

const hyparquetCompressors = {
  ZSTD: (input: Uint8Array) => new Uint8Array(zstdDecompress(input)),
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
};

const opt = (b: SchemaBuilder): Schema => b.optional().build();
const semantic = (b: SchemaBuilder, name: string): Schema => b.name(name).version(1).optional().build();
const decimal = (scale: number, precision?: number): Schema => {
  const b = SchemaBuilder.decimal(scale).optional();
  return (precision === undefined ? b : b.parameter('connect.decimal.precision', String(precision))).build();
};

const point = SchemaBuilder.struct().name('Point').optional().field('x', Schemas.FLOAT64).field('y', Schemas.FLOAT64).build();
const inner = SchemaBuilder.struct().name('Inner').optional().field('label', Schemas.STRING).field('at', point).build();
const ALL = SchemaBuilder.struct().name('db.public.all_types.Value')
  .field('id', Schemas.INT64)
  .field('i8', Schemas.OPTIONAL_INT8).field('i16', Schemas.OPTIONAL_INT16).field('i32', Schemas.OPTIONAL_INT32).field('i64', Schemas.OPTIONAL_INT64)
  .field('f32', Schemas.OPTIONAL_FLOAT32).field('f64', Schemas.OPTIONAL_FLOAT64).field('flag', Schemas.OPTIONAL_BOOLEAN)
  .field('text', Schemas.OPTIONAL_STRING).field('raw', Schemas.OPTIONAL_BYTES)
  .field('d9', decimal(2, 9)).field('d18', decimal(4, 18)).field('d30', decimal(10, 30)).field('d_default', decimal(3))
  .field('c_date', opt(SchemaBuilder.date())).field('c_time', opt(SchemaBuilder.time())).field('c_ts', opt(SchemaBuilder.timestamp()))
  .field('dbz_date', semantic(SchemaBuilder.int32(), 'io.debezium.time.Date'))
  .field('dbz_time', semantic(SchemaBuilder.int32(), 'io.debezium.time.Time'))
  .field('dbz_micro_time', semantic(SchemaBuilder.int64(), 'io.debezium.time.MicroTime'))
  .field('dbz_nano_time', semantic(SchemaBuilder.int64(), 'io.debezium.time.NanoTime'))
  .field('dbz_ts', semantic(SchemaBuilder.int64(), 'io.debezium.time.Timestamp'))
  .field('dbz_micro_ts', semantic(SchemaBuilder.int64(), 'io.debezium.time.MicroTimestamp'))
  .field('dbz_nano_ts', semantic(SchemaBuilder.int64(), 'io.debezium.time.NanoTimestamp'))
  .field('dbz_zoned_ts', semantic(SchemaBuilder.string(), 'io.debezium.time.ZonedTimestamp'))
  .field('dbz_json', semantic(SchemaBuilder.string(), 'io.debezium.data.Json'))
  .field('dbz_uuid', semantic(SchemaBuilder.string(), 'io.debezium.data.Uuid'))
  .field('dbz_enum', semantic(SchemaBuilder.string(), 'io.debezium.data.Enum'))
  .field('dbz_zoned_time', semantic(SchemaBuilder.string(), 'io.debezium.time.ZonedTime'))
  .field('nested', inner)
  .field('ints', opt(SchemaBuilder.array(Schemas.OPTIONAL_INT32)))
  .field('points', opt(SchemaBuilder.array(point)))
  .field('attrs', opt(SchemaBuilder.map(Schemas.STRING, Schemas.OPTIONAL_INT64)))
  .field('tags_by_id', opt(SchemaBuilder.map(Schemas.INT32, SchemaBuilder.array(Schemas.STRING).build())))
  .build();

const pt = (x: number, y: number) => Struct.fromValues(point, [x, y]);
const ALL_ROWS: Struct[] = [
  rowOf(ALL, {
    id: 1, i8: -128, i16: 32767, i32: -2147483648, i64: 9223372036854775807n, f32: 1.5, f64: -0.1, flag: true,
    text: 'Zoë 🚀', raw: Buffer.from([0, 1, 254, 255]),
    d9: new Decimal(-9999999n, 2), d18: new Decimal(123456789012345678n, 4), d30: new Decimal(-(10n ** 30n - 1n), 10), d_default: new Decimal(1n, 0),
    c_date: new Date(Date.UTC(2024, 0, 31)), c_time: new Date(Date.UTC(1970, 0, 1, 23, 59, 59, 999)), c_ts: new Date(Date.UTC(2024, 0, 31, 10, 0, 0, 123)),
    dbz_date: 19753, dbz_time: 36000123, dbz_micro_time: 36000123456, dbz_nano_time: 36000123456789n,
    dbz_ts: 1706695200123, dbz_micro_ts: 1706695200123456, dbz_nano_ts: 1706695200123456789n,
    dbz_zoned_ts: '2024-01-31T10:00:00.123456Z', dbz_json: '{"a": [1, 2.50, "x"], "b": null}',
    dbz_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', dbz_enum: 'shipped', dbz_zoned_time: '11:51:30.123789Z',
    nested: Struct.fromValues(inner, ['here', pt(1, 2)]),
    ints: [1, null, 3], points: [pt(0.5, -0.5), null], attrs: new Map([['a', 1], ['b', null]]), tags_by_id: new Map([[7, ['x', 'y']], [8, []]]),
  }),
  rowOf(ALL, { id: 2 }),
  rowOf(ALL, {
    id: 3, i64: -9223372036854775808n, f32: -0, f64: 1e300, flag: false, text: '', raw: Buffer.alloc(0),
    d9: new Decimal(1n, 2), d18: new Decimal(-1n, 4), d30: new Decimal(0n, 10), d_default: new Decimal(-12345678901234567890123456789012345678n, 3),
    c_date: new Date(Date.UTC(1969, 11, 31)), c_time: new Date(Date.UTC(1970, 0, 1)), c_ts: new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)),
    dbz_date: -1, dbz_time: 0, dbz_micro_time: 0, dbz_nano_time: 1, dbz_ts: -1, dbz_micro_ts: -1, dbz_nano_ts: -1n,
    dbz_zoned_ts: '1969-12-31T23:59:59.999999Z', dbz_json: '[]',
    nested: Struct.fromValues(inner, ['no point', null]), ints: [], points: [], attrs: new Map(), tags_by_id: new Map(),
  }),
];

describe('every type, read back by DuckDB', () => {
  it('reads every value exactly, nulls included', async () => {
    const { path } = await writeParquet(ALL, ALL_ROWS.map((r) => [ALL, r]));
    const rows = await query(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${path}') ORDER BY id`);
    expect(rows[0]).toEqual({
      id: '1', i8: '-128', i16: '32767', i32: '-2147483648', i64: '9223372036854775807', f32: '1.5', f64: '-0.1', flag: 'true',
      text: 'Zoë 🚀', raw: '\\x00\\x01\\xFE\\xFF',
      d9: '-99999.99', d18: '12345678901234.5678', d30: '-99999999999999999999.9999999999', d_default: '1.000',
      c_date: '2024-01-31', c_time: '23:59:59.999+00', c_ts: '2024-01-31 10:00:00.123+00',
      dbz_date: '2024-01-31', dbz_time: '10:00:00.123', dbz_micro_time: '10:00:00.123456', dbz_nano_time: '10:00:00.123456', // DuckDB 1.5.5 reads TIME(NANOS) at µs; hyparquet checks the ns below
      dbz_ts: '2024-01-31 10:00:00.123', dbz_micro_ts: '2024-01-31 10:00:00.123456', dbz_nano_ts: '2024-01-31 10:00:00.123456789',
      dbz_zoned_ts: '2024-01-31 10:00:00.123456+00', dbz_json: '{"a": [1, 2.50, "x"], "b": null}',
      dbz_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', dbz_enum: 'shipped', dbz_zoned_time: '11:51:30.123789Z',
      nested: "{'label': here, 'at': {'x': 1.0, 'y': 2.0}}",
      ints: '[1, NULL, 3]', points: "[{'x': 0.5, 'y': -0.5}, NULL]", attrs: '{a=1, b=NULL}', tags_by_id: '{7=[x, y], 8=[]}',
    });
    expect(rows[1]).toEqual(Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, k === 'id' ? '2' : null])));
    expect(rows[2]).toEqual({
      id: '3', i8: null, i16: null, i32: null, i64: '-9223372036854775808', f32: '-0.0', f64: '1e+300', flag: 'false', text: '', raw: '',
      d9: '0.01', d18: '-0.0001', d30: '0.0000000000', d_default: '-12345678901234567890123456789012345.678',
      c_date: '1969-12-31', c_time: '00:00:00+00', c_ts: '1969-12-31 23:59:59.999+00',
      dbz_date: '1969-12-31', dbz_time: '00:00:00', dbz_micro_time: '00:00:00', dbz_nano_time: '00:00:00',
      dbz_ts: '1969-12-31 23:59:59.999', dbz_micro_ts: '1969-12-31 23:59:59.999999', dbz_nano_ts: '1969-12-31 23:59:59.999999999',
      dbz_zoned_ts: '1969-12-31 23:59:59.999999+00', dbz_json: '[]', dbz_uuid: null, dbz_enum: null, dbz_zoned_time: null,
      nested: "{'label': no point, 'at': NULL}", ints: '[]', points: '[]', attrs: '{}', tags_by_id: '{}',
    });
    // Integers in their own units, not through strings or floats.
    expect(await query(`SELECT epoch_us(dbz_zoned_ts)::VARCHAR AS z, epoch_us(dbz_micro_ts)::VARCHAR AS m, epoch_ns(dbz_nano_ts)::VARCHAR AS n FROM read_parquet('${path}') WHERE id = 1`))
      .toEqual([{ z: '1706695200123456', m: '1706695200123456', n: '1706695200123456789' }]);
  });

  it('declares the logical types, UTC flags and converted types in parquet_schema()', async () => {
    const { path } = await writeParquet(ALL, [[ALL, ALL_ROWS[0]!]]);
    const schema = await query(`SELECT name, type, type_length, repetition_type, converted_type, scale, precision, logical_type FROM parquet_schema('${path}')`);
    const of = (name: string) => schema.find((r) => r.name === name)!;
    expect(of('id')).toMatchObject({ type: 'INT64', repetition_type: 'REQUIRED', converted_type: null, logical_type: null });
    expect(of('i8')).toMatchObject({ type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'INT_8' });
    expect(of('i16')).toMatchObject({ converted_type: 'INT_16' });
    expect(of('text')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: 'StringType()' });
    expect(of('raw')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: null, logical_type: null });
    expect(of('d9')).toMatchObject({ type: 'INT32', converted_type: 'DECIMAL', scale: '2', precision: '9', logical_type: 'DecimalType(scale=2, precision=9)' });
    expect(of('d18')).toMatchObject({ type: 'INT64', scale: '4', precision: '18' });
    expect(of('d30')).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: '13', scale: '10', precision: '30' });
    expect(of('d_default')).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: '16', scale: '3', precision: '38' });
    expect(of('c_date')).toMatchObject({ type: 'INT32', converted_type: 'DATE', logical_type: 'DateType()' });
    expect(of('c_time')).toMatchObject({ type: 'INT32', converted_type: 'TIME_MILLIS', logical_type: expect.stringMatching(/^TimeType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=MilliSeconds\(\)/) });
    for (const name of ['c_ts', 'dbz_zoned_ts']) {
      expect(of(name)).toMatchObject({ type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: expect.stringMatching(/^TimestampType\(isAdjustedToUTC=1, .*MICROS=MicroSeconds\(\)/) });
    }
    for (const name of ['dbz_ts', 'dbz_micro_ts']) {
      expect(of(name)).toMatchObject({ type: 'INT64', converted_type: null, logical_type: expect.stringMatching(/^TimestampType\(isAdjustedToUTC=0, .*MICROS=MicroSeconds\(\)/) });
    }
    expect(of('dbz_nano_ts').logical_type).toMatch(/^TimestampType\(isAdjustedToUTC=0, .*NANOS=NanoSeconds\(\)/);
    expect(of('dbz_time')).toMatchObject({ type: 'INT32', converted_type: null, logical_type: expect.stringMatching(/^TimeType\(isAdjustedToUTC=0, .*MILLIS=MilliSeconds\(\)/) });
    expect(of('dbz_micro_time').logical_type).toMatch(/^TimeType\(isAdjustedToUTC=0, .*MICROS=MicroSeconds\(\)/);
    expect(of('dbz_nano_time').logical_type).toMatch(/^TimeType\(isAdjustedToUTC=0, .*NANOS=NanoSeconds\(\)/);
    expect(of('dbz_json')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: 'JsonType()' });
    expect(of('ints')).toMatchObject({ converted_type: 'LIST', logical_type: 'ListType()' });
    expect(of('attrs')).toMatchObject({ converted_type: 'MAP', logical_type: 'MapType()' });
    expect(of('key')).toMatchObject({ repetition_type: 'REQUIRED' });

    const types = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`);
    const typeOf = Object.fromEntries(types.map((r) => [r.column_name, r.column_type]));
    expect(typeOf).toMatchObject({
      i8: 'TINYINT', i16: 'SMALLINT', d30: 'DECIMAL(30,10)', c_time: 'TIME WITH TIME ZONE', c_ts: 'TIMESTAMP WITH TIME ZONE',
      dbz_ts: 'TIMESTAMP', dbz_nano_ts: 'TIMESTAMP_NS', dbz_zoned_ts: 'TIMESTAMP WITH TIME ZONE', dbz_time: 'TIME', dbz_json: 'JSON',
      attrs: 'MAP(VARCHAR, BIGINT)', points: 'STRUCT(x DOUBLE, y DOUBLE)[]',
    });
  });

  it('is read by hyparquet too', async () => {
    const { buffer } = await writeParquet(ALL, ALL_ROWS.map((r) => [ALL, r]));
    const us = (v: bigint) => v;
    const rows = await parquetReadObjects({ file: buffer, compressors: hyparquetCompressors, utf8: false, parsers: { timestampFromMicroseconds: us, timestampFromNanoseconds: us } });
    expect(rows[0]).toMatchObject({
      id: 1n, i8: -128, i16: 32767, i32: -2147483648, i64: 9223372036854775807n, f32: 1.5, f64: -0.1, flag: true, text: 'Zoë 🚀',
      raw: new Uint8Array([0, 1, 254, 255]), d9: -99999.99,
      c_ts: 1706695200123000n, dbz_micro_ts: 1706695200123456n, dbz_nano_ts: 1706695200123456789n, dbz_zoned_ts: 1706695200123456n, dbz_nano_time: 36000123456789n,
      c_date: new Date(Date.UTC(2024, 0, 31)), dbz_date: new Date(Date.UTC(2024, 0, 31)), dbz_json: { a: [1, 2.5, 'x'], b: null },
      nested: { label: 'here', at: { x: 1, y: 2 } }, ints: [1, null, 3], points: [{ x: 0.5, y: -0.5 }, undefined],
      attrs: { a: 1n, b: null }, tags_by_id: { 7: ['x', 'y'], 8: [] },
    });
    expect(rows[1]).toMatchObject({ id: 2n, i8: null, d30: null, c_ts: null, dbz_json: null });
    expect(rows[2]).toMatchObject({ id: 3n, i64: -9223372036854775808n, dbz_zoned_ts: -1n, dbz_nano_ts: -1n, ints: [], attrs: {} });
  });
});

describe('row groups and codecs', () => {
  const S = SchemaBuilder.struct().name('T').field('id', Schemas.INT64).field('name', Schemas.OPTIONAL_STRING)
    .field('amount', decimal(2, 12)).field('created', semantic(SchemaBuilder.string(), 'io.debezium.time.ZonedTimestamp'))
    .field('doc', semantic(SchemaBuilder.string(), 'io.debezium.data.Json')).build();
  const rows = (n: number): [Schema, Struct][] => Array.from({ length: n }, (_, i) => [S, rowOf(S, {
    id: i, name: i % 7 === 0 ? null : `name-${i % 50}`, amount: new Decimal(BigInt(i * 101 - 5000), 2),
    created: `2024-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.${String(i).padStart(6, '0')}Z`, doc: i % 5 === 0 ? null : `{"i":${i}}`,
  })]);

  it('cuts several row groups when rowGroupBytes is small, every one readable', async () => {
    const { path } = await writeParquet(S, rows(5000), { rowGroupBytes: 64 << 10 });
    const groups = await query(`SELECT row_group_id, max(row_group_num_rows)::INT AS n, list(DISTINCT compression) AS c FROM parquet_metadata('${path}') GROUP BY row_group_id ORDER BY row_group_id`);
    expect(groups.length).toBeGreaterThanOrEqual(4);
    expect(groups.reduce((sum, g) => sum + Number(g.n), 0)).toBe(5000);
    expect(groups.every((g) => JSON.stringify(g.c) === '["ZSTD"]')).toBe(true);
    expect(await query(`SELECT count(*)::INT AS n, sum(id)::VARCHAR AS s, count(name)::INT AS names, sum(amount)::VARCHAR AS total, max(created)::VARCHAR AS last FROM read_parquet('${path}')`))
      .toEqual([{ n: 5000, s: String((4999 * 5000) / 2), names: 5000 - 715, total: String((101 * 4999 * 5000) / 2 / 100 - 250000) + '.00', last: '2024-01-28 10:00:00.004983+00' }]);
  });

  it.each<[ParquetCodec, string]>([['zstd', 'ZSTD'], ['snappy', 'SNAPPY'], ['gzip', 'GZIP'], ['none', 'UNCOMPRESSED']])('codec %s reads back in DuckDB and hyparquet', async (codec, name) => {
    const { path, buffer } = await writeParquet(S, rows(3000), { codec, rowGroupBytes: 128 << 10 });
    expect(await query(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`)).toEqual([{ compression: name }]);
    const sql = `SELECT id::VARCHAR AS id, name, amount::VARCHAR AS amount, epoch_us(created)::VARCHAR AS created, doc::VARCHAR AS doc FROM read_parquet('${path}') WHERE id IN (0, 1, 2999) ORDER BY id`;
    expect(await query(sql)).toEqual([
      { id: '0', name: null, amount: '-50.00', created: '1704103200000000', doc: null },
      { id: '1', name: 'name-1', amount: '-48.99', created: '1704189600000001', doc: '{"i":1}' },
      { id: '2999', name: 'name-49', amount: '2978.99', created: String(Date.UTC(2024, 0, 4, 10) * 1000 + 2999), doc: '{"i":2999}' },
    ]);
    const read = await parquetReadObjects({ file: buffer, compressors: hyparquetCompressors });
    expect(read).toHaveLength(3000);
    expect(read[2999]).toMatchObject({ id: 2999n, name: 'name-49', doc: { i: 2999 } });
    expect(parquetMetadata(buffer).row_groups.length).toBeGreaterThan(1);
  });
});

describe('schema evolution across row groups', () => {
  const address1 = SchemaBuilder.struct().name('Address').optional().field('city', Schemas.STRING).build();
  const address2 = SchemaBuilder.struct().name('Address').optional().field('city', Schemas.STRING).field('zip', Schemas.OPTIONAL_STRING).build();
  const item1 = SchemaBuilder.struct().name('Item').field('sku', Schemas.STRING).build();
  const item2 = SchemaBuilder.struct().name('Item').field('sku', Schemas.STRING).field('qty', Schemas.OPTIONAL_INT32).build();
  const prefs1 = SchemaBuilder.struct().name('Prefs').optional().field('theme', Schemas.STRING).build();
  const prefs2 = SchemaBuilder.struct().name('Prefs').optional().field('theme', Schemas.STRING).field('lang', Schemas.OPTIONAL_STRING).build();
  const profile1 = SchemaBuilder.struct().name('Profile').optional().field('prefs', prefs1).build();
  const profile2 = SchemaBuilder.struct().name('Profile').optional().field('prefs', prefs2).build();
  const meta = SchemaBuilder.struct().name('Meta').optional().field('source', Schemas.STRING).field('tags', opt(SchemaBuilder.array(Schemas.STRING))).build();
  const v1 = SchemaBuilder.struct().name('Customer').version(1)
    .field('id', Schemas.INT64).field('address', address1)
    .field('items', opt(SchemaBuilder.array(item1)))
    .field('by_key', opt(SchemaBuilder.map(Schemas.STRING, item1)))
    .field('legacy', Schemas.OPTIONAL_STRING)
    .field('profile', profile1)
    .build();
  const v2 = SchemaBuilder.struct().name('Customer').version(2)
    .field('id', Schemas.INT64).field('address', address2)
    .field('items', opt(SchemaBuilder.array(item2)))
    .field('by_key', opt(SchemaBuilder.map(Schemas.STRING, item2)))
    .field('profile', profile2)
    .field('email', Schemas.OPTIONAL_STRING).field('meta', meta)
    .build();

  const v1Row = (id: number): [Schema, Struct] => [v1, rowOf(v1, {
    id,
    address: id % 3 === 0 ? null : Struct.fromValues(address1, [`city-${id}`]),
    items: id % 4 === 0 ? null : Array.from({ length: id % 3 }, (_, k) => Struct.fromValues(item1, [`sku-${id}-${k}`])),
    by_key: id % 5 === 0 ? null : new Map([[`k${id}`, Struct.fromValues(item1, [`m-${id}`])]]),
    legacy: `legacy-${id}`,
    profile: id % 2 === 0 ? null : Struct.fromValues(profile1, [id % 3 === 1 ? null : Struct.fromValues(prefs1, ['dark'])]),
  })];
  const v2Row = (id: number): [Schema, Struct] => [v2, rowOf(v2, {
    id,
    address: Struct.fromValues(address2, [`city-${id}`, `zip-${id}`]),
    items: [Struct.fromValues(item2, [`sku-${id}`, id])],
    by_key: new Map([[`k${id}`, Struct.fromValues(item2, [`m-${id}`, -id])]]),
    profile: Struct.fromValues(profile2, [Struct.fromValues(prefs2, ['light', 'de'])]),
    email: `c${id}@example.com`,
    meta: Struct.fromValues(meta, ['crm', ['a', 'b']]),
  })];

  it('gives rows of row groups written before a merge nulls in the new columns, nested ones included', async () => {
    const rows = [...Array.from({ length: 40 }, (_, i) => v1Row(i)), ...Array.from({ length: 20 }, (_, i) => v2Row(100 + i)), ...Array.from({ length: 10 }, (_, i) => v1Row(200 + i))];
    const { path, buffer } = await writeParquet(v1, rows, { rowGroupBytes: 4 << 10 });

    const meta = await query(`SELECT row_group_id, count(*)::INT AS columns, list(path_in_schema ORDER BY column_id) AS paths FROM parquet_metadata('${path}') GROUP BY row_group_id ORDER BY row_group_id`);
    expect(meta.length).toBeGreaterThanOrEqual(4);
    const paths = meta[0]!.paths;
    expect(meta.every((g) => g.columns === 14 && JSON.stringify(g.paths) === JSON.stringify(paths))).toBe(true);
    expect(paths).toEqual([
      'id', 'address, city', 'address, zip', 'items, list, element, sku', 'items, list, element, qty',
      'by_key, key_value, key', 'by_key, key_value, value, sku', 'by_key, key_value, value, qty', 'legacy',
      'profile, prefs, theme', 'profile, prefs, lang', 'email', 'meta, source', 'meta, tags, list, element',
    ]);

    // The first row groups were written before `email` existed: their email chunks come after the last row group.
    const offsets = await query(`SELECT row_group_id AS g, path_in_schema AS p, data_page_offset::BIGINT AS o FROM parquet_metadata('${path}') WHERE path_in_schema IN ('id', 'email') ORDER BY g`);
    const offsetOf = (g: number, p: string) => Number(offsets.find((r) => Number(r.g) === g && r.p === p)!.o);
    const last = meta.length - 1;
    expect(offsetOf(0, 'email')).toBeGreaterThan(offsetOf(last, 'id'));
    expect(offsetOf(1, 'email')).toBeGreaterThan(offsetOf(last, 'id'));
    expect(offsetOf(last, 'email')).toBeLessThan(offsetOf(0, 'email'));

    const sql = (ids: string) => `SELECT id, address::VARCHAR AS address, items::VARCHAR AS items, by_key::VARCHAR AS by_key, legacy, email, meta::VARCHAR AS meta FROM read_parquet('${path}') WHERE id IN (${ids}) ORDER BY id`;
    expect(await query(sql('0, 1, 2, 5, 39'))).toEqual([
      { id: '0', address: null, items: null, by_key: null, legacy: 'legacy-0', email: null, meta: null },
      { id: '1', address: "{'city': city-1, 'zip': NULL}", items: "[{'sku': sku-1-0, 'qty': NULL}]", by_key: "{k1={'sku': m-1, 'qty': NULL}}", legacy: 'legacy-1', email: null, meta: null },
      { id: '2', address: "{'city': city-2, 'zip': NULL}", items: "[{'sku': sku-2-0, 'qty': NULL}, {'sku': sku-2-1, 'qty': NULL}]", by_key: "{k2={'sku': m-2, 'qty': NULL}}", legacy: 'legacy-2', email: null, meta: null },
      { id: '5', address: "{'city': city-5, 'zip': NULL}", items: "[{'sku': sku-5-0, 'qty': NULL}, {'sku': sku-5-1, 'qty': NULL}]", by_key: null, legacy: 'legacy-5', email: null, meta: null },
      { id: '39', address: null, items: '[]', by_key: "{k39={'sku': m-39, 'qty': NULL}}", legacy: 'legacy-39', email: null, meta: null },
    ]);
    expect(await query(sql('100, 200'))).toEqual([
      { id: '100', address: "{'city': city-100, 'zip': zip-100}", items: "[{'sku': sku-100, 'qty': 100}]", by_key: "{k100={'sku': m-100, 'qty': -100}}", legacy: null, email: 'c100@example.com', meta: "{'source': crm, 'tags': [a, b]}" },
      { id: '200', address: "{'city': city-200, 'zip': NULL}", items: null, by_key: null, legacy: 'legacy-200', email: null, meta: null },
    ]);
    expect(await query(`SELECT id, profile::VARCHAR AS profile FROM read_parquet('${path}') WHERE id IN (0, 1, 3, 5, 101) ORDER BY id`)).toEqual([
      { id: '0', profile: null },
      { id: '1', profile: "{'prefs': NULL}" },
      { id: '3', profile: "{'prefs': {'theme': dark, 'lang': NULL}}" },
      { id: '5', profile: "{'prefs': {'theme': dark, 'lang': NULL}}" },
      { id: '101', profile: "{'prefs': {'theme': light, 'lang': de}}" },
    ]);
    expect(await query(`SELECT count(*)::INT AS n, count(email)::INT AS emails, count(address)::INT AS addresses, count(address.zip)::INT AS zips FROM read_parquet('${path}')`))
      .toEqual([{ n: 70, emails: 20, addresses: 70 - 14 - 3, zips: 20 }]);
    // Filters that DuckDB may answer from the backfilled chunks' statistics.
    expect(await query(`SELECT count(*)::INT AS n FROM read_parquet('${path}') WHERE email IS NULL`)).toEqual([{ n: 50 }]);
    expect(await query(`SELECT count(*)::INT AS n FROM read_parquet('${path}') WHERE address.zip IS NULL AND address IS NOT NULL`)).toEqual([{ n: 33 }]);
    expect(await query(`SELECT id FROM read_parquet('${path}') WHERE email = 'c105@example.com'`)).toEqual([{ id: '105' }]);
    const nullCounts = await query(`SELECT stats_null_count::INT AS nulls, row_group_num_rows::INT AS n FROM parquet_metadata('${path}') WHERE row_group_id = 0 AND path_in_schema = 'email'`);
    expect(nullCounts[0]!.nulls).toBe(nullCounts[0]!.n);

    const read = await parquetReadObjects({ file: buffer, compressors: hyparquetCompressors });
    expect(read[1]).toMatchObject({ id: 1n, address: { city: 'city-1', zip: null }, items: [{ sku: 'sku-1-0', qty: null }], email: null });
    expect(read[0]).toMatchObject({ id: 0n, address: undefined, email: null }); // hyparquet: a null group is undefined
    expect(read[40]).toMatchObject({ id: 100n, address: { city: 'city-100', zip: 'zip-100' }, email: 'c100@example.com', meta: { source: 'crm', tags: ['a', 'b'] } });
  });
});
