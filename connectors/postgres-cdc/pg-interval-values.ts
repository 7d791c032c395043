/**
 * INTERVAL as Debezium maps it: `interval.handling.mode=numeric` gives io.debezium.time.MicroDuration
 * (approximate µs, a month being 365.25/12 days), `string` gives io.debezium.time.Interval
 * (`P1Y2M3DT4H5M6.78S`). Debezium reads the text through pgjdbc's PGInterval, so seconds pass through
 * a double and the µs count is computed in double arithmetic; both are reproduced here operation for
 * operation so the numbers match to the last digit.
 */
import { SchemaBuilder } from '../../src/sdk/index.js';

const DAYS_PER_MONTH_AVG = 365.25 / 12.0;
const NUMBER = /^-?\d+(\.\d+)?$/;
const TRAILING_ZEROS = /\.?0+$/;

// Fields of the last parse (years, months, days, hours, minutes, seconds as PGInterval#getSeconds).
let years = 0;
let months = 0;
let days = 0;
let hours = 0;
let minutes = 0;
let seconds = 0;

/** Parses IntervalStyle iso_8601 output (`P1Y2M3DT4H5M6.789S`, `PT0S`, `P-1Y-2M`). */
function scanInterval(text: string): void {
  years = months = days = hours = minutes = seconds = 0;
  // PGInterval reads 'infinity' (PG 17+) as a zero interval
  if (text === 'infinity' || text === '-infinity') return;
  if (text.charCodeAt(0) !== 80) throw new RangeError('ISO 8601 interval expected');
  let inTime = false;
  let start = 1;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 84) { // T
      inTime = true;
      start = i + 1;
      continue;
    }
    if (c < 65 || c > 90) continue; // digits, sign, point
    const num = text.slice(start, i);
    start = i + 1;
    if (num === '' || !NUMBER.test(num)) throw new RangeError('number expected');
    if (!inTime) {
      if (c === 89) years = parseInt(num, 10);
      else if (c === 77) months = parseInt(num, 10);
      else if (c === 68) days = parseInt(num, 10);
      else throw new RangeError('Y, M or D expected');
    } else if (c === 72) hours = parseInt(num, 10);
    else if (c === 77) minutes = parseInt(num, 10);
    else if (c === 83) seconds = pgIntervalSeconds(parseFloat(num));
    else throw new RangeError('H, M or S expected');
  }
  if (start !== text.length) throw new RangeError('unit expected');
}

/** PGInterval#setSeconds then #getSeconds: rounded to whole µs, then whole + µs / 1e6 in double. */
function pgIntervalSeconds(s: number): number {
  const total = Math.round(s * 1_000_000);
  const whole = Math.trunc(total / 1_000_000);
  const micros = total % 1_000_000;
  return whole + micros / 1_000_000;
}

/** MicroDuration.durationMicros in the same double arithmetic, then Java's saturating (long) cast. */
function durationMicros(): number | bigint {
  const numberOfDays = (years * 12 + months) * DAYS_PER_MONTH_AVG + days;
  const numberOfSeconds = ((numberOfDays * 24 + hours) * 60 + minutes) * 60 + seconds;
  const v = Math.trunc(numberOfSeconds * 1e6);
  if (Number.isSafeInteger(v)) return v;
  if (Number.isNaN(v)) return 0;
  if (v >= 9223372036854775807) return 9223372036854775807n;
  if (v <= -9223372036854775808) return -9223372036854775808n;
  return BigInt(v);
}

/** `BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString()`: shortest digits, no exponent. */
function plainSeconds(s: number): string {
  let t = String(s);
  const e = t.indexOf('e');
  if (e >= 0) t = expandExponent(t.slice(0, e), Number(t.slice(e + 1)));
  if (t.includes('.')) t = t.replace(TRAILING_ZEROS, '');
  return t === '-0' ? '0' : t;
}

function expandExponent(mantissa: string, exp: number): string {
  const neg = mantissa.startsWith('-');
  const [int, frac = ''] = (neg ? mantissa.slice(1) : mantissa).split('.');
  const digits = int! + frac;
  const point = int!.length + exp;
  const out = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

export function intervalMapping(mode: 'numeric' | 'string'): { builder: SchemaBuilder; convert: (text: string) => unknown } {
  if (mode === 'string') {
    return {
      builder: SchemaBuilder.string().name('io.debezium.time.Interval').version(1),
      convert: (text) => {
        scanInterval(text);
        return `P${years}Y${months}M${days}DT${hours}H${minutes}M${plainSeconds(seconds)}S`;
      },
    };
  }
  return {
    builder: SchemaBuilder.int64().name('io.debezium.time.MicroDuration').version(1),
    convert: (text) => {
      scanInterval(text);
      return durationMicros();
    },
  };
}
