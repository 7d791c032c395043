/**
 * Connect values → the values hyparquet-writer encodes for the columns of `parquet-schema.ts`:
 * INT64 columns take bigints, DECIMAL columns unscaled bigints, DATE days, TIME/TIMESTAMP integers in
 * the column's unit, strings (also JSON) JS strings, structs plain objects, maps `{key, value}` arrays.
 * Every value is checked here, at append time, so a bad value fails its own record (DataError naming
 * the column) and never the row group it would have been encoded in.
 */
import { DataError, Decimal, INT64_MAX, INT64_MIN, Struct, type Schema } from '../../../src/sdk/index.js';
import { decimalLayout, leafKind, type DecimalLayout } from './parquet-schema.js';
import { zonedTimestampMicros } from './zoned-timestamp.js';

/** Running estimate of the heap the converted values hold. */
export interface SizeCounter {
  bytes: number;
}

/** Converts one Connect value (null allowed when the schema is optional) and adds its size to `size`. */
export type Convert = (value: unknown, size: SizeCounter) => unknown;

/** A DataError that knows the column path it is about, so enclosing groups can prefix their names. */
export class ColumnError extends DataError {
  constructor(
    readonly path: readonly string[],
    readonly detail: string,
  ) {
    super(`column ${path.join('.')}: ${detail}`);
  }
}

/** `err` re-thrown as about `name` (the field or element of the group where it was caught). */
export function within(name: string, err: unknown): ColumnError {
  if (err instanceof ColumnError) return new ColumnError([name, ...err.path], err.detail);
  return new ColumnError([name], err instanceof Error ? err.message : String(err));
}

// Heap estimate per converted value: an array slot, plus what a boxed value or a payload costs.
const SLOT = 8;
const BOXED = 24;
const OBJECT = 32;

const DAY_MS = 86_400_000;
const MAX_MS_AS_MICROS = INT64_MAX / 1000n;

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v instanceof Struct) return 'a struct';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Map) return 'a map';
  return `${typeof v} ${String(v).slice(0, 60)}`;
}

function bad(v: unknown, what: string): never {
  throw new DataError(`${describe(v)} is not ${what}`);
}

function intIn(lo: number, hi: number, what: string): Convert {
  return (v, size) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(v, what);
    size.bytes += SLOT;
    return v;
  };
}

const int32 = intIn(-2147483648, 2147483647, 'an int32');

/** An int64 as a bigint in range. */
function int64Of(v: unknown): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) bad(v, 'an int64');
    return BigInt(v);
  }
  if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) bad(v, 'an int64');
  return v;
}

const int64: Convert = (v, size) => {
  size.bytes += SLOT + BOXED;
  return int64Of(v);
};

function dateOf(v: unknown): number {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) bad(v, 'a valid Date');
  return v.getTime();
}

/** The unscaled value of `d` at the column's scale; DataError when that would round or overflow. */
export function unscaledAt(d: Decimal, layout: DecimalLayout): bigint {
  const at = d.withScale(layout.scale);
  if (!at) throw new DataError(`${d.toString()} has more than ${layout.scale} decimal places`);
  const u = at.unscaled;
  if (u >= layout.bound || u <= -layout.bound) throw new DataError(`${d.toString()} does not fit DECIMAL(${layout.precision},${layout.scale})`);
  return u;
}

function leafConverter(s: Schema): Convert {
  switch (leafKind(s)) {
    case 'int8': return intIn(-128, 127, 'an int8');
    case 'int16': return intIn(-32768, 32767, 'an int16');
    case 'int32': case 'days': return int32;
    case 'time-ms': return intIn(0, DAY_MS, 'a time of day in milliseconds');
    case 'int64': case 'time-us': case 'time-ns': case 'local-ts-us': case 'local-ts-ns': return int64;
    case 'float32': case 'float64':
      return (v, size) => {
        if (typeof v !== 'number') bad(v, 'a number');
        size.bytes += SLOT + BOXED;
        return v;
      };
    case 'boolean':
      return (v, size) => {
        if (typeof v !== 'boolean') bad(v, 'a boolean');
        size.bytes += SLOT;
        return v;
      };
    case 'string': case 'json':
      // Kept as JS strings: the encoder turns them into UTF-8 a column at a time.
      return (v, size) => {
        if (typeof v !== 'string') bad(v, 'a string');
        size.bytes += SLOT + BOXED + v.length;
        return v;
      };
    case 'bytes':
      return (v, size) => {
        if (!(v instanceof Uint8Array)) bad(v, 'bytes');
        size.bytes += SLOT + OBJECT + v.length;
        return v;
      };
    case 'decimal': {
      const layout = decimalLayout(s);
      return (v, size) => {
        if (!(v instanceof Decimal)) bad(v, 'a Decimal');
        size.bytes += SLOT + BOXED;
        return unscaledAt(v, layout);
      };
    }
    case 'connect-date':
      return (v, size) => {
        size.bytes += SLOT;
        return Math.floor(dateOf(v) / DAY_MS);
      };
    case 'connect-time':
      return (v, size) => {
        size.bytes += SLOT;
        return ((dateOf(v) % DAY_MS) + DAY_MS) % DAY_MS;
      };
    case 'connect-timestamp':
      return (v, size) => {
        size.bytes += SLOT + BOXED;
        return BigInt(dateOf(v)) * 1000n;
      };
    case 'local-ts-ms':
      return (v, size) => {
        const ms = int64Of(v);
        if (ms > MAX_MS_AS_MICROS || ms < -MAX_MS_AS_MICROS) bad(v, 'a timestamp whose microseconds fit an int64');
        size.bytes += SLOT + BOXED;
        return ms * 1000n;
      };
    case 'zoned-ts':
      return (v, size) => {
        if (typeof v !== 'string') bad(v, 'an ISO-8601 timestamp string');
        size.bytes += SLOT + BOXED;
        return zonedTimestampMicros(v);
      };
  }
}

function structConverter(s: Schema): Convert {
  const fields = s.fields!;
  const convs = fields.map((f) => converterOf(f.schema));
  const bytes = OBJECT + SLOT * fields.length;
  return (v, size) => {
    if (!(v instanceof Struct)) bad(v, 'a struct');
    const same = v.schema === s;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      try {
        out[f.name] = convs[i]!(same ? v.valueAt(f.index) : v.getWithoutDefault(f.name), size);
      } catch (err) {
        throw within(f.name, err);
      }
    }
    size.bytes += bytes;
    return out;
  };
}

function arrayConverter(s: Schema): Convert {
  const conv = converterOf(s.valueSchema!);
  return (v, size) => {
    if (!Array.isArray(v)) bad(v, 'an array');
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      try {
        out[i] = conv(v[i], size);
      } catch (err) {
        throw within(`[${i}]`, err);
      }
    }
    size.bytes += OBJECT;
    return out;
  };
}

function mapConverter(s: Schema): Convert {
  const key = converterOf(s.keySchema!.optional ? { ...s.keySchema!, optional: false, defaultValue: undefined } : s.keySchema!);
  const value = converterOf(s.valueSchema!);
  return (v, size) => {
    if (!(v instanceof Map)) bad(v, 'a map');
    const out: { key: unknown; value: unknown }[] = [];
    for (const [k, x] of v) {
      let ck: unknown;
      try {
        ck = key(k, size);
        out.push({ key: ck, value: value(x, size) });
      } catch (err) {
        throw within(`[${String(ck ?? k).slice(0, 40)}]`, err);
      }
    }
    size.bytes += OBJECT * (1 + out.length);
    return out;
  };
}

const converters = new WeakMap<Schema, Convert>();

/**
 * The converter of values of `s`, cached per schema object. Null is accepted for optional schemas;
 * a null for a required schema takes the schema's default, else throws DataError. Optional fields
 * keep their nulls even when they have a default (Confluent's `ignore.default.for.nullables`).
 */
export function converterOf(s: Schema): Convert {
  let conv = converters.get(s);
  if (conv) return conv;
  let inner: Convert;
  switch (s.type) {
    case 'struct': inner = structConverter(s); break;
    case 'array': inner = arrayConverter(s); break;
    case 'map': inner = mapConverter(s); break;
    default: inner = leafConverter(s);
  }
  if (s.optional) {
    conv = (v, size) => {
      if (v === null || v === undefined) {
        size.bytes += SLOT;
        return null;
      }
      return inner(v, size);
    };
  } else {
    const fallback = s.defaultValue;
    conv = (v, size) => {
      if (v !== null && v !== undefined) return inner(v, size);
      if (fallback === undefined || fallback === null) throw new DataError('null for a required field');
      return inner(fallback, size);
    };
  }
  converters.set(s, conv);
  return conv;
}
