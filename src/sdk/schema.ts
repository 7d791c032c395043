/**
 * The Connect data model: schemas and the values they describe, as in Kafka Connect's
 * `org.apache.kafka.connect.data`. Connectors build records with these; converters turn them into
 * bytes and back; transformations rewrite them.
 *
 * Value representation by schema type:
 *
 * | type | JS value |
 * |---|---|
 * | int8, int16, int32, float32, float64 | `number` |
 * | int64 | `number` while exact (|v| ≤ 2^53 − 1), else `bigint`; both are accepted |
 * | boolean / string / bytes | `boolean` / `string` / `Buffer` |
 * | array / map / struct | `unknown[]` / `Map<unknown, unknown>` / `Struct` |
 * | Decimal (bytes) | `Decimal` |
 * | Date, Time, Timestamp | `Date` (Date: midnight UTC of the day; Time: the time on 1970-01-01 UTC) |
 *
 * A value of `null` is allowed only for optional schemas. A schemaless record (schema `null`) carries
 * plain JS values: objects as `Record<string, unknown>`, lists as arrays.
 *
 * @example
 * ```ts
 * const s = SchemaBuilder.struct().name('pg.public.users.Value')
 *   .field('id', Schemas.INT32).field('email', Schemas.OPTIONAL_STRING).build();
 * const v = new Struct(s).put('id', 1).put('email', null);
 * ```
 */
import { DataError } from './errors.js';

export type SchemaType =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64'
  | 'boolean' | 'string' | 'bytes' | 'array' | 'map' | 'struct';

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** The default value, or undefined when there is none (null is a valid default of an optional schema). */
  readonly defaultValue?: unknown;
  /** Logical or record name, e.g. `org.apache.kafka.connect.data.Decimal` or `server.public.t.Value`. */
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** map only */
  readonly keySchema?: Schema;
  /** array and map only */
  readonly valueSchema?: Schema;
  /** struct only, in declaration order */
  readonly fields?: readonly Field[];
}

export const LOGICAL = {
  DECIMAL: 'org.apache.kafka.connect.data.Decimal',
  DATE: 'org.apache.kafka.connect.data.Date',
  TIME: 'org.apache.kafka.connect.data.Time',
  TIMESTAMP: 'org.apache.kafka.connect.data.Timestamp',
  /** Decimal's parameter holding the scale. */
  DECIMAL_SCALE: 'scale',
} as const;

/**
 * The largest scale, either way, a Decimal gets from text or a schema, and the furthest a rescale
 * moves the point: 16,383, Postgres numeric's largest display scale. Digits written out in the
 * text are not bounded (its length is), but an exponent or a scale cannot make 10^n work out of a
 * few bytes: `1e999999999`, or a schema scale of 2^31, is refused instead of taking minutes.
 */
export const MAX_DECIMAL_SCALE = 16_383;

/** An exact decimal: `unscaled × 10^-scale` (Kafka Connect's BigDecimal). */
const LOG10_16 = Math.log10(16);

export class Decimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  /**
   * Parses "-12.340" into unscaled -12340, scale 3; an exponent moves the point ("1.5e3": 1500,
   * scale 0). DataError for text that is not a number, or whose exponent takes the scale beyond
   * ±MAX_DECIMAL_SCALE.
   */
  static parse(text: string): Decimal {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DataError(`not a decimal number: ${JSON.stringify(text)}`);
    const frac = m[3] ?? '';
    const unscaled = BigInt(`${m[1]}${m[2] || '0'}${frac}`);
    const scale = frac.length - Number(m[4] ?? 0);
    if (unscaled === 0n) return new Decimal(0n, Math.min(Math.max(scale, 0), MAX_DECIMAL_SCALE));
    if (scale > Math.max(frac.length, MAX_DECIMAL_SCALE) || -scale > MAX_DECIMAL_SCALE) {
      throw new DataError(`decimal number ${JSON.stringify(text)} moves its point more than ${MAX_DECIMAL_SCALE} places`);
    }
    return scale < 0 ? new Decimal(unscaled * 10n ** BigInt(-scale), 0) : new Decimal(unscaled, scale);
  }

  /**
   * This value at `scale` (BigDecimal#setScale without rounding), or undefined when that would drop
   * non-zero digits or move the point more than 2 × MAX_DECIMAL_SCALE places.
   */
  withScale(scale: number): Decimal | undefined {
    if (scale === this.scale) return this;
    const shift = scale - this.scale;
    if (Math.abs(shift) > 2 * MAX_DECIMAL_SCALE) return undefined;
    if (this.unscaled === 0n) return new Decimal(0n, scale);
    if (shift > 0) return new Decimal(this.unscaled * 10n ** BigInt(shift), scale);
    // Fewer digits than places to drop: not a multiple of 10^-shift (checked without computing it).
    if (-shift > 20 && (this.unscaled < 0n ? -this.unscaled : this.unscaled).toString(16).length * LOG10_16 < -shift - 1) return undefined;
    const f = 10n ** BigInt(-shift);
    return this.unscaled % f === 0n ? new Decimal(this.unscaled / f, scale) : undefined;
  }

  /**
   * Plain text ("-12.340"); with a negative scale (a value like Kafka's `1E+400` header), the
   * unscaled digits with an exponent ("15E+3"), which `Number` reads and which stays short.
   */
  toString(): string {
    if (this.scale < 0) return `${this.unscaled}E+${-this.scale}`;
    const neg = this.unscaled < 0n;
    const digits = (neg ? -this.unscaled : this.unscaled).toString().padStart(this.scale + 1, '0');
    const int = digits.slice(0, digits.length - this.scale);
    const frac = digits.slice(digits.length - this.scale);
    return `${neg ? '-' : ''}${int}${this.scale > 0 ? `.${frac}` : ''}`;
  }

  toNumber(): number {
    return Number(this.toString());
  }
}

export class SchemaBuilder {
  private s: { -readonly [K in keyof Schema]: Schema[K] } & { fields?: Field[] };

  private constructor(type: SchemaType) {
    this.s = { type, optional: false };
  }

  static type(type: SchemaType): SchemaBuilder {
    return new SchemaBuilder(type);
  }
  static int8(): SchemaBuilder { return new SchemaBuilder('int8'); }
  static int16(): SchemaBuilder { return new SchemaBuilder('int16'); }
  static int32(): SchemaBuilder { return new SchemaBuilder('int32'); }
  static int64(): SchemaBuilder { return new SchemaBuilder('int64'); }
  static float32(): SchemaBuilder { return new SchemaBuilder('float32'); }
  static float64(): SchemaBuilder { return new SchemaBuilder('float64'); }
  static bool(): SchemaBuilder { return new SchemaBuilder('boolean'); }
  static string(): SchemaBuilder { return new SchemaBuilder('string'); }
  static bytes(): SchemaBuilder { return new SchemaBuilder('bytes'); }
  static struct(): SchemaBuilder {
    const b = new SchemaBuilder('struct');
    b.s.fields = [];
    return b;
  }
  static array(valueSchema: Schema): SchemaBuilder {
    const b = new SchemaBuilder('array');
    b.s.valueSchema = valueSchema;
    return b;
  }
  static map(keySchema: Schema, valueSchema: Schema): SchemaBuilder {
    const b = new SchemaBuilder('map');
    b.s.keySchema = keySchema;
    b.s.valueSchema = valueSchema;
    return b;
  }
  /** Decimal with the given scale (bytes holding the unscaled two's-complement big-endian integer). */
  static decimal(scale: number): SchemaBuilder {
    return new SchemaBuilder('bytes').name(LOGICAL.DECIMAL).version(1).parameter(LOGICAL.DECIMAL_SCALE, String(scale));
  }
  static date(): SchemaBuilder { return new SchemaBuilder('int32').name(LOGICAL.DATE).version(1); }
  static time(): SchemaBuilder { return new SchemaBuilder('int32').name(LOGICAL.TIME).version(1); }
  static timestamp(): SchemaBuilder { return new SchemaBuilder('int64').name(LOGICAL.TIMESTAMP).version(1); }

  optional(): this { this.s.optional = true; return this; }
  name(name: string): this { this.s.name = name; return this; }
  version(version: number): this { this.s.version = version; return this; }
  doc(doc: string): this { this.s.doc = doc; return this; }
  defaultValue(value: unknown): this { this.s.defaultValue = value; return this; }
  parameter(key: string, value: string): this {
    this.s.parameters = { ...this.s.parameters, [key]: value };
    return this;
  }
  field(name: string, schema: Schema): this {
    if (this.s.type !== 'struct') throw new DataError(`cannot add field ${name} to a ${this.s.type} schema`);
    const fields = this.s.fields as Field[];
    if (fields.some((f) => f.name === name)) throw new DataError(`duplicate field ${name}`);
    fields.push({ name, index: fields.length, schema });
    return this;
  }

  build(): Schema {
    const out = { ...this.s };
    if (out.fields) out.fields = Object.freeze([...out.fields]) as Field[];
    if (out.defaultValue !== undefined) validateValue(out, out.defaultValue, 'default value');
    return Object.freeze(out);
  }
}

const prim = (type: SchemaType, optional = false): Schema => Object.freeze({ type, optional });

/** The ready-made primitive schemas of Kafka Connect's `Schema.*_SCHEMA` constants. */
export const Schemas = {
  INT8: prim('int8'), INT16: prim('int16'), INT32: prim('int32'), INT64: prim('int64'),
  FLOAT32: prim('float32'), FLOAT64: prim('float64'), BOOLEAN: prim('boolean'),
  STRING: prim('string'), BYTES: prim('bytes'),
  OPTIONAL_INT8: prim('int8', true), OPTIONAL_INT16: prim('int16', true), OPTIONAL_INT32: prim('int32', true),
  OPTIONAL_INT64: prim('int64', true), OPTIONAL_FLOAT32: prim('float32', true),
  OPTIONAL_FLOAT64: prim('float64', true), OPTIONAL_BOOLEAN: prim('boolean', true),
  OPTIONAL_STRING: prim('string', true), OPTIONAL_BYTES: prim('bytes', true),
} as const;

/** Field lookup by name, built once per schema. */
const fieldIndex = new WeakMap<Schema, Map<string, Field>>();

/** A struct value: one value per field of its schema, by name. */
export class Struct {
  private readonly values: unknown[];

  constructor(readonly schema: Schema) {
    if (schema.type !== 'struct' || !schema.fields) throw new DataError(`a Struct needs a struct schema, got ${schema.type}`);
    this.values = new Array<unknown>(schema.fields.length).fill(null);
  }

  /**
   * A struct holding `values` in field order, taken as they are (the array is not copied and the
   * values are not checked): for connectors on hot paths that built each value from its field's own
   * schema. Call `validate()` if required fields may be null.
   */
  static fromValues(schema: Schema, values: unknown[]): Struct {
    if (schema.type !== 'struct' || !schema.fields) throw new DataError(`a Struct needs a struct schema, got ${schema.type}`);
    if (values.length !== schema.fields.length) throw new DataError(`${schema.name ?? 'struct'} has ${schema.fields.length} fields, got ${values.length} values`);
    const s = Object.create(Struct.prototype) as { schema: Schema; values: unknown[] };
    s.schema = schema;
    s.values = values;
    return s as unknown as Struct;
  }

  field(name: string): Field {
    let index = fieldIndex.get(this.schema);
    if (!index) fieldIndex.set(this.schema, (index = new Map(this.schema.fields!.map((x) => [x.name, x]))));
    const f = index.get(name);
    if (!f) throw new DataError(`${name} is not a field of ${this.schema.name ?? 'this struct'}`);
    return f;
  }

  put(name: string, value: unknown): this {
    const f = this.field(name);
    validateValue(f.schema, value, `field ${name}`);
    this.values[f.index] = value;
    return this;
  }

  /** The field's value, or its default when the value is null and a default exists. */
  get(name: string): unknown {
    const f = this.field(name);
    const v = this.values[f.index];
    return v === null && f.schema.defaultValue !== undefined ? f.schema.defaultValue : v;
  }

  /** The stored value without applying defaults. */
  getWithoutDefault(name: string): unknown {
    return this.values[this.field(name).index];
  }

  /**
   * The stored value of the field whose `Field.index` is `index`, without defaults (as
   * `getWithoutDefault`, minus the name look-up): for converters walking `schema.fields` on hot
   * paths. Undefined when no field has that index.
   */
  valueAt(index: number): unknown {
    return this.values[index];
  }

  /** Throws DataError naming the first required field that is null without a default. */
  validate(): void {
    for (const f of this.schema.fields!) {
      if (this.values[f.index] === null && !f.schema.optional && f.schema.defaultValue === undefined) {
        throw new DataError(`required field ${f.name} of ${this.schema.name ?? 'struct'} is missing`);
      }
    }
  }

  equals(other: unknown): boolean {
    if (!(other instanceof Struct) || other.schema.fields!.length !== this.schema.fields!.length) return false;
    return this.schema.fields!.every((f) => valuesEqual(this.values[f.index], other.getWithoutDefault(f.name)));
  }
}

const SMALL_LIMIT = 2n ** 47n;

/**
 * Java's `BigInteger#toByteArray`: the minimal big-endian two's-complement bytes of `v`, as Connect's
 * Decimal stores its unscaled value (12.34 at scale 2 → 1234 → `04 d2`).
 */
export function twosComplementBytes(v: bigint): Buffer {
  if (v >= -SMALL_LIMIT && v < SMALL_LIMIT) {
    // Up to six bytes: written from a number, without BigInt arithmetic.
    const n = Number(v);
    let len = 1;
    while (n >= 2 ** (8 * len - 1) || n < -(2 ** (8 * len - 1))) len++;
    const b = Buffer.allocUnsafe(len);
    b.writeIntBE(n, 0, len);
    return b;
  }
  // Minimal two's complement: the magnitude's bits plus a sign bit (-2^k itself needs no extra bit).
  const mag = v < 0n ? -v - 1n : v;
  const hex = mag.toString(16);
  const bits = (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
  const len = Math.floor(bits / 8) + 1;
  const u = v < 0n ? (1n << BigInt(8 * len)) + v : v;
  return Buffer.from(u.toString(16).padStart(2 * len, '0'), 'hex');
}

/** The int64 range, as bigints. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

const INT_RANGE: Partial<Record<SchemaType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** Throws DataError when `value` does not fit `schema` (checked one level deep for containers). */
export function validateValue(schema: Schema, value: unknown, what = 'value'): void {
  if (value === null || value === undefined) {
    if (schema.optional || schema.defaultValue !== undefined) return;
    throw new DataError(`${what}: null for a required ${schema.type} schema`);
  }
  const bad = (): never => {
    throw new DataError(`${what}: ${describe(value)} does not match schema type ${schema.name ?? schema.type}`);
  };
  if (schema.name === LOGICAL.DECIMAL) return void (value instanceof Decimal || bad());
  if (schema.name === LOGICAL.DATE || schema.name === LOGICAL.TIME || schema.name === LOGICAL.TIMESTAMP) {
    return void (value instanceof Date || bad());
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': {
      const [lo, hi] = INT_RANGE[schema.type]!;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) bad();
      return;
    }
    case 'int64':
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) bad();
        return;
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) bad();
      return;
    case 'float32': case 'float64':
      if (typeof value !== 'number') bad();
      return;
    case 'boolean':
      if (typeof value !== 'boolean') bad();
      return;
    case 'string':
      if (typeof value !== 'string') bad();
      return;
    case 'bytes':
      if (!Buffer.isBuffer(value)) bad();
      return;
    case 'array':
      if (!Array.isArray(value)) bad();
      return;
    case 'map':
      if (!(value instanceof Map)) bad();
      return;
    case 'struct':
      if (!(value instanceof Struct)) bad();
      return;
  }
}

function describe(v: unknown): string {
  if (Buffer.isBuffer(v)) return 'bytes';
  if (v instanceof Struct) return 'a struct';
  if (v instanceof Map) return 'a map';
  if (Array.isArray(v)) return 'an array';
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

/** Deep equality of Connect values (Buffers by content, Structs field by field, Maps entry by entry). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (a instanceof Struct) return a.equals(b);
  if (a instanceof Decimal && b instanceof Decimal) return a.unscaled === b.unscaled && a.scale === b.scale;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a !== 'object' && typeof b !== 'object' && BigInt(a as number) === BigInt(b as number);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    const bs = [...b.entries()];
    return [...a.entries()].every(([k, v]) => bs.some(([k2, v2]) => valuesEqual(k, k2) && valuesEqual(v, v2)));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
