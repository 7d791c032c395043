/**
 * Java's text of numbers — `Double.toString`, `Float.toString` (JDK 19+: the shortest digits that
 * read back) and `BigDecimal.toString` — so converters and transformations write exactly what a
 * Java worker writes.
 */
import type { Decimal } from './schema.js';

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

/** Java's `String.trim`: drops characters up to U+0020 at both ends (a loop: a regex is quadratic on long blank runs). */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
