/**
 * Kafka Connect's `MaskField$Key` / `$Value`: replaces the listed top-level fields with the empty
 * value of their type (0, false, "", epoch Date, empty array / map) or, with `replacement`, with
 * that text converted to the field's type (numbers and strings only). A null field stays null.
 *
 * As in Kafka, there is no tombstone pass-through: a null key/value fails the "Struct / Map
 * required" check. Schemaless maps gain every masked field, absent ones as null. With a schema the
 * field's type decides; without one the JS value's (an integral number counts as Kafka's Long, any
 * other number as Double, matching what JsonConverter hands Kafka for schemaless JSON).
 */
import { ConfigDef, DataError, Decimal, LOGICAL, Struct, type ConnectRecord, type Schema, type Transformation } from '../../src/sdk/index.js';
import type { RecordPart } from '../support/record-part.js';
import { isPlainObject, requireMap, requireStruct, type PlainObject } from '../support/requirements.js';
import { defineReplaceNullWithDefault, fieldValue, nonEmptyList, nonEmptyString, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';
import { PerSchema } from '../support/schema-util.js';

const PURPOSE = 'mask fields';
const FIELDS = 'fields';
const REPLACEMENT = 'replacement';

const CONFIG_DEF = defineReplaceNullWithDefault(
  new ConfigDef()
    .define({ name: FIELDS, type: 'LIST', validator: nonEmptyList(), importance: 'HIGH', documentation: 'Names of fields to mask.' })
    .define({
      name: REPLACEMENT,
      type: 'STRING',
      default: null,
      validator: nonEmptyString(),
      importance: 'LOW',
      documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
    }),
);

/** Masks one non-null value. */
type Masker = (value: unknown) => unknown;

/** A parsed form of the replacement, or the DataError to throw when a value needs it. */
type Parsed<T> = { ok: true; value: T } | { ok: false; error: DataError };

/** The replacement parsed every way a field may need it, once at configure time. */
interface Replacement {
  readonly text: string;
  /** Java's `new BigDecimal(text).longValue()`: truncated, low 64 bits. */
  readonly long: Parsed<bigint>;
  readonly double: Parsed<number>;
  readonly decimal: Parsed<Decimal>;
}

function attempt<T>(f: () => T, message: string): Parsed<T> {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    return { ok: false, error: new DataError(message, { cause: err }) };
  }
}

function parseReplacement(text: string): Replacement {
  const notNumber = `Unable to convert ${text} (string) to a number`;
  return {
    text,
    long: attempt(() => {
      const d = Decimal.parse(text);
      return BigInt.asIntN(64, d.unscaled / 10n ** BigInt(d.scale));
    }, notNumber),
    double: attempt(() => Decimal.parse(text).toNumber(), notNumber),
    decimal: attempt(() => Decimal.parse(text), `Unable to convert ${text} (string) to number`),
  };
}

function get<T>(p: Parsed<T>): T {
  if (!p.ok) throw p.error;
  return p.value;
}

/** A masker returning `convert(parsed)`, computed once; or throwing the parse error. */
function constant<T>(p: Parsed<T>, convert: (t: T) => unknown): Masker {
  if (!p.ok) {
    const error = p.error;
    return () => {
      throw error;
    };
  }
  const c = convert(p.value);
  return () => c;
}

const int64 = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

function typeName(schema: Schema): string {
  return schema.name ?? schema.type;
}

function unsupported(kind: string, withReplacement: boolean): Masker {
  const message = withReplacement ? `Cannot mask value of type ${kind} with custom replacement.` : `Cannot mask value of type: ${kind}`;
  return () => {
    throw new DataError(message);
  };
}

/** The masker for a field of `schema`, decided once per schema. */
function schemaMasker(schema: Schema, r: Replacement | null): Masker {
  const name = schema.name;
  if (name === LOGICAL.DATE || name === LOGICAL.TIME || name === LOGICAL.TIMESTAMP) {
    return r ? unsupported(name, true) : () => new Date(0);
  }
  if (name === LOGICAL.DECIMAL) {
    const scale = Number(schema.parameters?.[LOGICAL.DECIMAL_SCALE] ?? 0);
    // Kafka uses BigDecimal.ZERO; the schema's scale is value-equal and encodes without rescaling.
    if (!r) {
      const zero = new Decimal(0n, scale);
      return () => zero;
    }
    return constant(r.decimal, (d) => d.withScale(scale) ?? d);
  }
  switch (schema.type) {
    case 'boolean':
      return r ? unsupported('boolean', true) : () => false;
    case 'int8': case 'int16': case 'int32': {
      if (!r) return () => 0;
      const bits = schema.type === 'int8' ? 8 : schema.type === 'int16' ? 16 : 32;
      return constant(r.long, (l) => Number(BigInt.asIntN(bits, l)));
    }
    case 'int64':
      return r ? constant(r.long, int64) : () => 0;
    case 'float32':
      return r ? constant(r.double, Math.fround) : () => 0;
    case 'float64':
      return r ? constant(r.double, (d) => d) : () => 0;
    case 'string':
      return r ? constant({ ok: true, value: r.text }, String) : () => '';
    case 'array':
      return r ? unsupported('array', true) : () => [];
    case 'map':
      return r ? unsupported('map', true) : () => new Map();
    default:
      return unsupported(typeName(schema), r !== null);
  }
}

function describe(v: unknown): string {
  if (Buffer.isBuffer(v)) return 'bytes';
  if (v instanceof Struct) return 'Struct';
  if (v instanceof Map || isPlainObject(v)) return 'Map';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'Date';
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}

/** Masks a non-null schemaless value by its JS type. */
function maskSchemaless(v: unknown, r: Replacement | null): unknown {
  if (r === null) {
    switch (typeof v) {
      case 'boolean': return false;
      case 'number': return 0;
      case 'bigint': return 0n;
      case 'string': return '';
    }
    if (v instanceof Decimal) return new Decimal(0n, 0);
    if (v instanceof Date) return new Date(0);
    if (Array.isArray(v)) return [];
    if (v instanceof Map) return new Map();
    if (isPlainObject(v)) return {};
    throw new DataError(`Cannot mask value of type: ${describe(v)}`);
  }
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? int64(get(r.long)) : get(r.double);
    case 'bigint': return get(r.long);
    case 'string': return r.text;
  }
  if (v instanceof Decimal) return get(r.decimal);
  throw new DataError(`Cannot mask value of type ${describe(v)} with custom replacement.`);
}

export class MaskField implements Transformation {
  private fields: readonly string[] = [];
  private masked: ReadonlySet<string> = new Set();
  private replacement: Replacement | null = null;
  private replaceNullWithDefault = true;
  /** Per input schema, each field's masker or null (copied). */
  private readonly plans = new PerSchema<readonly (Masker | null)[]>();
  private readonly derivePlan = (s: Schema): readonly (Masker | null)[] =>
    s.fields!.map((f) => (this.masked.has(f.name) ? schemaMasker(f.schema, this.replacement) : null));

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    this.masked = new Set(cfg.getList(FIELDS));
    this.fields = [...this.masked];
    const text = cfg.getString(REPLACEMENT);
    this.replacement = text === null ? null : parseReplacement(text);
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
  }

  apply<R extends ConnectRecord>(record: R): R {
    const value = this.part.value(record);
    if (this.part.schema(record) === null) {
      const map = requireMap(value, PURPOSE);
      const updated: PlainObject = { ...map };
      for (const name of this.fields) {
        const v = Object.prototype.hasOwnProperty.call(map, name) ? map[name] : null;
        updated[name] = v === null || v === undefined ? null : maskSchemaless(v, this.replacement);
      }
      return this.part.with(record, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const plan = this.plans.get(struct.schema, this.derivePlan);
    const fields = struct.schema.fields!;
    const values = new Array<unknown>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const v = fieldValue(struct, fields[i]!, this.replaceNullWithDefault);
      const mask = plan[i];
      values[i] = mask && v !== null ? mask(v) : v;
    }
    return this.part.with(record, this.part.schema(record), Struct.fromValues(struct.schema, values));
  }

  close(): void {}
}
