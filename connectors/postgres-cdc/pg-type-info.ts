/**
 * What the connector knows about a Postgres type: enough of `pg_type` (and `pg_enum`) to pick the
 * Debezium mapping of a column (`pg-value-mapping.ts`). Types are read on demand by oid and cached;
 * an array carries its element type, a domain its base type, an enum its labels.
 *
 * @example
 * ```ts
 * const types = new PgTypeCatalog(async (sql, params) => (await client.query(sql, params)).rows);
 * await types.load([23, 1007, moodOid]);
 * types.get(1007); // { oid: 1007, name: '_int4', schema: 'pg_catalog', kind: 'array', element: { name: 'int4', ... } }
 * ```
 */

export interface PgTypeInfo {
  readonly oid: number;
  /** `pg_type.typname`, e.g. `int4`, `timestamptz`, `_int4`, `mood`. */
  readonly name: string;
  /** The type's schema (`pg_namespace.nspname`). */
  readonly schema: string;
  readonly kind: 'base' | 'enum' | 'array' | 'domain' | 'composite' | 'range' | 'multirange' | 'pseudo';
  /** Arrays: the element type. */
  readonly element?: PgTypeInfo;
  /** Domains: the type the domain is defined over (possibly another domain). */
  readonly base?: PgTypeInfo;
  /** Domains: the type modifier of the base type (`pg_type.typtypmod`), -1 when none. */
  readonly baseTypeMod?: number;
  /** Enums: the labels in `enumsortorder`. */
  readonly enumLabels?: readonly string[];
}

/** Runs one SQL statement with positional parameters and returns its rows. */
export type CatalogQuery = (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>;

interface TypeRow {
  oid: number;
  name: string;
  schema: string;
  kind: PgTypeInfo['kind'];
  element: number;
  base: number;
  baseTypeMod: number;
  labels: string[] | undefined;
}

// A real array type is the `typarray` of its element (int2vector and oidvector also have a typelem,
// but print as space-separated lists, not array literals).
const TYPES_SQL = `SELECT t.oid::int8::text AS oid, t.typname AS name, n.nspname AS schema, t.typtype AS typtype,
  CASE WHEN t.typelem <> 0 AND t.typlen = -1 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)
       THEN t.typelem::int8::text ELSE '0' END AS element,
  t.typbasetype::int8::text AS base, t.typtypmod::text AS base_typmod,
  CASE WHEN t.typtype = 'e' THEN (SELECT json_agg(l.enumlabel ORDER BY l.enumsortorder)::text FROM pg_catalog.pg_enum l WHERE l.enumtypid = t.oid) END AS labels
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid = ANY($1::oid[])`;

const KINDS: Record<string, PgTypeInfo['kind']> = {
  b: 'base', e: 'enum', d: 'domain', c: 'composite', r: 'range', m: 'multirange', p: 'pseudo',
};

/** Types by oid, read from `pg_type` in batches and cached until invalidated. */
export class PgTypeCatalog {
  private readonly rows = new Map<number, TypeRow>();
  private readonly built = new Map<number, PgTypeInfo>();

  constructor(private readonly query: CatalogQuery) {}

  get(oid: number): PgTypeInfo | undefined {
    const cached = this.built.get(oid);
    if (cached) return cached;
    const row = this.rows.get(oid);
    if (!row) return undefined;
    // An array or domain whose element/base was not loaded is not usable yet.
    const element = row.element ? this.get(row.element) : undefined;
    const base = row.base ? this.get(row.base) : undefined;
    if ((row.element && !element) || (row.base && !base)) return undefined;
    const info: PgTypeInfo = Object.freeze({
      oid: row.oid,
      name: row.name,
      schema: row.schema,
      kind: element ? 'array' : row.kind,
      ...(element ? { element } : {}),
      ...(base ? { base, baseTypeMod: row.baseTypeMod } : {}),
      ...(row.labels ? { enumLabels: Object.freeze(row.labels) } : {}),
    });
    this.built.set(oid, info);
    return info;
  }

  /** Loads the given oids (and their element/base types) that are not cached yet; one round trip per level at most. */
  async load(oids: readonly number[]): Promise<void> {
    let missing = this.missing(oids);
    while (missing.length) {
      const result = await this.query(TYPES_SQL, [`{${missing.join(',')}}`]);
      for (const r of result) {
        const row = toRow(r);
        this.rows.set(row.oid, row);
      }
      const asked = missing;
      missing = this.missing(asked).filter((o) => !asked.includes(o)); // oids Postgres does not know stay missing
    }
  }

  /** The oids among `oids` and the element/base types of cached ones that are not cached. */
  private missing(oids: readonly number[]): number[] {
    const out = new Set<number>();
    const seen = new Set<number>();
    const visit = (oid: number): void => {
      if (oid <= 0 || seen.has(oid)) return;
      seen.add(oid);
      const row = this.rows.get(oid);
      if (!row) return void out.add(oid);
      visit(row.element);
      visit(row.base);
    };
    for (const o of oids) visit(o);
    return [...out];
  }

  /** Forgets an oid (an enum gained a label): the next load re-reads it. Arrays and domains over it are rebuilt. */
  invalidate(oid: number): void {
    this.rows.delete(oid);
    this.built.clear();
  }
}

function toRow(r: Record<string, unknown>): TypeRow {
  const labels = r.labels;
  return {
    oid: Number(r.oid),
    name: String(r.name),
    schema: String(r.schema),
    kind: KINDS[String(r.typtype)] ?? 'base',
    element: Number(r.element ?? 0),
    base: Number(r.base ?? 0),
    baseTypeMod: Number(r.base_typmod ?? -1),
    // json_agg(...)::text arrives as text, or already parsed when the client parses json
    labels: labels == null ? undefined : typeof labels === 'string' ? (JSON.parse(labels) as string[]) : (labels as string[]),
  };
}
