/**
 * Payload readers compiled once per Connect schema: they read the JSON text of a payload straight
 * into Connect values, without the intermediate tree of `lossless-json.ts` and without the field
 * paths `toConnect` carries for its messages. For the converter's fast path only.
 *
 * Invariant: a reader either returns exactly what `toConnect(schema, parseJson(text), …)` returns
 * for the same text (equal values, same types: number vs bigint, Buffer, Decimal, Date, Struct), or
 * throws. It throws on anything unusual — a syntax error, a value `toConnect` would reject, a number
 * with a fraction or exponent in an integer field, a nesting too deep — and the caller then runs the
 * general path, which returns the value or the exact error. Shapes the readers do not specialise
 * (arrays, maps, bytes, floats, Date/Time/Timestamp) are parsed with `JsonCursor.value` and handed
 * to `toConnect` itself.
 */
import { type Schema, Decimal, INT64_MAX, INT64_MIN, LOGICAL, Struct } from '../../sdk/index.js';
import { decodeBase64, fromTwosComplement } from './java-text.js';
import { type JsonDataOptions, decimalScale, toConnect } from './json-data.js';
import { type JsonCursor, MAX_DEPTH, isIdentChar } from './lossless-json.js';
import { Where } from './where.js';

/** Reads the value at `c.pos` (no leading whitespace), `depth` as `JsonCursor.value` counts it. */
export type PayloadReader = (c: JsonCursor, depth: number) => unknown;

/** Thrown to leave the fast path; never escapes the converter. */
class Bail extends Error {}
const BAIL = new Bail('fast path not applicable');
function bail(): never {
  throw BAIL;
}

/** Only used where `toConnect` is called inside a reader: its messages are never shown (the reader bails). */
const NOWHERE = Where.root('', 'value');
const MAX_SAFE = 9007199254740991n;

const INT_RANGE = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

/** A compiled reader per schema object and options object (the converter's options are frozen per configure). */
const compiled = new WeakMap<JsonDataOptions, WeakMap<Schema, PayloadReader>>();

/** The reader of payloads under `schema`. */
export function payloadReader(schema: Schema, o: JsonDataOptions): PayloadReader {
  let bySchema = compiled.get(o);
  if (!bySchema) compiled.set(o, (bySchema = new WeakMap()));
  let r = bySchema.get(schema);
  if (!r) {
    r = compile(schema, o);
    bySchema.set(schema, r);
  }
  return r;
}

function compile(schema: Schema, o: JsonDataOptions): PayloadReader {
  const inner = compileNonNull(schema, o);
  const ifNull = nullValue(schema, o);
  return (c, depth) => {
    if (c.s.charCodeAt(c.pos) === 0x6e /* n */) {
      c.literal('null', null);
      return ifNull === undefined ? bail() : ifNull;
    }
    return inner(c, depth);
  };
}

/** `toConnect` of a missing or null node: the default, null, or undefined for an error. */
function nullValue(schema: Schema, o: JsonDataOptions): unknown {
  const hasDefault = schema.defaultValue !== undefined && schema.defaultValue !== null;
  return hasDefault && o.replaceNullWithDefault ? schema.defaultValue : schema.optional ? null : undefined;
}

/** Generic: the tree, then `toConnect` (which also handles a null node, never reached here). */
function generic(schema: Schema, o: JsonDataOptions): PayloadReader {
  return (c, depth) => toConnect(schema, c.value(depth), o, NOWHERE);
}

function compileNonNull(schema: Schema, o: JsonDataOptions): PayloadReader {
  switch (schema.name) {
    case LOGICAL.DECIMAL:
      return decimalReader(schema, o);
    case LOGICAL.DATE: case LOGICAL.TIME: case LOGICAL.TIMESTAMP:
      return generic(schema, o);
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      return intReader(schema.type);
    case 'string':
      return (c) => (c.s.charCodeAt(c.pos) === 0x22 ? c.string() : bail());
    case 'boolean':
      return (c) => {
        const ch = c.s.charCodeAt(c.pos);
        if (ch === 0x74) return c.literal('true', true);
        if (ch === 0x66) return c.literal('false', false);
        return bail();
      };
    case 'struct':
      return schema.fields ? structReader(schema, o) : generic(schema, o);
    default:
      return generic(schema, o);
  }
}

/** `{…}` into a Struct: members matched by name (a repeated name keeps its last value), others checked and dropped. */
function structReader(schema: Schema, o: JsonDataOptions): PayloadReader {
  const fields = schema.fields!;
  const n = fields.length;
  const index = new Map<string, number>(fields.map((f, i) => [f.name, i]));
  // The UTF-16 codes of `"name"` as text written without escapes shows it; null when the name would
  // need escaping. Codes rather than a string: a concatenated string is slower to index.
  const quoted = fields.map((f) => {
    const q = JSON.stringify(f.name);
    return q === `"${f.name}"` ? Uint16Array.from(q, (ch) => ch.charCodeAt(0)) : null;
  });
  const ifNull = fields.map((f) => nullValue(f.schema, o));
  /** A packed array of n undefined: copied for each value. */
  const unset: unknown[] = fields.map(() => undefined);
  // Compiled on first use: a recursive schema object graph would otherwise not terminate.
  let readers: PayloadReader[] | undefined;
  return (c, depth) => {
    if (c.s.charCodeAt(c.pos) !== 0x7b || depth + 1 > MAX_DEPTH) bail();
    readers ??= fields.map((f) => compileNonNull(f.schema, o));
    const s = c.s;
    const values = unset.slice();
    let seen = 0;
    c.pos++;
    c.skipWs();
    if (s.charCodeAt(c.pos) === 0x7d) c.pos++;
    else {
      // Members usually come in field order: the expected name is matched in place, unallocated.
      let next = 0;
      for (;;) {
        if (s.charCodeAt(c.pos) !== 0x22) bail();
        let i: number | undefined;
        const q = next < n ? quoted[next]! : null;
        if (q !== null && codesAt(s, c.pos, q)) {
          i = next;
          c.pos += q.length;
        } else {
          i = index.get(c.string());
        }
        c.skipWs();
        if (s.charCodeAt(c.pos) !== 0x3a) bail();
        c.pos++;
        c.skipWs();
        if (i === undefined) c.value(depth + 1);
        else {
          if (values[i] === undefined) seen++;
          let v: unknown;
          if (s.charCodeAt(c.pos) === 0x6e /* n */) {
            c.literal('null', null);
            v = ifNull[i];
            if (v === undefined) bail();
          } else {
            v = readers[i]!(c, depth + 1);
          }
          values[i] = v;
          next = i + 1;
        }
        c.skipWs();
        const ch = s.charCodeAt(c.pos++);
        if (ch === 0x7d) break;
        if (ch !== 0x2c) bail();
        c.skipWs();
      }
    }
    if (seen !== n) {
      for (let i = 0; i < n; i++) {
        if (values[i] !== undefined) continue;
        const m = ifNull[i];
        values[i] = m === undefined ? bail() : m;
      }
    }
    return Struct.fromValues(schema, values);
  };
}

/**
 * An integer token without fraction or exponent, in range: a number, or a bigint for an int64
 * beyond 2^53 (as `intNode`). Anything else bails (`toConnect` also takes `1.0` or `1e3`).
 */
function intReader(type: keyof typeof INT_RANGE): PayloadReader {
  const [lo, hi] = INT_RANGE[type];
  return (c) => {
    const s = c.s;
    const start = c.pos;
    let i = start;
    let ch = s.charCodeAt(i);
    const neg = ch === 0x2d;
    if (neg) ch = s.charCodeAt(++i);
    const digits = i;
    let v = 0;
    while (ch >= 0x30 && ch <= 0x39) {
      v = v * 10 + (ch - 0x30);
      ch = s.charCodeAt(++i);
    }
    const len = i - digits;
    // A fraction, an exponent, or letters and digits glued to the token: the general path decides.
    if (len === 0 || ch === 0x2e || ch === 0x65 || ch === 0x45 || isIdentChar(ch)) bail();
    c.pos = i;
    // Up to 15 digits the double is exact; at 16 it is exact when at most 2^53 - 1 (the last step
    // rounds a larger value to at least 2^53, the ones before are exact).
    if (len <= 15 || (len === 16 && v <= Number.MAX_SAFE_INTEGER)) {
      // `0 - v` gives 0, not -0, for "-0" (as BigInt → Number does).
      const r = neg ? 0 - v : v;
      if (r < lo || r > hi) bail();
      return r;
    }
    if (type !== 'int64') bail();
    const b = BigInt(s.slice(start, i));
    if (b < INT64_MIN || b > INT64_MAX) bail();
    return b >= -MAX_SAFE && b <= MAX_SAFE ? Number(b) : b;
  };
}

/** A Decimal as base64 of its unscaled two's-complement bytes (the default `decimal.format`), or a JSON number. */
function decimalReader(schema: Schema, o: JsonDataOptions): PayloadReader {
  let scale: number;
  try {
    scale = decimalScale(schema, NOWHERE);
  } catch {
    return bail; // a schema toConnect rejects for every value
  }
  const numeric = generic(schema, o);
  return (c, depth) => {
    if (c.s.charCodeAt(c.pos) !== 0x22) return numeric(c, depth);
    const text = c.string();
    const small = text.length <= 8 ? smallBase64(text) : undefined;
    if (small !== undefined) return new Decimal(BigInt(small), scale);
    const b = decodeBase64(text);
    if (!b || b.length === 0) bail();
    return new Decimal(fromTwosComplement(b), scale);
  };
}

const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * `fromTwosComplement(decodeBase64(text))` for padded base64 of one to six bytes (at most eight
 * characters), as a number; undefined for anything else (the general code decides). As Buffer's
 * decoder, bits of the last character beyond the last byte are dropped.
 */
function smallBase64(text: string): number | undefined {
  const n = text.length;
  if (n === 0 || n % 4 !== 0) return undefined;
  const pad = text.charCodeAt(n - 1) !== 0x3d ? 0 : text.charCodeAt(n - 2) !== 0x3d ? 1 : 2;
  let bits = 0;
  for (let i = 0; i < n - pad; i++) {
    const ch = text.charCodeAt(i);
    const v = ch < 128 ? B64[ch]! : -1;
    if (v < 0) return undefined;
    bits = bits * 64 + v; // up to 48 bits: exact in a double
  }
  const bytes = (n / 4) * 3 - pad;
  bits = Math.floor(bits / (pad === 0 ? 1 : pad === 1 ? 4 : 16));
  // Two's complement of `bytes` bytes.
  const top = 2 ** (8 * bytes);
  return bits >= top / 2 ? bits - top : bits;
}

/** Whether `s` holds the UTF-16 `codes` at `at`. */
function codesAt(s: string, at: number, codes: Uint16Array): boolean {
  if (at + codes.length > s.length) return false;
  for (let k = 0; k < codes.length; k++) if (s.charCodeAt(at + k) !== codes[k]) return false;
  return true;
}
