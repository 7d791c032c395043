/**
 * Debezium's ZonedTimestamp (an ISO-8601 instant string) → microseconds since the epoch, exactly:
 * integer arithmetic only, no float or Date on the way.
 */
import { DataError, INT64_MAX, INT64_MIN, epochDay } from '../../../src/sdk/index.js';

function digit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : -1;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * `seconds` · 10^6 + `micros`, exactly. The double product is exact only while it stays under 2^53
 * (|seconds| < 9e9, about 1685–2255); outside that the multiply happens in bigint.
 */
function epochMicros(seconds: number, micros: number): bigint {
  return Math.abs(seconds) < 9e9 ? BigInt(seconds * 1_000_000 + micros) : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

// The scanner's cursor: module state rather than closures, so parsing a row allocates nothing.
let text = '';
let at = 0;

/** Two digits at the cursor, or -1. */
function two(): number {
  const a = digit(text.charCodeAt(at));
  const b = digit(text.charCodeAt(at + 1));
  at += 2;
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Digit at `i` of `text`, or a large negative number that fails every range check below. */
function digitAt(i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1e9;
}

/** The common shape, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, read at fixed positions; undefined for any other. */
function utcMicros(iso: string): bigint | undefined {
  const n = iso.length;
  if (n < 20 || n > 30 || iso.charCodeAt(n - 1) !== 90 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45 || iso.charCodeAt(10) !== 84 || iso.charCodeAt(13) !== 58 || iso.charCodeAt(16) !== 58) return undefined;
  text = iso;
  const year = digitAt(0) * 1000 + digitAt(1) * 100 + digitAt(2) * 10 + digitAt(3);
  const month = digitAt(5) * 10 + digitAt(6);
  const day = digitAt(8) * 10 + digitAt(9);
  const hour = digitAt(11) * 10 + digitAt(12);
  const minute = digitAt(14) * 10 + digitAt(15);
  const second = digitAt(17) * 10 + digitAt(18);
  let micros = 0;
  if (n > 20) {
    if (iso.charCodeAt(19) !== 46 || n === 21) return undefined;
    for (let i = 20; i < 26; i++) micros = micros * 10 + (i < n - 1 ? digitAt(i) : 0);
    for (let i = 26; i < n - 1; i++) if (digitAt(i) < 0) return undefined;
  } else if (iso.charCodeAt(19) !== 90) return undefined;
  if (year < 0 || micros < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return epochMicros(epochDay(year, month, day) * 86400 + hour * 3600 + minute * 60 + second, micros);
}

function zonedFail(): never {
  throw new DataError(`not an ISO-8601 timestamp: ${JSON.stringify(text.slice(0, 60))}`);
}

/**
 * Microseconds since the epoch of an ISO-8601 instant as Debezium's ZonedTimestamp prints it
 * (`2024-01-31T10:00:00.123456Z`, `+10000-01-01T00:00:00Z`, `2024-01-31T12:00:00+02:00`), exactly:
 * no float or Date on the way. Fraction digits past the sixth are truncated (floor). Postgres'
 * `infinity` / `-infinity` become ±(2^63 − 1), which DuckDB reads as ±infinity. Throws DataError
 * for anything else.
 */
export function zonedTimestampMicros(iso: string): bigint {
  const fast = utcMicros(iso);
  if (fast !== undefined) return fast;
  if (iso === 'infinity') return INT64_MAX;
  if (iso === '-infinity') return -INT64_MAX;
  text = iso;
  at = 0;
  const n = iso.length;
  const sign = iso.charCodeAt(0) === 45 ? -1 : 1;
  if (sign < 0 || iso.charCodeAt(0) === 43) at++;
  let year = 0;
  const yearStart = at;
  for (let d = digit(iso.charCodeAt(at)); d >= 0; d = digit(iso.charCodeAt(++at))) year = year * 10 + d;
  if (at - yearStart < 4 || at - yearStart > 9 || iso[at++] !== '-') zonedFail();
  year *= sign;
  const month = two();
  if (iso[at++] !== '-') zonedFail();
  const day = two();
  const t = iso[at++];
  if (t !== 'T' && t !== 't' && t !== ' ') zonedFail();
  const hour = two();
  if (iso[at++] !== ':') zonedFail();
  const minute = two();
  let second = 0;
  let micros = 0;
  if (iso[at] === ':') {
    at++;
    second = two();
    if (iso[at] === '.' || iso[at] === ',') {
      const start = ++at;
      for (let d = digit(iso.charCodeAt(at)); d >= 0; d = digit(iso.charCodeAt(++at))) if (at - start < 6) micros = micros * 10 + d;
      if (at === start || at - start > 9) zonedFail();
      for (let k = at - start; k < 6; k++) micros *= 10;
    }
  }
  let offset = 0;
  const z = iso[at];
  if (z === 'Z' || z === 'z') at++;
  else if (z === '+' || z === '-') {
    at++;
    const oh = two();
    if (iso[at] === ':') at++;
    const om = at < n ? two() : 0;
    if (iso[at] === ':') at++;
    const os = at < n ? two() : 0;
    if (oh < 0 || om < 0 || os < 0) zonedFail();
    offset = (z === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
  } else zonedFail();
  if (at !== n || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || Math.abs(offset) > 18 * 3600) zonedFail();
  const seconds = epochDay(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  const result = epochMicros(seconds, micros);
  if (result > INT64_MAX || result < INT64_MIN) zonedFail();
  return result;
}
