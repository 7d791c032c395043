/**
 * Java's lenient `SimpleDateFormat.parse(String)` (UTC, en_US), for the patterns of
 * `java-date-format.ts`:
 *
 * - numbers may be out of range and roll over (month 13 is January of the next year, `S` takes
 *   milliseconds however many digits: `SSS` reading 1234 adds 1.234 s);
 * - a numeric field followed directly by another numeric field reads at most as many digits as it
 *   has letters (`yyyyMMdd`), otherwise as many as there are;
 * - spaces and tabs before a field are skipped; literal text must match exactly; text after the
 *   pattern is ignored;
 * - `yy` reading two digits picks the century so the date falls within 80 years before and 20
 *   after the formatter's creation;
 * - fields set later win, as Calendar resolves them (`E` is ignored when `d` is present).
 *
 * Zone names `z` understands: UTC, GMT, UT, Z and the US and European abbreviations below, plus
 * GMT±hh:mm and ±hhmm offsets; Java knows every zone name of its time-zone database.
 */
import { epochDay } from '../../src/sdk/index.js';
import { AM_PM, dayOfWeekOnOrBefore, ERAS, JavaDateFormat, LONG_ERAS, MONTHS, MS_PER_DAY, SHORT_MONTHS, SHORT_WEEKDAYS, WEEKDAYS, type DateToken } from './java-date-format.js';

// Calendar field indexes.
const ERA = 0, YEAR = 1, MONTH = 2, WEEK_OF_YEAR = 3, WEEK_OF_MONTH = 4, DAY_OF_MONTH = 5, DAY_OF_YEAR = 6, DAY_OF_WEEK = 7,
  DAY_OF_WEEK_IN_MONTH = 8, AM_PM_FIELD = 9, HOUR = 10, HOUR_OF_DAY = 11, MINUTE = 12, SECOND = 13, MILLISECOND = 14,
  ZONE_OFFSET = 15, WEEK_YEAR = 16;

const GENERIC_FIELD: Readonly<Record<string, number>> = {
  d: DAY_OF_MONTH, H: HOUR_OF_DAY, m: MINUTE, s: SECOND, S: MILLISECOND, D: DAY_OF_YEAR, F: DAY_OF_WEEK_IN_MONTH,
  w: WEEK_OF_YEAR, W: WEEK_OF_MONTH, K: HOUR, u: DAY_OF_WEEK,
};

/** Offsets in minutes of the zone abbreviations understood (standard and daylight names). */
const ZONES: Readonly<Record<string, number>> = {
  UTC: 0, UT: 0, Z: 0, 'COORDINATED UNIVERSAL TIME': 0, 'GREENWICH MEAN TIME': 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600,
  WET: 0, WEST: 60, CET: 60, CEST: 120, EET: 120, EEST: 180, BST: 60, JST: 540,
};
const ZONE_NAMES = Object.keys(ZONES);
/** Short and long era names; index mod 2 is Java's ERA value. */
const ALL_ERAS = [...ERAS, ...LONG_ERAS];

/** Java's `shouldObeyCount`: the letters whose field reads a fixed width when another numeric field follows. */
function isNumeric(t: DateToken | undefined): boolean {
  if (!t || t.letter === '') return false;
  if (t.letter === 'M' || t.letter === 'L') return t.count <= 2;
  return 'ydkHmsSDFwWhKYu'.includes(t.letter);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Case-insensitive longest match of `names` at `at`; returns [index, end] or undefined. */
function matchText(text: string, at: number, names: readonly string[]): [number, number] | undefined {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (n.length > bestLen && text.substr(at, n.length).toUpperCase() === n.toUpperCase()) {
      best = i;
      bestLen = n.length;
    }
  }
  return best < 0 ? undefined : [best, at + bestLen];
}

class Builder {
  readonly value = new Array<number>(17).fill(0);
  readonly stamp = new Array<number>(17).fill(0);
  private next = 1;

  set(field: number, v: number): void {
    this.value[field] = v;
    this.stamp[field] = this.next++;
  }
  isSet(field: number): boolean {
    return this.stamp[field]! > 0;
  }
}

/** Java's `subParseNumericZone`: `hh[:]mm` after a sign; returns the end or -1. */
function numericZone(text: string, at: number, sign: number, count: number, colon: boolean, b: Builder): number {
  let i = at;
  if (!isDigit(text[i])) return -1;
  let hours = Number(text[i++]);
  if (isDigit(text[i])) hours = hours * 10 + Number(text[i++]);
  else if (count > 0 || !colon) return -1;
  if (hours > 23) return -1;
  let minutes = 0;
  if (count !== 1) {
    if (colon) {
      if (text[i] !== ':') return -1;
      i++;
    }
    if (!isDigit(text[i]) || !isDigit(text[i + 1])) return -1;
    minutes = Number(text.slice(i, i + 2));
    i += 2;
    if (minutes > 59) return -1;
  }
  b.set(ZONE_OFFSET, sign * (hours * 60 + minutes));
  return i;
}

function parseZone(letter: string, count: number, text: string, at: number, b: Builder): number {
  const c = text[at];
  if (letter === 'X') {
    if (c === 'Z') {
      b.set(ZONE_OFFSET, 0);
      return at + 1;
    }
    if (c !== '+' && c !== '-') return -1;
    return numericZone(text, at + 1, c === '+' ? 1 : -1, count, count === 3, b);
  }
  if (c === '+' || c === '-') return numericZone(text, at + 1, c === '+' ? 1 : -1, 0, false, b);
  if (text.substr(at, 3).toUpperCase() === 'GMT') {
    const s = text[at + 3];
    if (s !== '+' && s !== '-') {
      b.set(ZONE_OFFSET, 0);
      return at + 3;
    }
    return numericZone(text, at + 4, s === '+' ? 1 : -1, 0, true, b);
  }
  const m = matchText(text, at, ZONE_NAMES);
  if (!m) return -1;
  b.set(ZONE_OFFSET, ZONES[ZONE_NAMES[m[0]]!]!);
  return m[1];
}

/**
 * Reads `text` with `fmt`'s pattern; milliseconds since the epoch, or undefined where Java throws
 * `ParseException`. `centuryStartMs` anchors two-digit years (Java: 80 years before construction).
 */
export function parseJavaDate(fmt: JavaDateFormat, text: string, centuryStartMs: number): number | undefined {
  const tokens = fmt.tokens;
  const b = new Builder();
  let ambiguousYear = false;
  let pos = 0;
  const centuryStartYear = new Date(centuryStartMs).getUTCFullYear();
  for (let ti = 0; ti < tokens.length; ti++) {
    const t = tokens[ti]!;
    if (t.letter === '') {
      if (!text.startsWith(t.text, pos)) return undefined;
      pos += t.text.length;
      continue;
    }
    const start = pos;
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
    if (pos >= text.length) return undefined;
    const actualStart = pos;
    const limit = isNumeric(tokens[ti + 1]) ? start + t.count : text.length;
    if (limit > text.length) return undefined;
    const readNumber = (): number | undefined => {
      let i = pos;
      if (text[i] === '-') i++;
      const digitsFrom = i;
      while (i < limit && isDigit(text[i])) i++;
      if (i === digitsFrom) return undefined;
      const n = Number(text.slice(pos, i));
      pos = i;
      return n;
    };
    const L = t.letter;
    switch (L) {
      case 'G': case 'E': case 'a': case 'M': case 'L': {
        if ((L === 'M' || L === 'L') && t.count <= 2) {
          const n = readNumber();
          if (n === undefined) return undefined;
          b.set(MONTH, n - 1);
          break;
        }
        // Java matches names from where the field began, before skipping spaces.
        const m = L === 'G' ? matchText(text, start, ALL_ERAS) : L === 'a' ? matchText(text, start, AM_PM)
          : L === 'E' ? (matchText(text, start, WEEKDAYS) ?? matchText(text, start, SHORT_WEEKDAYS))
          : (matchText(text, start, MONTHS) ?? matchText(text, start, SHORT_MONTHS));
        if (!m) return undefined;
        b.set(L === 'G' ? ERA : L === 'a' ? AM_PM_FIELD : L === 'E' ? DAY_OF_WEEK : MONTH, L === 'G' ? m[0] % 2 : m[0]);
        pos = m[1];
        break;
      }
      case 'y': case 'Y': {
        let n = readNumber();
        if (n === undefined) return undefined;
        if (t.count <= 2 && pos - actualStart === 2 && isDigit(text[actualStart]) && isDigit(text[actualStart + 1])) {
          const ambiguous = centuryStartYear % 100;
          ambiguousYear = n === ambiguous;
          n += Math.floor(centuryStartYear / 100) * 100 + (n < ambiguous ? 100 : 0);
        }
        b.set(L === 'y' ? YEAR : WEEK_YEAR, n);
        break;
      }
      case 'k': case 'h': {
        const n = readNumber();
        if (n === undefined) return undefined;
        // 24 o'clock is midnight; 12 o'clock is hour 0 of the half day.
        if (L === 'k') b.set(HOUR_OF_DAY, n === 24 ? 0 : n);
        else b.set(HOUR, n === 12 ? 0 : n);
        break;
      }
      case 'z': case 'Z': case 'X': {
        const end = parseZone(L, t.count, text, pos, b);
        if (end < 0) return undefined;
        pos = end;
        break;
      }
      default: {
        const n = readNumber();
        if (n === undefined) return undefined;
        b.set(GENERIC_FIELD[L]!, L === 'u' ? (n === 7 ? 1 : n >= 1 && n <= 6 ? n + 1 : n) : n);
      }
    }
  }
  if (pos === 0) return undefined;
  let ms = resolve(b);
  if (ambiguousYear && ms < centuryStartMs) {
    b.value[YEAR] = b.value[YEAR]! + 100;
    b.value[WEEK_YEAR] = b.value[WEEK_YEAR]! + 100;
    ms = resolve(b);
  }
  return ms;
}

const agg = (a: number, c: number): number => (a === 0 || c === 0 ? 0 : Math.max(a, c));

/** Calendar's field resolution (`selectFields` + `GregorianCalendar.computeTime`) for firstDayOfWeek Sunday, minimal days 1. */
function resolve(b: Builder): number {
  const v = b.value;
  const st = b.stamp;
  let year = b.isSet(YEAR) ? v[YEAR]! : 1970;
  if (b.isSet(ERA) && v[ERA] === 0) year = 1 - year;
  let days: number;
  if (b.isSet(WEEK_YEAR) && st[WEEK_YEAR]! > st[YEAR]!) {
    // Calendar.setWeekDate(weekYear, week (1), day of week (Sunday)): MONTH and DAY_OF_MONTH are overridden.
    const week = b.isSet(WEEK_OF_YEAR) ? v[WEEK_OF_YEAR]! : 1;
    const dow = b.isSet(DAY_OF_WEEK) ? v[DAY_OF_WEEK]! : 1;
    days = dayOfWeekOnOrBefore(epochDay(v[WEEK_YEAR]!, 1, 1), 1) + ((dow - 1 + 7) % 7) + 7 * (week - 1);
  } else {
    days = resolveDate(b, year);
  }
  const hourStamp = agg(st[HOUR]!, st[AM_PM_FIELD]!);
  let best = Math.max(hourStamp, st[HOUR_OF_DAY]!);
  if (best === 0) best = Math.max(st[HOUR]!, st[AM_PM_FIELD]!);
  let hours: number;
  if (best !== 0 && best === st[HOUR_OF_DAY]) hours = v[HOUR_OF_DAY]!;
  else hours = v[HOUR]! + (best !== 0 && b.isSet(AM_PM_FIELD) ? 12 * v[AM_PM_FIELD]! : 0);
  const timeOfDay = ((hours * 60 + v[MINUTE]!) * 60 + v[SECOND]!) * 1000 + v[MILLISECOND]!;
  return days * MS_PER_DAY + timeOfDay - v[ZONE_OFFSET]! * 60_000;
}

function resolveDate(b: Builder, yearIn: number): number {
  const v = b.value;
  const st = b.stamp;
  const dowStamp = st[DAY_OF_WEEK]!;
  let domStamp = st[DAY_OF_MONTH]!;
  let womStamp = agg(st[WEEK_OF_MONTH]!, dowStamp);
  let dowimStamp = agg(st[DAY_OF_WEEK_IN_MONTH]!, dowStamp);
  const doyStamp = st[DAY_OF_YEAR]!;
  let woyStamp = agg(st[WEEK_OF_YEAR]!, dowStamp);
  let best = Math.max(domStamp, womStamp, dowimStamp, doyStamp, woyStamp);
  if (best === 0) {
    womStamp = st[WEEK_OF_MONTH]!;
    dowimStamp = Math.max(st[DAY_OF_WEEK_IN_MONTH]!, dowStamp);
    woyStamp = st[WEEK_OF_YEAR]!;
    best = Math.max(womStamp, dowimStamp, woyStamp);
    if (best === 0) best = domStamp = st[MONTH]!;
  }
  const dow = b.isSet(DAY_OF_WEEK) ? v[DAY_OF_WEEK]! : 1;
  let year = yearIn;
  const monthBased = best === domStamp || (best === womStamp && st[WEEK_OF_MONTH]! >= st[WEEK_OF_YEAR]!) ||
    (best === dowimStamp && st[DAY_OF_WEEK_IN_MONTH]! >= st[WEEK_OF_YEAR]!);
  if (monthBased) {
    let month = v[MONTH]!;
    year += Math.floor(month / 12);
    month = ((month % 12) + 12) % 12;
    const first = epochDay(year, month + 1, 1);
    if (best === domStamp) return b.isSet(DAY_OF_MONTH) ? first + v[DAY_OF_MONTH]! - 1 : first;
    const useWom = womStamp === dowimStamp ? st[WEEK_OF_MONTH]! >= st[DAY_OF_WEEK_IN_MONTH]! : best === womStamp;
    if (useWom) {
      let weekStart = dayOfWeekOnOrBefore(first + 6, 1);
      if (weekStart - first >= 1) weekStart -= 7;
      if (dowStamp !== 0) weekStart = dayOfWeekOnOrBefore(weekStart + 6, dow);
      return weekStart + 7 * (v[WEEK_OF_MONTH]! - 1);
    }
    const dowim = b.isSet(DAY_OF_WEEK_IN_MONTH) ? v[DAY_OF_WEEK_IN_MONTH]! : 1;
    if (dowim >= 0) return dayOfWeekOnOrBefore(first + 7 * dowim - 1, dow);
    const monthLength = epochDay(year, month + 2, 1) - first;
    return dayOfWeekOnOrBefore(first + monthLength + 7 * (dowim + 1) - 1, dow);
  }
  const jan1 = epochDay(year, 1, 1);
  if (best === doyStamp) return jan1 + v[DAY_OF_YEAR]! - 1;
  let weekStart = dayOfWeekOnOrBefore(jan1 + 6, 1);
  if (weekStart - jan1 >= 1) weekStart -= 7;
  if (dowStamp !== 0 && dow !== 1) weekStart = dayOfWeekOnOrBefore(weekStart + 6, dow);
  return weekStart + 7 * (v[WEEK_OF_YEAR]! - 1);
}
