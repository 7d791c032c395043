/**
 * Parsing Postgres' ISO text output of dates and times (DateStyle ISO, TimeZone UTC) and printing
 * them the way java.time's ISO formatters do, without regular expressions or intermediate objects:
 * a parse fills the module's scratch fields, which the caller reads at once.
 */
import { INT64_MAX, INT64_MIN, civilFromEpochDay as civilDate, epochDay } from '../../src/sdk/index.js';

export { epochDay };

/** Parsed fields of the last `scanTimestamp`/`scanDate`/`scanTime` call (astronomical year: 1 BC = 0). */
export const scratch = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, micros: 0, offsetSeconds: 0 };

const ZERO = 48;

function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) throw new RangeError('digit expected');
    n = n * 10 + c;
  }
  return n;
}

/** Reads `YYYY-MM-DD` (4 or more year digits) at 0; returns the index after it. */
function scanDatePart(text: string): number {
  const dash = text.indexOf('-', 1);
  if (dash < 4) throw new RangeError('date expected');
  scratch.year = digitsAt(text, 0, dash);
  if (text.charCodeAt(dash + 3) !== 45) throw new RangeError('date expected');
  scratch.month = digitsAt(text, dash + 1, dash + 3);
  scratch.day = digitsAt(text, dash + 4, dash + 6);
  return dash + 6;
}

/** Reads `HH:MM:SS[.ffffff]` at `i`; returns the index after it. */
function scanTimePart(text: string, i: number): number {
  if (text.charCodeAt(i + 2) !== 58 || text.charCodeAt(i + 5) !== 58) throw new RangeError('time expected');
  scratch.hour = digitsAt(text, i, i + 2);
  scratch.minute = digitsAt(text, i + 3, i + 5);
  scratch.second = digitsAt(text, i + 6, i + 8);
  i += 8;
  let micros = 0;
  if (text.charCodeAt(i) === 46) {
    let scale = 100000;
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i) - ZERO;
      if (c < 0 || c > 9) break;
      micros += c * scale;
      scale /= 10;
    }
  }
  scratch.micros = micros;
  return i;
}

/** Reads `+HH[:MM[:SS]]` at `i` when present; returns the index after it. */
function scanOffset(text: string, i: number): number {
  const sign = text.charCodeAt(i);
  if (sign !== 43 && sign !== 45) {
    scratch.offsetSeconds = 0;
    return i;
  }
  let secs = digitsAt(text, i + 1, i + 3) * 3600;
  i += 3;
  if (text.charCodeAt(i) === 58) {
    secs += digitsAt(text, i + 1, i + 3) * 60;
    i += 3;
    if (text.charCodeAt(i) === 58) {
      secs += digitsAt(text, i + 1, i + 3);
      i += 3;
    }
  }
  scratch.offsetSeconds = sign === 45 ? -secs : secs;
  return i;
}

/** Applies a trailing ` BC` at `i` (year N BC is astronomical year 1 - N) and checks the text ends. */
function scanEra(text: string, i: number): void {
  if (i === text.length) return;
  if (text.length === i + 3 && text.charCodeAt(i) === 32 && text.charCodeAt(i + 1) === 66 && text.charCodeAt(i + 2) === 67) {
    scratch.year = 1 - scratch.year;
    return;
  }
  throw new RangeError('unexpected trailing text');
}

/** `2024-01-02`, `0044-03-15 BC`. */
export function scanDate(text: string): void {
  scanEra(text, scanDatePart(text));
}

/** `2024-01-02 01:04:05.123456[+00][ BC]`; the offset is 0 when absent. */
export function scanTimestamp(text: string): void {
  const i = scanDatePart(text);
  if (text.charCodeAt(i) !== 32) throw new RangeError('time expected');
  scanEra(text, scanOffset(text, scanTimePart(text, i + 1)));
}

/** `13:51:30.123[+02]`; the offset is 0 when absent. */
export function scanTime(text: string, withOffset: boolean): void {
  const i = scanTimePart(text, 0);
  const end = withOffset ? scanOffset(text, i) : i;
  if (end !== text.length) throw new RangeError('unexpected trailing text');
}

/** The proleptic Gregorian date of an epoch day, into `scratch.year/month/day`. */
export function civilFromEpochDay(days: number): void {
  civilDate(days, scratch);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** A year as java.time prints it: 4 digits, a sign beyond 9999 or below 0. */
function isoYear(y: number): string {
  if (y > 9999) return `+${y}`;
  if (y < 0) return `-${String(-y).padStart(4, '0')}`;
  return String(y).padStart(4, '0');
}

/**
 * A fraction of a second as java.time's `appendFraction`: `width` 1-9 prints exactly that many digits
 * (truncated), anything else prints the fewest digits that keep the value (none when zero).
 */
const SIX_ZEROS = '000000';

export function isoFraction(micros: number, width = 0): string {
  if (width >= 1 && width <= 9) {
    const six = micros === 0 ? SIX_ZEROS : micros >= 100000 ? String(micros) : String(micros).padStart(6, '0');
    return width === 6 ? `.${six}` : width < 6 ? `.${six.slice(0, width)}` : `.${six}${'0'.repeat(width - 6)}`;
  }
  if (micros === 0) return '';
  let s = String(micros).padStart(6, '0');
  let end = s.length;
  while (s.charCodeAt(end - 1) === ZERO) end--;
  s = s.slice(0, end);
  return `.${s}`;
}

/** `2024-01-02` (java.time ISO_LOCAL_DATE). */
export function isoDate(year: number, month: number, day: number): string {
  return `${isoYear(year)}-${pad2(month)}-${pad2(day)}`;
}

/** `01:04:05[.fraction]` (java.time ISO_LOCAL_TIME: seconds always printed). */
export function isoTime(hour: number, minute: number, second: number, micros: number, width = 0): string {
  return `${pad2(hour)}:${pad2(minute)}:${pad2(second)}${isoFraction(micros, width)}`;
}

/** `2024-01-02T01:04:05.123456Z` for an instant given as epoch seconds plus microseconds (0-999999). */
export function isoInstant(epochSeconds: number, micros: number, width = 0): string {
  const days = Math.floor(epochSeconds / 86400);
  let sod = epochSeconds - days * 86400;
  civilFromEpochDay(days);
  const h = Math.floor(sod / 3600);
  sod -= h * 3600;
  const m = Math.floor(sod / 60);
  return `${isoDate(scratch.year, scratch.month, scratch.day)}T${isoTime(h, m, sod - m * 60, micros, width)}Z`;
}

const MAX_SAFE_SECONDS = 9_000_000_000; // seconds whose microseconds stay below 2^53

/** `seconds * perSecond + sub` as a Connect int64: a number while exact, else a bigint. */
export function int64Of(seconds: number, perSecond: number, sub: number): number | bigint {
  if (Math.abs(seconds) < MAX_SAFE_SECONDS * (1_000_000 / perSecond)) return seconds * perSecond + sub;
  const v = BigInt(seconds) * BigInt(perSecond) + BigInt(sub);
  if (v < INT64_MIN || v > INT64_MAX) throw new RangeError('outside the int64 range');
  return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
}
