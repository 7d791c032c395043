/**
 * kill -9, twice, of a worker carrying a whole lake pipeline — Postgres → PostgresCdcSource →
 * embedded log → S3Sink (Parquet, zstd, `cdc.flatten`, daily `dt=` folders) — while a writer keeps
 * inserting, updating and deleting in small transactions; then DuckDB over the lake.
 *
 * What a crash may and may not do:
 * - The CDC source is at-least-once across a crash (Debezium's semantics): a restarted task streams
 *   again from its last committed source offset, so changes emitted after that offset are appended
 *   to the log a second time, as new records at new offsets.
 * - The sink is exactly-once over the log: every log record lands in exactly one object however the
 *   kill falls — between objects, mid-object, or between an object's completion and the commit of
 *   the group offset past it (the replay then writes the same object again, same key, same records).
 *
 * A change is identified by what it wrote: the unique token of an insert or update (snapshot rows
 * included), the key of a delete (keys are never reused). The claims:
 * (a) nothing lost: every change committed in Postgres is in the lake, and nothing else is;
 * (b) the sink wrote each log record once: the lake's (__topic, __partition, __offset) are exactly
 *     the topic's data records (tombstones are not rows), each once; at each kill every record below
 *     the sink's committed offset was in a complete object, and each object there at a kill is in the
 *     final lake with the same records;
 * (c) the latest row per key (by __lsn, then __offset) equals the table, deleted keys absent;
 * (d) further copies of a change come only from the source's re-emission after a kill: they carry
 *     the first copy's __lsn at other offsets, no run of the worker holds two copies of one change
 *     (so at most one extra per kill), and in each run after a kill the changes emitted again lead
 *     the run (the source resumed from a point of its stream);
 * plus each row in the folder of its commit day and the Parquet logical types kept.
 *
 * Kill moments vary: the first right after a new object appears (often before the group commits
 * past it), the second after a seeded random delay (LAKE_CRASH_SEED=<n> repeats a run's choices).
 */
import { describe, expect, test } from 'vitest';
import { waitFor } from '../kit/checks.js';
import { useWorkerHarnesses, type WorkerHarness } from '../kit/worker-harness.js';
import { cdcConfig, waitForStreaming } from '../support/cdc.js';
import { keyOf, withLake } from '../support/lake-query.js';
import { useTestPostgres } from '../support/postgres.js';
import { lakeSinkConfig } from '../support/s3/lake-sink-config.js';
import { useTestS3 } from '../support/s3/s3-server.js';
import { useTempDirs } from '../support/temp-dir.js';

const pg = useTestPostgres();
const s3 = useTestS3();
const tempDir = useTempDirs();
const harnesses = useWorkerHarnesses();

const TABLE = 'lake_crash';
const SOURCE = 'lakecrash';
const SINK = 'lakecrashsink';
const TOPIC = `${SOURCE}.public.${TABLE}`;
const SEED_ROWS = 30;

/** mulberry32: a small seeded generator, so a failing run's choices can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Column values of a written row: an exact decimal and a µs timestamptz, each sometimes null. */
function rowValues(rng: () => number): [string | null, string | null] {
  const amount = rng() < 0.1 ? null : (rng() * 100_000).toFixed(2);
  const at = new Date(Date.UTC(2025, 0, 1) + Math.floor(rng() * 4e10)).toISOString().slice(0, 23);
  return [amount, rng() < 0.1 ? null : `${at}${Math.floor(rng() * 1000).toString().padStart(3, '0')}+00`];
}

/**
 * One connection writing transactions of 1–4 changes until stopped: inserts and updates each write a
 * unique token, deletes remove a live row (ids are never reused). Resolves to the committed changes.
 */
function startWriter(rng: () => number, live: number[]) {
  let stop = false;
  let nextId = Math.max(...live) + 1;
  let seq = 0;
  const tokens: string[] = [];
  const deleted: number[] = [];
  const done = (async () => {
    const c = await pg.client();
    try {
      while (!stop) {
        const txTokens: string[] = [];
        const txDeleted: number[] = [];
        await c.query('BEGIN');
        for (let n = 1 + Math.floor(rng() * 4); n > 0; n--) {
          const r = rng();
          const token = `w${seq++}`;
          if (r < 0.4 || live.length < 20) {
            const id = nextId++;
            await c.query(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4)`, [id, token, ...rowValues(rng)]);
            live.push(id);
            txTokens.push(token);
          } else if (r < 0.8) {
            await c.query(`UPDATE ${TABLE} SET token = $2, amount = $3, placed_at = $4 WHERE id = $1`, [live[Math.floor(rng() * live.length)], token, ...rowValues(rng)]);
            txTokens.push(token);
          } else {
            const id = live.splice(Math.floor(rng() * live.length), 1)[0]!;
            await c.query(`DELETE FROM ${TABLE} WHERE id = $1`, [id]);
            txDeleted.push(id);
          }
        }
        await c.query('COMMIT');
        tokens.push(...txTokens);
        deleted.push(...txDeleted);
        await sleep(15);
      }
    } finally {
      await c.end();
    }
  })();
  // A failure surfaces at stop(); until then it must not count as unhandled.
  done.catch(() => {});
  return {
    changes: () => tokens.length + deleted.length,
    stop: async () => ((stop = true), await done, { tokens, deleted }),
  };
}

/** A lake row as the checks need it. */
interface LakeRow {
  readonly key: string;
  readonly id: number;
  readonly token: string | null;
  readonly op: string;
  readonly lsn: number | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly sourceTsMs: number;
}

/** The change a row carries: the token an insert, update or snapshot read wrote; a delete's key. */
const changeOf = (r: LakeRow): string => (r.op === 'd' ? `d:${r.id}` : `t:${r.token}`);

/** Every row of the lake now, with the object it is in. */
async function readLakeRows(topicsDir: string): Promise<LakeRow[]> {
  return withLake(s3, `${topicsDir}/`, async (lake) => {
    if (lake.keys.length === 0) return [];
    const rows = await lake.query(
      'SELECT filename, id, token, __op, __lsn, __topic, __partition, __offset, __source_ts_ms FROM read_parquet($LAKE, filename=true, hive_partitioning=false)',
    );
    return rows.map((r) => ({
      key: keyOf(lake, String(r['filename'])),
      id: Number(r['id']),
      token: r['token'] === null ? null : String(r['token']),
      op: String(r['__op']),
      lsn: r['__lsn'] === null ? null : Number(r['__lsn']),
      topic: String(r['__topic']),
      partition: Number(r['__partition']),
      offset: Number(r['__offset']),
      sourceTsMs: Number(r['__source_ts_ms']),
    }));
  });
}

/** Object key → the offsets it holds, in order. */
function objectsOf(rows: readonly LakeRow[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const r of rows) m.set(r.key, [...(m.get(r.key) ?? []), r.offset]);
  for (const offsets of m.values()) offsets.sort((a, b) => a - b);
  return m;
}

/** What a killed worker left: the topic's end, its data records (not tombstones), the sink's committed offset. */
async function logState(h: WorkerHarness): Promise<{ end: number; data: number[]; sinkCommitted: number }> {
  return h.withLog(async (log) => {
    const end = await log.latestOffset(TOPIC, 0);
    const data: number[] = [];
    for (let at = await log.earliestOffset(TOPIC, 0); at < end; ) {
      const r = await log.read(TOPIC, 0, at, { maxBytes: 4 << 20 });
      for (const s of r.records) if (s.value !== null) data.push(s.offset);
      at = r.nextOffset;
    }
    const sinkCommitted = (await log.fetchOffsets(`connect-${SINK}`)).find((c) => c.topic === TOPIC && c.partition === 0)?.offset ?? 0;
    return { end, data, sinkCommitted };
  });
}

/** What a kill left: the topic's end (where the next run's records begin) and the complete objects. */
interface Kill {
  readonly end: number;
  readonly objects: Map<string, number[]>;
}

/** Looks at what the kill left, checks the sink's commit rule there, and says where the kill fell. */
async function inspectKill(h: WorkerHarness, topicsDir: string, n: number): Promise<Kill> {
  const { end, data, sinkCommitted } = await logState(h);
  const rows = await readLakeRows(topicsDir);
  const inLake = new Set(rows.map((r) => r.offset));
  const uncovered = data.filter((o) => o < sinkCommitted && !inLake.has(o));
  expect(uncovered.slice(0, 20), `kill ${n}: records below the sink's committed offset ${sinkCommitted} in no complete object`).toEqual([]);
  const objects = objectsOf(rows);
  const completeUncommitted = [...objects.values()].filter((o) => o[0]! >= sinkCommitted).length;
  const lakeEnd = rows.length === 0 ? 0 : Math.max(...rows.map((r) => r.offset)) + 1;
  console.log(
    `kill ${n}: log end ${end}, sink committed ${sinkCommitted}, ${objects.size} objects (${completeUncommitted} complete but not committed), ` +
      `${Math.max(0, end - lakeEnd)} records after the last complete object`,
  );
  return { end, objects };
}

/** (b) Each data record of the topic is in the lake once, and the objects a kill saw are unchanged. */
function expectEachRecordOnce(rows: readonly LakeRow[], data: readonly number[], kills: readonly Kill[], topicsDir: string): void {
  expect(rows.filter((r) => r.topic !== TOPIC || r.partition !== 0).length, 'rows of another topic partition').toBe(0);
  const copies = new Map<number, number>();
  for (const r of rows) copies.set(r.offset, (copies.get(r.offset) ?? 0) + 1);
  expect([...copies].filter(([, n]) => n > 1).slice(0, 20), 'log records written to the lake twice (offset, copies)').toEqual([]);
  expect(data.filter((o) => !copies.has(o)).slice(0, 20), 'log records missing from the lake').toEqual([]);
  expect(rows.length, 'lake rows vs data records in the log').toBe(data.length);
  const objects = objectsOf(rows);
  kills.forEach((k, i) => {
    const changed = [...k.objects].filter(([key, offsets]) => JSON.stringify(objects.get(key)) !== JSON.stringify(offsets)).map(([key]) => key);
    expect(changed, `objects present at kill ${i + 1} that the final lake holds differently`).toEqual([]);
  });
  const topic = TOPIC.replaceAll('.', '\\.');
  const keyPattern = new RegExp(`^${topicsDir}/${topic}/dt=(\\d{4}-\\d{2}-\\d{2})/${topic}\\+0\\+(\\d{10})\\.zstd\\.parquet$`);
  for (const [key, offsets] of objects) {
    const m = keyPattern.exec(key);
    expect(m, `object key ${key}`).not.toBeNull();
    expect(Number(m![2]), `${key} is named after its first record`).toBe(offsets[0]);
  }
  const misplaced = rows.filter((r) => keyPattern.exec(r.key)![1] !== new Date(r.sourceTsMs).toISOString().slice(0, 10));
  expect(misplaced.slice(0, 5), 'rows outside the daily folder of their commit time').toEqual([]);
}

/**
 * (d) Further copies of a change are the source's re-emissions after a kill: same LSN, never two in
 * one run of the worker (a run: the log records between two kills), and leading the run they are in.
 */
function expectCopiesFromReemission(rows: readonly LakeRow[], kills: readonly Kill[]): void {
  const bounds = [0, ...kills.map((k) => k.end), Infinity];
  const runOf = (offset: number): number => bounds.findIndex((b, i) => offset >= b && offset < bounds[i + 1]!);
  const byOffset = [...rows].sort((a, b) => a.offset - b.offset);
  const copies = new Map<string, LakeRow[]>();
  for (const r of byOffset) copies.set(changeOf(r), [...(copies.get(changeOf(r)) ?? []), r]);
  const sameRun = [...copies].filter(([, cs]) => new Set(cs.map((c) => runOf(c.offset))).size < cs.length).map(([c]) => c);
  expect(sameRun.slice(0, 20), 'changes written twice within one run of the worker').toEqual([]);
  const otherLsn = [...copies].filter(([, cs]) => cs.some((c) => c.lsn !== cs[0]!.lsn)).map(([c]) => c);
  expect(otherLsn.slice(0, 20), 'copies of a change at different LSNs').toEqual([]);
  for (let run = 1; run < bounds.length - 1; run++) {
    const inRun = byOffset.filter((r) => runOf(r.offset) === run);
    const again = inRun.map((r) => copies.get(changeOf(r))![0]!.offset < bounds[run]!);
    const firstNew = again.indexOf(false);
    const late = firstNew < 0 ? [] : inRun.filter((_, i) => i > firstNew && again[i]).map((r) => `${changeOf(r)}@${r.offset}`);
    expect(late.slice(0, 20), `changes emitted again after new ones in run ${run + 1}`).toEqual([]);
    const n = again.filter(Boolean).length;
    console.log(`run ${run + 1}: ${n} changes emitted again, then ${inRun.length - n} new`);
  }
}

/** The rows of `a` not in `b` and those of `b` not in `a` (JSON), a few of each. */
function rowDiff(a: readonly unknown[], b: readonly unknown[]): { missing: string[]; extra: string[] } {
  const as = new Set(a.map((r) => JSON.stringify(r)));
  const bs = new Set(b.map((r) => JSON.stringify(r)));
  return { missing: [...as].filter((r) => !bs.has(r)).slice(0, 5), extra: [...bs].filter((r) => !as.has(r)).slice(0, 5) };
}

describe('Postgres CDC into an S3 lake under kill -9', () => {
  test('every committed change lands, each log record once; the latest row per key equals the table', { timeout: 300_000 }, async () => {
    const seed = Number(process.env.LAKE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`LAKE_CRASH_SEED=${seed}`);
    const rng = random(seed);
    // created_at is required: a delete's before image (DEFAULT identity: key only) carries Debezium's epoch fallback there.
    await pg.exec(
      `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, token text NOT NULL, amount numeric(12,2), placed_at timestamptz, created_at timestamptz NOT NULL DEFAULT now())`,
      `INSERT INTO ${TABLE} SELECT g, 's' || g, g * 1.5, '2025-06-01 12:00:00.000001+00'::timestamptz + g * interval '1 hour' FROM generate_series(1, ${SEED_ROWS}) g`,
    );
    const topicsDir = `lake-crash-${process.pid}`;
    // Offsets committed every second (Kafka Connect's default is a minute): a kill right after an
    // object completes lands before the group commits past it, and the source re-emits more.
    const h = harnesses(await tempDir(), { settings: { offsetFlushIntervalMs: 1000 } });
    let w = await h.spawn();
    await w.herder.putConnectorConfig(
      SOURCE,
      cdcConfig(pg, SOURCE, { 'table.include.list': `public.${TABLE}`, 'key.converter.schemas.enable': 'true', 'value.converter.schemas.enable': 'true', 'max.batch.size': '50' }),
      { allowReplace: true },
    );
    await waitForStreaming(w, SOURCE);
    // Small objects (40 records, or 1 s of commit time), so that many are written and kills fall among them.
    const sinkConfig = { ...lakeSinkConfig(s3.sinkConfig(), { topics: TOPIC, topicsDir, rotateIntervalMs: 1000 }), 'flush.size': '40' };
    await w.herder.putConnectorConfig(SINK, sinkConfig, { allowReplace: true });

    const objectCount = async (): Promise<number> => (await s3.listKeys(`${topicsDir}/`)).filter((k) => k.endsWith('.parquet')).length;
    const writer = startWriter(rng, Array.from({ length: SEED_ROWS }, (_, i) => i + 1));
    /** What a stuck wait reports: both connectors' states, the topic, the sink's offset, the writer, errors. */
    const progress = async () => ({
      source: await w.herder.connectorStatus(SOURCE).catch((e: Error) => e.message),
      sink: await w.herder.connectorStatus(SINK).catch((e: Error) => e.message),
      end: await w.endOffsets(TOPIC),
      committed: await w.groupOffsets(`connect-${SINK}`),
      objects: await objectCount(),
      changes: writer.changes(),
      errors: (await w.errorLines()).slice(-3),
    });
    const kills: Kill[] = [];
    let written: { tokens: string[]; deleted: number[] };
    try {
      await waitFor('the first objects', async () => (await objectCount()) >= 5, { timeoutMs: 120_000, intervalMs: 200, describe: progress });
      // Kill 1: right after an object completes, before the group has (usually) committed past it.
      const before = await objectCount();
      await waitFor('a new object', async () => (await objectCount()) > before, { timeoutMs: 60_000, intervalMs: 5, describe: progress });
      await w.kill();
      kills.push(await inspectKill(h, topicsDir, 1));
      w = await h.spawn();

      // Kill 2: once the restarted worker has written an object of its own, after a random delay.
      const delay = Math.floor(rng() * 3000);
      await waitFor('a new object after the restart', async () => (await objectCount()) > kills[0]!.objects.size, { timeoutMs: 120_000, intervalMs: 100, describe: progress });
      console.log(`kill 2 after ${delay} ms more`);
      await sleep(delay);
      await w.kill();
      kills.push(await inspectKill(h, topicsDir, 2));
      w = await h.spawn();

      // The writer goes on across the restart: changes the killed run never saw, and re-emissions.
      const atRestart = writer.changes();
      await waitFor(
        'more changes and objects after the last restart',
        async () => writer.changes() > atRestart + 300 && (await objectCount()) > kills[1]!.objects.size + 2,
        { timeoutMs: 120_000, intervalMs: 200, describe: progress },
      );
    } finally {
      written = await writer.stop();
    }

    // (c) The latest row per key equals the table, once the sink has committed the topic's end.
    const table = (
      await pg.query(
        `SELECT id::int8 AS id, token, amount::text AS amount, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS placed_at FROM ${TABLE} ORDER BY id`,
      )
    ).map((r) => ({ id: Number(r['id']), token: r['token'], amount: r['amount'], placed_at: r['placed_at'] }));
    let latest: unknown[] = [];
    await waitFor(
      'the lake to catch up with the table',
      async () => {
        const end = (await w.endOffsets(TOPIC))[0]!;
        const committed = (await w.groupOffsets(`connect-${SINK}`)).find((c) => c.partition === 0)?.offset;
        if (committed !== end) return false;
        latest = await withLake(s3, `${topicsDir}/`, async (lake) =>
          (
            await lake.query(
              `SELECT id, token, amount::VARCHAR AS amount, strftime(placed_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS placed_at FROM (
                 SELECT *, row_number() OVER (PARTITION BY id ORDER BY __lsn DESC NULLS LAST, __offset DESC) AS rn FROM read_parquet($LAKE, hive_partitioning=false)
               ) WHERE rn = 1 AND NOT __deleted ORDER BY id`,
            )
          ).map((r) => ({ ...r, id: Number(r['id']) })),
        );
        return JSON.stringify(latest) === JSON.stringify(table);
      },
      { timeoutMs: 120_000, intervalMs: 500, describe: async () => ({ ...(await progress()), table: table.length, latest: latest.length, diff: rowDiff(table, latest) }) },
    );
    const errors = await w.errorLines();
    if (errors.length > 0) console.log(`ERROR lines of the last run:\n${errors.join('\n')}`);
    await w.stop();

    const log = await logState(h);
    const rows = await readLakeRows(topicsDir);
    console.log(`${written.tokens.length + written.deleted.length} changes written, ${log.end} log records, ${rows.length} lake rows in ${objectsOf(rows).size} objects`);

    // (a) Every committed change is in the lake, and nothing else is.
    const expected = new Set([...Array.from({ length: SEED_ROWS }, (_, i) => `t:s${i + 1}`), ...written.tokens.map((t) => `t:${t}`), ...written.deleted.map((id) => `d:${id}`)]);
    const inLake = new Set(rows.map(changeOf));
    expect([...expected].filter((c) => !inLake.has(c)).slice(0, 20), 'committed changes missing from the lake').toEqual([]);
    expect([...inLake].filter((c) => !expected.has(c)).slice(0, 20), 'lake rows no committed change accounts for').toEqual([]);
    expectEachRecordOnce(rows, log.data, kills, topicsDir);
    expectCopiesFromReemission(rows, kills);

    // The Parquet logical types stay as the source's.
    const types = await withLake(s3, `${topicsDir}/`, (lake) => lake.query('DESCRIBE SELECT placed_at, amount, created_at FROM read_parquet($LAKE, hive_partitioning=false)'));
    expect(Object.fromEntries(types.map((t) => [t['column_name'], t['column_type']]))).toEqual({ placed_at: 'TIMESTAMP WITH TIME ZONE', amount: 'DECIMAL(12,2)', created_at: 'TIMESTAMP WITH TIME ZONE' });
  });
});
