import { describe, expect, it } from 'vitest';
import { PgTypeCatalog } from '../../connectors/postgres-cdc/pg-type-info.js';

type Row = Record<string, unknown>;
const row = (oid: number, name: string, typtype: string, extra: Row = {}): Row => ({
  oid: String(oid), name, schema: 'pg_catalog', typtype, element: '0', base: '0', base_typmod: '-1', labels: null, ...extra,
});

/** A fake pg_type answering `oid = ANY($1)` from a table, recording each round trip's oids. */
function fakeCatalog(rows: Row[]): { query: (sql: string, params: unknown[]) => Promise<Row[]>; calls: number[][] } {
  const calls: number[][] = [];
  const byOid = new Map(rows.map((r) => [Number(r.oid), r]));
  return {
    calls,
    query: async (_sql, params) => {
      const oids = String(params[0]).slice(1, -1).split(',').map(Number);
      calls.push(oids);
      return oids.flatMap((o) => (byOid.has(o) ? [byOid.get(o)!] : []));
    },
  };
}

describe('PgTypeCatalog', () => {
  const rows = [
    row(23, 'int4', 'b'),
    row(1007, '_int4', 'b', { element: '23' }),
    row(16386, 'mood', 'e', { schema: 'public', labels: '["sad","ok","happy"]' }),
    row(16390, '_mood', 'b', { schema: 'public', element: '16386' }),
    row(16394, 'posint', 'd', { schema: 'public', base: '23' }),
    row(16395, 'amount', 'd', { schema: 'public', base: '16396', base_typmod: '655366' }),
    row(16396, 'money2', 'd', { schema: 'public', base: '1700' }),
    row(1700, 'numeric', 'b'),
  ];

  it('loads types with their element and base types, one round trip per level', async () => {
    const fake = fakeCatalog(rows);
    const types = new PgTypeCatalog(fake.query);
    await types.load([1007, 16390, 16395, 23]);
    expect(fake.calls).toEqual([[1007, 16390, 16395, 23], [16386, 16396], [1700]]);
    expect(types.get(1007)).toMatchObject({ name: '_int4', kind: 'array', element: { oid: 23, name: 'int4', kind: 'base' } });
    expect(types.get(16390)?.element).toMatchObject({ kind: 'enum', enumLabels: ['sad', 'ok', 'happy'], schema: 'public' });
    expect(types.get(16395)).toMatchObject({ kind: 'domain', baseTypeMod: 655366, base: { name: 'money2', base: { name: 'numeric' } } });
    await types.load([1007, 16395]);
    expect(fake.calls).toHaveLength(3);
  });

  it('accepts labels already parsed by the client and unknown oids', async () => {
    const fake = fakeCatalog([row(16386, 'mood', 'e', { labels: ['a', 'b'] })]);
    const types = new PgTypeCatalog(fake.query);
    await types.load([16386, 999999]);
    expect(types.get(16386)?.enumLabels).toEqual(['a', 'b']);
    expect(types.get(999999)).toBeUndefined();
  });

  it('invalidate re-reads the type at the next load, and arrays over it see the new labels', async () => {
    const mood = row(16386, 'mood', 'e', { schema: 'public', labels: '["sad","ok"]' });
    const fake = fakeCatalog([mood, rows[3]!]);
    const types = new PgTypeCatalog(fake.query);
    await types.load([16390]);
    expect(types.get(16390)?.element?.enumLabels).toEqual(['sad', 'ok']);
    mood.labels = '["sad","ok","happy"]';
    types.invalidate(16386);
    expect(types.get(16390)).toBeUndefined();
    await types.load([16390]);
    expect(fake.calls.at(-1)).toEqual([16386]);
    expect(types.get(16390)?.element?.enumLabels).toEqual(['sad', 'ok', 'happy']);
  });
});
