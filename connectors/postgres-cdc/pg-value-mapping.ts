/**
 * How a Postgres column becomes a field of Debezium's change events: the Connect schema Debezium's
 * PostgresConnector gives it and the conversion of Postgres' text output of a value into the Connect
 * value Debezium emits. The same text comes from pgoutput tuples and from snapshot SELECTs, both read
 * under the session settings of `pg-session.ts` (ISO dates, UTC, iso_8601 intervals, hex bytea), so
 * one `fromText` serves both.
 *
 * @example
 * ```ts
 * const m = mapColumn({ name: 'created_at', type: types.get(1184)!, typeMod: -1, optional: true }, DEFAULT_TYPE_MODES)!;
 * m.schema;                                      // string, io.debezium.time.ZonedTimestamp, optional
 * m.fromText('2024-01-02 01:04:05.123456+00');   // '2024-01-02T01:04:05.123456Z'
 * m.unavailable;                                 // '__debezium_unavailable_value'
 * ```
 */
import { createHash } from 'node:crypto';
import { SchemaBuilder, type Schema } from '../../src/sdk/index.js';
import { parseArrayLiteral } from './pg-array-literal.js';
import { columnDefault } from './pg-column-defaults.js';
import { hstorePlaceholder } from './pg-hstore-values.js';
import type { PgTypeInfo } from './pg-type-info.js';
import { guarded, scalarMapping, unknownScalar, type ScalarMapping } from './pg-scalar-mappings.js';

/** The connector settings that change how values are represented (Debezium's property in each comment). */
export interface TypeModes {
  /** decimal.handling.mode */
  decimal: 'precise' | 'double' | 'string';
  /** time.precision.mode ('structured' is not supported) */
  time: 'adaptive' | 'adaptive_time_microseconds' | 'connect' | 'isostring' | 'microseconds' | 'nanoseconds';
  /** binary.handling.mode */
  binary: 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
  /** interval.handling.mode */
  interval: 'numeric' | 'string';
  /** hstore.handling.mode */
  hstore: 'json' | 'map';
  /** money.fraction.digits */
  moneyFractionDigits: number;
  /** include.unknown.datatypes */
  includeUnknown: boolean;
  /** unavailable.value.placeholder */
  unavailablePlaceholder: string;
  /** Its bytes for binary columns, when they are not its UTF-8 (the `hex:` form); default: the UTF-8. */
  unavailablePlaceholderBytes?: Uint8Array;
}

/** Debezium's defaults. */
export const DEFAULT_TYPE_MODES: TypeModes = Object.freeze({
  decimal: 'precise',
  time: 'adaptive',
  binary: 'bytes',
  interval: 'numeric',
  hstore: 'json',
  moneyFractionDigits: 2,
  includeUnknown: false,
  unavailablePlaceholder: '__debezium_unavailable_value',
});

export interface ColumnMapping {
  /**
   * Debezium's Connect schema for the column: semantic name/version/parameters as Debezium sets them
   * (e.g. Decimal's scale + connect.decimal.precision, Enum's allowed). Optional iff the column is
   * nullable (Debezium's geometric structs are always optional); carries the column default when
   * `defaultExpression` gave one.
   */
  readonly schema: Schema;
  /** Postgres text output → Connect value. Throws DataError naming the column and the bad text. */
  fromText(text: string): unknown;
  /**
   * The value Debezium puts for an unchanged TOASTed column: the placeholder as a string (string
   * schemas, hex binary), its UTF-8 bytes (bytes), `[placeholder]` for text-like arrays, the
   * placeholder's bytes as numbers for int4[]/int8[]/date[], a map for hstore; null where Debezium's
   * own value would not fit the schema (numbers, decimals, structs, base64 binary).
   */
  readonly unavailable: unknown;
}

export interface ColumnDescription {
  name: string;
  type: PgTypeInfo;
  typeMod: number;
  optional: boolean;
  /** pg_get_expr(adbin) text of the column default, if any */
  defaultExpression?: string | null;
}

/**
 * Arrays Debezium declines (PostgresValueConverter#schemaBuilder returns null for them), so the
 * column is left out of the events whatever include.unknown.datatypes says.
 */
const UNSUPPORTED_ARRAYS = new Set(['money', 'name', 'interval', 'varbit', 'xml', 'point', 'refcursor']);

/**
 * Arrays whose element schema Debezium makes optional: its explicit list of built-in arrays, and
 * the citext/hstore/ltree arrays it finds by name. Other arrays (enum[], tsvector[]...) have
 * required elements.
 */
const OPTIONAL_ELEMENT_ARRAYS = new Set([
  'int2', 'int4', 'int8', 'oid', 'char', 'varchar', 'text', 'bpchar', 'inet', 'cidr', 'macaddr', 'macaddr8',
  'tsrange', 'tstzrange', 'daterange', 'int4range', 'numrange', 'int8range', 'numeric', 'float4', 'float8',
  'bool', 'date', 'uuid', 'json', 'jsonb', 'time', 'timetz', 'timestamp', 'timestamptz', 'bytea', 'bit',
]);
const OPTIONAL_ELEMENT_EXTENSION_ARRAYS = new Set(['citext', 'hstore', 'ltree']);

/** Follows domains to the type they stand for; the modifier is the column's or the nearest domain's. */
function resolveDomain(type: PgTypeInfo, typeMod: number): { type: PgTypeInfo; typeMod: number } {
  let t = type;
  let mod = typeMod;
  while (t.kind === 'domain' && t.base) {
    if (mod < 0 && t.baseTypeMod !== undefined && t.baseTypeMod >= 0) mod = t.baseTypeMod;
    t = t.base;
  }
  return { type: t, typeMod: mod };
}

/** null when Debezium would drop the column (unknown type without includeUnknown). */
export function mapColumn(col: ColumnDescription, modes: TypeModes): ColumnMapping | null {
  const { type, typeMod } = resolveDomain(col.type, col.typeMod);
  if (type.kind === 'array' && type.element) return mapArray(col, type.element, typeMod, modes);
  const scalar = scalarMapping(type, typeMod, modes, col.optional);
  if (!scalar) return null;
  if (col.optional) scalar.builder.optional();
  const plain = scalar.builder.build();
  const convert = guarded(col.name, col.type.name, scalar.convert, plain);
  const dflt = columnDefault(col.defaultExpression, col.type, convert);
  const schema = dflt === undefined ? plain : scalar.builder.defaultValue(dflt).build();
  return {
    schema,
    fromText: schema === plain ? convert : guarded(col.name, col.type.name, scalar.convert, schema),
    unavailable: scalarPlaceholder(scalar, type, modes),
  };
}

function mapArray(col: ColumnDescription, el: PgTypeInfo, typeMod: number, modes: TypeModes): ColumnMapping | null {
  const builtin = el.schema === 'pg_catalog';
  if (builtin && UNSUPPORTED_ARRAYS.has(el.name)) return null;
  // Array elements of a domain type are not resolved to the base type: Debezium reads them as an
  // unknown type, i.e. as binary with include.unknown.datatypes, else drops the column (DomainTypesIT).
  const scalar = el.kind === 'domain' ? unknownScalar(modes) : scalarMapping(el, typeMod, modes, true);
  if (!scalar) return null;
  if (builtin ? OPTIONAL_ELEMENT_ARRAYS.has(el.name) : OPTIONAL_ELEMENT_EXTENSION_ARRAYS.has(el.name)) scalar.builder.optional();
  const elementSchema = scalar.builder.build();
  const builder = SchemaBuilder.array(elementSchema);
  if (col.optional) builder.optional();
  const schema = builder.build();
  const convertElement = scalar.convert;
  const delimiter = builtin && el.name === 'box' ? ';' : ',';
  const convert = (text: string): unknown[] => {
    const items = parseArrayLiteral(text, delimiter);
    const out = new Array<unknown>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // a sub-array of a multi-dimensional array is not an element Debezium can convert: null
      out[i] = typeof item === 'string' ? convertElement(item, elementSchema) : null;
    }
    return out;
  };
  return {
    schema,
    fromText: guarded(col.name, col.type.name, convert, schema),
    unavailable: arrayPlaceholder(el, scalar, modes),
  };
}

function scalarPlaceholder(scalar: ScalarMapping, type: PgTypeInfo, modes: TypeModes): unknown {
  const p = modes.unavailablePlaceholder;
  if (type.name === 'hstore') return hstorePlaceholder(p, modes.hstore);
  if (scalar.kind === 'string') return p;
  if (scalar.kind === 'other') return null;
  // binary: Debezium's base64 converters do not recognise the TOAST marker and yield null
  return modes.binary === 'bytes' ? placeholderBytes(modes) : modes.binary === 'hex' ? p : null;
}

function placeholderBytes(modes: TypeModes): Buffer {
  return modes.unavailablePlaceholderBytes ? Buffer.from(modes.unavailablePlaceholderBytes) : Buffer.from(modes.unavailablePlaceholder, 'utf8');
}

/** UnchangedToastedPlaceholder's values per array type (UnchangedToastedReplicationMessageColumn). */
function arrayPlaceholder(el: PgTypeInfo, scalar: ScalarMapping, modes: TypeModes): unknown {
  const p = modes.unavailablePlaceholder;
  const bytes = placeholderBytes(modes);
  switch (el.schema === 'pg_catalog' ? el.name : '') {
    case 'int4':
    case 'date':
    case 'int8':
      return [...bytes].map((b) => (b > 127 ? b - 256 : b));
    case 'bytea':
      return [modes.binary === 'bytes' ? bytes : p];
    case 'uuid':
      return [nameUuid(bytes)];
  }
  return scalar.kind === 'string' ? [p] : null;
}

/** java.util.UUID#nameUUIDFromBytes: an MD5 (version 3) UUID. */
function nameUuid(bytes: Buffer): string {
  const h = createHash('md5').update(bytes).digest();
  h[6] = (h[6]! & 0x0f) | 0x30;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
