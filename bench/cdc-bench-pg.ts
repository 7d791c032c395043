/**
 * The Postgres side of `npm run bench:cdc`: the data set and the baselines, each read by a plain
 * client with no Tributary in the way.
 *
 *  - Data set: rows of (bigint primary key, md5 text, numeric(12,2), timestamptz, small jsonb),
 *    generated server-side with generate_series, deterministic.
 *  - Streaming baselines: `pg_recvlogical` (pgoutput, proto_version 1) from a slot until `--endpos`,
 *    its output piped here and counted in bytes; or our own `ReplicationStream` reading the same
 *    slot and only counting the decoded messages.
 *  - Snapshot baseline: `psql -c "COPY (SELECT …) TO STDOUT"`, output piped here, bytes and lines
 *    (= rows, text COPY escapes newlines) counted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { formatLsn, parseLsn, type Lsn } from '../connectors/postgres-cdc/lsn.js';
import { ReplicationStream } from '../connectors/postgres-cdc/replication-stream.js';
import type { TestPostgres } from '../test/support/postgres.js';

export const COLUMNS = 'id, name, amount, created_at, payload';

export function createTableSql(table: string): string {
  return `CREATE TABLE ${table} (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL, payload jsonb NOT NULL)`;
}

/** Rows `from..to` (inclusive) of the data set. */
export function insertSql(table: string, from: number, to: number): string {
  return (
    `INSERT INTO ${table} (${COLUMNS}) SELECT g, md5(g::text), ((g * 7919) % 10000000) / 100.0, ` +
    `timestamptz '2024-01-01 00:00:00+00' + g * interval '1.001 second', ` +
    `jsonb_build_object('n', g, 'tag', 'tag-' || (g % 100), 'flags', jsonb_build_array(g % 2 = 0, g % 3 = 0)) ` +
    `FROM generate_series(${from}::bigint, ${to}::bigint) AS g`
  );
}

/** What the streaming inserts left behind for the readers. */
export interface InsertedChanges {
  /** Rows per transaction, in commit order. */
  readonly txRows: readonly number[];
  /** xid of the last transaction (as pgoutput and the connector's offsets carry it). */
  readonly lastXid: number;
  /** `pg_current_wal_lsn()` after the last commit: where the baselines stop. */
  readonly endLsn: Lsn;
  /** WAL bytes written by the inserts. */
  readonly walBytes: number;
}

/** Inserts `rows` rows into `table` in `txns` transactions of (nearly) equal size. */
export async function insertInTransactions(pg: TestPostgres, table: string, rows: number, txns: number): Promise<InsertedChanges> {
  const c = await pg.client();
  try {
    const lsn = async (): Promise<Lsn> => parseLsn(((await c.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0] as { l: string }).l);
    const start = await lsn();
    const txRows: number[] = [];
    let lastXid = 0;
    let next = 1;
    for (let t = 0; t < txns; t++) {
      const n = Math.floor((rows * (t + 1)) / txns) - (next - 1);
      if (n <= 0) continue;
      await c.query('BEGIN');
      await c.query(insertSql(table, next, next + n - 1));
      lastXid = Number(((await c.query('SELECT pg_current_xact_id()::text AS x')).rows[0] as { x: string }).x);
      await c.query('COMMIT');
      txRows.push(n);
      next += n;
    }
    const endLsn = await lsn();
    return { txRows, lastXid, endLsn, walBytes: Number(endLsn - start) };
  } finally {
    await c.end();
  }
}

/** The environment that points libpq tools at the bench database (no password on the command line). */
function libpqEnv(pg: TestPostgres): NodeJS.ProcessEnv {
  return { ...process.env, PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGPASSWORD: pg.password, PGDATABASE: pg.database };
}

export interface PipedRun {
  readonly seconds: number;
  readonly bytes: number;
  /** '\n' bytes in the output. */
  readonly lines: number;
}

/** Runs a command, counting its stdout; timed from spawn to exit. Throws on a non-zero exit. */
function timePiped(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<PipedRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      bytes += b.length;
      for (let at = b.indexOf(10); at !== -1; at = b.indexOf(10, at + 1)) lines++;
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0) resolve({ seconds, bytes, lines });
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

export const PG_RECVLOGICAL = '/usr/bin/pg_recvlogical';
export const PSQL = '/usr/bin/psql';

export function hasTool(path: string): boolean {
  return existsSync(path);
}

/** `15.18 (Debian …)` from `<tool> --version`. */
export function toolVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().replace(/^\S+ \(PostgreSQL\) /, '');
}

/** pg_recvlogical from `slot` until `endLsn`, pgoutput proto_version 1, output counted (bytes). */
export function recvlogical(pg: TestPostgres, slot: string, publication: string, endLsn: Lsn): Promise<PipedRun> {
  const args = ['--no-loop', '-d', pg.database, '--slot', slot, '--start', '--endpos', formatLsn(endLsn), '-o', 'proto_version=1', '-o', `publication_names=${publication}`, '-f', '-'];
  return timePiped(PG_RECVLOGICAL, args, libpqEnv(pg));
}

/** `COPY (SELECT …) TO STDOUT` through psql, text format; output counted (bytes, lines = rows). */
export function psqlCopy(pg: TestPostgres, table: string): Promise<PipedRun> {
  return timePiped(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY (SELECT ${COLUMNS} FROM ${table}) TO STDOUT`], libpqEnv(pg));
}

export interface StreamCount {
  readonly seconds: number;
  /** CPU time of this process (user + system) over the same span. */
  readonly cpuSeconds: number;
  readonly inserts: number;
  readonly commits: number;
}

/**
 * Our replication reader alone: `ReplicationStream` (socket → CopyData → pgoutput decode) from
 * `slot`, counting the decoded messages, until a commit or keepalive reaches `endLsn`. No records,
 * no log: what streaming costs before the connector builds anything.
 */
export async function streamCount(pg: TestPostgres, slot: string, publication: string, endLsn: Lsn): Promise<StreamCount> {
  let inserts = 0;
  let commits = 0;
  let reached!: () => void;
  const done = new Promise<void>((r) => (reached = r));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stream = new ReplicationStream(
    {
      connection: { host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database },
      slot,
      publications: [publication],
      startLsn: 0n,
      messages: false,
      statusIntervalMs: 10_000,
    },
    {
      onMessage(msg) {
        if (msg.tag === 'insert') inserts++;
        else if (msg.tag === 'commit') {
          commits++;
          if (msg.endLsn >= endLsn) reached();
        }
      },
      onKeepalive(walEnd) {
        if (walEnd >= endLsn) reached();
      },
    },
  );
  try {
    await stream.start();
    await Promise.race([done, stream.done]);
    const cpu = process.cpuUsage(cpu0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, inserts, commits };
  } finally {
    await stream.stop();
  }
}

/** A replication slot's confirmed flush position. */
export async function confirmedFlush(pg: TestPostgres, slot: string): Promise<Lsn | null> {
  const [row] = await pg.query<{ l: string | null }>('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return row?.l ? parseLsn(row.l) : null;
}

export async function serverVersion(pg: TestPostgres): Promise<string> {
  const [row] = await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return row?.v ?? 'unknown';
}
