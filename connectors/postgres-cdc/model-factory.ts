/**
 * Builds table models from the catalog (snapshot) and from pgoutput Relation messages (streaming).
 * The Relation message is authoritative for the column list and types; the catalog adds what it lacks
 * (NOT NULL, defaults, the primary key), and is trusted only where it agrees with the message, since
 * it is read after the fact and may already show a later DDL.
 */
import { tableDetails, type CatalogTable, type Query } from './pg-catalog.js';
import type { PgRelation } from './pgoutput-messages.js';
import type { PgTypeCatalog } from './pg-type-info.js';
import { TableModel, type ModelColumn } from './table-model.js';
import type { TableFilter } from './table-filter.js';
import type { TypeModes } from './pg-value-mapping.js';

export interface ModelSettings {
  readonly topicPrefix: string;
  readonly filters: TableFilter;
  readonly typeModes: TypeModes;
}

export class ModelFactory {
  constructor(
    private readonly query: Query,
    private readonly types: PgTypeCatalog,
    private readonly settings: ModelSettings,
  ) {}

  captures(schema: string, table: string): boolean {
    return this.settings.filters.includesTable(schema, table);
  }

  /**
   * The model of a table as the catalog shows it through `query` (a snapshot transaction sees it as
   * of its snapshot), and the columns that order a keyset scan.
   */
  async fromCatalog(t: CatalogTable, query: Query = this.query): Promise<{ model: TableModel; scanKey: string[] }> {
    const details = await tableDetails(query, t.oid);
    await this.types.load(details.columns.map((c) => c.typeOid));
    const columns: ModelColumn[] = details.columns.map((c) => ({
      name: c.name,
      type: this.types.get(c.typeOid)!,
      typeMod: c.typeMod,
      notNull: c.notNull,
      defaultExpression: c.defaultExpression,
    }));
    return { model: this.build(t.oid, t.schema, t.table, columns, details.primaryKey), scanKey: details.primaryKey };
  }

  /** The model for a Relation message, or null when the table is not captured. */
  async fromRelation(rel: PgRelation, previous: TableModel | null): Promise<TableModel | null> {
    if (!this.captures(rel.namespace, rel.name)) return null;
    if (previous && sameColumns(previous, rel)) return previous;
    const details = await tableDetails(this.query, rel.relationOid).catch(() => ({ columns: [], primaryKey: [] as string[] }));
    await this.types.load(rel.columns.map((c) => c.typeOid));
    const byName = new Map(details.columns.map((c) => [c.name, c]));
    const columns: ModelColumn[] = rel.columns.map((c) => {
      const known = byName.get(c.name);
      const agrees = known !== undefined && known.typeOid === c.typeOid && known.typeMod === c.typeMod;
      return {
        name: c.name,
        type: this.types.get(c.typeOid)!,
        typeMod: c.typeMod,
        notNull: agrees ? known.notNull : false,
        defaultExpression: agrees ? known.defaultExpression : null,
      };
    });
    const names = new Set(rel.columns.map((c) => c.name));
    // With REPLICA IDENTITY FULL every column is flagged as key, so the flags name the key only otherwise.
    let key = details.primaryKey.length && details.primaryKey.every((k) => names.has(k)) ? details.primaryKey : [];
    if (!key.length && rel.replicaIdentity !== 'f') key = rel.columns.filter((c) => c.isKey).map((c) => c.name);
    return this.build(rel.relationOid, rel.namespace, rel.name, columns, key);
  }

  private build(oid: number, schema: string, table: string, columns: ModelColumn[], primaryKey: string[]): TableModel {
    const filters = this.settings.filters;
    const keyColumns = filters.keyColumns(schema, table, columns.map((c) => c.name)) ?? primaryKey;
    return new TableModel({
      oid,
      schema,
      table,
      columns,
      keyColumns,
      includesColumn: (name) => filters.includesColumn(schema, table, name),
      topicPrefix: this.settings.topicPrefix,
      modes: this.settings.typeModes,
    });
  }
}

function sameColumns(model: TableModel, rel: PgRelation): boolean {
  const cols = model.spec.columns;
  return (
    model.spec.schema === rel.namespace &&
    model.spec.table === rel.name &&
    cols.length === rel.columns.length &&
    cols.every((c, i) => c.name === rel.columns[i]!.name && c.type.oid === rel.columns[i]!.typeOid && c.typeMod === rel.columns[i]!.typeMod)
  );
}
