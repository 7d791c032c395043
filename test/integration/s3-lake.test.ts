/**
 * Postgres CDC into a data lake: a real Postgres → PostgresCdcSource → embedded log → S3Sink
 * (Parquet, zstd, `cdc.flatten=true`, daily folders by the change's commit time) on a real
 * S3-compatible server, read back with DuckDB: every change exactly once, Parquet logical types as
 * the source's, and the latest row per key equal to the table.
 */
import { describe, expect, test } from 'vitest';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses } from '../kit/worker-harness.js';
import { cdcConfig, waitForStreaming } from '../support/cdc.js';
import { withLake } from '../support/lake-query.js';
import { useTestPostgres } from '../support/postgres.js';
import { lakeSinkConfig } from '../support/s3/lake-sink-config.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();
const s3 = useTestS3();
const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

describe('Postgres CDC into Parquet on S3', () => {
  test('every change lands once, typed, in daily folders; the latest row per key equals the table', async () => {
    const table = 'lake_orders';
    await pg.exec(
      `DROP TABLE IF EXISTS ${table}`,
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), placed_at timestamptz, payload jsonb)`,
    );
    const worker = await harnesses(await tempDir()).start();
    const name = 'lakecdc';
    await worker.herder.putConnectorConfig(
      name,
      cdcConfig(pg, name, { 'table.include.list': `public.${table}`, 'value.converter.schemas.enable': 'true', 'key.converter.schemas.enable': 'true' }),
      { allowReplace: false },
    );
    await waitForStreaming(worker, name);

    let ops = 0;
    for (let i = 1; i <= 40; i++) {
      await pg.exec(`INSERT INTO ${table} VALUES (${i}, 'n${i}', ${i}.25, '2026-01-0${1 + (i % 3)} 10:00:00.123456+00', '{"i": ${i}}')`);
      ops++;
    }
    await pg.exec(`UPDATE ${table} SET name = name || '-u', amount = amount + 1 WHERE id % 4 = 0`);
    ops += 10;
    await pg.exec(`DELETE FROM ${table} WHERE id % 10 = 0`);
    ops += 4;

    const topic = `${name}.public.${table}`;
    const topicsDir = `lake-${process.pid}`;
    await worker.herder.putConnectorConfig(
      'lakesink',
      lakeSinkConfig(s3.sinkConfig(), { topics: topic, topicsDir, rotateIntervalMs: 500 }),
      { allowReplace: false },
    );

    const lakeRows = (): Promise<number> =>
      withLake(s3, `${topicsDir}/`, async (lake) =>
        lake.keys.length === 0 ? 0 : Number((await lake.query('SELECT count(*) AS n FROM read_parquet($LAKE, union_by_name=true)'))[0]!['n']),
      );
    await waitFor('every change in the lake', async () => (await lakeRows()) >= ops, { timeoutMs: 60_000 });

    await withLake(s3, `${topicsDir}/`, async ({ keys, query }) => {
      const today = new Date().toISOString().slice(0, 10);
      for (const k of keys) expect(k).toMatch(new RegExp(`^${topicsDir}/${topic.replaceAll('.', '\\.')}/dt=${today}/${topic.replaceAll('.', '\\.')}\\+0\\+\\d{10}\\.zstd\\.parquet$`));
      const all = await query('SELECT __op AS op, count(*) AS n, count(DISTINCT __offset) AS offsets FROM read_parquet($LAKE) GROUP BY 1 ORDER BY 1');
      expect(all.map((r) => [r['op'], Number(r['n']), Number(r['offsets'])])).toEqual([
        ['c', 40, 40],
        ['d', 4, 4],
        ['u', 10, 10],
      ]);
      // Logical types as the source's: µs timestamps adjusted to UTC, exact decimals, JSON.
      const types = await query(`SELECT name, type, logical_type FROM parquet_schema($LAKE) WHERE name IN ('placed_at','amount','payload','__source_ts_ms') GROUP BY ALL ORDER BY name`);
      const byName = Object.fromEntries(types.map((t) => [t['name'], String(t['logical_type'])]));
      expect(byName['placed_at']).toMatch(/TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=<null>, MICROS=MicroSeconds\(\)/);
      expect(byName['amount']).toMatch(/DecimalType\(scale=2, precision=12\)/);
      expect(byName['payload']).toMatch(/JsonType/);
      const latest = await query(
        `SELECT id, name, amount::VARCHAR AS amount, strftime(placed_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS placed_at FROM (
           SELECT *, row_number() OVER (PARTITION BY id ORDER BY __lsn DESC, __offset DESC) AS rn FROM read_parquet($LAKE)
         ) WHERE rn = 1 AND NOT __deleted ORDER BY id`,
      );
      const rows = await pg.query(
        `SELECT id::int8 AS id, name, amount::text AS amount, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS placed_at FROM ${table} ORDER BY id`,
      );
      expect(latest.map((r) => ({ ...r, id: Number(r['id']) }))).toEqual(rows.map((r) => ({ ...r, id: Number(r['id']) })));
    });
    // The sink's group has committed everything (the lake is complete up to the topic's end).
    const end = await worker.endOffsets(topic);
    await waitFor('the sink group to commit the end', async () => {
      const committed = await worker.groupOffsets('connect-lakesink');
      return committed.find((c) => c.partition === 0)?.offset === end[0];
    });
  });
});
