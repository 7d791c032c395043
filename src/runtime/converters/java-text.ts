/**
 * The text forms Kafka Connect's Java code produces, so that what we write is byte-for-byte what a
 * Java worker writes: Jackson's string escaping, `Double.toString` / `Float.toString`,
 * `BigDecimal.toString`, `BigInteger.toByteArray` and Jackson's base64.
 */
import { type Schema, DataError, Decimal, Struct, bigDecimalString, javaDoubleString, javaFloatString, twosComplementBytes } from '../../sdk/index.js';

export { bigDecimalString, javaDoubleString, javaFloatString };

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
