/**
 * Catalog reads: which tables exist, their columns (tuple order, as pgoutput sends them), keys,
 * row estimates and publication membership. Every identifier reaches SQL as a bound parameter.
 */
import type pg from 'pg';
import type { Lsn } from './lsn.js';
import { parseLsn } from './lsn.js';

export type Query = (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** The rows of `client`'s queries, as a Query. */
export function queryOf(client: pg.Client): Query {
  return async (sql, params) => (await client.query(sql, params)).rows as Array<Record<string, unknown>>;
}

export interface CatalogTable {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  /** 'd' default, 'n' nothing, 'f' full, 'i' index */
  readonly replicaIdentity: string;
}

export interface CatalogColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  readonly notNull: boolean;
  readonly defaultExpression: string | null;
}

export interface TableDetails {
  readonly columns: CatalogColumn[];
  /** Primary key columns in key order, or the replica identity index's when there is no primary key. */
  readonly primaryKey: string[];
}

/** Ordinary tables (partitions included, as pgoutput reports changes per partition) outside the system schemas. */
export async function listTables(query: Query): Promise<CatalogTable[]> {
  const rows = await query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS table, c.relreplident AS ident
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY n.nspname, c.relname`,
  );
  return rows.map((r) => ({ oid: Number(r.oid), schema: String(r.schema), table: String(r.table), replicaIdentity: String(r.ident) }));
}

/** Columns in attnum order (dropped and generated columns left out, as pgoutput does) and the key. */
export async function tableDetails(query: Query, oid: number): Promise<TableDetails> {
  const cols = await query(
    `SELECT a.attname AS name, a.atttypid::int8 AS type, a.atttypmod AS typmod, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [oid],
  );
  const key = await query(
    `SELECT a.attname AS name
       FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND (i.indisprimary OR (i.indisreplident AND NOT EXISTS (
              SELECT 1 FROM pg_index p WHERE p.indrelid = $1 AND p.indisprimary)))
      ORDER BY k.ord`,
    [oid],
  );
  return {
    columns: cols.map((c) => ({
      name: String(c.name),
      typeOid: Number(c.type),
      typeMod: Number(c.typmod),
      notNull: c.notnull === true || c.notnull === 't',
      defaultExpression: c.def === null || c.def === undefined ? null : String(c.def),
    })),
    primaryKey: key.map((k) => String(k.name)),
  };
}

/** The planner's row estimate (pg_class.reltuples; -1 or 0 before the first ANALYZE/VACUUM). */
export async function estimatedRows(query: Query, oid: number): Promise<number> {
  const [r] = await query(`SELECT GREATEST(c.reltuples, 0)::int8 AS n FROM pg_class c WHERE c.oid = $1`, [oid]);
  return Number(r?.n ?? 0);
}

/** `schema.table` of every table the publication publishes, or null when it does not exist. */
export async function publicationTables(query: Query, publication: string): Promise<{ allTables: boolean; tables: Set<string> } | null> {
  const [p] = await query(`SELECT puballtables AS all FROM pg_publication WHERE pubname = $1`, [publication]);
  if (!p) return null;
  const rows = await query(`SELECT schemaname AS s, tablename AS t FROM pg_publication_tables WHERE pubname = $1`, [publication]);
  return { allTables: p.all === true, tables: new Set(rows.map((r) => `${String(r.s)}.${String(r.t)}`)) };
}

export interface SlotInfo {
  readonly plugin: string;
  readonly database: string;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly confirmedFlush: Lsn | null;
  readonly walStatus: string | null;
}

export async function slotInfo(query: Query, slot: string): Promise<SlotInfo | null> {
  const [s] = await query(
    `SELECT plugin, database, active, active_pid, confirmed_flush_lsn::text AS flush, wal_status
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  if (!s) return null;
  return {
    plugin: String(s.plugin),
    database: String(s.database),
    active: s.active === true,
    activePid: s.active_pid === null ? null : Number(s.active_pid),
    confirmedFlush: s.flush ? parseLsn(String(s.flush)) : null,
    walStatus: s.wal_status === null || s.wal_status === undefined ? null : String(s.wal_status),
  };
}

/** Double-quotes an identifier for SQL (the only way identifiers from config reach statements). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteTable(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** A single-quoted SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
