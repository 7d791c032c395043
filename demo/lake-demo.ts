/**
 * `npm run demo:lake` — Postgres into a data lake in one minute, on this machine alone: an embedded
 * Postgres (wal_level=logical) and a local S3 server (s3rver) are started, `tributary standalone`
 * runs the Postgres CDC source and the S3 sink (Parquet, zstd, flattened changes in daily folders)
 * as a user would start it, changes are written, and DuckDB then queries the lake.
 *
 * Nothing stays behind: the servers and the worker stop and their directories are removed.
 * DEMO_KEEP=1 keeps the worker's files and prints where they are.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startPostgres } from '../test/support/postgres.js';
import { lakeSinkConfig } from '../test/support/s3/lake-sink-config.js';
import { startS3 } from '../test/support/s3/s3-server.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function lakeQuery(files: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql.replaceAll('$LAKE', `read_parquet('${files}/*.parquet', union_by_name=true)`))).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-demo-'));
  console.log('starting an embedded Postgres and a local S3 server …');
  const pg = await startPostgres();
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    s3 = await startS3({ bucket: 'lake' });
    const store = s3;
    await pg.exec(
      'CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), placed_at timestamptz DEFAULT now(), items jsonb)',
    );
    const props = join(dir, 'worker.properties');
    await writeFile(
      props,
      [`data.dir=${join(dir, 'data')}`, 'rest.host=127.0.0.1', 'rest.port=0', 'offset.flush.interval.ms=1000', ''].join('\n'),
    );
    const cdc = join(dir, 'cdc.json');
    await writeFile(cdc, JSON.stringify({
      name: 'shop-cdc',
      config: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        ...pg.connectorConfig(),
        'topic.prefix': 'shop',
        'table.include.list': 'public.orders',
        'publication.autocreate.mode': 'filtered',
        'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      },
    }));
    const sink = join(dir, 's3.json');
    await writeFile(sink, JSON.stringify({
      name: 'shop-lake',
      config: lakeSinkConfig(store.sinkConfig(), { topics: 'shop.public.orders', topicsDir: 'cdc', rotateIntervalMs: 2000 }),
    }));
    console.log('starting: tributary standalone worker.properties cdc.json s3.json');
    worker = spawn(process.execPath, [join(ROOT, 'bin/tributary.js'), 'standalone', props, cdc, sink], { stdio: ['ignore', 'ignore', 'inherit'] });

    // Writes once the slot exists (the connector creates it on start), so every change is captured.
    for (let t = Date.now(); ; await sleep(200)) {
      const [row] = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM pg_replication_slots`);
      if (Number(row!.n) > 0) break;
      if (Date.now() - t > 60_000) throw new Error('the CDC connector did not create its slot within 60 s');
    }
    console.log('writing 1,000 orders, 200 updates and 100 deletes …');
    await pg.exec(
      `INSERT INTO orders (id, customer, amount, items) SELECT g, 'customer-' || (g % 37), (g % 500) + 0.99, jsonb_build_array(jsonb_build_object('sku', g % 11, 'qty', 1 + g % 3)) FROM generate_series(1, 1000) g`,
      `UPDATE orders SET amount = amount * 2 WHERE id % 5 = 0`,
      `DELETE FROM orders WHERE id % 10 = 1`,
    );
    const expected = 1000 + 200 + 100;

    const local = join(dir, 'lake');
    let keys: string[] = [];
    for (let t = Date.now(); ; await sleep(500)) {
      keys = (await store.listKeys('cdc/')).filter((k) => k.endsWith('.parquet'));
      await rm(local, { recursive: true, force: true });
      await mkdir(local, { recursive: true });
      for (const k of keys) await writeFile(join(local, k.replaceAll('/', '__')), await store.getObject(k));
      const n = keys.length === 0 ? 0 : Number((await lakeQuery(local, 'SELECT count(*) AS n FROM $LAKE'))[0]!['n']);
      if (n >= expected) break;
      if (Date.now() - t > 60_000) throw new Error(`only ${n} of ${expected} changes reached the lake within 60 s`);
    }
    console.log(`\nthe lake (s3://lake/cdc/…):\n${keys.map((k) => `  ${k}`).join('\n')}`);
    console.log('\nDuckDB: SELECT __op, count(*) FROM the lake GROUP BY 1');
    console.table(await lakeQuery(local, 'SELECT __op AS op, count(*)::INTEGER AS changes FROM $LAKE GROUP BY 1 ORDER BY 1'));
    console.log('DuckDB: the latest state per order (first 5), from the change log');
    console.table(
      await lakeQuery(
        local,
        `SELECT id::INTEGER AS id, customer, amount::VARCHAR AS amount, __op AS last_op FROM (
           SELECT *, row_number() OVER (PARTITION BY id ORDER BY __lsn DESC, __offset DESC) AS rn FROM $LAKE)
         WHERE rn = 1 AND NOT __deleted ORDER BY id LIMIT 5`,
      ),
    );
    const [live] = await lakeQuery(local, `SELECT count(*)::INTEGER AS n FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY __lsn DESC, __offset DESC) AS rn FROM $LAKE) WHERE rn = 1 AND NOT __deleted`);
    const [rows] = await pg.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    console.log(`live orders: ${live!['n']} in the lake, ${rows!.n} in Postgres`);
    if (Number(live!['n']) !== Number(rows!.n)) throw new Error(`the lake's latest state has ${String(live!['n'])} live orders, Postgres ${rows!.n}`);
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await s3?.stop();
    await pg.stop();
    if (process.env['DEMO_KEEP'] === '1') console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
