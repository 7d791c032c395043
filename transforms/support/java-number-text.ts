/**
 * Java's number text, for transformations that turn numbers into strings and back as Kafka Connect
 * does: `Double.toString` / `Float.toString` (JDK 19+: shortest digits that read back), the
 * `BigDecimal.toString` of a Connect Decimal, and the grammars of `Long.parseLong` and
 * `Double.parseDouble`.
 */
import type { Decimal } from '../../src/sdk/index.js';

/** Lays out shortest digits (`d.ddde±x`) as Java does: plain for 1e-3 <= |v| < 1e7, else `d.dddEx`. */
function javaLayout(exponential: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential)!;
  const digits = `${m[2]}${m[3] ?? ''}`.replace(/(?<=.)0+$/, '');
  const e = Number(m[4]);
  let body: string;
  if (e >= -3 && e < 7) {
    if (e >= 0) body = `${digits.slice(0, e + 1).padEnd(e + 1, '0')}.${digits.slice(e + 1) || '0'}`;
    else body = `0.${'0'.repeat(-e - 1)}${digits}`;
  } else {
    body = `${digits[0]}.${digits.slice(1) || '0'}E${e}`;
  }
  return `${m[1]}${body}`;
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  return undefined;
}

/**
 * Shortest digits of `v` that read back through `same`; where one digit suffices Java prints two
 * when two are closer to the exact value (4.9E-324, not 5.0E-324).
 */
function shortest(v: number, same: (text: string) => boolean, maxDigits: number): string {
  for (let p = 1; p <= maxDigits; p++) {
    const s = v.toExponential(p - 1);
    if (!same(s)) continue;
    if (p === 1) {
      const two = v.toExponential(1);
      if (same(two) && !/\.0e/.test(two)) return two;
    }
    return s;
  }
  return v.toExponential();
}

/** Java's `Double.toString`: `1.0`, `0.001`, `1234567.0`, `1.0E7`, `1.0E-4`. */
export function javaDoubleString(v: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    // Both print these plainly with the same shortest digits; Java always shows a fraction.
    const plain = String(v);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  // JavaScript's own shortest digits, save for the two-digit preference.
  const s = v.toExponential();
  return javaLayout(s.includes('.') ? s : shortest(v, (t) => Number(t) === v, 1));
}

/** Java's `Float.toString` of a float32 value (held in a double). */
export function javaFloatString(v: number): string {
  const f = Math.fround(v);
  return special(f) ?? javaLayout(shortest(f, (s) => Math.fround(Number(s)) === f, 9));
}

/** Java's `BigDecimal.toString`: plain unless the scale is negative or the value below 1e-6. */
export function bigDecimalString(d: Decimal): string {
  const neg = d.unscaled < 0n;
  const digits = (neg ? -d.unscaled : d.unscaled).toString();
  const adjusted = -d.scale + (digits.length - 1);
  let body: string;
  if (d.scale >= 0 && adjusted >= -6) {
    if (d.scale === 0) body = digits;
    else if (digits.length > d.scale) body = `${digits.slice(0, digits.length - d.scale)}.${digits.slice(digits.length - d.scale)}`;
    else body = `0.${'0'.repeat(d.scale - digits.length)}${digits}`;
  } else {
    body = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }
  return neg ? `-${body}` : body;
}

const INTEGER = /^[+-]?\d+$/;
const SHORT_INTEGER = /^[+-]?\d{1,15}$/;

/**
 * Java's `Byte/Short/Integer/Long.parseX`: optional sign, decimal digits, no spaces, within
 * `bits` bits; a number when exact, a bigint beyond; undefined where Java throws NumberFormatException.
 */
export function parseJavaInteger(text: string, bits: 8 | 16 | 32 | 64): number | bigint | undefined {
  if (SHORT_INTEGER.test(text)) {
    const n = Number(text) + 0;
    const max = 2 ** (bits - 1);
    return n < -max || n >= max ? undefined : n;
  }
  if (!INTEGER.test(text)) return undefined;
  const v = BigInt(text);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (v < -max - 1n || v > max) return undefined;
  return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const DECIMAL_FLOAT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)[fFdD]?$/;

/** Java's `Double.parseDouble` (surrounding control characters and spaces trimmed); undefined where it throws. */
export function parseJavaDouble(text: string): number | undefined {
  // eslint-disable-next-line no-control-regex
  const s = text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (DECIMAL_FLOAT.test(s)) return Number(s.replace(/[fFdD]$/, ''));
  const h = HEX_FLOAT.exec(s);
  if (!h || (h[2] === '' && (h[3] ?? '') === '')) return undefined;
  const frac = h[3] ?? '';
  const mantissa = Number(BigInt(`0x${h[2] || '0'}${frac}`));
  const v = mantissa * 2 ** (Number(h[4]) - 4 * frac.length);
  return h[1] === '-' ? -v : v;
}
