/**
 * One captured table as the change events see it: its columns in tuple order (the order pgoutput's
 * Relation message and our snapshot SELECT both use), how each maps to a Connect value, the key
 * columns, and the schemas of key, row and envelope. Rebuilt whenever a Relation message shows the
 * table changed, so records after a DDL carry the new schema.
 */
import { Decimal, Struct, SchemaBuilder, DataError, type Schema } from '../../src/sdk/index.js';
import { envelopeSchema, topicName } from './debezium-schemas.js';
import { UNCHANGED_TOAST, type TupleData } from './pgoutput-messages.js';
import { mapColumn, type ColumnMapping, type TypeModes } from './pg-value-mapping.js';
import type { PgTypeInfo } from './pg-type-info.js';

/** A column in tuple order, with what the catalog says about it. */
export interface ModelColumn {
  readonly name: string;
  readonly type: PgTypeInfo;
  readonly typeMod: number;
  readonly notNull: boolean;
  readonly defaultExpression: string | null;
}

export interface TableModelSpec {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly ModelColumn[];
  /** Key column names, in key order (primary key, replica identity index or message.key.columns); empty = null keys. */
  readonly keyColumns: readonly string[];
  /** Whether a column goes into the row image (column include/exclude lists; Debezium applies them to key columns too). */
  readonly includesColumn: (name: string) => boolean;
  readonly topicPrefix: string;
  readonly modes: TypeModes;
}

interface Slot {
  readonly name: string;
  readonly mapping: ColumnMapping | null;
  readonly rowIndex: number;
  readonly keyIndex: number;
  readonly fallback: unknown;
}

export class TableModel {
  readonly id: string;
  readonly topic: string;
  readonly keySchema: Schema | null;
  readonly rowSchema: Schema;
  readonly envelope: Schema;
  /** A fingerprint of the column list: equal fingerprints mean the same schemas. */
  readonly fingerprint: string;
  private readonly slots: readonly Slot[];
  private readonly rowWidth: number;
  private readonly keyWidth: number;

  constructor(readonly spec: TableModelSpec) {
    this.id = `${spec.schema}.${spec.table}`;
    this.topic = topicName(spec.topicPrefix, spec.schema, spec.table);
    const row = SchemaBuilder.struct().name(`${this.topic}.Value`);
    const keyOrder = new Map(spec.keyColumns.map((k, i) => [k, i]));
    const keyFields: Array<[number, string, Schema]> = [];
    const slots: Slot[] = [];
    let rowIndex = 0;
    for (const c of spec.columns) {
      const isKey = keyOrder.has(c.name);
      const mapping = mapColumn(
        { name: c.name, type: c.type, typeMod: c.typeMod, optional: !c.notNull, defaultExpression: c.defaultExpression },
        spec.modes,
      );
      if (isKey && !mapping) throw new DataError(`key column ${this.id}.${c.name} has a type (${c.type.name}) that cannot be captured`);
      const inRow = mapping !== null && spec.includesColumn(c.name);
      if (inRow) row.field(c.name, mapping.schema);
      if (isKey) keyFields.push([keyOrder.get(c.name)!, c.name, mapping!.schema]);
      slots.push({
        name: c.name,
        mapping,
        rowIndex: inRow ? rowIndex++ : -1,
        keyIndex: isKey ? keyOrder.get(c.name)! : -1,
        fallback: mapping ? fallbackValue(mapping.schema) : null,
      });
    }
    const missing = spec.keyColumns.filter((k) => !spec.columns.some((c) => c.name === k));
    if (missing.length) throw new DataError(`key column(s) ${missing.join(', ')} not found in table ${this.id}`);
    this.slots = slots;
    this.rowWidth = rowIndex;
    this.keyWidth = keyFields.length;
    this.rowSchema = row.optional().build();
    if (keyFields.length) {
      const key = SchemaBuilder.struct().name(`${this.topic}.Key`);
      for (const [, name, schema] of keyFields.sort((a, b) => a[0] - b[0])) key.field(name, schema);
      this.keySchema = key.build();
    } else {
      this.keySchema = null;
    }
    this.envelope = envelopeSchema(`${this.topic}.Envelope`, this.rowSchema);
    this.fingerprint = JSON.stringify([spec.keyColumns, spec.columns.map((c) => [c.name, c.type.oid, c.typeMod, c.notNull, c.defaultExpression])]);
  }

  get columnNames(): string[] {
    return this.slots.map((s) => s.name);
  }

  /**
   * The row image of a tuple. Unchanged TOAST values become the placeholder; a null in a required
   * field (a DEFAULT-identity delete carries only the key) becomes the column default or the type's
   * zero value, as Debezium's converters fall back.
   */
  row(tuple: TupleData): Struct {
    const values = new Array<unknown>(this.rowWidth);
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.rowIndex < 0) continue;
      values[s.rowIndex] = this.convert(s, tuple[i]);
    }
    return Struct.fromValues(this.rowSchema, values);
  }

  /** The key struct of a tuple (a new row, a key image or an old row), or null without key columns. */
  key(tuple: TupleData): Struct | null {
    if (!this.keySchema) return null;
    const values = new Array<unknown>(this.keyWidth);
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.keyIndex >= 0) values[s.keyIndex] = this.convert(s, tuple[i]);
    }
    return Struct.fromValues(this.keySchema, values);
  }

  /** Whether two tuples differ in a key column (compared as Postgres printed them). */
  keyDiffers(a: TupleData, b: TupleData): boolean {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i]!.keyIndex < 0) continue;
      const x = a[i];
      const y = b[i];
      if (x === UNCHANGED_TOAST || y === UNCHANGED_TOAST) continue;
      if (Buffer.isBuffer(x) && Buffer.isBuffer(y) ? !x.equals(y) : x !== y) return true;
    }
    return false;
  }

  private convert(s: Slot, raw: TupleData[number] | undefined): unknown {
    if (raw === null || raw === undefined) return s.fallback;
    if (raw === UNCHANGED_TOAST) return s.mapping!.unavailable;
    try {
      return s.mapping!.fromText(typeof raw === 'string' ? raw : raw.toString('utf8'));
    } catch (err) {
      throw new DataError(`${this.id}.${s.name}: ${(err as Error).message}`);
    }
  }
}

/** Debezium's fallback for a null in a required column: the default, else the type's zero. */
function fallbackValue(schema: Schema): unknown {
  if (schema.optional) return null;
  if (schema.defaultValue !== undefined) return schema.defaultValue;
  if (schema.name === 'org.apache.kafka.connect.data.Decimal') return new Decimal(0n, Number(schema.parameters?.scale ?? 0));
  // Debezium's JdbcValueConverters: the epoch and midnight in UTC, not an empty string.
  if (schema.name === 'io.debezium.time.ZonedTimestamp') return '1970-01-01T00:00:00Z';
  if (schema.name === 'io.debezium.time.ZonedTime') return '00:00:00Z';
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'array':
      return [];
    case 'map':
      return new Map();
    default:
      return null;
  }
}
