/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.Cast$Key` / `$Value`: casts fields of a
 * struct or map (`spec=f:int32,g:string`), or the whole key/value (`spec=int64`), to int8..int64,
 * float32/64, boolean or string, with Java's conversions (numbers narrow by wrapping, floats
 * truncate and saturate, strings parse with `Integer.parseInt` & co, bytes become base64, Date /
 * Time / Timestamp become their int representation or ISO-8601 text, Decimals their
 * `BigDecimal.toString`). A cast field keeps its optionality and gets its default cast too.
 *
 * Deviations from Kafka: a whole-value cast of a logical type (Decimal, Date, Time, Timestamp)
 * drops the logical name and parameters (Kafka keeps them on, say, a string schema, which no
 * converter can then handle); a struct schema's default value is cast field by field (Kafka fails
 * casting a struct default).
 */
import { ConfigDef, ConfigError, DataError, Decimal, INT64_MAX, INT64_MIN, LOGICAL, SchemaBuilder, Struct, type ConnectRecord, type Schema, type SchemaType, type Transformation } from '../../src/sdk/index.js';
import { describeValue } from '../support/describe-value.js';
import { formatIsoLike, MS_PER_DAY } from '../support/java-date-format.js';
import { bigDecimalString, javaDoubleString, javaFloatString, parseJavaDouble, parseJavaInteger } from '../support/java-number-text.js';
import type { RecordPart } from '../support/record-part.js';
import { requireMap, requireStruct } from '../support/requirements.js';
import { copySchemaBasics, PerSchema } from '../support/schema-util.js';
import { defineReplaceNullWithDefault, fieldValue, REPLACE_NULL_WITH_DEFAULT_CONFIG } from '../support/struct-values.js';

const SPEC = 'spec';
const PURPOSE = 'cast types';
const INPUT_TYPES: readonly SchemaType[] = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes'];
const IS_INPUT_TYPE = new Set<string>(INPUT_TYPES);
const OUTPUT_TYPES: readonly SchemaType[] = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'];
const ALL_TYPES: readonly SchemaType[] = [...INPUT_TYPES, 'array', 'map', 'struct'];
const javaTypes = (types: readonly SchemaType[]): string => `[${types.map((t) => t.toUpperCase()).join(', ')}]`;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Target type per field; `whole` set for a single-type spec. */
interface Casts {
  readonly fields: ReadonlyMap<string, SchemaType>;
  readonly whole: SchemaType | undefined;
}

function specError(value: unknown, why: string): ConfigError {
  return new ConfigError(`Invalid value ${Array.isArray(value) ? value.join(',') : String(value)} for configuration ${SPEC}: ${why}`, { key: SPEC });
}

function parseType(name: string, spec: readonly string[]): SchemaType {
  const type = ALL_TYPES.find((t) => t === name.trim().toLowerCase());
  if (!type) throw specError(spec, `Invalid type found in casting spec: ${name.trim()}`);
  if (!OUTPUT_TYPES.includes(type)) throw specError(spec, `Cast transformation does not support casting to ${type.toUpperCase()}; supported types are ${javaTypes(OUTPUT_TYPES)}`);
  return type;
}

/** Kafka's `parseFieldTypes`. */
function parseSpec(spec: readonly string[]): Casts {
  if (spec.length === 0) throw specError(spec, 'Must specify at least one field to cast.');
  const fields = new Map<string, SchemaType>();
  let whole: SchemaType | undefined;
  for (const mapping of spec) {
    const parts = mapping.split(':');
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // Java's split drops trailing empties
    if (parts.length > 2) throw specError(spec, `Invalid rename mapping: ${mapping}`);
    if (parts.length === 1) whole = parseType(parts[0]!, spec);
    else fields.set(parts[0]!.trim(), parseType(parts[1]!, spec));
  }
  if (whole !== undefined && spec.length > 1) {
    throw specError(spec, 'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
  }
  return { fields, whole };
}

const CONFIG_DEF = defineReplaceNullWithDefault(new ConfigDef().define({
  name: SPEC,
  type: 'LIST',
  importance: 'HIGH',
  documentation: 'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
  validator: Object.assign((_name: string, v: unknown) => void parseSpec(v as string[]), { description: 'list of colon-delimited pairs, e.g. foo:bar,abc:xyz' }),
}));

const int64Value = (v: bigint): number | bigint => (v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v);

/** The Connect type of a schemaless value (Kafka's `ConnectSchema.schemaType(value.getClass())`). */
function inferType(v: unknown): SchemaType | undefined {
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? 'int64' : 'float64';
    case 'bigint': return 'int64';
    case 'boolean': return 'boolean';
    case 'string': return 'string';
  }
  if (Buffer.isBuffer(v)) return 'bytes';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Struct) return 'struct';
  if (v instanceof Map || (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)) return 'map';
  return undefined;
}

/** Java's `Date/Time/Timestamp.fromLogical`: the integer a logical temporal value stands for. */
function encodeLogical(schema: Schema, v: unknown): unknown {
  if (!(v instanceof Date)) return v;
  const ms = v.getTime();
  if (schema.name === LOGICAL.DATE) {
    if (ms % MS_PER_DAY !== 0) throw new DataError('Kafka Connect Date type should not have any time fields set to non-zero values.');
    return ms / MS_PER_DAY;
  }
  if (schema.name === LOGICAL.TIME) {
    if (ms < 0 || ms > MS_PER_DAY) throw new DataError('Kafka Connect Time type should not have any date fields set to non-zero values.');
    return ms;
  }
  return schema.name === LOGICAL.TIMESTAMP ? ms : v;
}

const outOfRange = (v: unknown): DataError => new DataError(`Value (${String(v)}) was out of range for requested data type`);

const BITS: Readonly<Record<string, 8 | 16 | 32 | 64>> = { int8: 8, int16: 16, int32: 32, int64: 64 };

/** Java's narrowing of a safe integer (wraps) or a double (truncates, saturates, then wraps), without BigInt. */
function narrow(v: number, isFloat: boolean, bits: 8 | 16 | 32 | 64): number | bigint {
  let i = v;
  if (isFloat) {
    if (Number.isNaN(v)) return 0;
    if (bits === 64) {
      if (v >= 2 ** 63) return INT64_MAX;
      if (v < -(2 ** 63)) return INT64_MIN;
      const t = Math.trunc(v);
      return Number.isSafeInteger(t) ? t + 0 : BigInt(t);
    }
    i = v >= 2 ** 31 ? 2147483647 : v < -(2 ** 31) ? -2147483648 : Math.trunc(v);
  }
  switch (bits) {
    case 8: return (i << 24) >> 24;
    case 16: return (i << 16) >> 16;
    case 32: return i | 0;
    default: return i;
  }
}

/** Java's `Number.longValue()` for integral sources, as a bigint; floats truncate and saturate. */
function toLong(v: number | bigint | Decimal, isFloat: boolean, bits: number): bigint {
  if (v instanceof Decimal) {
    const whole = v.scale >= 0 ? v.unscaled / 10n ** BigInt(v.scale) : v.unscaled * 10n ** BigInt(-v.scale);
    return BigInt.asIntN(bits, whole);
  }
  if (typeof v === 'bigint') return BigInt.asIntN(bits, v);
  if (!isFloat) return BigInt.asIntN(bits, BigInt(v));
  // (int) or (long) of a double: NaN is 0, out-of-range saturates; byte/short then wrap the int.
  if (Number.isNaN(v)) return 0n;
  const limit = bits === 64 ? 64 : 32;
  const max = (1n << BigInt(limit - 1)) - 1n;
  const t = v >= 2 ** (limit - 1) ? max : v < -(2 ** (limit - 1)) ? -max - 1n : BigInt(Math.trunc(v));
  return BigInt.asIntN(bits, t);
}

/** Kafka's `castValueToType`; `schema` null for schemaless values. */
function castValue(schema: Schema | null, value: unknown, target: SchemaType): unknown {
  if (value === null || value === undefined) return null;
  const type = schema ? schema.type : inferType(value);
  if (type === undefined) throw new DataError(`Cast transformation was passed a value of type ${describeValue(value)} which is not supported by Connect's data API`);
  if (!IS_INPUT_TYPE.has(type)) throw new DataError(`Cast transformation does not support casting from ${type.toUpperCase()}; supported types are ${javaTypes(INPUT_TYPES)}`);
  const v = schema?.name !== undefined && target !== 'string' ? encodeLogical(schema, value) : value;
  const isFloat = type === 'float32' || type === 'float64';
  switch (target) {
    case 'int8': case 'int16': case 'int32': case 'int64': {
      const bits = BITS[target];
      if (typeof v === 'number' && (isFloat || Number.isSafeInteger(v))) return narrow(v, isFloat, bits);
      let n: bigint | number;
      if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal) n = toLong(v, isFloat, bits);
      else if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'string') {
        const parsed = parseJavaInteger(v, bits);
        if (parsed === undefined) throw outOfRange(v);
        n = parsed;
      } else throw new DataError(`Unexpected type in Cast transformation: ${describeValue(v)}`);
      return typeof n === 'number' ? n : bits === 64 ? int64Value(n) : Number(n);
    }
    case 'float32': case 'float64': {
      let d: number;
      if (typeof v === 'number' || typeof v === 'bigint') d = Number(v);
      else if (v instanceof Decimal) d = v.toNumber();
      else if (typeof v === 'boolean') d = v ? 1 : 0;
      else if (typeof v === 'string') {
        const parsed = parseJavaDouble(v);
        if (parsed === undefined) throw outOfRange(v);
        d = parsed;
      } else throw new DataError(`Unexpected type in Cast transformation: ${describeValue(v)}`);
      return target === 'float32' ? Math.fround(d) : d;
    }
    case 'boolean':
      if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal) return toLong(v, isFloat, 64) !== 0n;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') return v.toLowerCase() === 'true';
      throw new DataError(`Unexpected type in Cast transformation: ${describeValue(v)}`);
    default: // string
      if (v instanceof Date) return formatIsoLike(v.getTime());
      if (Buffer.isBuffer(v)) return v.toString('base64');
      if (v instanceof Decimal) return bigDecimalString(v);
      if (typeof v === 'number') return type === 'float32' ? javaFloatString(v) : isFloat ? javaDoubleString(v) : String(v);
      return String(v);
  }
}

const LOGICAL_NAMES = new Set<string>([LOGICAL.DECIMAL, LOGICAL.DATE, LOGICAL.TIME, LOGICAL.TIMESTAMP]);

/** Per struct schema: the output schema and each field's target type (undefined: copied). */
interface Plan {
  readonly schema: Schema;
  readonly targets: readonly (SchemaType | undefined)[];
}

export class Cast implements Transformation {
  private casts: Casts = { fields: new Map(), whole: undefined };
  private replaceNullWithDefault = true;
  /** Derived per input schema; replaced when reconfigured. */
  private plans = new PerSchema<Plan>();
  private readonly derive = (s: Schema): Plan => this.buildPlan(s);

  constructor(private readonly part: RecordPart) {}

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.plans = new PerSchema<Plan>();
    const cfg = CONFIG_DEF.parse(props);
    this.casts = parseSpec(cfg.getList(SPEC));
    this.replaceNullWithDefault = cfg.getBoolean(REPLACE_NULL_WITH_DEFAULT_CONFIG);
  }

  apply(record: ConnectRecord): ConnectRecord {
    const value = this.part.value(record);
    if (value === null || value === undefined) return record;
    const schema = this.part.schema(record);
    const whole = this.casts.whole;
    if (schema === null) {
      if (whole !== undefined) return this.part.with(record, null, castValue(null, value, whole));
      const out = { ...requireMap(value, PURPOSE) };
      for (const [field, target] of this.casts.fields) out[field] = castValue(null, out[field] ?? null, target);
      return this.part.with(record, null, out);
    }
    if (whole !== undefined) return this.part.with(record, this.plans.get(schema, this.derive).schema, castValue(schema, value, whole));
    const struct = requireStruct(value, PURPOSE);
    // Planned from the struct's own schema, whose field indexes the plan holds.
    const plan = this.plans.get(struct.schema, this.derive);
    return this.part.with(record, plan.schema, this.castStruct(struct, plan));
  }

  close(): void {}

  private castStruct(struct: Struct, plan: Plan): Struct {
    const fields = struct.schema.fields!;
    const values = new Array<unknown>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = fieldValue(struct, f, this.replaceNullWithDefault);
      const target = plan.targets[i];
      values[i] = target === undefined ? v : castValue(f.schema, v, target);
    }
    const out = Struct.fromValues(plan.schema, values);
    out.validate();
    return out;
  }

  private buildPlan(schema: Schema): Plan {
    const whole = this.casts.whole;
    if (whole !== undefined) {
      const b = SchemaBuilder.type(whole);
      if (schema.name !== undefined && LOGICAL_NAMES.has(schema.name)) {
        if (schema.doc !== undefined) b.doc(schema.doc);
      } else {
        copySchemaBasics(schema, b);
      }
      if (schema.optional) b.optional();
      if (schema.defaultValue !== undefined && schema.defaultValue !== null) b.defaultValue(castValue(schema, schema.defaultValue, whole));
      return { schema: b.build(), targets: [] };
    }
    if (schema.type !== 'struct') throw new DataError(`Only Struct objects supported for [${PURPOSE}], found: ${schema.type}`);
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    const targets = schema.fields!.map((f) => {
      const target = this.casts.fields.get(f.name);
      if (target === undefined) {
        b.field(f.name, f.schema);
        return undefined;
      }
      const fb = SchemaBuilder.type(target);
      if (f.schema.optional) fb.optional();
      if (f.schema.defaultValue !== undefined && f.schema.defaultValue !== null) fb.defaultValue(castValue(f.schema, f.schema.defaultValue, target));
      b.field(f.name, fb.build());
      return target;
    });
    if (schema.optional) b.optional();
    if (schema.defaultValue instanceof Struct) {
      const plain: Plan = { schema: b.build(), targets };
      b.defaultValue(this.castStruct(schema.defaultValue, plain));
    }
    return { schema: b.build(), targets };
  }
}
