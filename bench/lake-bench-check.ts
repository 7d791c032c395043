/**
 * What `npm run bench:lake` checks after the sink ran: the objects in the bucket (footers read with
 * hyparquet: row counts, and start offsets from the object keys tiling 0..n-1 without gap or overlap),
 * then DuckDB over the downloaded objects and over the baseline file: the same Parquet schema, and the
 * same aggregates (every id once, md5 names, amounts, timestamps, JSON payloads matching their id).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import type { TestS3 } from '../test/support/s3/s3-server.js';

export interface LakeObjects {
  readonly keys: readonly string[];
  /** Downloaded copies, in key order. */
  readonly files: readonly string[];
  readonly rows: number;
  readonly bytes: number;
  readonly rowGroups: number;
  /** Rows of each object. */
  readonly objectRows: readonly number[];
  /** Rows of each row group of the first object. */
  readonly firstRowGroups: readonly number[];
  /** Other keys (the cut journal). */
  readonly others: readonly string[];
}

/** Lists the sink's objects, reads each footer, and checks that they hold offsets 0..rows-1 once each. */
export async function checkObjects(s3: TestS3, prefix: string, rows: number, dir: string): Promise<LakeObjects> {
  const all = await s3.listKeys(prefix);
  const keys = all.filter((k) => k.endsWith('.parquet'));
  const files: string[] = [];
  const objectRows: number[] = [];
  let firstRowGroups: number[] = [];
  let total = 0;
  let bytes = 0;
  let rowGroups = 0;
  let next = 0;
  for (const key of keys) {
    const body = await s3.getObject(key);
    const meta = parquetMetadata(body);
    const n = Number(meta.num_rows);
    const start = Number(/\+(\d+)\.[a-z.]*parquet$/.exec(key)?.[1] ?? NaN);
    if (start !== next) throw new Error(`object ${key} starts at offset ${start}, expected ${next} (a gap or an overlap)`);
    next = start + n;
    if (files.length === 0) firstRowGroups = meta.row_groups.map((g) => Number(g.num_rows));
    const file = join(dir, `${String(files.length).padStart(4, '0')}.parquet`);
    await writeFile(file, body);
    files.push(file);
    objectRows.push(n);
    total += n;
    bytes += body.length;
    rowGroups += meta.row_groups.length;
  }
  if (total !== rows) throw new Error(`the objects hold ${total} rows (footers), expected ${rows}`);
  return { keys, files, rows: total, bytes, rowGroups, objectRows, firstRowGroups, others: all.filter((k) => !k.endsWith('.parquet')) };
}

const sqlList = (files: readonly string[]): string => `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;

/** Aggregates DuckDB reads from the files; equal for the lake and the baseline when they hold the same rows. */
function aggregates(files: readonly string[]): string {
  return `SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi, sum(amount) AS amount,
    min(created_at) AS t0, max(created_at) AS t1, count(*) FILTER (WHERE name = md5(CAST(id AS VARCHAR))) AS md5_ok,
    count(*) FILTER (WHERE CAST(json_extract(payload, '$.n') AS BIGINT) = id) AS json_ok,
    min(__offset) AS o0, max(__offset) AS o1, count(*) FILTER (WHERE __offset = id - 1) AS offset_ok,
    string_agg(DISTINCT __op, ',') AS ops, count(*) FILTER (WHERE __deleted) AS deleted, count(DISTINCT __lsn) AS lsns
    FROM read_parquet(${sqlList(files)})`;
}

export interface DuckCheck {
  readonly summary: string;
  readonly columns: string;
}

/**
 * DuckDB over the lake and the baseline file: the Parquet schema of the first object equals the
 * baseline's, and the aggregates are equal and say every row 1..rows is there once with its values.
 */
export async function duckCheck(lake: readonly string[], baseline: string, rows: number): Promise<DuckCheck> {
  const db = await DuckDBInstance.create(':memory:');
  const duck = await db.connect();
  try {
    const query = async (sql: string): Promise<Record<string, unknown>[]> => (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    const schemaOf = async (file: string): Promise<string> =>
      JSON.stringify(await query(`SELECT name, type, repetition_type, converted_type, scale, precision, logical_type FROM parquet_schema(${sqlList([file])})`));
    const [lakeSchema, baseSchema] = [await schemaOf(lake[0]!), await schemaOf(baseline)];
    if (lakeSchema !== baseSchema) throw new Error(`the lake's Parquet schema differs from the baseline's:\n  lake ${lakeSchema}\n  base ${baseSchema}`);
    const [l] = await query(aggregates(lake));
    const [b] = await query(aggregates([baseline]));
    if (JSON.stringify(l) !== JSON.stringify(b)) throw new Error(`the lake and the baseline differ:\n  lake ${JSON.stringify(l)}\n  base ${JSON.stringify(b)}`);
    const want = { n: rows, ids: rows, lo: 1, hi: rows, md5_ok: rows, json_ok: rows, o0: 0, o1: rows - 1, offset_ok: rows, ops: 'c', deleted: 0, lsns: rows };
    for (const [k, v] of Object.entries(want)) {
      if (String(l![k]) !== String(v)) throw new Error(`DuckDB over the lake: ${k} = ${String(l![k])}, expected ${v} (${JSON.stringify(l)})`);
    }
    const cols = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlList([lake[0]!])}))`);
    return {
      summary: `count ${String(l!.n)}, ids ${String(l!.lo)}..${String(l!.hi)} once each, names = md5(id), payload.n = id, __offset = id-1, sum(amount) ${String(l!.amount)}, created_at ${String(l!.t0)} … ${String(l!.t1)}`,
      columns: cols.map((c) => `${String(c.column_name)} ${String(c.column_type)}`).join(', '),
    };
  } finally {
    duck.closeSync();
    db.closeSync();
  }
}
