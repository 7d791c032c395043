/**
 * ParquetFileWriter through its public surface: what reaches the sink and when, the memory it
 * reports, value checks that fail one record (naming the column) and leave the file intact, and the
 * exact ZonedTimestamp parser. Files are read back with hyparquet; DuckDB checks are in
 * test/integration/s3-parquet-duckdb.test.ts.
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, Decimal, SchemaBuilder, Schemas, Struct, type Schema } from '../../src/sdk/index.js';
import { ParquetFileWriter, type ParquetFileOptions } from '../../connectors/s3/parquet/parquet-file.js';
import { zonedTimestampMicros } from '../../connectors/s3/parquet/zoned-timestamp.js';

const PAR1 = [0x50, 0x41, 0x52, 0x31];

function open(schema: Schema, options: Partial<ParquetFileOptions> = {}) {
  const chunks: Uint8Array[] = [];
  const w = new ParquetFileWriter(schema, { codec: 'snappy', rowGroupBytes: 1 << 20, ...options }, (c) => chunks.push(c));
  const file = (): ArrayBuffer => {
    const b = Buffer.concat(chunks);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  };
  return { w, chunks, file };
}

const price = SchemaBuilder.decimal(2).parameter('connect.decimal.precision', '6').build();
const zoned = SchemaBuilder.string().name('io.debezium.time.ZonedTimestamp').version(1).optional().build();
const item = SchemaBuilder.struct().name('Item').field('sku', Schemas.STRING).field('price', price).build();
const order = SchemaBuilder.struct().name('Order')
  .field('id', Schemas.INT64)
  .field('at', zoned)
  .field('items', SchemaBuilder.array(item).optional().build())
  .build();
const itemOf = (sku: string, p: Decimal) => Struct.fromValues(item, [sku, p]);
const orderOf = (id: number | bigint, at: string | null, items: Struct[] | null = null) => Struct.fromValues(order, [id, at, items]);

describe('streaming to the sink', () => {
  it('hands nothing until a row group is encoded, then the row group, then the footer', async () => {
    const { w, chunks, file } = open(order);
    w.append(order, orderOf(1, '2024-01-31T10:00:00.123456Z'));
    w.append(order, orderOf(2n ** 62n, null, [itemOf('a', new Decimal(1999n, 2))]));
    expect(chunks).toHaveLength(0);
    expect(w.rows()).toBe(2);
    const held = w.pendingBytes();
    expect(held).toBeGreaterThan(0);

    const appended = w.appendedBytes();
    expect(appended).toBe(held - 4); // held also counts the magic number, written but not handed over yet

    w.flushRowGroup();
    expect(chunks).toHaveLength(1);
    expect(w.appendedBytes()).toBe(appended); // a running total, not reset by encoding
    expect([...chunks[0]!.subarray(0, 4)]).toEqual(PAR1);
    expect(w.pendingBytes()).toBe(0);
    w.flushRowGroup(); // nothing pending: no-op
    expect(chunks).toHaveLength(1);

    w.append(order, orderOf(3, null));
    w.finish();
    expect([...chunks.at(-1)!.subarray(-4)]).toEqual(PAR1);
    expect(parquetMetadata(file()).row_groups.map((g) => g.num_rows)).toEqual([2n, 1n]);
    const rows = await parquetReadObjects({ file: file(), parsers: { timestampFromMicroseconds: (us: bigint) => us } });
    // hyparquet reads a null list as undefined and a DECIMAL as a float
    expect(rows).toEqual([
      { id: 1n, at: 1706695200123456n, items: undefined },
      { id: 2n ** 62n, at: null, items: [{ sku: 'a', price: expect.closeTo(19.99, 9) }] },
      { id: 3n, at: null, items: undefined },
    ]);
  });

  it('encodes a row group by itself once the pending estimate reaches rowGroupBytes', () => {
    const { w, chunks, file } = open(order, { rowGroupBytes: 2000 });
    for (let i = 0; i < 100; i++) w.append(order, orderOf(i, '2024-01-31T10:00:00Z'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(w.pendingBytes()).toBeLessThan(2000);
    w.finish();
    const groups = parquetMetadata(file()).row_groups;
    expect(groups.length).toBeGreaterThan(2);
    expect(groups.reduce((n, g) => n + Number(g.num_rows), 0)).toBe(100);
  });

  it('writes a valid empty file when no row was appended', async () => {
    const { w, file } = open(order);
    w.finish();
    expect(parquetMetadata(file()).num_rows).toBe(0n);
    expect(await parquetReadObjects({ file: file() })).toEqual([]);
  });

  it('is done after finish, or after the sink throws', () => {
    const { w } = open(order);
    w.finish();
    expect(() => w.append(order, orderOf(1, null))).toThrow(/finished/);
    expect(() => w.finish()).toThrow(/finished/);

    const failing = new ParquetFileWriter(order, { codec: 'none', rowGroupBytes: 1 << 20 }, () => {
      throw new Error('upload failed');
    });
    failing.append(order, orderOf(1, null));
    expect(() => failing.flushRowGroup()).toThrow('upload failed');
    expect(() => failing.append(order, orderOf(2, null))).toThrow(/finished/);
  });

  it('rejects bad options with ConfigError', () => {
    expect(() => open(order, { codec: 'lzo' as never })).toThrow(ConfigError);
    expect(() => open(order, { rowGroupBytes: 0 })).toThrow(ConfigError);
  });
});

describe('value checks', () => {
  const failsWith = (value: Struct, pattern: RegExp): void => {
    const { w } = open(order);
    w.append(order, orderOf(1, null));
    const before = w.pendingBytes();
    let err: unknown;
    try {
      w.append(order, value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(pattern);
    expect(w.rows()).toBe(1); // the failed record left nothing behind
    expect(w.pendingBytes()).toBe(before);
  };

  it('names the column of a decimal that does not fit or would round', () => {
    failsWith(orderOf(1, null, [itemOf('a', new Decimal(1_000_000n, 2))]), /column items\.\[0\]\.price: 10000\.00 does not fit DECIMAL\(6,2\)/);
    failsWith(orderOf(1, null, [itemOf('a', new Decimal(1n, 2)), itemOf('b', new Decimal(12345n, 3))]), /column items\.\[1\]\.price: 12\.345 has more than 2 decimal places/);
  });

  it('names the column of a ZonedTimestamp that does not parse', () => {
    failsWith(orderOf(1, '2024-02-30T00:00:00Z'), /column at: not an ISO-8601 timestamp: "2024-02-30T00:00:00Z"/);
    failsWith(orderOf(1, 'yesterday'), /column at: not an ISO-8601 timestamp/);
  });

  it('names the column of a null required value and of a value of the wrong type', () => {
    failsWith(Struct.fromValues(order, [null, null, null]), /column id: null for a required field/);
    failsWith(Struct.fromValues(order, [1.5, null, null]), /column id: number 1.5 is not an int64/);
    failsWith(orderOf(1, null, [Struct.fromValues(item, [null, new Decimal(1n, 2)])]), /column items\.\[0\]\.sku: null/);
  });

  it('names the map of a null key', () => {
    const s = SchemaBuilder.struct().field('m', SchemaBuilder.map(Schemas.OPTIONAL_STRING, Schemas.INT32).build()).build();
    const { w } = open(s);
    expect(() => w.append(s, Struct.fromValues(s, [new Map([[null, 1]])]))).toThrow(/column m\.\[null\]: null for a required field/);
    expect(w.rows()).toBe(0);
  });

  it('rescales decimals exactly and fills a required null from the default, never an optional one', async () => {
    const s = SchemaBuilder.struct()
      .field('p', price)
      .field('status', SchemaBuilder.string().defaultValue('NEW').build())
      .field('note', SchemaBuilder.string().optional().defaultValue('none').build())
      .build();
    const { w, file } = open(s);
    w.append(s, Struct.fromValues(s, [new Decimal(5n, 0), null, null]));
    w.append(s, Struct.fromValues(s, [new Decimal(-12340n, 3), 'OLD', 'x']));
    w.finish();
    expect(await parquetReadObjects({ file: file() })).toEqual([
      { p: 5, status: 'NEW', note: null },
      { p: -12.34, status: 'OLD', note: 'x' },
    ]);
  });

  it('merges before any row group is written: pending rows get nulls', async () => {
    const v2 = SchemaBuilder.struct().name('Order').field('id', Schemas.INT64).field('at', zoned)
      .field('items', SchemaBuilder.array(item).optional().build()).field('note', Schemas.OPTIONAL_STRING).build();
    const { w, file } = open(order);
    w.append(order, orderOf(1, null));
    expect(w.accepts(v2)).toBe('merge');
    w.append(v2, Struct.fromValues(v2, [2, null, null, 'hi']));
    w.append(order, orderOf(3, null));
    w.finish();
    expect(parquetMetadata(file()).row_groups).toHaveLength(1);
    expect(await parquetReadObjects({ file: file(), columns: ['id', 'note'] })).toEqual([{ id: 1n, note: null }, { id: 2n, note: 'hi' }, { id: 3n, note: null }]);
  });

  it('wants a Struct, read by its own schema', async () => {
    const { w, file } = open(order);
    expect(() => w.append(order, { id: 1 } as unknown as Struct)).toThrow(DataError);
    const lookalike = SchemaBuilder.struct().field('at', zoned).field('id', Schemas.INT64).build(); // same fields, other order
    w.append(order, Struct.fromValues(lookalike, ['2024-01-31T10:00:00Z', 7]));
    w.finish();
    expect(await parquetReadObjects({ file: file(), columns: ['id'] })).toEqual([{ id: 7n }]);
  });
});

describe('zonedTimestampMicros', () => {
  it('reads Debezium ZonedTimestamp strings exactly to the microsecond', () => {
    expect(zonedTimestampMicros('2024-01-31T10:00:00.123456Z')).toBe(1706695200123456n);
    expect(zonedTimestampMicros('2024-01-31T10:00:00Z')).toBe(1706695200000000n);
    expect(zonedTimestampMicros('2024-01-31T10:00:00.1Z')).toBe(1706695200100000n);
    expect(zonedTimestampMicros('2024-01-31T10:00:00.123456789Z')).toBe(1706695200123456n); // ns truncated
    expect(zonedTimestampMicros('1969-12-31T23:59:59.999999Z')).toBe(-1n);
    expect(zonedTimestampMicros('0001-01-01T00:00:00Z')).toBe(-62135596800000000n);
    expect(zonedTimestampMicros('-0044-03-15T12:00:00Z')).toBe(BigInt(Date.UTC(-44, 2, 15, 12)) * 1000n);
    expect(zonedTimestampMicros('+12345-01-01T00:00:00Z')).toBe(BigInt(Date.UTC(12345, 0, 1)) * 1000n);
    expect(zonedTimestampMicros('2024-02-29T23:59:59.999999Z')).toBe(BigInt(Date.UTC(2024, 1, 29, 23, 59, 59)) * 1000n + 999999n);
  });

  it('applies offsets and reads Postgres infinities as ±(2^63 − 1)', () => {
    expect(zonedTimestampMicros('2024-01-31T12:00:00.5+02:00')).toBe(1706695200500000n);
    expect(zonedTimestampMicros('2024-01-31T05:30:00-04:30')).toBe(1706695200000000n);
    expect(zonedTimestampMicros('2024-01-31T10:00Z')).toBe(1706695200000000n);
    expect(zonedTimestampMicros('infinity')).toBe(2n ** 63n - 1n);
    expect(zonedTimestampMicros('-infinity')).toBe(-(2n ** 63n - 1n));
  });

  it('keeps every microsecond where seconds · 10^6 passes 2^53 (after ~2255, before ~1685)', () => {
    const cases: [string, bigint][] = [
      ['2300-01-01T00:00:00.000001Z', BigInt(Date.UTC(2300, 0, 1)) * 1000n + 1n],
      ['2300-01-01T02:00:00.000001+02:00', BigInt(Date.UTC(2300, 0, 1)) * 1000n + 1n],
      ['9999-12-31T23:59:59.999999Z', BigInt(Date.UTC(9999, 11, 31, 23, 59, 59)) * 1000n + 999999n],
      ['9999-12-31T20:59:59.999999-03:00', BigInt(Date.UTC(9999, 11, 31, 23, 59, 59)) * 1000n + 999999n],
      ['1600-03-01T12:34:56.789013Z', BigInt(Date.UTC(1600, 2, 1, 12, 34, 56)) * 1000n + 789013n],
      ['1600-03-01T18:04:56.789013+05:30', BigInt(Date.UTC(1600, 2, 1, 12, 34, 56)) * 1000n + 789013n],
    ];
    for (const [iso, micros] of cases) expect(zonedTimestampMicros(iso), iso).toBe(micros);
  });

  it('throws DataError for anything else', () => {
    for (const bad of ['', '2023-02-29T00:00:00Z', '2024-01-31T10:00:00.Z', '2024-01-31T10:00:00', '2024-01-31T24:00:00Z', '2024-1-31T10:00:00Z', '2024-01-31T10:00:00.1234567890Z', '2024-01-31T10:00:00+25:00', '2024-01-31T10:00:00Zjunk']) {
      expect(() => zonedTimestampMicros(bad), bad).toThrow(DataError);
    }
  });
});
