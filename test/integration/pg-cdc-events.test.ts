/**
 * The change events the Postgres CDC source writes, compared field by field with Debezium's
 * documented output (reference/postgres-cdc.md §1): envelope and schema names with
 * JsonConverter schemas, key changes with their headers, tombstones, truncates, unchanged TOAST
 * values, transaction metadata, heartbeats, message.key.columns and tables without a key.
 */
import { describe, expect, test } from 'vitest';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses, type RunningWorker } from '../kit/worker-harness.js';
import { cdcConfig, readChanges, type ChangeEvent, waitForStreaming } from '../support/cdc.js';
import { useTestPostgres } from '../support/postgres.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();

const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

async function run(name: string, table: string, extra: Record<string, string> = {}): Promise<RunningWorker> {
  const w = await harnesses(await tempDir()).start();
  await w.herder.putConnectorConfig(name, cdcConfig(pg, name, { 'table.include.list': `public.${table}`, ...extra }), { allowReplace: true });
  await waitForStreaming(w, name);
  return w;
}

async function events(w: RunningWorker, topic: string, count: number): Promise<ChangeEvent[]> {
  return waitFor(`${count} records in ${topic}`, async () => {
    const e = await readChanges(w, topic);
    return e.length >= count ? e : undefined;
  });
}

describe('Debezium change events', () => {
  test('envelope, source block and schemas with JsonConverter schemas.enable=true', async () => {
    await pg.exec(`CREATE TABLE customers (id int PRIMARY KEY, first_name varchar(255) NOT NULL, email text, price numeric(10,2), created timestamptz)`);
    const w = await run('golden', 'customers', { 'key.converter.schemas.enable': 'true', 'value.converter.schemas.enable': 'true' });
    await pg.exec(`INSERT INTO customers VALUES (1004, 'Anne', 'annek@noanswer.org', 12.34, '2024-01-02 03:04:05.123456+02')`);
    const [e] = await events(w, 'golden.public.customers', 1);
    const [db] = await pg.query<{ d: string }>('SELECT current_database() AS d');

    expect(e!.key).toEqual({
      schema: { type: 'struct', fields: [{ type: 'int32', optional: false, field: 'id' }], optional: false, name: 'golden.public.customers.Key' },
      payload: { id: 1004 },
    });
    const { schema, payload } = e!.value;
    expect(schema.name).toBe('golden.public.customers.Envelope');
    expect(schema.version).toBe(2);
    expect(schema.fields.map((f: { field: string }) => f.field)).toEqual(['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us', 'ts_ns']);
    const row = schema.fields[1];
    expect(row).toMatchObject({ type: 'struct', optional: true, name: 'golden.public.customers.Value', field: 'after' });
    expect(row.fields).toEqual([
      { type: 'int32', optional: false, field: 'id' },
      { type: 'string', optional: false, field: 'first_name' },
      { type: 'string', optional: true, field: 'email' },
      { type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' }, field: 'price' },
      { type: 'string', optional: true, name: 'io.debezium.time.ZonedTimestamp', version: 1, field: 'created' },
    ]);
    const source = schema.fields[2];
    expect(source.name).toBe('io.debezium.connector.postgresql.Source');
    expect(source.fields.map((f: { field: string }) => f.field)).toEqual([
      'version', 'connector', 'name', 'ts_ms', 'snapshot', 'db', 'sequence', 'ts_us', 'ts_ns', 'schema', 'table', 'txId', 'lsn', 'xmin', 'origin', 'origin_lsn',
    ]);
    expect(source.fields[4]).toEqual({
      type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1,
      parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' }, default: 'false', field: 'snapshot',
    });
    expect(schema.fields[3]).toMatchObject({ name: 'event.block', optional: true, field: 'transaction' });

    expect(payload.before).toBeNull();
    // NUMERIC(10,2) 12.34 → unscaled 1234 → base64 "BNI="; timestamptz normalised to UTC with µs.
    expect(payload.after).toEqual({ id: 1004, first_name: 'Anne', email: 'annek@noanswer.org', price: 'BNI=', created: '2024-01-02T01:04:05.123456Z' });
    expect(payload.op).toBe('c');
    expect(payload.transaction).toBeNull();
    expect(payload.source).toMatchObject({ connector: 'postgresql', name: 'golden', snapshot: 'false', db: db!.d, schema: 'public', table: 'customers', xmin: null });
    expect(typeof payload.source.txId).toBe('number');
    expect(typeof payload.source.lsn).toBe('number');
    expect(JSON.parse(payload.source.sequence)).toHaveLength(2);
    expect(payload.source.ts_us).toBeGreaterThanOrEqual(payload.source.ts_ms * 1000);
    expect(payload.ts_ms).toBeGreaterThanOrEqual(payload.source.ts_ms);
    await w.stop();
  });

  test('a key change is a delete with __debezium.newkey, a tombstone, and a create with __debezium.oldkey', async () => {
    await pg.exec(`CREATE TABLE keyed (id int PRIMARY KEY, v text)`);
    const w = await run('keyed', 'keyed');
    await pg.exec(`INSERT INTO keyed VALUES (1, 'a')`, `UPDATE keyed SET id = 2 WHERE id = 1`, `DELETE FROM keyed WHERE id = 2`);
    const e = await events(w, 'keyed.public.keyed', 6);
    expect(e.map((x) => [x.key, x.value?.op ?? null])).toEqual([
      [{ id: 1 }, 'c'],
      [{ id: 1 }, 'd'],
      [{ id: 1 }, null],
      [{ id: 2 }, 'c'],
      [{ id: 2 }, 'd'],
      [{ id: 2 }, null],
    ]);
    expect(e[1]!.headers).toEqual([{ key: '__debezium.newkey', value: '{"id":2}' }]);
    expect(e[3]!.headers).toEqual([{ key: '__debezium.oldkey', value: '{"id":1}' }]);
    expect(e[1]!.value.before).toEqual({ id: 1, v: null });
    expect(e[3]!.value.after).toEqual({ id: 2, v: 'a' });
    await w.stop();
  });

  test("a DEFAULT-identity delete's before image fills required columns with Debezium's fallbacks", async () => {
    await pg.exec(
      `CREATE TABLE fallbacks (id int PRIMARY KEY, t text NOT NULL, ts timestamptz NOT NULL, tt timetz NOT NULL, n numeric(5,2) NOT NULL, d date NOT NULL, b boolean NOT NULL, o text)`,
    );
    const w = await run('fallbacks', 'fallbacks');
    await pg.exec(`INSERT INTO fallbacks VALUES (1, 'x', now(), now(), 1.5, now(), true, 'y')`, `DELETE FROM fallbacks WHERE id = 1`);
    const e = await events(w, 'fallbacks.public.fallbacks', 2);
    expect(e[1]!.value.op).toBe('d');
    // Only the key is in the old tuple; ZonedTimestamp/ZonedTime fall back to the epoch in UTC (JdbcValueConverters).
    expect(e[1]!.value.before).toEqual({ id: 1, t: '', ts: '1970-01-01T00:00:00Z', tt: '00:00:00Z', n: 'AA==', d: 0, b: false, o: null });
    await w.stop();
  });

  test('truncate events (when not skipped), unchanged TOAST placeholders, tables without a key', async () => {
    await pg.exec(
      `CREATE TABLE toasted (id int PRIMARY KEY, n int, big text)`,
      `ALTER TABLE toasted ALTER COLUMN big SET STORAGE EXTERNAL`,
      `CREATE TABLE nokey (v text)`,
    );
    const w = await run('misc', 'toasted', { 'table.include.list': 'public.toasted,public.nokey', 'skipped.operations': 'none', 'tombstones.on.delete': 'false' });
    const big = Array.from({ length: 400 }, (_, i) => `chunk-${i}-${(i * 7919) % 1000}`).join('|');
    await pg.exec(`INSERT INTO toasted VALUES (1, 1, '${big}')`, `UPDATE toasted SET n = 2 WHERE id = 1`, `INSERT INTO nokey VALUES ('x')`, `TRUNCATE toasted`);
    const t = await events(w, 'misc.public.toasted', 3);
    expect(t[0]!.value.after.big).toBe(big);
    expect(t[1]!.value.op).toBe('u');
    expect(t[1]!.value.after).toEqual({ id: 1, n: 2, big: '__debezium_unavailable_value' });
    expect(t[2]!.key).toBeNull();
    expect(t[2]!.value).toMatchObject({ op: 't', before: null, after: null });
    const [nk] = await events(w, 'misc.public.nokey', 1);
    expect(nk!.key).toBeNull();
    expect(nk!.value.after).toEqual({ v: 'x' });
    await w.stop();
  });

  test('transaction metadata, heartbeats and message.key.columns', async () => {
    await pg.exec(`CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, qty int)`);
    const w = await run('txmeta', 'orders', { 'provide.transaction.metadata': 'true', 'message.key.columns': 'public.orders:customer' });
    await pg.exec(`BEGIN; INSERT INTO orders VALUES (1, 'c1', 1); INSERT INTO orders VALUES (2, 'c2', 2); COMMIT;`);
    const data = await events(w, 'txmeta.public.orders', 2);
    expect(data.map((e) => e.key)).toEqual([{ customer: 'c1' }, { customer: 'c2' }]);
    const txs = await events(w, 'txmeta.transaction', 2);
    const id = data[0]!.value.transaction.id;
    expect(id).toMatch(/^\d+:\d+$/);
    expect(data.map((e) => e.value.transaction)).toEqual([
      { id, total_order: 1, data_collection_order: 1 },
      { id, total_order: 2, data_collection_order: 2 },
    ]);
    expect(txs[0]!.key).toEqual({ id });
    expect(txs[0]!.value).toMatchObject({ status: 'BEGIN', id, event_count: null, data_collections: null });
    expect(txs[1]!.value).toMatchObject({ status: 'END', id, event_count: 2, data_collections: [{ data_collection: 'public.orders', event_count: 2 }] });
    const [hb] = await readChanges(w, '__debezium-heartbeat.txmeta');
    expect(hb!.key).toEqual({ serverName: 'txmeta' });
    expect(Object.keys(hb!.value)).toEqual(['ts_ms']);
    await w.stop();
  });
});

describe('bounds', () => {
  test('max.queue.size.in.bytes and snapshot.fetch.size: a table without a key snapshots in small fetches under a byte bound, complete', async () => {
    await pg.exec(`CREATE TABLE bulk (v text)`, `INSERT INTO bulk SELECT repeat('x', 100) || g FROM generate_series(1, 3000) g`);
    const w = await run('bounded', 'bulk', { 'snapshot.fetch.size': '7', 'max.queue.size.in.bytes': '2000', 'max.batch.size': '5', 'max.queue.size': '50' });
    const rows = await events(w, 'bounded.public.bulk', 3000);
    expect(new Set(rows.map((e) => e.value.after.v)).size).toBe(3000);
    expect(rows.at(-1)!.value.source.snapshot).toBe('last');
    await w.stop();
  });
});
