/**
 * io.debezium.transforms.ExtractNewRecordState on change events built by our Postgres CDC source's own
 * code (TableModel maps pgoutput text, EventBuilder wraps it in the Debezium envelope), so schemas and
 * values are the ones a real capture writes. Expectations come from Debezium's event-flattening docs
 * and ExtractNewRecordStateTest.
 */
import { describe, expect, it } from 'vitest';
import { configError } from '../support/config-error.js';
import {
  ConfigError,
  DataError,
  SchemaBuilder,
  Schemas,
  Struct,
  type ConnectHeader,
  type Schema,
  type SourceRecord,
  type Transformation,
} from '../../src/sdk/index.js';
import { EventBuilder, type EventContext } from '../../connectors/postgres-cdc/change-records.js';
import type { TupleData } from '../../connectors/postgres-cdc/pgoutput-messages.js';
import type { PgTypeInfo } from '../../connectors/postgres-cdc/pg-type-info.js';
import { DEFAULT_TYPE_MODES } from '../../connectors/postgres-cdc/pg-value-mapping.js';
import { TableModel, type ModelColumn } from '../../connectors/postgres-cdc/table-model.js';
import { builtinRegistry } from '../../src/runtime/builtin-plugins.js';
import { JsonConverter } from '../../src/runtime/converters/index.js';
import { TransformChain } from '../../src/runtime/task-plugins.js';
import { ExtractNewRecordState } from '../../transforms/debezium/extract-new-record-state.js';

// ---- change events as the CDC source builds them ----

const type = (oid: number, name: string): PgTypeInfo => ({ oid, name, schema: 'pg_catalog', kind: 'base' });
const column = (name: string, t: PgTypeInfo, o: { notNull?: boolean; def?: string; typeMod?: number } = {}): ModelColumn => ({
  name,
  type: t,
  typeMod: o.typeMod ?? -1,
  notNull: o.notNull ?? false,
  defaultExpression: o.def ?? null,
});

/** public.customers with topic.prefix=pg: id int4 PK, name text NOT NULL, email varchar, status text DEFAULT 'active', amount numeric(10,2), created_at timestamptz NOT NULL. */
const MODEL = new TableModel({
  oid: 16_400,
  schema: 'public',
  table: 'customers',
  columns: [
    column('id', type(23, 'int4'), { notNull: true }),
    column('name', type(25, 'text'), { notNull: true }),
    column('email', type(1043, 'varchar')),
    column('status', type(25, 'text'), { def: "'active'::text" }),
    column('amount', type(1700, 'numeric'), { typeMod: ((10 << 16) | 2) + 4 }),
    column('created_at', type(1184, 'timestamptz'), { notNull: true }),
  ],
  keyColumns: ['id'],
  includesColumn: () => true,
  topicPrefix: 'pg',
  modes: DEFAULT_TYPE_MODES,
});

const NOW_US = Date.UTC(2024, 4, 1, 12, 0, 0) * 1000;
const COMMIT_US = NOW_US - 250_500;
const LSN = 23_456_789;
const TX = { id: '771:23456789', totalOrder: 3, collectionOrder: 2 };

const builder = new EventBuilder({
  serverName: 'pg',
  database: 'shop',
  version: '3.0.0.Final',
  tombstonesOnDelete: true,
  heartbeatTopic: '__debezium-heartbeat.pg',
  transactionTopic: 'pg.transaction',
  nowUs: () => NOW_US,
});

function ctx(o: { snapshot?: boolean; tx?: boolean } = {}): EventContext {
  const offset = { lsn: LSN, txId: 771 };
  return {
    partition: { server: 'pg' },
    offset,
    offsetBefore: offset,
    source: { tsUs: COMMIT_US, snapshot: o.snapshot ? 'true' : 'false', txId: o.snapshot ? null : 771, lsn: LSN, lastCommitLsn: 23_456_000 },
    transaction: o.tx ? TX : null,
  };
}

const ANN: TupleData = ['1', 'Ann', 'ann@example.com', null, '12.50', '2024-05-01 10:00:00+00'];
const ANN2: TupleData = ['1', 'Ann B', 'ann@example.com', 'gold', '99.99', '2024-05-01 10:00:00+00'];

function one(f: (out: SourceRecord[]) => void): SourceRecord {
  const out: SourceRecord[] = [];
  f(out);
  return out[0]!;
}
const create = (o?: { tx?: boolean }): SourceRecord => one((out) => builder.create(MODEL, MODEL.row(ANN), MODEL.key(ANN), ctx(o), out));
const read = (): SourceRecord => one((out) => builder.read(MODEL, MODEL.row(ANN), MODEL.key(ANN), ctx({ snapshot: true }), out));
const update = (o?: { tx?: boolean }): SourceRecord => one((out) => builder.update(MODEL, MODEL.row(ANN), MODEL.row(ANN2), MODEL.key(ANN2), ctx(o), out));
function deleteAndTombstone(): [SourceRecord, SourceRecord] {
  const out: SourceRecord[] = [];
  builder.delete(MODEL, MODEL.row(ANN2), MODEL.key(ANN2), ctx(), out);
  expect(out).toHaveLength(2);
  return [out[0]!, out[1]!];
}
const del = (): SourceRecord => deleteAndTombstone()[0];
const tombstone = (): SourceRecord => deleteAndTombstone()[1];
const truncate = (): SourceRecord => one((out) => builder.truncate(MODEL, ctx(), out));

function smt(props: Record<string, string> = {}): Transformation<SourceRecord> {
  const t = new ExtractNewRecordState<SourceRecord>();
  t.configure(props);
  return t;
}

const struct = (r: SourceRecord | null): Struct => {
  expect(r).not.toBeNull();
  expect(r!.value).toBeInstanceOf(Struct);
  return r!.value as Struct;
};
const raw = (s: Struct): Record<string, unknown> => Object.fromEntries(s.schema.fields!.map((f) => [f.name, s.getWithoutDefault(f.name)]));
const fieldNames = (s: Schema | null): string[] => (s?.fields ?? []).map((f) => f.name);
const ROW_FIELDS = ['id', 'name', 'email', 'status', 'amount', 'created_at'];

function rowOf(tuple: TupleData): Record<string, unknown> {
  return raw(MODEL.row(tuple));
}


// ---- tests ----

describe('registration', () => {
  it('resolves under Debezium class name and short alias, configured from connector keys', () => {
    const registry = builtinRegistry();
    expect(registry.find('io.debezium.transforms.ExtractNewRecordState', 'transformation')).toBeDefined();
    expect(registry.find('ExtractNewRecordState', 'transformation')).toBeDefined();
    const chain = TransformChain.build<SourceRecord>(registry, {
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.add.fields': 'op',
    });
    const out = chain.apply(create());
    expect(struct(out).getWithoutDefault('__op')).toBe('c');
  });
});

describe('default configuration (delete.tombstone.handling.mode=tombstone)', () => {
  it('replaces a create with its after row, keeping topic, key, headers and offsets', () => {
    const r = create();
    const out = smt().apply(r)!;
    expect(out.topic).toBe('pg.public.customers');
    expect(out.key).toBe(r.key);
    expect(out.keySchema).toBe(r.keySchema);
    expect(out.sourceOffset).toBe(r.sourceOffset);
    expect(out.headers).toEqual([]);
    const v = struct(out);
    expect(raw(v)).toEqual(rowOf(ANN));
    // Debezium rebuilds the row with copySchemaBasics: after's name and version, required, same fields.
    expect(out.valueSchema).toMatchObject({ type: 'struct', name: 'pg.public.customers.Value', optional: false });
    expect(out.valueSchema!.fields).toEqual(MODEL.rowSchema.fields);
    expect(v.schema).toBe(out.valueSchema);
  });

  it('unwraps updates and snapshot reads to after', () => {
    expect(raw(struct(smt().apply(update())))).toEqual(rowOf(ANN2));
    expect(raw(struct(smt().apply(read())))).toEqual(rowOf(ANN));
  });

  it("turns a delete into a record with a null value that keeps after's schema, and drops tombstones and truncates", () => {
    const t = smt();
    const out = t.apply(del())!;
    expect(out).not.toBeNull();
    expect(out.value).toBeNull();
    expect(out.valueSchema).toBe(MODEL.rowSchema);
    expect(out.key).toEqual(MODEL.key(ANN2));
    expect(t.apply(tombstone())).toBeNull();
    expect(t.apply(truncate())).toBeNull();
  });

  it('derives the output schema once per input schema', () => {
    const t = smt({ 'add.fields': 'op' });
    expect(t.apply(create())!.valueSchema).toBe(t.apply(update())!.valueSchema);
  });
});

type Outcome = 'row' | 'row+false' | 'null' | 'null-value' | 'tombstone' | 'before+true' | 'kept';

describe.each<[string, Record<'create' | 'update' | 'delete' | 'tombstone' | 'truncate', Outcome>]>([
  ['drop', { create: 'row', update: 'row', delete: 'null', tombstone: 'null', truncate: 'null' }],
  ['tombstone', { create: 'row', update: 'row', delete: 'null-value', tombstone: 'null', truncate: 'null' }],
  ['rewrite', { create: 'row+false', update: 'row+false', delete: 'before+true', tombstone: 'null', truncate: 'null' }],
  ['rewrite-with-tombstone', { create: 'row+false', update: 'row+false', delete: 'before+true', tombstone: 'kept', truncate: 'null' }],
  ['delete-to-tombstone', { create: 'row', update: 'row', delete: 'tombstone', tombstone: 'null', truncate: 'null' }],
])('delete.tombstone.handling.mode=%s', (mode, expected) => {
  const inputs = { create, update, delete: del, tombstone, truncate };
  const rows: Record<string, TupleData> = { create: ANN, update: ANN2, delete: ANN2 };

  for (const [event, outcome] of Object.entries(expected)) {
    it(`${event} → ${outcome}`, () => {
      const input = inputs[event as keyof typeof inputs]();
      const out = smt({ 'delete.tombstone.handling.mode': mode }).apply(input);
      switch (outcome) {
        case 'null':
          expect(out).toBeNull();
          break;
        case 'kept':
          expect(out).toBe(input);
          break;
        case 'null-value':
          expect(out!.value).toBeNull();
          expect(out!.valueSchema).toBe(MODEL.rowSchema);
          break;
        case 'tombstone':
          expect(out!.value).toBeNull();
          expect(out!.valueSchema).toBeNull();
          expect(out!.key).toEqual(input.key);
          break;
        case 'row':
          expect(raw(struct(out))).toEqual(rowOf(rows[event]!));
          expect(fieldNames(out!.valueSchema)).toEqual(ROW_FIELDS);
          break;
        case 'row+false':
        case 'before+true': {
          const v = struct(out);
          // In rewrite modes the null status takes its column default (replace.null.with.default=true).
          const row = rowOf(rows[event]!);
          expect(raw(v)).toEqual({ ...row, status: row['status'] ?? 'active', __deleted: outcome === 'row+false' ? 'false' : 'true' });
          expect(fieldNames(out!.valueSchema)).toEqual([...ROW_FIELDS, '__deleted']);
          expect(out!.valueSchema!.fields![6]!.schema).toEqual(Schemas.OPTIONAL_STRING);
          expect(out!.valueSchema!.name).toBe('pg.public.customers.Value');
        }
      }
    });
  }
});

describe('legacy drop.tombstones / delete.handling.mode', () => {
  const outcome = (props: Record<string, string>) => {
    const t = smt(props);
    const d = t.apply(del());
    return {
      delete: d === null ? 'dropped' : d.value === null ? 'null value' : (d.value as Struct).getWithoutDefault('__deleted'),
      tombstone: t.apply(tombstone()) === null ? 'dropped' : 'kept',
      create: fieldNames(t.apply(create())!.valueSchema).includes('__deleted') ? 'rewritten' : 'plain',
    };
  };

  it('apply when the newer key is not set (defaults: drop.tombstones=true, delete.handling.mode=drop)', () => {
    expect(outcome({ 'drop.tombstones': 'false' })).toEqual({ delete: 'dropped', tombstone: 'kept', create: 'plain' });
    expect(outcome({ 'delete.handling.mode': 'none' })).toEqual({ delete: 'null value', tombstone: 'dropped', create: 'plain' });
    expect(outcome({ 'delete.handling.mode': 'rewrite' })).toEqual({ delete: 'true', tombstone: 'dropped', create: 'rewritten' });
    expect(outcome({ 'delete.handling.mode': 'REWRITE', 'drop.tombstones': 'false' })).toEqual({ delete: 'true', tombstone: 'kept', create: 'rewritten' });
    expect(outcome({ 'delete.handling.mode': 'none', 'drop.tombstones': 'false' })).toEqual({ delete: 'null value', tombstone: 'kept', create: 'plain' });
  });

  it('are overridden by delete.tombstone.handling.mode, unless it is blank', () => {
    expect(outcome({ 'delete.tombstone.handling.mode': 'drop', 'drop.tombstones': 'false', 'delete.handling.mode': 'rewrite' })).toEqual({
      delete: 'dropped',
      tombstone: 'dropped',
      create: 'plain',
    });
    expect(outcome({ 'delete.tombstone.handling.mode': ' ', 'delete.handling.mode': 'rewrite' })).toEqual({ delete: 'true', tombstone: 'dropped', create: 'rewritten' });
  });

  it('without any of the keys the default is tombstone (Debezium 3.2+)', () => {
    expect(outcome({})).toEqual({ delete: 'null value', tombstone: 'dropped', create: 'plain' });
  });
});

describe('add.fields', () => {
  it('adds op, table, lsn and source.ts_ms as optional fields after the row, typed as in the envelope', () => {
    const out = smt({ 'add.fields': 'op,table,lsn,source.ts_ms' }).apply(update())!;
    const v = struct(out);
    expect(fieldNames(out.valueSchema)).toEqual([...ROW_FIELDS, '__op', '__table', '__lsn', '__source_ts_ms']);
    expect(raw(v)).toMatchObject({ __op: 'u', __table: 'customers', __lsn: LSN, __source_ts_ms: Math.floor(COMMIT_US / 1000) });
    const schemaOf = (n: string) => out.valueSchema!.fields!.find((f) => f.name === n)!.schema;
    expect(schemaOf('__op')).toEqual(Schemas.OPTIONAL_STRING);
    expect(schemaOf('__table')).toEqual(Schemas.OPTIONAL_STRING);
    expect(schemaOf('__lsn')).toEqual(Schemas.OPTIONAL_INT64);
    expect(schemaOf('__source_ts_ms')).toEqual(Schemas.OPTIONAL_INT64);
    expect(out.valueSchema!.optional).toBe(false);
  });

  it('puts __deleted before the added fields in rewrite mode and reads deletes from before', () => {
    const t = smt({ 'add.fields': 'op,source.ts_ms', 'delete.tombstone.handling.mode': 'rewrite' });
    const out = t.apply(del())!;
    expect(fieldNames(out.valueSchema)).toEqual([...ROW_FIELDS, '__deleted', '__op', '__source_ts_ms']);
    expect(raw(struct(out))).toMatchObject({ id: 1, name: 'Ann B', __deleted: 'true', __op: 'd' });
    expect(raw(struct(t.apply(create())))).toMatchObject({ __deleted: 'false', __op: 'c' });
  });

  it('does not add fields to deletes outside the rewrite modes', () => {
    expect(smt({ 'add.fields': 'op' }).apply(del())!.value).toBeNull();
  });

  it('names envelope, source and transaction fields as Debezium does', () => {
    const out = smt({ 'add.fields': 'ts_ms,ts_us,source.ts_ns,id,total_order,transaction.data_collection_order,source.snapshot,db' }).apply(create({ tx: true }))!;
    const v = raw(struct(out));
    expect(v).toMatchObject({
      __ts_ms: Math.floor(NOW_US / 1000),
      __ts_us: NOW_US,
      __source_ts_ns: BigInt(COMMIT_US) * 1000n,
      __id: TX.id,
      __total_order: TX.totalOrder,
      __transaction_data_collection_order: TX.collectionOrder,
      __source_snapshot: 'false',
      __db: 'shop',
    });
    // The Enum keeps its name and parameters but, copied with copySchemaBasics, loses its default.
    const snapshot = out.valueSchema!.fields!.find((f) => f.name === '__source_snapshot')!.schema;
    expect(snapshot).toMatchObject({ type: 'string', optional: true, name: 'io.debezium.data.Enum' });
    expect(snapshot.defaultValue).toBeUndefined();
  });

  it('adds transaction fields with a null value when the event has no transaction block', () => {
    const v = raw(struct(smt({ 'add.fields': 'id,total_order' }).apply(create())));
    expect(v).toMatchObject({ __id: null, __total_order: null });
  });

  it('renames with field:NEW, honours add.fields.prefix, and skips fields the envelope lacks', () => {
    const out = smt({ 'add.fields': 'op:OP, source.ts_ms:EVENT_TS,notExisting,lsn', 'add.fields.prefix': 'meta_' }).apply(create())!;
    expect(fieldNames(out.valueSchema)).toEqual([...ROW_FIELDS, 'meta_OP', 'meta_EVENT_TS', 'meta_lsn']);
    expect(raw(struct(out))).toMatchObject({ meta_OP: 'c', meta_EVENT_TS: Math.floor(COMMIT_US / 1000), meta_lsn: LSN });
  });

  it('fails on a record when an added name collides with a column', () => {
    expect(() => smt({ 'add.fields': 'op:name', 'add.fields.prefix': '' }).apply(create())).toThrow(DataError);
  });

  it('shows up in the JsonConverter schema exactly as Debezium would serialise it', () => {
    const out = smt({ 'add.fields': 'op,lsn', 'delete.tombstone.handling.mode': 'rewrite' }).apply(create())!;
    const json = JSON.parse(new JsonConverter().fromConnectData(out.topic, out.valueSchema, out.value)!.toString('utf8')) as {
      schema: { name: string; optional: boolean; fields: Array<{ field: string; type: string; optional: boolean }> };
      payload: Record<string, unknown>;
    };
    expect(json.schema.name).toBe('pg.public.customers.Value');
    expect(json.schema.optional).toBe(false);
    expect(json.schema.fields.slice(-3)).toEqual([
      { type: 'string', optional: true, field: '__deleted' },
      { type: 'string', optional: true, field: '__op' },
      { type: 'int64', optional: true, field: '__lsn' },
    ]);
    expect(json.payload).toMatchObject({ id: 1, name: 'Ann', status: 'active', created_at: '2024-05-01T10:00:00.000000Z', __deleted: 'false', __op: 'c', __lsn: LSN });
  });
});

describe('add.headers', () => {
  const header = (hs: readonly ConnectHeader[], key: string) => hs.find((h) => h.key === key);

  it('adds op and source.lsn headers with optional copies of their schemas', () => {
    const out = smt({ 'add.headers': 'op,source.lsn' }).apply(update())!;
    expect(out.headers).toEqual([
      { key: '__op', schema: Schemas.OPTIONAL_STRING, value: 'u' },
      { key: '__source_lsn', schema: Schemas.OPTIONAL_INT64, value: LSN },
    ]);
  });

  it('keeps existing headers, honours add.headers.prefix and renames', () => {
    const input = { ...create({ tx: true }), headers: [{ key: 'app', schema: Schemas.STRING, value: 'x' }] };
    const out = smt({ 'add.headers': 'op,transaction.id:TXN_ID', 'add.headers.prefix': 'prefix.' }).apply(input)!;
    expect(out.headers.map((h) => [h.key, h.value])).toEqual([
      ['app', 'x'],
      ['prefix.op', 'c'],
      ['prefix.TXN_ID', TX.id],
    ]);
  });

  it('adds an op header of "d" to deletes and to kept tombstones', () => {
    const t = smt({ 'add.headers': 'op,source.lsn', 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' });
    const d = t.apply(del())!;
    expect(header(d.headers, '__op')?.value).toBe('d');
    expect(header(d.headers, '__source_lsn')?.value).toBe(LSN);
    const tomb = t.apply(tombstone())!;
    expect(tomb.value).toBeNull();
    expect(tomb.headers).toEqual([{ key: '__op', schema: Schemas.STRING, value: 'd' }]);
  });

  it('adds headers to the null-value record of a delete in tombstone mode', () => {
    const out = smt({ 'add.headers': 'op' }).apply(del())!;
    expect(out.value).toBeNull();
    expect(header(out.headers, '__op')?.value).toBe('d');
  });
});

describe('route.by.field', () => {
  it('routes creates and updates by an after column and deletes by a before column', () => {
    const t = smt({ 'route.by.field': 'name' });
    expect(t.apply(create())!.topic).toBe('Ann');
    expect(t.apply(update())!.topic).toBe('Ann B');
    expect(t.apply(del())!.topic).toBe('Ann B');
  });

  it('keeps the topic when the column is null and fails on an unknown column', () => {
    expect(smt({ 'route.by.field': 'status' }).apply(create())!.topic).toBe('pg.public.customers');
    expect(() => smt({ 'route.by.field': 'nope' }).apply(create())).toThrow(DataError);
  });
});

describe('replace.null.with.default', () => {
  it('stores the column default for a null in rewrite modes by default', () => {
    expect(struct(smt({ 'delete.tombstone.handling.mode': 'rewrite' }).apply(create())).getWithoutDefault('status')).toBe('active');
  });

  it('keeps the null when false, and outside the rewrite modes', () => {
    expect(struct(smt({ 'delete.tombstone.handling.mode': 'rewrite', 'replace.null.with.default': 'false' }).apply(create())).getWithoutDefault('status')).toBeNull();
    expect(struct(smt().apply(create())).getWithoutDefault('status')).toBeNull();
  });
});

describe('drop.fields.header.name', () => {
  const withDropHeader = (r: SourceRecord, names: string[]): SourceRecord => ({
    ...r,
    headers: [{ key: 'drop-fields', schema: SchemaBuilder.array(Schemas.OPTIONAL_STRING).optional().build(), value: names }],
  });

  it('drops only optional listed fields by default (drop.fields.keep.schema.compatible=true)', () => {
    const out = smt({ 'drop.fields.header.name': 'drop-fields' }).apply(withDropHeader(create(), ['id', 'email', 'name']))!;
    expect(fieldNames(out.valueSchema)).toEqual(['id', 'name', 'status', 'amount', 'created_at']);
    expect(raw(struct(out))).toMatchObject({ id: 1, name: 'Ann' });
    expect(fieldNames(out.keySchema)).toEqual(['id']);
  });

  it('drops every listed field, from the key too, when asked', () => {
    const out = smt({
      'drop.fields.header.name': 'drop-fields',
      'drop.fields.keep.schema.compatible': 'false',
      'drop.fields.from.key': 'true',
    }).apply(withDropHeader(create(), ['id', 'email']))!;
    expect(fieldNames(out.valueSchema)).toEqual(['name', 'status', 'amount', 'created_at']);
    expect(fieldNames(out.keySchema)).toEqual([]);
    expect(raw(struct(out))).toEqual({ name: 'Ann', status: null, amount: MODEL.row(ANN).getWithoutDefault('amount'), created_at: '2024-05-01T10:00:00.000000Z' });
  });

  it('leaves records without the header alone', () => {
    const out = smt({ 'drop.fields.header.name': 'drop-fields' }).apply(create())!;
    expect(fieldNames(out.valueSchema)).toEqual(ROW_FIELDS);
  });
});

describe('records that are not change events', () => {
  it('pass unchanged, without headers: heartbeats, transaction metadata, messages, unnamed structs', () => {
    const heartbeat: SourceRecord[] = [];
    builder.heartbeat({ server: 'pg' }, { lsn: 1 }, heartbeat);
    const txn: SourceRecord[] = [];
    builder.transaction('771', 1, null, { server: 'pg' }, { lsn: 1 }, txn);
    const messageSchema = SchemaBuilder.struct()
      .name('io.debezium.connector.postgresql.MessageValue')
      .field('op', Schemas.STRING)
      .field('ts_ms', Schemas.OPTIONAL_INT64)
      .build();
    const message = { ...create(), valueSchema: messageSchema, value: Struct.fromValues(messageSchema, ['m', 1]) };
    const unnamedSchema = SchemaBuilder.struct().field('id', Schemas.INT8).build();
    const unnamed = { ...create(), valueSchema: unnamedSchema, value: Struct.fromValues(unnamedSchema, [1]) };
    const t = smt({ 'add.headers': 'op,source.lsn', 'add.fields': 'op' });
    for (const r of [heartbeat[0]!, txn[0]!, message, unnamed]) expect(t.apply(r)).toBe(r);
  });

  it('fail when an envelope schema comes with a value that is not a struct', () => {
    expect(() => smt().apply({ ...create(), value: 'nope' })).toThrow(DataError);
  });
});

describe('schemaless envelopes (JsonConverter with schemas.enable=false)', () => {
  const schemaless = new JsonConverter();
  schemaless.configure({ 'schemas.enable': 'false' }, false);
  const asSchemaless = (r: SourceRecord): SourceRecord => {
    const sv = schemaless.toConnectData(r.topic, schemaless.fromConnectData(r.topic, r.valueSchema, r.value));
    return { ...r, valueSchema: sv.schema, value: sv.value };
  };

  it('unwraps creates to the after map, with __deleted and added fields when configured', () => {
    const input = asSchemaless(create());
    expect(input.valueSchema).toBeNull();
    const plain = smt().apply(input)!;
    expect(plain.valueSchema).toBeNull();
    // JsonConverter wrote the column default for the null status and the Decimal as base64 bytes.
    expect(plain.value).toEqual({ id: 1, name: 'Ann', email: 'ann@example.com', status: 'active', amount: 'BOI=', created_at: '2024-05-01T10:00:00.000000Z' });
    const out = smt({ 'delete.tombstone.handling.mode': 'rewrite', 'add.fields': 'op,source.lsn,notExisting', 'add.headers': 'op' }).apply(input)!;
    expect(out.value).toMatchObject({ id: 1, __deleted: 'false', __op: 'c', __source_lsn: LSN });
    expect(Object.keys(out.value as object)).not.toContain('__notExisting');
    expect(out.headers).toEqual([{ key: '__op', schema: null, value: 'c' }]);
  });

  it('handles deletes per mode and drops truncates', () => {
    const d = asSchemaless(del());
    expect(smt().apply(d)).toMatchObject({ valueSchema: null, value: null });
    expect(smt({ 'delete.tombstone.handling.mode': 'drop' }).apply(d)).toBeNull();
    expect(smt({ 'delete.tombstone.handling.mode': 'rewrite' }).apply(d)!.value).toMatchObject({ id: 1, name: 'Ann B', __deleted: 'true' });
    expect(smt({ 'route.by.field': 'name' }).apply(d)!.topic).toBe('Ann B');
    expect(smt().apply(asSchemaless(truncate()))).toBeNull();
  });

  it('passes maps that are not envelopes unchanged', () => {
    const r = { ...create(), valueSchema: null, value: { id: 1, op: 'c' } };
    expect(smt({ 'add.fields': 'op' }).apply(r)).toBe(r);
  });
});

describe('configuration errors', () => {
  it('rejects an unknown delete.tombstone.handling.mode or delete.handling.mode', () => {
    expect(configError(() => smt({ 'delete.tombstone.handling.mode': 'jbsdfkjsd' })).message).toContain('delete.tombstone.handling.mode');
    expect(configError(() => smt({ 'delete.handling.mode': 'tombstone' })).message).toContain('delete.handling.mode');
    expect(() => smt({ 'delete.tombstone.handling.mode': ' Rewrite-With-Tombstone ' })).not.toThrow();
  });

  it('rejects malformed add.fields / add.headers entries and non-boolean flags', () => {
    expect(configError(() => smt({ 'add.fields': 'op:a:b' })).key).toBe('add.fields');
    expect(configError(() => smt({ 'add.headers': 'source.ts_ms.x' })).key).toBe('add.headers');
    expect(() => smt({ 'replace.null.with.default': 'maybe' })).toThrow(ConfigError);
  });

  it('documents every key in config()', () => {
    const keys = new ExtractNewRecordState().config().configKeys().map((k) => k.name);
    expect(keys).toEqual([
      'delete.tombstone.handling.mode',
      'drop.tombstones',
      'delete.handling.mode',
      'route.by.field',
      'add.fields.prefix',
      'add.fields',
      'add.headers.prefix',
      'add.headers',
      'drop.fields.header.name',
      'drop.fields.from.key',
      'drop.fields.keep.schema.compatible',
      'replace.null.with.default',
    ]);
  });
});
