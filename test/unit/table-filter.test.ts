/** The Postgres source's table/column filters and message keys, with Debezium's semantics. */
import { describe, expect, it } from 'vitest';
import { configError } from '../support/config-error.js';
import { parseMessageKeyColumns, splitRegexList, TableFilter } from '../../connectors/postgres-cdc/table-filter.js';


describe('table and schema lists', () => {
  it('match anchored: a name must match the whole pattern, not contain it', () => {
    const f = new TableFilter({ tableIncludeList: 'public.orders' });
    expect(f.includesTable('public', 'orders')).toBe(true);
    expect(f.includesTable('public', 'orders_archive')).toBe(false);
    expect(f.includesTable('xpublic', 'orders')).toBe(false);
    expect(f.includesTable('public', 'customers')).toBe(false);
  });

  it('match ignoring case, as Debezium compiles every filter CASE_INSENSITIVE', () => {
    const f = new TableFilter({ tableIncludeList: 'PUBLIC.Orders', schemaIncludeList: 'Inventory' });
    expect(new TableFilter({ tableIncludeList: 'PUBLIC.Orders' }).includesTable('public', 'orders')).toBe(true);
    expect(f.includesSchema('inventory')).toBe(true);
  });

  it('split on commas, trim items, and keep an escaped comma inside a pattern', () => {
    expect(splitRegexList('k', ' public.a , public\\.b{1\\,2},, ')).toEqual(['public.a', 'public\\.b{1,2}']);
    const f = new TableFilter({ tableIncludeList: 'public\\.t{1\\,2}, inventory\\..*' });
    expect(f.includesTable('public', 't')).toBe(true);
    expect(f.includesTable('public', 'tt')).toBe(true);
    expect(f.includesTable('public', 'ttt')).toBe(false);
    expect(f.includesTable('inventory', 'anything')).toBe(true);
  });

  it('require both the schema list and the table list to pass', () => {
    const f = new TableFilter({ schemaIncludeList: 'inventory', tableIncludeList: '.*\\.orders' });
    expect(f.includesTable('inventory', 'orders')).toBe(true);
    expect(f.includesTable('public', 'orders')).toBe(false);
    expect(f.includesTable('inventory', 'customers')).toBe(false);
  });

  it('exclude what an exclude list matches and keep everything else', () => {
    const f = new TableFilter({ schemaExcludeList: 'audit', tableExcludeList: 'public\\.tmp_.*' });
    expect(f.includesTable('public', 'orders')).toBe(true);
    expect(f.includesTable('public', 'tmp_1')).toBe(false);
    expect(f.includesTable('audit', 'log')).toBe(false);
    expect(f.includesSchema('audit')).toBe(false);
    expect(f.includesSchema('public')).toBe(true);
  });

  it('let the include list win when both lists of a pair are given (the config refuses that)', () => {
    const f = new TableFilter({ tableIncludeList: 'public.a', tableExcludeList: 'public.a' });
    expect(f.includesTable('public', 'a')).toBe(true);
    expect(f.includesTable('public', 'b')).toBe(false);
  });

  it('treat blank lists as unset', () => {
    const f = new TableFilter({ tableIncludeList: '  ', columnIncludeList: '' });
    expect(f.includesTable('public', 'x')).toBe(true);
    expect(f.includesColumn('public', 'x', 'y')).toBe(true);
    expect(f.filtersColumns).toBe(false);
  });

  it('skip built-in schemas and tables unless table.ignore.builtin=false', () => {
    const f = new TableFilter();
    for (const [s, t] of [['pg_catalog', 'pg_class'], ['information_schema', 'tables'], ['PG_CATALOG', 'x'], ['pg_temp_3', 't'], ['pg_toast', 'pg_toast_1'], ['public', 'spatial_ref_sys']]) {
      expect(f.includesTable(s!, t!)).toBe(false);
    }
    expect(f.includesSchema('pg_catalog')).toBe(false);
    expect(f.includesTable('public', 'orders')).toBe(true);
    const all = new TableFilter({ ignoreBuiltin: false });
    expect(all.includesTable('pg_catalog', 'pg_class')).toBe(true);
    expect(all.includesTable('public', 'spatial_ref_sys')).toBe(true);
    // An include list does not bring built-ins back.
    expect(new TableFilter({ tableIncludeList: 'pg_catalog\\..*' }).includesTable('pg_catalog', 'pg_class')).toBe(false);
  });

  it('reads the Debezium keys from a connector config', () => {
    const f = TableFilter.fromConfig({ 'schema.include.list': 'inventory', 'column.exclude.list': 'inventory.customers.email', 'table.ignore.builtin': 'false' });
    expect(f.includesTable('inventory', 'customers')).toBe(true);
    expect(f.includesTable('public', 'customers')).toBe(false);
    expect(f.includesColumn('inventory', 'customers', 'email')).toBe(false);
    expect(f.filtersColumns).toBe(true);
  });

  it('refuse a pattern that does not compile, naming the key and the pattern', () => {
    const err = configError(() => new TableFilter({ tableIncludeList: 'public.ok,public.(bad' }));
    expect(err.key).toBe('table.include.list');
    expect(err.message).toMatch(/configuration table\.include\.list: 'public\.\(bad' is not a valid regular expression/);
    expect(configError(() => new TableFilter({ schemaExcludeList: 'a\\' })).message).toMatch(/schema\.exclude\.list: unterminated escape/);
  });

  it('translate the Java spellings (?i) and \\Q...\\E', () => {
    expect(new TableFilter({ tableIncludeList: '(?i)public.orders' }).includesTable('public', 'ORDERS')).toBe(true);
    const q = new TableFilter({ tableIncludeList: '\\Qpublic.a+b\\E' });
    expect(q.includesTable('public', 'a+b')).toBe(true);
    expect(q.includesTable('public', 'aab')).toBe(false);
  });
});

describe('column lists', () => {
  it('match schema.table.column anchored; a key column is always read', () => {
    const f = new TableFilter({ columnExcludeList: 'public.orders.secret,.*\\.pw' });
    expect(f.includesColumn('public', 'orders', 'secret')).toBe(false);
    expect(f.includesColumn('public', 'orders', 'secret_not')).toBe(true);
    expect(f.includesColumn('public', 'users', 'pw')).toBe(false);
    expect(f.includesColumn('public', 'orders', 'secret', true)).toBe(true);
  });

  it('keep only what an include list matches', () => {
    const f = new TableFilter({ columnIncludeList: 'public.orders.(id|total)' });
    expect(f.includesColumn('public', 'orders', 'id')).toBe(true);
    expect(f.includesColumn('public', 'orders', 'total')).toBe(true);
    expect(f.includesColumn('public', 'orders', 'note')).toBe(false);
    expect(f.includesColumn('public', 'other', 'id')).toBe(false);
  });
});

describe('message.key.columns', () => {
  // The example in Debezium's Key.CustomKeyMapper documentation.
  const f = new TableFilter({ messageKeyColumns: 'inventory.customers:pk1,pk2;(.*).purchaseorders:pk3,pk4' });

  it('gives the configured columns in configured order, out of the table columns', () => {
    expect(f.keyColumns('inventory', 'customers', ['pk2', 'name', 'pk1'])).toEqual(['pk1', 'pk2']);
    expect(f.keyColumns('sales', 'purchaseorders', ['pk4', 'pk3', 'x'])).toEqual(['pk3', 'pk4']);
    expect(f.keyColumns('inventory', 'PurchaseOrders', ['PK3'])).toEqual(['PK3']);
  });

  it('is undefined for tables no entry names, or when the table has none of the columns', () => {
    expect(f.keyColumns('inventory', 'orders', ['id'])).toBeUndefined();
    expect(f.keyColumns('inventory', 'customers', ['id'])).toBeUndefined();
    expect(new TableFilter().keyColumns('a', 'b', ['id'])).toBeUndefined();
  });

  it('drops a configured column the table lacks, and takes names literally without a column list', () => {
    expect(f.keyColumns('inventory', 'customers', ['pk1', 'x'])).toEqual(['pk1']);
    expect(f.keyColumns('inventory', 'customers')).toEqual(['pk1', 'pk2']);
  });

  it('treats column names as regex parts, as Debezium does', () => {
    const r = new TableFilter({ messageKeyColumns: 'public.events:tenant_id,event_.*' });
    expect(r.keyColumns('public', 'events', ['event_id', 'tenant_id', 'event_ts', 'body'])).toEqual(['tenant_id', 'event_id', 'event_ts']);
  });

  it('parses entries with spaces and a trailing semicolon', () => {
    expect(parseMessageKeyColumns(' public.a : x , y ;public.b:z;')).toEqual([
      { tablePattern: 'public.a', columns: ['x', 'y'] },
      { tablePattern: 'public.b', columns: ['z'] },
    ]);
  });

  it('refuses malformed entries all at once, naming the key, the entry and the expected form', () => {
    const err = configError(() => parseMessageKeyColumns('public.a;public.b:x,;public.(c:id'));
    expect(err.key).toBe('message.key.columns');
    expect(err.message).toMatch(/entry 'public\.a' has an invalid format; expected <schema>\.<table>:<column>/);
    expect(err.message).toMatch(/entry 'public\.b:x,' has an invalid format/);
    expect(err.message).toMatch(/'public\.\(c\.id' is not a valid regular expression/);
    expect(configError(() => parseMessageKeyColumns('  ')).message).toMatch(/message\.key\.columns: must not be empty/);
  });
});

describe('publication helpers', () => {
  it('lists plain include-list tables, minus those other filters drop', () => {
    const f = new TableFilter({ tableIncludeList: 'public.orders, inventory\\.customers, audit.log, public.orders', schemaExcludeList: 'audit' });
    expect(f.literalTables()).toEqual([{ schema: 'public', table: 'orders' }, { schema: 'inventory', table: 'customers' }]);
  });

  it('gives no literal list for regexes or without an include list', () => {
    expect(new TableFilter({ tableIncludeList: 'public\\..*' }).literalTables()).toBeUndefined();
    expect(new TableFilter({ tableIncludeList: 'public.t1|public.t2' }).literalTables()).toBeUndefined();
    expect(new TableFilter({ tableExcludeList: 'public.x' }).literalTables()).toBeUndefined();
  });

  it('selects the captured tables out of a catalog listing', () => {
    const f = new TableFilter({ tableIncludeList: 'public\\.o.*' });
    const catalog = [{ schema: 'public', table: 'orders', oid: 1 }, { schema: 'public', table: 'users', oid: 2 }, { schema: 'pg_catalog', table: 'ok', oid: 3 }, { schema: 'public', table: 'Outbox', oid: 4 }];
    expect(f.selectTables(catalog).map((t) => t.oid)).toEqual([1, 4]);
  });
});
