/**
 * What must hold before capturing starts, each failure a ConnectError naming the fix: logical
 * wal_level, a role that may replicate and read the tables, and a publication covering every captured
 * table (created or extended per `publication.autocreate.mode`).
 */
import { ConnectError } from '../../src/sdk/index.js';
import { publicationTables, quoteIdent, quoteTable, type CatalogTable, type Query } from './pg-catalog.js';

export interface ServerFacts {
  readonly versionNum: number;
  readonly user: string;
  readonly superuser: boolean;
}

export async function checkServer(query: Query): Promise<ServerFacts> {
  const [r] = await query(
    `SELECT current_setting('wal_level') AS wal, current_setting('server_version_num')::int AS v, current_user AS u,
            r.rolsuper AS su, r.rolreplication AS repl,
            EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' AND pg_has_role(current_user, g.oid, 'member')) AS rds
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const user = String(r!.u);
  if (r!.wal !== 'logical') {
    throw new ConnectError(
      `Postgres has wal_level=${String(r!.wal)}; change data capture needs wal_level=logical. ` +
        `Run ALTER SYSTEM SET wal_level = logical; (or set it in postgresql.conf / the cloud parameter group) and restart Postgres.`,
    );
  }
  if (r!.su !== true && r!.repl !== true && r!.rds !== true) {
    throw new ConnectError(
      `user ${user} lacks the REPLICATION privilege needed for a logical replication slot: run ALTER ROLE ${quoteIdent(user)} WITH REPLICATION; ` +
        `(on RDS: GRANT rds_replication TO ${quoteIdent(user)};)`,
    );
  }
  return { versionNum: Number(r!.v), user, superuser: r!.su === true };
}

/** Fails naming every captured table the user cannot SELECT (the snapshot reads them). */
export async function checkSelect(query: Query, user: string, tables: readonly CatalogTable[]): Promise<void> {
  if (!tables.length) return;
  const rows = await query(`SELECT c.oid::int8 AS oid FROM unnest($1::oid[]) AS c(oid) WHERE NOT has_table_privilege(c.oid, 'SELECT')`, [
    tables.map((t) => t.oid),
  ]);
  const denied = new Set(rows.map((r) => Number(r.oid)));
  const names = tables.filter((t) => denied.has(t.oid)).map((t) => quoteTable(t.schema, t.table));
  if (names.length) {
    throw new ConnectError(`user ${user} lacks SELECT on ${names.join(', ')}: run GRANT SELECT ON ${names.join(', ')} TO ${quoteIdent(user)};`);
  }
}

export type AutocreateMode = 'all_tables' | 'filtered' | 'disabled' | 'no_tables';

/**
 * Makes sure `publication` publishes every captured table. `all_tables` creates it FOR ALL TABLES;
 * `filtered` creates it for the captured tables, or adds the missing ones; `disabled`/`no_tables`
 * never change it and fail naming the tables it misses.
 */
export async function ensurePublication(
  query: Query,
  publication: string,
  mode: AutocreateMode,
  tables: readonly CatalogTable[],
  publishTruncate: boolean,
): Promise<void> {
  const publish = publishTruncate ? '' : ` WITH (publish = 'insert, update, delete')`;
  const existing = await publicationTables(query, publication);
  const list = (ts: readonly CatalogTable[]): string => ts.map((t) => quoteTable(t.schema, t.table)).join(', ');
  if (!existing) {
    if (mode === 'disabled' || mode === 'no_tables') {
      throw new ConnectError(
        `publication ${publication} does not exist and publication.autocreate.mode=${mode}: create it ` +
          `(CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list(tables) || '...'};) or set publication.autocreate.mode=filtered`,
      );
    }
    if (mode === 'filtered' && !tables.length) {
      throw new ConnectError(`no table matches the connector's table.include.list / table.exclude.list, so publication ${publication} cannot be created`);
    }
    const target = mode === 'all_tables' ? 'FOR ALL TABLES' : `FOR TABLE ${list(tables)}`;
    await query(`CREATE PUBLICATION ${quoteIdent(publication)} ${target}${publish}`).catch((err: Error & { code?: string }) => {
      const hint = err.code === '42501' ? ` (FOR ALL TABLES needs a superuser: set publication.autocreate.mode=filtered, or create the publication as a superuser)` : '';
      throw new ConnectError(`could not create publication ${publication}: ${err.message}${hint}`, { cause: err });
    });
    return;
  }
  if (existing.allTables) return;
  const missing = tables.filter((t) => !existing.tables.has(`${t.schema}.${t.table}`));
  if (!missing.length) return;
  if (mode === 'filtered') {
    await query(`ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${list(missing)}`).catch((err: Error) => {
      throw new ConnectError(`could not add ${list(missing)} to publication ${publication}: ${err.message}`, { cause: err });
    });
    return;
  }
  throw new ConnectError(
    `publication ${publication} does not include captured table(s) ${list(missing)}: run ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${list(missing)}; ` +
      `or set publication.autocreate.mode=filtered`,
  );
}
