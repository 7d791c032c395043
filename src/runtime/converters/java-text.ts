/**
 * The text forms Kafka Connect's Java code produces, so that what we write is byte-for-byte what a
 * Java worker writes: Jackson's string escaping, `Double.toString` / `Float.toString`,
 * `BigDecimal.toString`, `BigInteger.toByteArray` and Jackson's base64.
 */
import { type Schema, DataError, Decimal, Struct, twosComplementBytes } from '../../sdk/index.js';

const HEX = '0123456789ABCDEF';
const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };
// Anything that needs escaping: quote, backslash, control characters, and surrogates (checked in the loop).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** Characters JSON.stringify escapes differently from Jackson (lower-case \u00xx, lone surrogates). */
const STRINGIFY_DIFFERS = /[\u0000-\u0007\u000b\u000e-\u001f\ud800-\udfff]/;

function uEscape(c: number): string {
  return `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
}

/**
 * A JSON string literal as Jackson writes it: `"`, `\` and control characters escaped (short forms
 * where JSON has them, else `\u00XX` in upper case), everything else verbatim. A lone surrogate, which
 * has no UTF-8 form, is written as a `\uXXXX` escape.
 */
export function quoteJson(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  // Only quotes, backslashes and the short-form controls: the native escaper writes the same.
  if (!STRINGIFY_DIFFERS.test(s)) return JSON.stringify(s);
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) esc = SHORT_ESCAPES[c] ?? uEscape(c);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++; // a proper pair
      else esc = uEscape(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) esc = uEscape(c);
    if (esc !== undefined) {
      out += s.slice(from, i) + esc;
      from = i + 1;
    }
  }
  return `${out}${s.slice(from)}"`;
}

/** Formats shortest digits (from `toExponential`) the way Java's Double/Float.toString lays them out. */
function javaLayout(exponential: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential)!;
  const digits = `${m[2]}${m[3] ?? ''}`.replace(/(?<=.)0+$/, '');
  const e = Number(m[4]);
  let body: string;
  if (e >= -3 && e < 7) {
    // Plain notation for 10^-3 <= |d| < 10^7, with at least one fraction digit.
    if (e >= 0) body = `${digits.slice(0, e + 1).padEnd(e + 1, '0')}.${digits.slice(e + 1) || '0'}`;
    else body = `0.${'0'.repeat(-e - 1)}${digits}`;
  } else {
    body = `${digits[0]}.${digits.slice(1) || '0'}E${e}`;
  }
  return `${m[1]}${body}`;
}

function nonFinite(d: number): string | undefined {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  return undefined;
}

/**
 * Java's `Double.toString` (JDK 19+: the shortest decimal that reads back as `d`, preferring two
 * digits over one when they are closer): `1.0`, `0.001`, `1234567.0`, `1.0E7`, `1.0E-4`.
 */
export function javaDoubleString(d: number): string {
  const special = nonFinite(d);
  if (special !== undefined) return special;
  let s = d.toExponential();
  if (!s.includes('.')) {
    const two = d.toExponential(1);
    if (Number(two) === d) s = two;
  }
  return javaLayout(s);
}

/** True when the decimal in `toExponential` form is exactly the double `x` (BigInt arithmetic). */
function exactlyEquals(exponential: string, x: number): boolean {
  const m = /^-?(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential)!;
  const digits = `${m[1]}${m[2] ?? ''}`;
  const k = Number(m[3]) - (digits.length - 1);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const mantissa = biased === 0 ? bits & 0xfffffffffffffn : (bits & 0xfffffffffffffn) | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  // digits·10^k = mantissa·2^e, with both sides scaled to integers.
  let left = BigInt(digits);
  let right = mantissa;
  if (k >= 0) left *= 10n ** BigInt(k);
  else right *= 10n ** BigInt(-k);
  if (e >= 0) right *= 2n ** BigInt(e);
  else left *= 2n ** BigInt(-e);
  return left === right;
}

/**
 * `toExponential` breaks a tie between two equally close candidates away from zero; Java takes the
 * one with an even last digit. `s` has `n` digits and reads back as `x` under `round`.
 */
function preferEven(x: number, s: string, n: number, round: (v: number) => number): string {
  const midpoint = x.toExponential(n);
  if (!/5e/.test(midpoint) || !exactlyEquals(midpoint, x)) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)!;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const last = Number(digits[digits.length - 1]);
  if (last % 2 === 0) return s;
  const lowered = `${digits.slice(0, -1)}${last - 1}`;
  const other = `${m[1]}${lowered[0]}${lowered.length > 1 ? `.${lowered.slice(1)}` : ''}e${m[4]}`;
  return round(Number(other)) === x ? other : s;
}

/** Java's `Float.toString` of `Math.fround(f)`: the shortest decimal that reads back as that float. */
export function javaFloatString(f: number): string {
  const x = Math.fround(f);
  const special = nonFinite(x);
  if (special !== undefined) return special;
  for (let digits = 1; digits <= 9; digits++) {
    let s = x.toExponential(digits - 1);
    if (Math.fround(Number(s)) !== x) continue;
    let n = digits;
    if (digits === 1) {
      const two = x.toExponential(1);
      if (Math.fround(Number(two)) === x) {
        s = two;
        n = 2;
      }
    }
    return javaLayout(preferEven(x, s, n, Math.fround));
  }
  return javaLayout(x.toExponential(8));
}

/** Java's `BigDecimal.toString`: plain unless the adjusted exponent is below -6 (`1.23E-8`, `0E-10`). */
export function bigDecimalString(d: Decimal): string {
  const neg = d.unscaled < 0n;
  const digits = (neg ? -d.unscaled : d.unscaled).toString();
  const adjusted = digits.length - 1 - d.scale;
  if (d.scale >= 0 && adjusted >= -6) return d.toString();
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${neg ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** `d` with scale `scale` when that loses no digits, else undefined. */
export function rescale(d: Decimal, scale: number): Decimal | undefined {
  if (d.scale === scale) return d;
  if (d.scale < scale) return new Decimal(d.unscaled * 10n ** BigInt(scale - d.scale), scale);
  const factor = 10n ** BigInt(d.scale - scale);
  return d.unscaled % factor === 0n ? new Decimal(d.unscaled / factor, scale) : undefined;
}

/** Java's `BigInteger.toByteArray`: minimal two's-complement big-endian bytes (0 is one zero byte). */
export const toTwosComplement = twosComplementBytes;

/** `new BigInteger(bytes)`; empty input is an error, as in Java. */
export function fromTwosComplement(b: Buffer): bigint {
  if (b.length === 0) throw new DataError('Zero length BigInteger');
  const u = BigInt(`0x${b.toString('hex')}`);
  return (b[0]! & 0x80) !== 0 ? u - (1n << BigInt(8 * b.length)) : u;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard padded base64 (Jackson's default variant); undefined when the text is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  return BASE64_RE.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function javaNumberString(n: number, schema: Schema | null | undefined): string {
  if (schema?.type === 'float32') return javaFloatString(n);
  if (schema?.type === 'float64' || !Number.isSafeInteger(n)) return javaDoubleString(n);
  return String(n);
}

/**
 * Java's `toString` of a Connect value, which Kafka's StringConverter writes: `Struct{a=1,b=x}`
 * (null fields left out), `[1, 2]`, `{k=v, k2=v2}`, `1.0` for a float64. Where Java's form is
 * useless or zone-dependent we write something readable instead: bytes as base64, a Date in ISO-8601.
 */
export function javaToString(value: unknown, schema?: Schema | null): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return javaNumberString(value, schema);
    case 'bigint': case 'boolean':
      return String(value);
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Decimal) return bigDecimalString(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Struct) {
    const parts: string[] = [];
    for (const f of value.schema.fields!) {
      const v = value.getWithoutDefault(f.name);
      if (v !== null && v !== undefined) parts.push(`${f.name}=${javaToString(v, f.schema)}`);
    }
    return `Struct{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => javaToString(v, schema?.valueSchema)).join(', ')}]`;
  if (value instanceof Map) {
    const parts = [...(value as Map<unknown, unknown>)].map(([k, v]) => `${javaToString(k, schema?.keySchema)}=${javaToString(v, schema?.valueSchema)}`);
    return `{${parts.join(', ')}}`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${javaToString(v)}`).join(', ')}}`;
  }
  return String(value);
}
