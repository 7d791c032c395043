/**
 * Java's `java.text.SimpleDateFormat` as Kafka Connect's transformations use it: pattern compiled
 * once, time zone UTC, locale en_US with JDK 9+ (CLDR) names (weeks start on Sunday, one day makes
 * a first week), proleptic Gregorian calendar. Formatting lives here; lenient parsing in
 * `java-date-parse.ts`.
 *
 * Pattern letters: G y Y M L w W D d F E u a H k K h m s S z Z X; other ASCII letters are refused
 * ("Illegal pattern character 'b'"), `'...'` quotes text and `''` is a quote, as in Java.
 *
 * One difference: Java's GregorianCalendar switches to the Julian calendar before 1582-10-15, so
 * dates before then print differently there.
 */
import { civilFromEpochDay, epochDay } from '../../src/sdk/index.js';

export const MS_PER_DAY = 86_400_000;

/** `letter` set for a pattern field, `text` for literal text. */
export interface DateToken {
  readonly letter: string;
  readonly count: number;
  readonly text: string;
}

const LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));
/** Indexed by Java's DAY_OF_WEEK (1 = Sunday); index 0 unused. */
export const WEEKDAYS = ['', 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const SHORT_WEEKDAYS = WEEKDAYS.map((d) => d.slice(0, 3));
export const AM_PM = ['AM', 'PM'];
export const ERAS = ['BC', 'AD'];
/** CLDR's long era names (JDK 9+ locale data), for `GGGG`. */
export const LONG_ERAS = ['Before Christ', 'Anno Domini'];

const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** Java's DAY_OF_WEEK of a day since the epoch: 1 = Sunday ... 7 = Saturday (1970-01-01 was a Thursday). */
export const dayOfWeek = (days: number): number => mod(days + 4, 7) + 1;

/** Java's `BaseCalendar.getDayOfWeekDateOnOrBefore`, in days since the epoch. */
export const dayOfWeekOnOrBefore = (days: number, dow: number): number => days - mod(days + 5 - dow, 7);

/** Java's `getWeekNumber` for firstDayOfWeek = Sunday, minimalDaysInFirstWeek = 1. */
export function weekNumber(periodStart: number, days: number): number {
  const firstWeekStart = dayOfWeekOnOrBefore(periodStart, 1);
  return Math.floor((days - firstWeekStart) / 7) + 1;
}

/** Calendar fields of one instant, in UTC. */
interface Fields {
  year: number; month: number; day: number; days: number; msOfDay: number;
}

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Java's `zeroPaddingNumber`: at least `min` digits; with `max` 2 only the last two (two-digit years). */
function pad(value: number, min: number, max = Infinity): string {
  if (value >= 0 && max === Infinity) {
    // The usual widths, from tables: this runs for every field of every formatted instant.
    if (min === 2 && value < 100) return TWO[value]!;
    if (min === 3 && value < 1000) return THREE[value]!;
    if (min <= 1 || (min === 4 && value >= 1000)) return String(value);
  }
  let digits = String(Math.abs(value));
  if (digits.length > max) digits = digits.slice(digits.length - max);
  if (digits.length < min) digits = '0'.repeat(min - digits.length) + digits;
  return value < 0 ? `-${digits}` : digits;
}

/** Splits a SimpleDateFormat pattern; throws Error with Java's IllegalArgumentException message. */
export function tokenizeJavaDatePattern(pattern: string): DateToken[] {
  const tokens: DateToken[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') tokens.push({ letter: '', count: 0, text: literal });
    literal = '';
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new Error('Unterminated quote');
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            literal += "'";
            j += 2;
            continue;
          }
          break;
        }
        literal += pattern[j++];
      }
      i = j + 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!LETTERS.includes(c)) throw new Error(`Illegal pattern character '${c}'`);
      flush();
      let j = i + 1;
      while (pattern[j] === c) j++;
      if (c === 'X' && j - i >= 4) throw new Error(`invalid ISO 8601 format: length=${j - i}`);
      tokens.push({ letter: c, count: j - i, text: '' });
      i = j;
    } else {
      literal += c;
      i++;
    }
  }
  flush();
  return tokens;
}

const TIME_LETTERS = 'aHkKhmsS';

/**
 * A compiled pattern. `format` is for hot paths: fields are computed arithmetically (no `Date`),
 * and the last result is reused while the instant stays within the pattern's finest unit (a
 * `yyyyMMdd` router formats once per day of records, not once per record).
 */
export class JavaDateFormat {
  readonly tokens: readonly DateToken[];
  /** Set when the pattern names the week-based fields (their computation is skipped otherwise). */
  private readonly weeks: boolean;
  private readonly unit: number;
  private lastKey = NaN;
  private lastText = '';
  private readonly f: Fields = { year: 0, month: 0, day: 0, days: 0, msOfDay: 0 };

  /** Throws Error with Java's message for an invalid pattern. */
  constructor(readonly pattern: string) {
    this.tokens = Object.freeze(tokenizeJavaDatePattern(pattern));
    const letters = this.tokens.map((t) => t.letter).join('');
    this.weeks = /[wWY]/.test(letters);
    this.unit = letters.includes('S') ? 1 : letters.includes('s') ? 1000 : letters.includes('m') ? 60_000
      : [...TIME_LETTERS].some((l) => letters.includes(l)) ? 3_600_000 : MS_PER_DAY;
  }

  /** The text for `ms` milliseconds since the epoch (UTC). */
  format(ms: number): string {
    const key = Math.floor(ms / this.unit);
    if (key === this.lastKey) return this.lastText;
    const f = this.f;
    f.days = Math.floor(ms / MS_PER_DAY);
    f.msOfDay = ms - f.days * MS_PER_DAY;
    civilFromEpochDay(f.days, f);
    let out = '';
    for (const t of this.tokens) out += t.letter === '' ? t.text : this.field(t.letter, t.count);
    this.lastKey = key;
    this.lastText = out;
    return out;
  }

  private field(letter: string, count: number): string {
    const f = this.f;
    const hour = Math.floor(f.msOfDay / 3_600_000);
    switch (letter) {
      case 'G': return (count >= 4 ? LONG_ERAS : ERAS)[f.year > 0 ? 1 : 0]!;
      case 'y': {
        const yoe = f.year > 0 ? f.year : 1 - f.year;
        return count === 2 ? pad(yoe, 2, 2) : pad(yoe, count);
      }
      case 'Y': {
        const wy = this.weeks ? this.weekYear() : f.year;
        return count === 2 ? pad(wy, 2, 2) : pad(wy, count);
      }
      case 'M': case 'L':
        return count >= 4 ? MONTHS[f.month - 1]! : count === 3 ? SHORT_MONTHS[f.month - 1]! : pad(f.month, count);
      case 'w': return pad(this.weekOfYear(), count);
      case 'W': return pad(weekNumber(f.days - f.day + 1, f.days), count);
      case 'D': return pad(f.days - epochDay(f.year, 1, 1) + 1, count);
      case 'd': return pad(f.day, count);
      case 'F': return pad(Math.floor((f.day - 1) / 7) + 1, count);
      case 'E': return (count >= 4 ? WEEKDAYS : SHORT_WEEKDAYS)[dayOfWeek(f.days)]!;
      case 'u': {
        const dow = dayOfWeek(f.days);
        return pad(dow === 1 ? 7 : dow - 1, count);
      }
      case 'a': return AM_PM[hour < 12 ? 0 : 1]!;
      case 'H': return pad(hour, count);
      case 'k': return pad(hour === 0 ? 24 : hour, count);
      case 'K': return pad(hour % 12, count);
      case 'h': return pad(hour % 12 === 0 ? 12 : hour % 12, count);
      case 'm': return pad(Math.floor(f.msOfDay / 60_000) % 60, count);
      case 's': return pad(Math.floor(f.msOfDay / 1000) % 60, count);
      case 'S': return pad(f.msOfDay % 1000, count);
      case 'z': return count >= 4 ? 'Coordinated Universal Time' : 'UTC';
      case 'Z': return '+0000';
      default: return 'Z'; // 'X': ISO 8601 writes a zero offset as Z
    }
  }

  /** Java's WEEK_OF_YEAR: the days of late December in the week holding next 1 January are week 1. */
  private weekOfYear(): number {
    const f = this.f;
    const jan1 = epochDay(f.year, 1, 1);
    const week = weekNumber(jan1, f.days);
    if (week >= 52) {
      const nextJan1 = epochDay(f.year + 1, 1, 1);
      const nextWeek1 = dayOfWeekOnOrBefore(nextJan1 + 6, 1);
      if (nextWeek1 - nextJan1 >= 1 && f.days >= nextWeek1 - 7) return 1;
    }
    return week;
  }

  private weekYear(): number {
    const f = this.f;
    return this.weekOfYear() === 1 && f.month === 12 ? f.year + 1 : f.year;
  }
}

/** Kafka's `Values.dateFormatFor(d).format(d)` in UTC: a time before one day, a date at midnight, else a timestamp. */
const ISO_TIME = new JavaDateFormat("HH:mm:ss.SSS'Z'");
const ISO_DATE = new JavaDateFormat('yyyy-MM-dd');
const ISO_TIMESTAMP = new JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

export function formatIsoLike(ms: number): string {
  if (ms < MS_PER_DAY) return ISO_TIME.format(ms);
  return ms % MS_PER_DAY === 0 ? ISO_DATE.format(ms) : ISO_TIMESTAMP.format(ms);
}
