/**
 * The Debezium mapping of one non-array Postgres type (`PostgresValueConverter#schemaBuilder` and
 * `#converter`): a schema builder and a converter from the type's text output. Arrays, TOAST
 * placeholders, defaults and optionality are added by `pg-value-mapping.ts`.
 */
import { DataError, INT64_MAX, INT64_MIN, SchemaBuilder, type Schema } from '../../src/sdk/index.js';
import type { PgTypeInfo } from './pg-type-info.js';
import type { TypeModes } from './pg-value-mapping.js';
import { bitsMapping, byteaMapping, unknownMapping } from './pg-binary-values.js';
import { geometricMapping } from './pg-geometric-values.js';
import { hstoreMapping, sparseVectorMapping, vectorMapping } from './pg-hstore-values.js';
import { intervalMapping } from './pg-interval-values.js';
import { moneyMapping, numericMapping, numericTypmod } from './pg-numeric-values.js';
import { dateMapping, timeMapping, timestampMapping, timestamptzMapping, timetzMapping } from './pg-time-values.js';

export type Convert = (text: string, schema: Schema) => unknown;

export interface ScalarMapping {
  readonly builder: SchemaBuilder;
  readonly convert: Convert;
  /** What the value is, for the TOAST placeholder: text, binary data (bytea, unknown types) or anything else. */
  readonly kind: 'string' | 'binary' | 'other';
}

const identity: Convert = (t) => t;

const INT16 = [-32768, 32767] as const;
const INT32 = [-2147483648, 2147483647] as const;

function int(range: readonly [number, number]): Convert {
  return (t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < range[0] || n > range[1] || t.trim() !== t || t === '') throw new RangeError('integer expected');
    return n;
  };
}

const INT64_PATTERN = /^-?\d{1,19}$/;

function int64(t: string): number | bigint {
  if (t.length < 16) {
    const n = Number(t);
    if (Number.isInteger(n) && t !== '' && t.trim() === t) return n;
    throw new RangeError('integer expected');
  }
  if (!INT64_PATTERN.test(t)) throw new RangeError('integer expected');
  const v = BigInt(t);
  if (v < INT64_MIN || v > INT64_MAX) throw new RangeError('outside the int64 range');
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

function float(t: string): number {
  const n = Number(t);
  if (Number.isNaN(n) && t !== 'NaN') throw new RangeError('number expected');
  return n;
}

const semanticString = (name: string): ScalarMapping => ({ builder: SchemaBuilder.string().name(name).version(1), convert: identity, kind: 'string' });
const plainString = (): ScalarMapping => ({ builder: SchemaBuilder.string(), convert: identity, kind: 'string' });
const other = (m: { builder: SchemaBuilder; convert: Convert }): ScalarMapping => ({ ...m, kind: 'other' });

const STRING_TYPES = new Set([
  'bpchar', 'varchar', 'text', 'char', 'name', 'inet', 'cidr', 'macaddr', 'macaddr8',
  'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange',
]);
/** Extension types Debezium recognises by name in any schema (TypeRegistry). */
const EXTENSION_STRING_TYPES = new Set(['citext', 'isbn']);

/** Seconds precision of a time type modifier: 6 when unspecified (pgjdbc's column scale). */
const timePrecision = (typeMod: number): number => (typeMod < 0 ? 6 : typeMod);

/**
 * The mapping of a non-array type (domains already resolved to their base), or null when Debezium
 * does not know the type and `includeUnknown` is off.
 */
export function scalarMapping(type: PgTypeInfo, typeMod: number, modes: TypeModes, optional: boolean): ScalarMapping | null {
  if (type.kind === 'enum') {
    return { builder: SchemaBuilder.string().name('io.debezium.data.Enum').version(1).parameter('allowed', (type.enumLabels ?? []).join(',')), convert: identity, kind: 'string' };
  }
  const known = type.kind === 'base' || type.kind === 'range' ? knownMapping(type, typeMod, modes, optional) : undefined;
  return known ?? unknownScalar(modes);
}

/** A type Debezium does not know: binary of its text with include.unknown.datatypes, else null (dropped). */
export function unknownScalar(modes: TypeModes): ScalarMapping | null {
  return modes.includeUnknown ? { ...unknownMapping(modes.binary), kind: 'binary' } : null;
}

function knownMapping(type: PgTypeInfo, typeMod: number, modes: TypeModes, optional: boolean): ScalarMapping | undefined {
  return (type.schema === 'pg_catalog' ? builtinMapping(type.name, typeMod, modes, optional) : undefined) ?? extensionMapping(type.name, modes);
}

function extensionMapping(name: string, modes: TypeModes): ScalarMapping | undefined {
  if (EXTENSION_STRING_TYPES.has(name)) return plainString();
  if (name === 'ltree') return semanticString('io.debezium.data.Ltree');
  if (name === 'hstore') return other(hstoreMapping(modes.hstore));
  if (name === 'vector' || name === 'halfvec') return other(vectorMapping(name === 'halfvec'));
  if (name === 'sparsevec') return other(sparseVectorMapping());
  return undefined;
}

function builtinMapping(name: string, typeMod: number, modes: TypeModes, optional: boolean): ScalarMapping | undefined {
  if (STRING_TYPES.has(name)) return plainString();
  switch (name) {
    case 'bool':
      return other({
        builder: SchemaBuilder.bool(),
        convert: (t) => {
          if (t === 't') return true;
          if (t === 'f') return false;
          throw new RangeError('t or f expected');
        },
      });
    case 'int2':
      return other({ builder: SchemaBuilder.int16(), convert: int(INT16) });
    case 'int4':
      return other({ builder: SchemaBuilder.int32(), convert: int(INT32) });
    case 'int8':
    case 'oid':
      return other({ builder: SchemaBuilder.int64(), convert: int64 });
    case 'float4':
      return other({ builder: SchemaBuilder.float32(), convert: (t) => Math.fround(float(t)) });
    case 'float8':
      return other({ builder: SchemaBuilder.float64(), convert: float });
    case 'numeric': {
      const pm = numericTypmod(typeMod);
      const m = numericMapping(modes.decimal, pm?.precision ?? 0, pm?.scale ?? 0, pm === null || (pm.precision === 0 && pm.scale === 0));
      return { ...m, kind: modes.decimal === 'string' ? 'string' : 'other' };
    }
    case 'money':
      return { ...moneyMapping(modes.decimal, modes.moneyFractionDigits), kind: modes.decimal === 'string' ? 'string' : 'other' };
    case 'json':
    case 'jsonb':
      return semanticString('io.debezium.data.Json');
    case 'xml':
      return semanticString('io.debezium.data.Xml');
    case 'uuid':
      return semanticString('io.debezium.data.Uuid');
    case 'tsvector':
      return semanticString('io.debezium.data.Tsvector');
    case 'bytea':
      return { ...byteaMapping(modes.binary), kind: 'binary' };
    case 'bit':
      return other(bitsMapping(typeMod));
    case 'varbit':
      return other(bitsMapping(typeMod < 0 ? 2147483647 : typeMod));
    case 'date':
      return { ...dateMapping(modes.time), kind: modes.time === 'isostring' ? 'string' : 'other' };
    case 'time':
      return { ...timeMapping(modes.time, timePrecision(typeMod)), kind: modes.time === 'isostring' ? 'string' : 'other' };
    case 'timetz':
      return { ...timetzMapping(), kind: 'string' };
    case 'timestamp':
      return { ...timestampMapping(modes.time, timePrecision(typeMod), optional), kind: modes.time === 'isostring' ? 'string' : 'other' };
    case 'timestamptz':
      return { ...timestamptzMapping(timePrecision(typeMod)), kind: 'string' };
    case 'interval':
      return { ...intervalMapping(modes.interval), kind: modes.interval === 'string' ? 'string' : 'other' };
    default: {
      const g = geometricMapping(name);
      return g ? other(g) : undefined;
    }
  }
}

/** Wraps a converter so failures name the column and the text. */
export function guarded(column: string, type: string, convert: Convert, schema: Schema): (text: string) => unknown {
  return (text) => {
    try {
      return convert(text, schema);
    } catch (err) {
      const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
      throw new DataError(`column ${column} (${type}): cannot convert ${JSON.stringify(shown)}: ${(err as Error).message}`, { cause: err });
    }
  };
}
