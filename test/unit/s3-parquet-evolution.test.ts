/**
 * Which schema changes one Parquet file absorbs (`schemaFit`) and the schema it continues with
 * (`unionSchema`), then the same decisions through `ParquetFileWriter.accepts`.
 */
import { describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct, type Schema } from '../../src/sdk/index.js';
import { schemaFit, unionSchema } from '../../connectors/s3/parquet/parquet-evolution.js';
import { ParquetFileWriter } from '../../connectors/s3/parquet/parquet-file.js';

type FieldSpec = [string, Schema];
const struct = (fields: FieldSpec[], opts: { optional?: boolean; name?: string; doc?: string } = {}): Schema => {
  const b = SchemaBuilder.struct().name(opts.name ?? 'Value');
  for (const [n, s] of fields) b.field(n, s);
  if (opts.optional) b.optional();
  if (opts.doc) b.doc(opts.doc);
  return b.build();
};
const names = (s: Schema): string[] => s.fields!.map((f) => f.name);

const base: FieldSpec[] = [['id', Schemas.INT64], ['name', Schemas.OPTIONAL_STRING]];
const v1 = struct(base);

describe('schemaFit', () => {
  it('same: the same object, or an equal one whose names, docs and versions differ', () => {
    expect(schemaFit(v1, v1, true)).toBe('same');
    expect(schemaFit(v1, struct(base, { name: 'Other', doc: 'd' }), true)).toBe('same');
    const withDoc = SchemaBuilder.string().optional().doc('the name').version(3).build();
    expect(schemaFit(v1, struct([['id', Schemas.INT64], ['name', withDoc]]), true)).toBe('same');
    expect(schemaFit(v1, struct(base, { optional: true }), true)).toBe('same'); // the record's own optional is not stored
  });

  it('merge: added optional fields, or optional fields left out (an older producer)', () => {
    expect(schemaFit(v1, struct([...base, ['email', Schemas.OPTIONAL_STRING]]), true)).toBe('merge');
    expect(schemaFit(v1, struct([['id', Schemas.INT64]]), true)).toBe('merge');
    expect(schemaFit(v1, struct([['id', Schemas.INT64], ['email', Schemas.OPTIONAL_STRING]]), true)).toBe('merge');
    expect(schemaFit(v1, struct([['name', Schemas.OPTIONAL_STRING], ['id', Schemas.INT64]]), true)).toBe('merge'); // reordered
  });

  it('incompatible: type, annotation or repetition changes, required fields added or left out', () => {
    expect(schemaFit(v1, struct([['id', Schemas.INT32], ['name', Schemas.OPTIONAL_STRING]]), true)).toBe('incompatible');
    expect(schemaFit(v1, struct([['id', Schemas.INT64], ['name', Schemas.STRING]]), true)).toBe('incompatible'); // optional → required
    expect(schemaFit(v1, struct([['id', Schemas.OPTIONAL_INT64], ['name', Schemas.OPTIONAL_STRING]]), true)).toBe('incompatible'); // required → optional
    expect(schemaFit(v1, struct([...base, ['email', Schemas.STRING]]), true)).toBe('incompatible');
    expect(schemaFit(v1, struct([['name', Schemas.OPTIONAL_STRING]]), true)).toBe('incompatible');
    const ts = struct([['id', SchemaBuilder.timestamp().build()], ['name', Schemas.OPTIONAL_STRING]]);
    expect(schemaFit(v1, ts, true)).toBe('incompatible'); // int64 → TIMESTAMP
    const d2 = struct([['p', SchemaBuilder.decimal(2).parameter('connect.decimal.precision', '10').build()]]);
    const d3 = struct([['p', SchemaBuilder.decimal(3).parameter('connect.decimal.precision', '10').build()]]);
    expect(schemaFit(d2, d3, true)).toBe('incompatible');
    expect(schemaFit(v1, Schemas.STRING, true)).toBe('incompatible');
  });

  it('semantic types stored alike are the same (ms and µs local timestamps are both TIMESTAMP(MICROS))', () => {
    const ms = struct([['t', SchemaBuilder.int64().name('io.debezium.time.Timestamp').build()]]);
    const us = struct([['t', SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').build()]]);
    expect(schemaFit(ms, us, true)).toBe('same');
  });

  it('looks inside nested structs, list elements and map values, but not map keys', () => {
    const inner1 = struct([['a', Schemas.INT32]], { optional: true, name: 'Inner' });
    const inner2 = struct([['a', Schemas.INT32], ['b', Schemas.OPTIONAL_STRING]], { optional: true, name: 'Inner' });
    const inner3 = struct([['a', Schemas.INT32], ['b', Schemas.STRING]], { optional: true, name: 'Inner' });
    expect(schemaFit(struct([['s', inner1]]), struct([['s', inner2]]), true)).toBe('merge');
    expect(schemaFit(struct([['s', inner2]]), struct([['s', inner1]]), true)).toBe('merge');
    expect(schemaFit(struct([['s', inner1]]), struct([['s', inner3]]), true)).toBe('incompatible');
    const list = (e: Schema): Schema => struct([['l', SchemaBuilder.array(e).optional().build()]]);
    expect(schemaFit(list(inner1), list(inner2), true)).toBe('merge');
    const mapOf = (k: Schema, v: Schema): Schema => struct([['m', SchemaBuilder.map(k, v).build()]]);
    expect(schemaFit(mapOf(Schemas.STRING, inner1), mapOf(Schemas.STRING, inner2), true)).toBe('merge');
    const key1 = struct([['k', Schemas.STRING]], { name: 'K' });
    const key2 = struct([['k', Schemas.STRING], ['k2', Schemas.OPTIONAL_STRING]], { name: 'K' });
    expect(schemaFit(mapOf(key1, Schemas.INT32), mapOf(key2, Schemas.INT32), true)).toBe('incompatible');
    expect(schemaFit(struct([['s', inner1]]), struct([['s', struct([['a', Schemas.INT32]], { name: 'Inner' })]]), true)).toBe('incompatible'); // optional struct → required
  });
});

describe('unionSchema', () => {
  it('keeps the current fields in place and appends new ones, merging nested structs', () => {
    const inner1 = struct([['a', Schemas.INT32]], { optional: true, name: 'Inner' });
    const inner2 = struct([['x', Schemas.OPTIONAL_INT32], ['a', Schemas.INT32]], { optional: true, name: 'Inner' });
    const cur = struct([['id', Schemas.INT64], ['s', inner1], ['old', Schemas.OPTIONAL_STRING]]);
    const next = struct([['new', Schemas.OPTIONAL_BOOLEAN], ['s', inner2], ['id', Schemas.INT64]]);
    const u = unionSchema(cur, next);
    expect(names(u)).toEqual(['id', 's', 'old', 'new']);
    expect(u.fields!.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(names(u.fields![1]!.schema)).toEqual(['a', 'x']);
    expect(Object.isFrozen(u)).toBe(true);
  });

  it('returns the current schema itself when nothing is added', () => {
    expect(unionSchema(v1, struct([['id', Schemas.INT64]]))).toBe(v1);
    expect(unionSchema(v1, struct(base, { name: 'Other' }))).toBe(v1);
  });
});

describe('ParquetFileWriter.accepts', () => {
  const open = (s: Schema) => new ParquetFileWriter(s, { codec: 'none', rowGroupBytes: 1 << 20 }, () => {});
  const v2 = struct([...base, ['email', Schemas.OPTIONAL_STRING]]);
  const row = (s: Schema, ...values: unknown[]) => Struct.fromValues(s, values);

  it('answers against the file schema, which widens on each merge', () => {
    const w = open(v1);
    expect(w.accepts(v1)).toBe('same');
    expect(w.accepts(v2)).toBe('merge');
    w.append(v2, row(v2, 1, 'a', 'a@x'));
    expect(w.fileSchema()).not.toBe(v1);
    expect(names(w.fileSchema())).toEqual(['id', 'name', 'email']);
    expect(w.accepts(v2)).toBe('same');
    expect(w.accepts(v1)).toBe('merge'); // lacks email: nulls
    w.append(v1, row(v1, 2, 'b'));
    expect(w.accepts(struct([['id', Schemas.INT64], ['name', Schemas.STRING]]))).toBe('incompatible');
    expect(w.rows()).toBe(2);
  });

  it('refuses to append an incompatible schema, leaving the file as it was', () => {
    const w = open(v1);
    const other = struct([['id', Schemas.STRING]]);
    expect(w.accepts(other)).toBe('incompatible');
    expect(() => w.append(other, row(other, 'x'))).toThrow(/cannot be merged/);
    expect(w.rows()).toBe(0);
    expect(w.fileSchema()).toBe(v1);
  });

  it('calls a schema whose merge Parquet cannot hold incompatible', () => {
    const w = open(v1);
    const empty = struct([...base, ['e', SchemaBuilder.struct().optional().build()]]);
    expect(w.accepts(empty)).toBe('incompatible');
  });
});
