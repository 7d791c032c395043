/** cdc.flatten: Debezium change events as flat change-log rows. */
import { describe, expect, it } from 'vitest';
import { DataError, SchemaBuilder, Schemas, Struct, type Schema, type SinkRecord } from '../../src/sdk/index.js';
import { CDC_COLUMNS, flattenChange, flattenedSchema, flattenRecord } from '../../connectors/s3/cdc-flatten.js';
import { envelopeSchema, SOURCE_SCHEMA } from '../../connectors/postgres-cdc/debezium-schemas.js';

function rowSchema(extra?: [string, Schema]): Schema {
  const b = SchemaBuilder.struct()
    .name('pg.public.users.Value')
    .field('id', Schemas.INT32)
    .field('email', Schemas.OPTIONAL_STRING)
    .field('score', SchemaBuilder.int64().defaultValue(7).build())
    .field('tags', SchemaBuilder.array(Schemas.STRING).optional().build());
  if (extra) b.field(...extra);
  return b.optional().build();
}

const ROW = rowSchema();
const ENVELOPE = envelopeSchema('pg.public.users.Envelope', ROW);

function source(lsn: number | null = 23_456_789, table = 'users'): Struct {
  return Struct.fromValues(SOURCE_SCHEMA, ['3.0', 'postgresql', 'pg', 1_706_659_200_123, 'false', 'app', null, null, null, 'public', table, 77, lsn, null, null, null]);
}

function row(id: number, email: string | null, score: number | null = 10, schema = ROW): Struct {
  return Struct.fromValues(schema, [id, email, score, ['a']]);
}

function envelope(op: string, before: Struct | null, after: Struct | null, schema = ENVELOPE, src = source()): Struct {
  return Struct.fromValues(schema, [before, after, src, null, op, 1_706_659_200_456, null, null]);
}

function record(value: unknown, offset = 42): SinkRecord {
  return {
    topic: 'pg.public.users',
    kafkaPartition: 2,
    kafkaOffset: offset,
    keySchema: null,
    key: null,
    valueSchema: value instanceof Struct ? value.schema : null,
    value,
    timestamp: 0,
    timestampType: 'CreateTime',
    headers: [],
    originalTopic: 'pg.public.users',
    originalKafkaPartition: 2,
    originalKafkaOffset: offset,
  };
}

function flat(value: unknown): Struct {
  const out = flattenChange(record(value));
  expect(out).not.toBeNull();
  expect(out!.value).toBeInstanceOf(Struct);
  return out!.value as Struct;
}

describe('flattenedSchema', () => {
  it('is the row image made optional plus the change columns', () => {
    const s = flattenedSchema(ENVELOPE);
    expect(s.name).toBe('pg.public.users.Change');
    expect(s.fields!.map((f) => f.name)).toEqual(['id', 'email', 'score', 'tags', ...CDC_COLUMNS]);
    for (const f of s.fields!.slice(0, 4)) {
      expect(f.schema.optional, f.name).toBe(true);
      expect(f.schema.defaultValue, f.name).toBeUndefined();
    }
    expect(s.fields!.find((f) => f.name === 'tags')!.schema.valueSchema).toBe(Schemas.STRING);
    const types = Object.fromEntries(s.fields!.slice(4).map((f) => [f.name, `${f.schema.type}${f.schema.optional ? '?' : ''}`]));
    expect(types).toEqual({ __op: 'string', __lsn: 'int64?', __source_ts_ms: 'int64', __table: 'string', __deleted: 'boolean', __topic: 'string', __partition: 'int32', __offset: 'int64' });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.fields)).toBe(true);
  });

  it('is built once per schema and shared by equal schemas', () => {
    expect(flattenedSchema(ENVELOPE)).toBe(flattenedSchema(ENVELOPE));
    const again = envelopeSchema('pg.public.users.Envelope', rowSchema());
    expect(again).not.toBe(ENVELOPE);
    expect(flattenedSchema(again)).toBe(flattenedSchema(ENVELOPE));
    expect(flat(envelope('c', null, row(1, 'x', 1, again.fields![1]!.schema), again)).schema).toBe(flattenedSchema(ENVELOPE));
    const wider = envelopeSchema('pg.public.users.Envelope', rowSchema(['age', Schemas.OPTIONAL_INT16]));
    expect(flattenedSchema(wider)).not.toBe(flattenedSchema(ENVELOPE));
  });
});

describe('flattenChange', () => {
  it('writes the after image of inserts, snapshot reads and updates', () => {
    for (const op of ['c', 'r', 'u']) {
      const v = flat(envelope(op, op === 'u' ? row(1, 'old@x') : null, row(1, 'new@x')));
      expect(v.get('id')).toBe(1);
      expect(v.get('email')).toBe('new@x');
      expect(v.get('tags')).toEqual(['a']);
      expect(v.get('__op')).toBe(op);
      expect(v.get('__deleted')).toBe(false);
      expect(v.get('__lsn')).toBe(23_456_789);
      expect(v.get('__source_ts_ms')).toBe(1_706_659_200_123);
      expect(v.get('__table')).toBe('users');
      expect([v.get('__topic'), v.get('__partition'), v.get('__offset')]).toEqual(['pg.public.users', 2, 42]);
      v.validate();
    }
  });

  it('writes the before image of deletes, marked deleted', () => {
    const v = flat(envelope('d', row(5, 'gone@x'), null));
    expect([v.get('id'), v.get('email'), v.get('__op'), v.get('__deleted')]).toEqual([5, 'gone@x', 'd', true]);
  });

  it('keeps a delete without a before image (REPLICA IDENTITY NOTHING) as nulls', () => {
    const v = flat(envelope('d', null, null));
    expect([v.get('id'), v.get('email'), v.get('__deleted')]).toEqual([null, null, true]);
  });

  it('writes truncates with null image columns', () => {
    const v = flat(envelope('t', null, null));
    expect(v.get('__op')).toBe('t');
    for (const n of ['id', 'email', 'score', 'tags']) expect(v.get(n), n).toBeNull();
    v.validate();
  });

  it('applies a field default to a null value, as Struct.get does', () => {
    expect(flat(envelope('c', null, row(1, null, null))).get('score')).toBe(7);
  });

  it('gives __lsn null without source.lsn', () => {
    expect(flat(envelope('c', null, row(1, 'x'), ENVELOPE, source(null))).get('__lsn')).toBeNull();
    const mysqlSource = SchemaBuilder.struct().name('io.debezium.connector.mysql.Source').field('ts_ms', Schemas.INT64).field('table', Schemas.OPTIONAL_STRING).field('file', Schemas.STRING).build();
    const env = SchemaBuilder.struct().name('my.db.t.Envelope').field('before', ROW).field('after', ROW).field('source', mysqlSource).field('op', Schemas.STRING).build();
    const v = flat(Struct.fromValues(env, [null, row(2, 'y'), Struct.fromValues(mysqlSource, [5, 't', 'binlog.1']), 'c']));
    expect([v.get('__lsn'), v.get('__source_ts_ms'), v.get('__table')]).toEqual([null, 5, 't']);
    expect(v.schema.name).toBe('my.db.t.Change');
  });

  it('reads a source block whose schema is not the envelope field\'s by name, with its defaults', () => {
    const other = SchemaBuilder.struct().name('other.Source').field('lsn', Schemas.OPTIONAL_INT64).field('table', SchemaBuilder.string().optional().defaultValue('dflt').build()).field('ts_ms', Schemas.INT64).build();
    const v = flat(envelope('c', null, row(1, 'x'), ENVELOPE, Struct.fromValues(other, [5, null, 6])));
    expect([v.get('__lsn'), v.get('__source_ts_ms'), v.get('__table')]).toEqual([5, 6, 'dflt']);
    const noLsn = SchemaBuilder.struct().field('ts_ms', Schemas.INT64).field('table', Schemas.STRING).build();
    expect(() => flat(envelope('c', null, row(1, 'x'), ENVELOPE, Struct.fromValues(noLsn, [6, 't'])))).toThrow(/lsn is not a field/);
  });

  it('copies every record field, replacing only the value and its schema', () => {
    const r = record(envelope('u', null, row(3, 'z')), 5);
    const out = flattenRecord({ ...r, key: 'k', keySchema: Schemas.STRING, timestamp: 77, headers: [{ key: 'h', schema: null, value: 1 }], originalTopic: 'orig', originalKafkaPartition: 9, originalKafkaOffset: 99 })!;
    const { value, valueSchema, ...rest } = out;
    expect(rest).toEqual({ topic: r.topic, kafkaPartition: 2, kafkaOffset: 5, keySchema: Schemas.STRING, key: 'k', timestamp: 77, timestampType: 'CreateTime', headers: [{ key: 'h', schema: null, value: 1 }], originalTopic: 'orig', originalKafkaPartition: 9, originalKafkaOffset: 99 });
    expect(valueSchema).toBe(flattenedSchema(ENVELOPE));
    expect((value as Struct).get('__op')).toBe('u');
  });

  it('drops tombstones', () => {
    expect(flattenChange(record(null))).toBeNull();
    expect(flattenRecord(record(null))).toBeNull();
  });

  it('returns the record with its value replaced', () => {
    const r = flattenRecord(record(envelope('c', null, row(1, 'x')), 9))!;
    expect(r.valueSchema).toBe(flattenedSchema(ENVELOPE));
    expect((r.value as Struct).get('__offset')).toBe(9);
    expect(r.kafkaOffset).toBe(9);
  });

  it('flattens the schemaless form (JsonConverter schemas.enable=false)', () => {
    const value = { before: null, after: { id: 1, email: 'a@x' }, source: { ts_ms: 11, table: 'users', lsn: 99 }, op: 'c', ts_ms: 12 };
    expect(flattenChange(record(value))).toEqual({
      schema: null,
      value: { id: 1, email: 'a@x', __op: 'c', __lsn: 99, __source_ts_ms: 11, __table: 'users', __deleted: false, __topic: 'pg.public.users', __partition: 2, __offset: 42 },
    });
    const del = flattenChange(record({ before: { id: 1 }, after: null, source: { ts_ms: 11, table: 'users' }, op: 'd' }))!.value;
    expect(del).toMatchObject({ id: 1, __op: 'd', __deleted: true, __lsn: null });
    const trunc = flattenChange(record(new Map<string, unknown>([['op', 't'], ['before', null], ['after', null], ['source', new Map<string, unknown>([['ts_ms', 1], ['table', 'users']])]])))!.value;
    expect(trunc).toMatchObject({ __op: 't', __table: 'users' });
    expect(Object.keys(trunc)).toEqual([...CDC_COLUMNS]);
  });

  it('refuses records that are not change events, naming the record and what is missing', () => {
    const plain = SchemaBuilder.struct().name('pg.public.users.Value').field('id', Schemas.INT32).build();
    const err = (value: unknown): DataError => {
      try {
        flattenChange(record(value));
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        return e as DataError;
      }
      throw new Error('no error');
    };
    expect(err(Struct.fromValues(plain, [1])).message).toBe(
      'cdc.flatten: the record at topic pg.public.users partition 2 offset 42 is not a Debezium change event: its value schema pg.public.users.Value has no op, source, before/after field',
    );
    expect(err({ id: 1 }).message).toMatch(/offset 42 is not a Debezium change event: its value has no op, source, before\/after field/);
    expect(err({ op: 'c', after: { id: 1 } }).message).toMatch(/has no source field/);
    expect(err('text').message).toMatch(/its value is string/);
    expect(err(envelope('x', null, row(1, 'x'))).message).toMatch(/has op "x"; expected one of c, r, u, d, t/);
    expect(err(envelope('u', row(1, 'x'), null)).message).toMatch(/op 'u' but no after image/);
    const noTable = SchemaBuilder.struct().field('ts_ms', Schemas.INT64).build();
    const env = SchemaBuilder.struct().field('after', ROW).field('source', noTable).field('op', Schemas.STRING).build();
    expect(err(Struct.fromValues(env, [row(1, 'x'), Struct.fromValues(noTable, [1]), 'c'])).message).toMatch(/source in its value schema struct has no table field/);
  });

  it('refuses a column named like an added one, naming it', () => {
    const clash = envelopeSchema('pg.public.t.Envelope', rowSchema(['__deleted', Schemas.OPTIONAL_STRING]));
    expect(() => flattenChange(record(envelope('c', null, Struct.fromValues(clash.fields![1]!.schema, [1, 'x', 1, null, 'no']), clash)))).toThrow(
      /offset 42 has a column __deleted, which collides with the __deleted column cdc\.flatten adds/,
    );
    expect(() => flattenChange(record({ op: 'c', before: null, after: { __op: 1 }, source: { ts_ms: 1, table: 't' } }))).toThrow(/column __op, which collides/);
  });
});
