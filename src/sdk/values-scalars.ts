/**
 * The scalars of Kafka Connect's `Values.parseString` (`values-parse.ts`): numbers as Java's
 * `BigDecimal` reads them and the three ISO-8601 forms as Java's lenient `SimpleDateFormat` reads
 * them in UTC. Nothing here builds 10^exponent: integrality, range and the float nearest a decimal
 * are decided from its digits.
 */
import type { SchemaAndValue } from './converter.js';
import { epochDay } from './civil-date.js';
import { DataError } from './errors.js';
import { type Schema, Decimal, INT64_MAX, INT64_MIN, SchemaBuilder, Schemas } from './schema.js';

/** Thrown where Kafka's parser fails with something other than its DataException: see `parseString`. */
export class Unparseable extends DataError {}

/** The smallest n for which Java's `BigInteger.TEN.pow(n)` throws "would overflow supported range". */
const JAVA_POW10_LIMIT = 536_870_920;

export const MS_PER_DAY = 86_400_000;

/** `digits` without its trailing zeros. */
function stripTrailingZeros(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end--;
  return digits.slice(0, end);
}

// ---- temporal literals -------------------------------------------------------------------------

/** A JS Date holds ±8.64e15 ms. */
const MAX_DATE_MS = 8.64e15;
// A pattern is field indexes into [year, month, day, hour, minute, second, millisecond] and literal characters.
const [Y, MO, D, H, MI, S, MS] = [0, 1, 2, 3, 4, 5, 6];
const DATE_PATTERN = [Y, '-', MO, '-', D];
const TIME_PATTERN = [H, ':', MI, ':', S, '.', MS, 'Z'];
const TEMPORAL: Readonly<Record<number, { schema: Schema; pattern: readonly (number | string)[] }>> = {
  10: { schema: SchemaBuilder.date().build(), pattern: DATE_PATTERN },
  13: { schema: SchemaBuilder.time().build(), pattern: TIME_PATTERN },
  24: { schema: SchemaBuilder.timestamp().build(), pattern: [...DATE_PATTERN, 'T', ...TIME_PATTERN] },
};

/**
 * Java's lenient `SimpleDateFormat.parse(text, position)` in UTC for Kafka's three patterns: each
 * field (after spaces or tabs) is an optionally negative run of digits taken as Java's `int`, out of
 * range values roll over, literal text must match, and text after the pattern is ignored.
 */
function lenientUtcMillis(pattern: readonly (number | string)[], text: string): number | undefined {
  const v = [1970, 1, 1, 0, 0, 0, 0];
  let pos = 0;
  for (const part of pattern) {
    if (typeof part === 'string') {
      if (text[pos++] !== part) return undefined;
      continue;
    }
    let c = text.charCodeAt(pos);
    while (c === 0x20 || c === 0x09) c = text.charCodeAt(++pos);
    const negative = c === 0x2d;
    if (negative) c = text.charCodeAt(++pos);
    const digitsFrom = pos;
    let n = 0;
    while (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      c = text.charCodeAt(++pos);
    }
    if (pos === digitsFrom) return undefined;
    v[part] = (negative ? -n : n) | 0;
  }
  const month = v[MO]! - 1;
  const days = epochDay(v[Y]! + Math.floor(month / 12), (((month % 12) + 12) % 12) + 1, 1) + v[D]! - 1;
  const ms = days * MS_PER_DAY + ((v[H]! * 60 + v[MI]!) * 60 + v[S]!) * 1000 + v[MS]!;
  return Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}

/** Kafka's `parseAsTemporal`: the pattern is chosen by the length of the text. */
export function parseTemporal(token: string): SchemaAndValue | null {
  const text = token.includes('\\') ? token.replaceAll('\\:', ':') : token;
  const kind = TEMPORAL[text.length];
  const ms = kind && lenientUtcMillis(kind.pattern, text);
  return ms === undefined ? null : { schema: kind!.schema, value: new Date(ms) };
}

// ---- numbers -----------------------------------------------------------------------------------

/** Java's `new BigDecimal(String)` grammar (ASCII digits). */
const BIG_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?)(\d+))?$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT_TYPES: readonly [bigint, Schema][] = [[127n, Schemas.INT8], [32767n, Schemas.INT16], [2147483647n, Schemas.INT32], [INT64_MAX, Schemas.INT64]];
const SMALL_INTEGER = /^[+-]?\d{1,15}$/;

/** The smallest of int8..int64 holding an integer below 2^53. */
function intSchema(n: number): Schema {
  if (n >= -128 && n <= 127) return Schemas.INT8;
  if (n >= -32768 && n <= 32767) return Schemas.INT16;
  return n >= INT32_MIN && n <= INT32_MAX ? Schemas.INT32 : Schemas.INT64;
}

/** Kafka's `parseAsNumber`; undefined where `new BigDecimal(token)` throws NumberFormatException. */
function parseNumber(token: string): SchemaAndValue | undefined {
  if (SMALL_INTEGER.test(token)) {
    const n = Number(token) + 0; // -0 is 0
    return { schema: intSchema(n), value: n };
  }
  const m = BIG_DECIMAL.exec(token);
  if (!m) return undefined;
  const sign = m[1]!;
  const whole = m[2]!;
  const frac = m[3] ?? '';
  if (whole === '' && frac === '') return undefined;
  let exp = 0;
  if (m[5] !== undefined) {
    // Java allows at most 10 exponent digits after leading zeros, then an int exponent and scale.
    const e = m[5].replace(/^0+(?=\d)/, '');
    if (e.length > 10) return undefined;
    exp = m[4] === '-' ? -Number(e) : Number(e);
    if (exp < INT32_MIN || exp > INT32_MAX) return undefined;
  }
  const scale = frac.length - exp;
  if (scale < INT32_MIN || scale > INT32_MAX) return undefined;

  const digits = whole + frac;
  const significant = digits.replace(/^0+/, '');
  // Zero takes any scale without arithmetic, in Java too.
  if (significant === '') return { schema: Schemas.INT8, value: 0 };
  // Java's setScale(0) builds 10^|scale|, and refuses at this size (smaller ones it builds, slowly).
  if (Math.abs(scale) >= JAVA_POW10_LIMIT) throw new Unparseable(`Number ${token} has an exponent too large for Java's BigDecimal arithmetic`);

  // value = core × 10^-coreScale with no trailing zeros in core: integral iff coreScale <= 0.
  const core = stripTrailingZeros(significant);
  const coreScale = scale - (significant.length - core.length);
  if (coreScale <= 0 && core.length - coreScale <= 19) {
    const n = BigInt(`${sign}${core}`) * 10n ** BigInt(-coreScale);
    if (n >= INT64_MIN && n <= INT64_MAX) {
      const schema = INT_TYPES.find(([max]) => (n < 0n ? -n - 1n : n) <= max)![1];
      return { schema, value: n > 9007199254740991n || n < -9007199254740991n ? n : Number(n) };
    }
  }
  if (scale !== 0) {
    const d = Number(token);
    const f = float32(d, significant, scale);
    if (Number.isFinite(f)) return { schema: Schemas.FLOAT32, value: f };
    if (Number.isFinite(d)) return { schema: Schemas.FLOAT64, value: d };
  }
  return { schema: SchemaBuilder.decimal(scale).build(), value: new Decimal(BigInt(`${sign}${digits}`), scale) };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float after (or, with `down`, before) the positive float `a`. */
function adjacentFloat(a: number, down: boolean): number {
  f32[0] = a;
  u32[0] = u32[0]! + (down ? -1 : 1);
  return f32[0];
}

/**
 * Java's `BigDecimal.floatValue`, the float nearest the exact decimal `significant × 10^-scale` (sign
 * taken from `d`), given `d`, the double nearest it. `Math.fround(d)` is that float unless `d` fell
 * exactly on the midpoint between two floats while the decimal is on one side of it.
 */
function float32(d: number, significant: string, scale: number): number {
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(d)) return f;
  const a = Math.abs(d);
  const nearest = Math.abs(f);
  const lo = nearest < a ? nearest : adjacentFloat(nearest, true);
  const hi = nearest > a ? nearest : adjacentFloat(nearest, false);
  // Past the largest float the midpoint is where rounding overflows: FLT_MAX + half its ulp.
  const mid = Number.isFinite(hi) ? (lo + hi) / 2 : lo + 2 ** 103;
  if (a !== mid) return f;
  const order = compareDecimalToDouble(significant, scale, mid);
  if (order === 0) return f;
  return Math.sign(d) * (order > 0 ? hi : lo);
}

/** Sign of `significant × 10^-scale − x` for a positive double `x`, without building either power. */
function compareDecimalToDouble(significant: string, scale: number, x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const mantissa = biased === 0 ? bits & 0xfffffffffffffn : (bits & 0xfffffffffffffn) | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  // x = xDigits × 10^-xScale exactly (a float midpoint has at most ~115 significant digits).
  const xDigits = (e >= 0 ? mantissa << BigInt(e) : mantissa * 5n ** BigInt(-e)).toString();
  const xScale = Math.max(0, -e);
  const byMagnitude = Math.sign((significant.length - scale) - (xDigits.length - xScale));
  if (byMagnitude !== 0) return byMagnitude;
  const p = stripTrailingZeros(significant);
  const q = stripTrailingZeros(xDigits);
  for (let i = 0; i < Math.min(p.length, q.length); i++) {
    if (p[i] !== q[i]) return p[i]! > q[i]! ? 1 : -1;
  }
  return Math.sign(p.length - q.length);
}

/** Java's `Character.isDigit` of the first character. */
export function startsWithDigit(token: string): boolean {
  const c = token.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || (c > 0x7f && /\p{Nd}/u.test(token[0]!));
}

/** Kafka's `parseNextToken` for a trimmed token, past the multi-token temporal attempt; null for text. */
export function parseScalar(token: string): SchemaAndValue | null {
  const digit = startsWithDigit(token);
  if (digit) {
    const temporal = parseTemporal(token);
    if (temporal) return temporal;
  }
  if (digit || token[0] === '+' || token[0] === '-') return parseNumber(token) ?? null;
  return null;
}
