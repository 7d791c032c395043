/**
 * io.debezium.transforms.ByLogicalTableRouter (and ToLogicalTopicRouter) on change events built by our
 * Postgres CDC source's own code: two shards of one table routed to one topic. Expectations come from
 * Debezium's topic-routing docs and ByLogicalTableRouterTest.
 */
import { describe, expect, it } from 'vitest';
import { configError } from '../support/config-error.js';
import {
  ConfigError,
  DataError,
  SchemaBuilder,
  Schemas,
  Struct,
  type Schema,
  type SourceRecord,
  type Transformation,
} from '../../src/sdk/index.js';
import { EventBuilder, type EventContext } from '../../connectors/postgres-cdc/change-records.js';
import type { TupleData } from '../../connectors/postgres-cdc/pgoutput-messages.js';
import type { PgTypeInfo } from '../../connectors/postgres-cdc/pg-type-info.js';
import { DEFAULT_TYPE_MODES } from '../../connectors/postgres-cdc/pg-value-mapping.js';
import { TableModel } from '../../connectors/postgres-cdc/table-model.js';
import { builtinRegistry } from '../../src/runtime/builtin-plugins.js';
import { JsonConverter } from '../../src/runtime/converters/index.js';
import { BY_LOGICAL_TABLE, LogicalTopicRouter, TO_LOGICAL_TOPIC } from '../../transforms/debezium/logical-topic-router.js';

// ---- change events as the CDC source builds them ----

const type = (oid: number, name: string): PgTypeInfo => ({ oid, name, schema: 'pg_catalog', kind: 'base' });

/** public.<table> with topic.prefix=pg-1: id int8 PK, name text NOT NULL, status text DEFAULT 'active'. */
function model(table: string, keyColumns: string[] = ['id']): TableModel {
  return new TableModel({
    oid: 16_500,
    schema: 'public',
    table,
    columns: [
      { name: 'id', type: type(20, 'int8'), typeMod: -1, notNull: true, defaultExpression: null },
      { name: 'name', type: type(25, 'text'), typeMod: -1, notNull: true, defaultExpression: null },
      { name: 'status', type: type(25, 'text'), typeMod: -1, notNull: false, defaultExpression: "'active'::text" },
    ],
    keyColumns,
    includesColumn: () => true,
    topicPrefix: 'pg-1',
    modes: DEFAULT_TYPE_MODES,
  });
}

const SHARD1 = model('customers_shard_1');
const SHARD2 = model('customers_shard_2');
const NO_KEY = model('customers_shard_3', []);

const builder = new EventBuilder({
  serverName: 'pg-1',
  database: 'shop',
  version: '3.0.0.Final',
  tombstonesOnDelete: true,
  heartbeatTopic: '__debezium-heartbeat.pg-1',
  transactionTopic: 'pg-1.transaction',
  nowUs: () => 1_714_564_800_000_000,
});

const CTX: EventContext = {
  partition: { server: 'pg-1' },
  offset: { lsn: 100 },
  offsetBefore: { lsn: 100 },
  source: { tsUs: 1_714_564_799_000_000, snapshot: 'false', txId: 9, lsn: 100, lastCommitLsn: null },
  transaction: null,
};

const ROW: TupleData = ['123', 'Ann', null];
const ROW2: TupleData = ['123', 'Ann B', 'gold'];

function update(m: TableModel): SourceRecord {
  const out: SourceRecord[] = [];
  builder.update(m, m.row(ROW), m.row(ROW2), m.key(ROW2), CTX, out);
  return out[0]!;
}
function deleteAndTombstone(m: TableModel): SourceRecord[] {
  const out: SourceRecord[] = [];
  builder.delete(m, m.row(ROW), m.key(ROW), CTX, out);
  return out;
}

function router(props: Record<string, string>, variant = BY_LOGICAL_TABLE): Transformation<SourceRecord> {
  const t = new LogicalTopicRouter<SourceRecord>(variant);
  t.configure(props);
  return t;
}

const SHARDS = {
  'topic.regex': '(.*)customers_shard_(.*)',
  'topic.replacement': '$1customers_all_shards',
};
const fieldNames = (s: Schema | null): string[] => (s?.fields ?? []).map((f) => f.name);
const raw = (s: Struct): Record<string, unknown> => Object.fromEntries(s.schema.fields!.map((f) => [f.name, s.getWithoutDefault(f.name)]));


// ---- tests ----

describe('registration', () => {
  it('resolves ByLogicalTableRouter and ToLogicalTopicRouter by class name and alias', () => {
    const registry = builtinRegistry();
    for (const name of ['io.debezium.transforms.ByLogicalTableRouter', 'ByLogicalTableRouter', 'io.debezium.transforms.ToLogicalTopicRouter', 'ToLogicalTopicRouter']) {
      expect(registry.find(name, 'transformation'), name).toBeDefined();
    }
  });
});

describe('routing shards of one table to one topic', () => {
  const t = router({ ...SHARDS, 'key.field.name': 'shard_id', 'key.field.regex': '(.*)customers_shard_(.*)', 'key.field.replacement': '$2' });

  it('reroutes the topic and adds the physical table identifier to the key, schema and value', () => {
    const input = update(SHARD1);
    const out = t.apply(input)!;
    expect(out.topic).toBe('pg-1.public.customers_all_shards');
    expect(out.keySchema).toMatchObject({ type: 'struct', name: 'pg-1.public.customers_all_shards.Key', optional: false });
    expect(fieldNames(out.keySchema)).toEqual(['id', 'shard_id']);
    expect(out.keySchema!.fields![1]!.schema).toEqual(Schemas.STRING);
    expect(raw(out.key as Struct)).toEqual({ id: 123, shard_id: '1' });
    expect((out.key as Struct).schema).toBe(out.keySchema);
    expect(out.sourceOffset).toBe(input.sourceOffset);

    const second = t.apply(update(SHARD2))!;
    expect(second.topic).toBe(out.topic);
    expect(raw(second.key as Struct)).toEqual({ id: 123, shard_id: '2' });
    expect(second.keySchema).toEqual(out.keySchema);
  });

  it('renames the envelope and its row schemas and copies the values', () => {
    const input = update(SHARD1);
    const out = t.apply(input)!;
    const env = out.value as Struct;
    expect(out.valueSchema).toMatchObject({ name: 'pg-1.public.customers_all_shards.Envelope', version: 2, optional: false });
    expect(fieldNames(out.valueSchema)).toEqual(fieldNames(input.valueSchema));
    const row = out.valueSchema!.fields!.find((f) => f.name === 'after')!.schema;
    expect(row).toMatchObject({ name: 'pg-1.public.customers_all_shards.Value', optional: true });
    expect(row.fields).toEqual(SHARD1.rowSchema.fields);
    expect(out.valueSchema!.fields!.find((f) => f.name === 'before')!.schema).toBe(row);
    expect(raw(env.getWithoutDefault('after') as Struct)).toEqual({ id: 123, name: 'Ann B', status: 'gold' });
    // A null in a nullable column with a default stays null (dbz#1848).
    expect((env.getWithoutDefault('before') as Struct).getWithoutDefault('status')).toBeNull();
    const inputEnv = input.value as Struct;
    for (const f of ['source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns']) expect(env.getWithoutDefault(f)).toBe(inputEnv.getWithoutDefault(f));
  });

  it('derives schemas once per input schema and writes through JsonConverter', () => {
    const a = t.apply(update(SHARD1))!;
    const b = t.apply(update(SHARD1))!;
    expect(b.valueSchema).toBe(a.valueSchema);
    expect(b.keySchema).toBe(a.keySchema);
    const json = JSON.parse(new JsonConverter().fromConnectData(a.topic, a.valueSchema, a.value)!.toString('utf8')) as { schema: { name: string }; payload: { op: string } };
    expect(json.schema.name).toBe('pg-1.public.customers_all_shards.Envelope');
    expect(json.payload.op).toBe('u');
  });

  it('keeps tombstones as tombstones, with the rewritten key', () => {
    const [del, tomb] = deleteAndTombstone(SHARD2);
    expect((t.apply(del!)!.value as Struct).getWithoutDefault('op')).toBe('d');
    const out = t.apply(tomb!)!;
    expect(out.topic).toBe('pg-1.public.customers_all_shards');
    expect(out.value).toBeNull();
    expect(out.valueSchema).toBeNull();
    expect(raw(out.key as Struct)).toEqual({ id: 123, shard_id: '2' });
  });

  it('keeps a null key null (a table without a primary key)', () => {
    const out = t.apply(update(NO_KEY))!;
    expect(out.key).toBeNull();
    expect(out.keySchema).toBeNull();
    expect(out.topic).toBe('pg-1.public.customers_all_shards');
    expect(out.valueSchema!.name).toBe('pg-1.public.customers_all_shards.Envelope');
  });

  it('uses the old topic as identifier when key.field.regex does not match it', () => {
    const t2 = router({ 'topic.regex': '(.*)', 'topic.replacement': 'all', 'key.field.regex': 'nomatch(.*)', 'key.field.replacement': '$1' });
    expect((t2.apply(update(SHARD1))!.key as Struct).getWithoutDefault('__dbz__physicalTableIdentifier')).toBe('pg-1.public.customers_shard_1');
  });
});

describe('key fields', () => {
  it('default to __dbz__physicalTableIdentifier holding the old topic (ToLogicalTopicRouter: __dbz__sourceIdentifier)', () => {
    const out = router(SHARDS).apply(update(SHARD1))!;
    expect(raw(out.key as Struct)).toEqual({ id: 123, __dbz__physicalTableIdentifier: 'pg-1.public.customers_shard_1' });
    const out2 = router(SHARDS, TO_LOGICAL_TOPIC).apply(update(SHARD1))!;
    expect(raw(out2.key as Struct)).toEqual({ id: 123, __dbz__sourceIdentifier: 'pg-1.public.customers_shard_1' });
  });

  it('are not added with key.enforce.uniqueness=false, though the key schema is renamed', () => {
    const out = router({ ...SHARDS, 'key.enforce.uniqueness': 'false' }).apply(update(SHARD1))!;
    expect(out.keySchema!.name).toBe('pg-1.public.customers_all_shards.Key');
    expect(raw(out.key as Struct)).toEqual({ id: 123 });
  });

  it('fail on a name that collides with a key column', () => {
    expect(() => router({ ...SHARDS, 'key.field.name': 'id' }).apply(update(SHARD1))).toThrow(DataError);
  });
});

describe('records the regex does not route', () => {
  it('pass unchanged when the topic does not match entirely', () => {
    const t = router({ 'topic.regex': '(.*)\\.customers_shard_(\\d)', 'topic.replacement': '$1.customers' });
    const r = update(SHARD1);
    expect(t.apply(r)!.topic).toBe('pg-1.public.customers');
    const other = { ...r, topic: 'pg-1.public.customers_shard_1_archive' };
    expect(t.apply(other)).toBe(other);
  });

  it('pass unchanged when the replacement is empty', () => {
    const r = { ...update(SHARD1), topic: 'x' };
    expect(router({ 'topic.regex': 'x(.*)', 'topic.replacement': '$1' }).apply(r)).toBe(r);
  });
});

describe('non-CDC records', () => {
  it('reroute heartbeats with the key rewritten and the value kept', () => {
    const hb: SourceRecord[] = [];
    builder.heartbeat({ server: 'pg-1' }, { lsn: 1 }, hb);
    const out = router({ 'topic.regex': '__debezium-heartbeat(.*)', 'topic.replacement': 'debezium_heartbeat_central', 'key.field.name': 'originalTopic' }).apply(hb[0]!)!;
    expect(out.topic).toBe('debezium_heartbeat_central');
    expect(out.keySchema!.name).toBe('debezium_heartbeat_central.Key');
    expect(raw(out.key as Struct)).toEqual({ serverName: 'pg-1', originalTopic: '__debezium-heartbeat.pg-1' });
    expect(out.value).toBe(hb[0]!.value);
    expect(out.valueSchema).toBe(hb[0]!.valueSchema);
  });

  it('keep a value that is not an envelope as it is', () => {
    const s = SchemaBuilder.struct().name('io.debezium.connector.postgresql.SchemaChangeValue').field('databaseName', Schemas.OPTIONAL_STRING).build();
    const r = { ...update(SHARD1), valueSchema: s, value: Struct.fromValues(s, ['shop']) };
    const out = router({ 'topic.regex': '(.*)', 'topic.replacement': '$1_rerouted' }).apply(r)!;
    expect(out.topic).toBe('pg-1.public.customers_shard_1_rerouted');
    expect(out.value).toBe(r.value);
  });

  it('rename an envelope without before from its after schema (MongoDB shape)', () => {
    const after = SchemaBuilder.struct().name('mongo.db.c_shard1.Value').optional().field('_id', Schemas.STRING).build();
    const env = SchemaBuilder.struct().name('mongo.db.c_shard1.Envelope').field('after', after).field('op', Schemas.OPTIONAL_STRING).build();
    const r = { ...update(SHARD1), topic: 'mongo.db.c_shard1', keySchema: null, key: null, valueSchema: env, value: Struct.fromValues(env, [Struct.fromValues(after, ['abc']), 'c']) };
    const out = router({ 'topic.regex': '(.*)shard(.*)', 'topic.replacement': '$1all_shards$2', 'key.enforce.uniqueness': 'false' }).apply(r)!;
    expect(out.topic).toBe('mongo.db.c_all_shards1');
    expect(out.valueSchema!.name).toBe('mongo.db.c_all_shards1.Envelope');
    expect(out.valueSchema!.fields![0]!.schema.name).toBe('mongo.db.c_all_shards1.Value');
    expect(((out.value as Struct).getWithoutDefault('after') as Struct).getWithoutDefault('_id')).toBe('abc');
  });
});

describe('schemaless records', () => {
  it('get the identifier added to a map key; the value is kept', () => {
    const value = { before: null, after: { id: 123 }, op: 'c' };
    const r = { ...update(SHARD1), keySchema: null, key: { id: 123 }, valueSchema: null, value };
    const out = router(SHARDS).apply(r)!;
    expect(out.topic).toBe('pg-1.public.customers_all_shards');
    expect(out.keySchema).toBeNull();
    expect(out.key).toEqual({ id: 123, __dbz__physicalTableIdentifier: 'pg-1.public.customers_shard_1' });
    expect(out.value).toBe(value);
  });

  it('fail on a key that is neither a struct nor a map', () => {
    expect(() => router(SHARDS).apply({ ...update(SHARD1), keySchema: Schemas.STRING, key: 'k' })).toThrow(DataError);
  });
});

describe('schema.name.adjustment.mode', () => {
  const keyName = (mode: string) => router({ ...SHARDS, 'schema.name.adjustment.mode': mode }).apply(update(SHARD1))!.keySchema!.name;

  it('none (default) keeps the name; avro replaces invalid characters; avro_unicode escapes them', () => {
    expect(keyName('none')).toBe('pg-1.public.customers_all_shards.Key');
    expect(keyName('avro')).toBe('pg_1.public.customers_all_shards.Key');
    expect(keyName('AVRO_UNICODE')).toBe('pg_u002d1.public.customers_u005fall_u005fshards.Key');
    const out = router({ ...SHARDS, 'schema.name.adjustment.mode': 'avro' }).apply(update(SHARD1))!;
    expect(out.valueSchema!.name).toBe('pg_1.public.customers_all_shards.Envelope');
  });

  it('avro refuses two names that adjust to the same one', () => {
    const t = router({ 'topic.regex': '(.*)', 'topic.replacement': '$1', 'schema.name.adjustment.mode': 'avro' });
    const r = update(SHARD1);
    t.apply({ ...r, topic: 'a-b' });
    expect(() => t.apply({ ...r, topic: 'a+b' })).toThrow(DataError);
  });
});

describe('Java replacement syntax', () => {
  const route = (regex: string, replacement: string, topic: string) => router({ 'topic.regex': regex, 'topic.replacement': replacement }).apply({ ...update(SHARD1), topic })!.topic;

  it('supports $n, ${name} and backslash escapes', () => {
    expect(route('(?<db>[^.]+)\\.(?<table>.+)', '${table}.in.${db}', 'shop.orders')).toBe('orders.in.shop');
    expect(route('(a)(b)', '\\$1-$2$1', 'ab')).toBe('$1-ba');
    // Java reads "$10" as group 1 then "0" when there are fewer than 10 groups.
    expect(route('(a)(b)', '$10', 'ab')).toBe('a0');
  });

  it('replaces the first match found from the start, as Java matches() then replaceFirst()', () => {
    // "ab" matches a|ab entirely, but replaceFirst finds "a" first: Debezium routes it to "Xb".
    expect(route('a|ab', 'X', 'ab')).toBe('Xb');
  });

  it('refuses references to groups that do not exist', () => {
    expect(configError(() => router({ 'topic.regex': '(a)', 'topic.replacement': '$2' })).key).toBe('topic.replacement');
    expect(configError(() => router({ 'topic.regex': '(a)', 'topic.replacement': '${x}' })).key).toBe('topic.replacement');
    expect(configError(() => router({ 'topic.regex': '(a)', 'topic.replacement': 'x\\' })).key).toBe('topic.replacement');
  });
});

describe('configuration errors', () => {
  it('require topic.regex and a non-empty topic.replacement', () => {
    expect(() => router({ 'topic.regex': 'someValidRegex(.*)' })).toThrow(ConfigError);
    expect(() => router({ 'topic.regex': 'someValidRegex(.*)', 'topic.replacement': '' })).toThrow(ConfigError);
    expect(() => router({ 'topic.replacement': '$1' })).toThrow(ConfigError);
  });

  it('reject an invalid regex', () => {
    expect(configError(() => router({ 'topic.regex': '(unclosed', 'topic.replacement': 'x' })).message).toContain('topic.regex');
    expect(configError(() => router({ ...SHARDS, 'key.field.regex': '[', 'key.field.replacement': 'x' })).message).toContain('key.field.regex');
  });

  it('require key.field.replacement when key.field.regex is set', () => {
    const base = { 'topic.regex': 'someValidRegex(.*)', 'topic.replacement': '$1', 'key.field.regex': 'If this is set, key.field.replacement must be non-empty' };
    expect(configError(() => router(base)).message).toBe('key.field.replacement must be non-empty if key.field.regex is set.');
    expect(() => router({ ...base, 'key.field.replacement': ' ' })).toThrow(ConfigError);
  });

  it('reject an unknown schema.name.adjustment.mode and a negative cache size', () => {
    expect(() => router({ ...SHARDS, 'schema.name.adjustment.mode': 'avro2' })).toThrow(ConfigError);
    expect(() => router({ ...SHARDS, 'logical.table.cache.size': '-1' })).toThrow(ConfigError);
    expect(() => router({ ...SHARDS, 'logical.destination.cache.size': '0' })).not.toThrow();
  });

  it('declare the legacy cache key only on ByLogicalTableRouter', () => {
    const names = (v = BY_LOGICAL_TABLE) => new LogicalTopicRouter(v).config().configKeys().map((k) => k.name);
    expect(names()).toContain('logical.table.cache.size');
    expect(names(TO_LOGICAL_TOPIC)).not.toContain('logical.table.cache.size');
    expect(new LogicalTopicRouter(BY_LOGICAL_TABLE).config().key('key.field.name')!.default).toBe('__dbz__physicalTableIdentifier');
  });
});
