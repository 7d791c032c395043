/**
 * Which schemas, tables and columns the Postgres source captures, and which columns form a table's
 * message key, with Debezium's semantics (`RelationalTableFilters`, `Selectors`, `Predicates`,
 * `Key.CustomKeyMapper` in Debezium 3.x):
 *
 * - Every list is comma-separated regular expressions; `\,` is a literal comma inside one. Each is
 *   matched **anchored** (against the whole identifier) and **case-insensitively**.
 * - Identifiers are `schema` for schemas, `schema.table` for tables, `schema.table.column` for columns.
 * - The include list wins when both lists of a pair are given (the config refuses that anyway); the
 *   schema filter and the table filter must both pass.
 * - Built-in tables are skipped unless `table.ignore.builtin=false`: schemas `pg_catalog`,
 *   `information_schema`, `pg_temp*`, `pg_toast*` and tables named `spatial_ref_sys` (PostGIS).
 * - Column filters shape the record value only: key columns are always part of the key.
 *
 * @example
 * ```ts
 * const f = new TableFilter({ tableIncludeList: 'public.orders,inventory\\..*', columnExcludeList: 'public.orders.secret' });
 * f.includesTable('public', 'orders');                     // true
 * f.includesTable('public', 'orders_archive');             // false: anchored
 * f.includesColumn('public', 'orders', 'secret');          // false: not in the value
 * f.includesColumn('public', 'orders', 'secret', true);    // true: a key column is always read
 * ```
 */
import { ConfigError } from '../../src/sdk/index.js';

export const SCHEMA_INCLUDE_LIST = 'schema.include.list';
export const SCHEMA_EXCLUDE_LIST = 'schema.exclude.list';
export const TABLE_INCLUDE_LIST = 'table.include.list';
export const TABLE_EXCLUDE_LIST = 'table.exclude.list';
export const COLUMN_INCLUDE_LIST = 'column.include.list';
export const COLUMN_EXCLUDE_LIST = 'column.exclude.list';
export const MESSAGE_KEY_COLUMNS = 'message.key.columns';
export const TABLE_IGNORE_BUILTIN = 'table.ignore.builtin';

/** The include/exclude pairs: at most one of each may be set. */
export const FILTER_PAIRS: ReadonlyArray<readonly [include: string, exclude: string]> = [
  [SCHEMA_INCLUDE_LIST, SCHEMA_EXCLUDE_LIST],
  [TABLE_INCLUDE_LIST, TABLE_EXCLUDE_LIST],
  [COLUMN_INCLUDE_LIST, COLUMN_EXCLUDE_LIST],
];

/** The filter settings, as raw config strings; null, undefined and blank all mean "not set". */
export interface TableFilterOptions {
  readonly schemaIncludeList?: string | null;
  readonly schemaExcludeList?: string | null;
  readonly tableIncludeList?: string | null;
  readonly tableExcludeList?: string | null;
  readonly columnIncludeList?: string | null;
  readonly columnExcludeList?: string | null;
  /** `message.key.columns`: `schema.table:col1,col2;schema2.t2:c`, the table part a regex. */
  readonly messageKeyColumns?: string | null;
  /** Skip built-in schemas and tables (Debezium's `table.ignore.builtin`, default true). */
  readonly ignoreBuiltin?: boolean;
}

/** A table as the catalog names it. */
export interface TableRef {
  readonly schema: string;
  readonly table: string;
}

/** One `message.key.columns` entry: a table regex and the key columns named for it. */
export interface KeyColumnsEntry {
  readonly tablePattern: string;
  readonly columns: readonly string[];
}

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema']);
const SYSTEM_TABLES = new Set(['spatial_ref_sys']);
const LITERAL_TABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\\\.|\.)([A-Za-z_][A-Za-z0-9_]*)$/;
const KEY_ENTRY = /^\s*([^:]+):([^:,]+(?:,[^:,]+)*)\s*$/;

/** True for the schemas and tables Debezium treats as built-in (plus `pg_toast*`, never published anyway). */
export function isBuiltinTable(schema: string, table: string): boolean {
  return isBuiltinSchema(schema) || SYSTEM_TABLES.has(table.toLowerCase());
}

function isBuiltinSchema(schema: string): boolean {
  return SYSTEM_SCHEMAS.has(schema.toLowerCase()) || schema.startsWith('pg_temp') || schema.startsWith('pg_toast');
}

/**
 * Splits a comma-separated regex list as Debezium's `RegExSplitter` does: a backslash escapes the
 * next character (so `\,` is a comma inside a pattern, and `a{1\,3}` stays one pattern); items are
 * trimmed; blank items are dropped. Throws on a trailing lone backslash.
 */
export function splitRegexList(key: string, raw: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      if (i + 1 >= raw.length) {
        throw new ConfigError(`Invalid value ${raw} for configuration ${key}: unterminated escape sequence (a lone '\\') at the end of the list`, { key });
      }
      current += c + raw[++i]!;
    } else if (c === ',') {
      items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  items.push(current);
  return items.map((s) => s.trim().replaceAll('\\,', ',')).filter((s) => s !== '');
}

/**
 * Compiles one Debezium (Java) pattern to an anchored, case-insensitive JavaScript RegExp. The Java
 * spellings `(?i)` at the start (redundant: matching ignores case) and `\Q...\E` quoting are
 * translated; anything JavaScript cannot compile is refused naming the key and the pattern.
 */
export function compilePattern(key: string, pattern: string): RegExp {
  const source = pattern
    .replace(/^\(\?i\)/, '')
    .replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_m, quoted: string) => quoted.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  try {
    return new RegExp(`^(?:${source})$`, 'i');
  } catch (err) {
    throw new ConfigError(`Invalid value ${pattern} for configuration ${key}: '${pattern}' is not a valid regular expression (${(err as Error).message})`, { key });
  }
}

/** Splits and compiles a regex list; null for an unset (or blank) list. */
export function compileRegexList(key: string, raw: string | null | undefined): RegExp[] | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  return splitRegexList(key, raw).map((p) => compilePattern(key, p));
}

/**
 * Parses `message.key.columns` (`<schema>.<table regex>:<col>[,<col>...]` entries separated by `;`),
 * refusing the malformed entries all at once. Blank entries (a trailing `;`) are ignored.
 */
export function parseMessageKeyColumns(raw: string): KeyColumnsEntry[] {
  const key = MESSAGE_KEY_COLUMNS;
  if (raw.trim() === '') throw new ConfigError(`Invalid value for configuration ${key}: must not be empty; remove it to key every table by its primary key`, { key });
  const problems: string[] = [];
  const entries: KeyColumnsEntry[] = [];
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const m = KEY_ENTRY.exec(part);
    if (!m) {
      problems.push(`Invalid value ${raw} for configuration ${key}: entry '${part.trim()}' has an invalid format; expected <schema>.<table>:<column>[,<column>...], entries separated by ';'`);
      continue;
    }
    const entry = { tablePattern: m[1]!.trim(), columns: Object.freeze(m[2]!.split(',').map((c) => c.trim())) };
    try {
      for (const c of entry.columns) compilePattern(key, `${entry.tablePattern}.${c}`);
      entries.push(Object.freeze(entry));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), { key });
  return entries;
}

function blankToNull(s: string | null | undefined): string | null {
  return s === undefined || s === null || s.trim() === '' ? null : s;
}

function anyMatch(patterns: readonly RegExp[], id: string): boolean {
  return patterns.some((p) => p.test(id));
}

/** An include list if given, else an exclude list, else everything. */
class Selector {
  constructor(
    private readonly include: readonly RegExp[] | null,
    private readonly exclude: readonly RegExp[] | null,
  ) {}

  get active(): boolean {
    return this.include !== null || this.exclude !== null;
  }

  test(id: string): boolean {
    if (this.include !== null) return anyMatch(this.include, id);
    if (this.exclude !== null) return !anyMatch(this.exclude, id);
    return true;
  }
}

/** The capture filters of one connector; immutable. Build it from the config with {@link TableFilter.fromConfig}. */
export class TableFilter {
  private readonly schemas: Selector;
  private readonly tables: Selector;
  private readonly columns: Selector;
  private readonly ignoreBuiltin: boolean;
  private readonly tableIncludes: readonly string[] | null;
  private readonly keyMatchers: ReadonlyArray<{ readonly matcher: RegExp; readonly column: string }>;
  private readonly tableCache = new Map<string, boolean>();
  /** The parsed `message.key.columns` entries, in configured order. */
  readonly keyColumnEntries: readonly KeyColumnsEntry[];

  /** Throws ConfigError naming the key and the pattern when a list does not parse. */
  constructor(options: TableFilterOptions = {}) {
    this.schemas = new Selector(compileRegexList(SCHEMA_INCLUDE_LIST, options.schemaIncludeList), compileRegexList(SCHEMA_EXCLUDE_LIST, options.schemaExcludeList));
    this.tables = new Selector(compileRegexList(TABLE_INCLUDE_LIST, options.tableIncludeList), compileRegexList(TABLE_EXCLUDE_LIST, options.tableExcludeList));
    this.columns = new Selector(compileRegexList(COLUMN_INCLUDE_LIST, options.columnIncludeList), compileRegexList(COLUMN_EXCLUDE_LIST, options.columnExcludeList));
    this.ignoreBuiltin = options.ignoreBuiltin ?? true;
    const includes = blankToNull(options.tableIncludeList);
    this.tableIncludes = includes === null ? null : Object.freeze(splitRegexList(TABLE_INCLUDE_LIST, includes));
    const keyColumns = blankToNull(options.messageKeyColumns);
    this.keyColumnEntries = Object.freeze(keyColumns === null ? [] : parseMessageKeyColumns(keyColumns));
    // Debezium joins each entry into one regex per column, `<table regex>.<column>`, matched against `schema.table.column`.
    this.keyMatchers = Object.freeze(this.keyColumnEntries.flatMap((e) => e.columns.map((c) => ({ matcher: compilePattern(MESSAGE_KEY_COLUMNS, `${e.tablePattern}.${c}`), column: c }))));
    Object.freeze(this);
  }

  /** The filter the Debezium keys of a connector config describe (see the key constants above). */
  static fromConfig(props: Readonly<Record<string, string>>): TableFilter {
    const builtin = props[TABLE_IGNORE_BUILTIN]?.trim().toLowerCase();
    return new TableFilter({
      schemaIncludeList: props[SCHEMA_INCLUDE_LIST],
      schemaExcludeList: props[SCHEMA_EXCLUDE_LIST],
      tableIncludeList: props[TABLE_INCLUDE_LIST],
      tableExcludeList: props[TABLE_EXCLUDE_LIST],
      columnIncludeList: props[COLUMN_INCLUDE_LIST],
      columnExcludeList: props[COLUMN_EXCLUDE_LIST],
      messageKeyColumns: props[MESSAGE_KEY_COLUMNS],
      ignoreBuiltin: builtin !== 'false',
    });
  }

  /** True when a column list is set, i.e. record values may hold fewer columns than the table. */
  get filtersColumns(): boolean {
    return this.columns.active;
  }

  /** Whether any table of `schema` may be captured (the schema lists, and the built-in schemas). */
  includesSchema(schema: string): boolean {
    return this.schemas.test(schema) && !(this.ignoreBuiltin && isBuiltinSchema(schema));
  }

  /** Whether changes of `schema.table` are captured. */
  includesTable(schema: string, table: string): boolean {
    const id = `${schema}.${table}`;
    let included = this.tableCache.get(id);
    if (included === undefined) {
      included = this.schemas.test(schema) && this.tables.test(id) && !(this.ignoreBuiltin && isBuiltinTable(schema, table));
      this.tableCache.set(id, included);
    }
    return included;
  }

  /**
   * Whether a column of a captured table appears in record values (`isKey` false), or must be read
   * at all (`isKey` true: a key column always is, since Debezium builds the key from the key columns
   * whatever the column lists say, while leaving an excluded key column out of the value).
   */
  includesColumn(schema: string, table: string, column: string, isKey = false): boolean {
    return isKey || this.columns.test(`${schema}.${table}.${column}`);
  }

  /**
   * The message key columns `message.key.columns` gives the table, or undefined when no entry
   * matches (then the primary key, or the replica identity index, is the key). Pass `columns`, the
   * table's columns in order, for Debezium's exact result: each configured column is a regex part
   * (`<table regex>.<column>` is matched against `schema.table.column`), expanded to the table
   * columns it matches, in the configured order, and columns the table lacks are dropped. Without
   * `columns` the configured column names are taken literally.
   */
  keyColumns(schema: string, table: string, columns?: readonly string[]): string[] | undefined {
    if (this.keyMatchers.length === 0) return undefined;
    const out: string[] = [];
    for (const { matcher, column } of this.keyMatchers) {
      for (const c of columns ?? [column]) if (!out.includes(c) && matcher.test(`${schema}.${table}.${c}`)) out.push(c);
    }
    return out.length > 0 ? out : undefined;
  }

  /**
   * The tables of `table.include.list` when every entry is a plain `schema.table` name (no regex
   * syntax besides the dot, which may be escaped), minus those the schema lists or the built-in
   * check exclude; undefined otherwise. Handy for `publication.autocreate.mode=filtered` without a
   * catalog query; note that matching ignores case, so `public.Orders` also captures a table
   * named `orders` that {@link selectTables} would find in the catalog.
   */
  literalTables(): TableRef[] | undefined {
    if (this.tableIncludes === null) return undefined;
    const out: TableRef[] = [];
    for (const pattern of this.tableIncludes) {
      const m = LITERAL_TABLE.exec(pattern);
      if (!m) return undefined;
      const ref = { schema: m[1]!, table: m[2]! };
      if (this.includesTable(ref.schema, ref.table) && !out.some((r) => r.schema === ref.schema && r.table === ref.table)) out.push(ref);
    }
    return out;
  }

  /** The captured tables out of a catalog listing, in the listing's order (e.g. for `CREATE PUBLICATION ... FOR TABLE`). */
  selectTables<T extends TableRef>(tables: Iterable<T>): T[] {
    return [...tables].filter((t) => this.includesTable(t.schema, t.table));
  }
}
