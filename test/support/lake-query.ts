/**
 * DuckDB over a lake the S3 sink wrote: the Parquet objects under a prefix are copied to a local
 * directory, folders kept (so `dt=…` shows in DuckDB's `filename`), and SQL runs over them with
 * `$LAKE` standing for the glob of every object.
 *
 * @example
 * ```ts
 * const n = await withLake(s3, 'lake/', async (lake) =>
 *   lake.keys.length === 0 ? 0 : Number((await lake.query('SELECT count(*) AS n FROM read_parquet($LAKE)'))[0]!['n']));
 * ```
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { TestS3 } from './s3/s3-server.js';

/** A local copy of a lake. */
export interface LakeCopy {
  readonly dir: string;
  /** The copied objects' keys, sorted. */
  readonly keys: readonly string[];
  /** Runs `sql` (`$LAKE`: the glob of every copied object) in a fresh in-memory DuckDB. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

/** Runs `sql` over the Parquet files under `dir` (`$LAKE` in `sql`) in a fresh in-memory DuckDB. */
export async function queryParquet(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(sql.replaceAll('$LAKE', `'${dir}/**/*.parquet'`));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Copies every Parquet object under `prefix` to a temp dir, hands it to `fn`, then removes it. */
export async function withLake<T>(s3: Pick<TestS3, 'listKeys' | 'getObject'>, prefix: string, fn: (lake: LakeCopy) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lake-'));
  try {
    const keys = (await s3.listKeys(prefix)).filter((k) => k.endsWith('.parquet'));
    for (const k of keys) {
      const path = join(dir, ...k.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await s3.getObject(k));
    }
    return await fn({ dir, keys, query: (sql) => queryParquet(dir, sql) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The object key a DuckDB `filename` (read_parquet(…, filename=true)) of `lake` stands for. */
export function keyOf(lake: LakeCopy, filename: string): string {
  return filename.slice(lake.dir.length + 1).split(/[\\/]/).join('/');
}
