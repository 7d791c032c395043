/**
 * Connect schema → Parquet schema, the way Confluent's ParquetFormat lays a record out (one column per
 * top-level field), with the logical types DuckDB, Spark and Iceberg readers expect.
 */
import type { SchemaElement } from 'hyparquet';
import { DataError, LOGICAL, MAX_DECIMAL_SCALE, twosComplementBytes, type Schema } from '../../../src/sdk/index.js';

/** Decimal's parameter holding the precision (Debezium and Confluent's AvroData set it). */
export const DECIMAL_PRECISION = 'connect.decimal.precision';

/** The most digits a Decimal column holds: Postgres numeric's, 131,072 before the point and 16,383 after. */
const MAX_DECIMAL_PRECISION = 147_455;

/**
 * How a Connect leaf schema is stored. It decides both the column type and the value conversion
 * (`parquet-values.ts`). Semantic names apply only on the physical type they are defined for; any other
 * pairing is stored by its physical type.
 */
export type LeafKind =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string' | 'bytes'
  | 'json' // io.debezium.data.Json: STRING bytes, JSON logical type
  | 'decimal' // Connect Decimal (value: Decimal)
  | 'connect-date' | 'connect-time' | 'connect-timestamp' // Connect logical types (value: JS Date)
  | 'days' // io.debezium.time.Date (int32 days)
  | 'time-ms' | 'time-us' | 'time-ns' // io.debezium.time.Time / MicroTime / NanoTime
  | 'local-ts-ms' | 'local-ts-us' | 'local-ts-ns' // io.debezium.time.Timestamp / MicroTimestamp / NanoTimestamp
  | 'zoned-ts'; // io.debezium.time.ZonedTimestamp (ISO-8601 string)

const SEMANTIC: Record<string, [Schema['type'], LeafKind]> = {
  [LOGICAL.DECIMAL]: ['bytes', 'decimal'],
  [LOGICAL.DATE]: ['int32', 'connect-date'],
  [LOGICAL.TIME]: ['int32', 'connect-time'],
  [LOGICAL.TIMESTAMP]: ['int64', 'connect-timestamp'],
  'io.debezium.time.Date': ['int32', 'days'],
  'io.debezium.time.Time': ['int32', 'time-ms'],
  'io.debezium.time.MicroTime': ['int64', 'time-us'],
  'io.debezium.time.NanoTime': ['int64', 'time-ns'],
  'io.debezium.time.Timestamp': ['int64', 'local-ts-ms'],
  'io.debezium.time.MicroTimestamp': ['int64', 'local-ts-us'],
  'io.debezium.time.NanoTimestamp': ['int64', 'local-ts-ns'],
  'io.debezium.time.ZonedTimestamp': ['string', 'zoned-ts'],
  'io.debezium.data.Json': ['string', 'json'],
};

/** The storage kind of a primitive Connect schema (struct, array and map are groups, not leaves). */
export function leafKind(s: Schema): LeafKind {
  const semantic = s.name === undefined ? undefined : SEMANTIC[s.name];
  if (semantic && semantic[0] === s.type) return semantic[1];
  switch (s.type) {
    case 'array': case 'map': case 'struct':
      throw new DataError(`a ${s.type} schema is not a Parquet leaf`);
    default:
      return s.type;
  }
}

/** How a Connect Decimal is stored: Parquet wants 0 ≤ scale ≤ precision, so a negative scale is stored at 0. */
export interface DecimalLayout {
  readonly precision: number;
  readonly scale: number;
  /** Unscaled values must stay strictly inside ±bound (10^precision). */
  readonly bound: bigint;
  readonly physical: 'INT32' | 'INT64' | 'FIXED_LEN_BYTE_ARRAY';
  readonly typeLength?: number;
}

const decimalLayouts = new WeakMap<Schema, DecimalLayout>();

/** The Parquet DECIMAL of a Connect Decimal schema: precision from `connect.decimal.precision`, else 38. */
export function decimalLayout(s: Schema): DecimalLayout {
  let layout = decimalLayouts.get(s);
  if (layout) return layout;
  const scaleText = s.parameters?.[LOGICAL.DECIMAL_SCALE];
  const precisionText = s.parameters?.[DECIMAL_PRECISION];
  const connectScale = Number(scaleText);
  const connectPrecision = precisionText === undefined ? 38 : Number(precisionText);
  if (scaleText === undefined || !Number.isInteger(connectScale)) throw new DataError(`Decimal schema without an integer scale parameter: ${scaleText}`);
  if (!Number.isInteger(connectPrecision) || connectPrecision < 1) throw new DataError(`Decimal schema with an invalid precision: ${precisionText}`);
  // Both come from the record's schema (a JSON envelope's, say): bounded before 10^precision is worked out.
  if (Math.abs(connectScale) > MAX_DECIMAL_SCALE || connectPrecision > MAX_DECIMAL_PRECISION) {
    throw new DataError(`Decimal schema with precision ${connectPrecision} and scale ${connectScale}: at most precision ${MAX_DECIMAL_PRECISION} and scale ±${MAX_DECIMAL_SCALE} are written to Parquet`);
  }
  const scale = Math.max(connectScale, 0);
  const precision = Math.max(connectPrecision + Math.max(-connectScale, 0), scale, 1);
  const bound = 10n ** BigInt(precision);
  if (precision <= 9) layout = { precision, scale, bound, physical: 'INT32' };
  else if (precision <= 18) layout = { precision, scale, bound, physical: 'INT64' };
  else {
    // The fewest bytes whose two's complement holds ±(10^precision − 1).
    const typeLength = twosComplementBytes(bound - 1n).length;
    layout = { precision, scale, bound, physical: 'FIXED_LEN_BYTE_ARRAY', typeLength };
  }
  decimalLayouts.set(s, layout);
  return layout;
}

function repetition(s: Schema): 'OPTIONAL' | 'REQUIRED' {
  return s.optional ? 'OPTIONAL' : 'REQUIRED';
}

const utc = (unit: 'MILLIS' | 'MICROS' | 'NANOS', isAdjustedToUTC: boolean) => ({ isAdjustedToUTC, unit });

/** The Parquet leaf element of a primitive Connect schema. */
export function leafElement(s: Schema, name: string): SchemaElement {
  const repetition_type = repetition(s);
  switch (leafKind(s)) {
    // INT_8 / INT_16 are the converted-type spelling of INTEGER(8|16, signed), which readers take
    // as such. The INTEGER logical type itself cannot be written: hyparquet-writer 0.17.0 encodes
    // its i8 bitWidth as an i32, and DuckDB then rejects the footer (TProtocolException).
    case 'int8': return { name, repetition_type, type: 'INT32', converted_type: 'INT_8' };
    case 'int16': return { name, repetition_type, type: 'INT32', converted_type: 'INT_16' };
    case 'int32': return { name, repetition_type, type: 'INT32' };
    case 'int64': return { name, repetition_type, type: 'INT64' };
    case 'float32': return { name, repetition_type, type: 'FLOAT' };
    case 'float64': return { name, repetition_type, type: 'DOUBLE' };
    case 'boolean': return { name, repetition_type, type: 'BOOLEAN' };
    case 'string': return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'bytes': return { name, repetition_type, type: 'BYTE_ARRAY' };
    // Encoded as UTF8 (hyparquet-writer turns JSON-annotated values into JSON text, which would
    // quote the text already JSON); the footer declares the JSON converted type (footerElements).
    case 'json': return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'JSON' } };
    case 'decimal': {
      const d = decimalLayout(s);
      return {
        name, repetition_type, type: d.physical, ...(d.typeLength ? { type_length: d.typeLength } : {}),
        converted_type: 'DECIMAL', scale: d.scale, precision: d.precision,
        logical_type: { type: 'DECIMAL', precision: d.precision, scale: d.scale },
      };
    }
    case 'connect-date': case 'days':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'connect-time':
      return { name, repetition_type, type: 'INT32', converted_type: 'TIME_MILLIS', logical_type: { type: 'TIME', ...utc('MILLIS', true) } };
    // Debezium's times and timestamps are wall-clock values without a zone: not UTC-adjusted, so
    // they carry no converted type (TIME_*/TIMESTAMP_* converted types imply UTC).
    case 'time-ms': return { name, repetition_type, type: 'INT32', logical_type: { type: 'TIME', ...utc('MILLIS', false) } };
    case 'time-us': return { name, repetition_type, type: 'INT64', logical_type: { type: 'TIME', ...utc('MICROS', false) } };
    case 'time-ns': return { name, repetition_type, type: 'INT64', logical_type: { type: 'TIME', ...utc('NANOS', false) } };
    case 'connect-timestamp': case 'zoned-ts':
      return { name, repetition_type, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', ...utc('MICROS', true) } };
    case 'local-ts-ms': case 'local-ts-us':
      return { name, repetition_type, type: 'INT64', logical_type: { type: 'TIMESTAMP', ...utc('MICROS', false) } };
    case 'local-ts-ns': return { name, repetition_type, type: 'INT64', logical_type: { type: 'TIMESTAMP', ...utc('NANOS', false) } };
  }
}

/** One node of the Parquet schema tree. */
export interface ParquetNode {
  readonly element: SchemaElement;
  /** Names from the top-level column down to this node, as in `path_in_schema`. */
  readonly path: readonly string[];
  readonly children: readonly ParquetNode[];
}

/** The Parquet layout of a Connect struct schema. */
export interface ParquetLayout {
  /** One node per top-level field, in field order. */
  readonly columns: readonly ParquetNode[];
  /** Pre-order elements, root first, as the encoder needs them. */
  readonly elements: SchemaElement[];
  /** `elements` as the footer declares them (JSON leaves carry the JSON converted type, not UTF8). */
  readonly footerElements: SchemaElement[];
  /** `leafKey` of every leaf, in column-chunk order. */
  readonly leafKeys: readonly string[];
}

/** A leaf's identity across schema versions: its path joined with a separator names cannot hold unnoticed. */
export function leafKey(path: readonly string[]): string {
  return path.join('\u0000');
}

function node(s: Schema, name: string, parent: readonly string[]): ParquetNode {
  const path = [...parent, name];
  const repetition_type = repetition(s);
  switch (s.type) {
    case 'struct': {
      const fields = s.fields ?? [];
      if (fields.length === 0) throw new DataError(`struct ${path.join('.')} has no fields; Parquet groups need at least one`);
      const children = fields.map((f) => node(f.schema, f.name, path));
      return { element: { name, repetition_type, num_children: children.length }, path, children };
    }
    case 'array': {
      // The three-level LIST of the Parquet spec: <name> (LIST) { repeated group list { element } }.
      const listPath = [...path, 'list'];
      const element = node(s.valueSchema!, 'element', listPath);
      const list: ParquetNode = { element: { name: 'list', repetition_type: 'REPEATED', num_children: 1 }, path: listPath, children: [element] };
      return { element: { name, repetition_type, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } }, path, children: [list] };
    }
    case 'map': {
      const kvPath = [...path, 'key_value'];
      const keySchema = s.keySchema!.optional ? { ...s.keySchema!, optional: false } : s.keySchema!;
      const kv: ParquetNode = {
        element: { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
        path: kvPath,
        children: [node(keySchema, 'key', kvPath), node(s.valueSchema!, 'value', kvPath)],
      };
      return { element: { name, repetition_type, num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' } }, path, children: [kv] };
    }
    default:
      return { element: leafElement(s, name), path, children: [] };
  }
}

/** Pre-order elements of `nodes` under a root element. */
export function flatten(nodes: readonly ParquetNode[], map: (e: SchemaElement) => SchemaElement = (e) => e): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: nodes.length }];
  const walk = (n: ParquetNode): void => {
    out.push(map(n.element));
    n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

/** Keys of the leaves under `n`, in column-chunk order. */
export function leafKeysOf(n: ParquetNode, out: string[] = []): string[] {
  if (n.children.length === 0) out.push(leafKey(n.path));
  else for (const c of n.children) leafKeysOf(c, out);
  return out;
}

const layouts = new WeakMap<Schema, ParquetLayout>();

/**
 * The Parquet layout of a Connect struct schema: each top-level field is a column, REQUIRED or
 * OPTIONAL after `optional`; nested structs are groups, arrays three-level LISTs, maps MAPs with a
 * REQUIRED key. Cached per schema object (Connect schemas are immutable). Throws DataError for a
 * schema that is not a struct or holds an empty struct.
 */
export function parquetLayout(schema: Schema): ParquetLayout {
  let layout = layouts.get(schema);
  if (layout) return layout;
  if (schema.type !== 'struct') throw new DataError(`Parquet needs a struct value schema, got ${schema.type}`);
  const columns = (schema.fields ?? []).map((f) => node(f.schema, f.name, []));
  if (columns.length === 0) throw new DataError(`struct ${schema.name ?? ''} has no fields; a Parquet file needs at least one column`);
  const elements = flatten(columns);
  const footerElements = elements.map((e) => (e.logical_type?.type === 'JSON' ? { ...e, converted_type: 'JSON' as const } : e));
  layout = { columns, elements, footerElements, leafKeys: columns.flatMap((c) => leafKeysOf(c)) };
  layouts.set(schema, layout);
  return layout;
}

const signatures = new WeakMap<Schema, string>();

/**
 * What of a primitive schema the Parquet file depends on (type, annotations, repetition): two leaf
 * schemas with the same signature are stored alike, whatever their names, docs or other parameters.
 */
export function leafSignature(s: Schema): string {
  let sig = signatures.get(s);
  if (sig === undefined) {
    const { name: _name, ...rest } = leafElement(s, '');
    sig = JSON.stringify(rest);
    signatures.set(s, sig);
  }
  return sig;
}
