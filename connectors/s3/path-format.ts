/**
 * Time for Confluent's TimeBasedPartitioner: time zones with Joda-Time's conversion rules, the
 * bucket floor of `TimeBasedPartitioner.getPartition`, and `path.format` patterns in Joda's
 * `DateTimeFormat` syntax, so that a config carried over from Confluent produces the same keys.
 *
 * Only numeric pattern fields are supported (years, months as numbers, days, hours, minutes,
 * seconds, fractions, ISO weeks): they print the same in every locale, which is why `locale` changes
 * nothing here. Text fields (`MMM`, `E`, `a`, `G`) and zone fields (`z`, `Z`) are refused, since
 * their text depends on the JVM's locale data and could not be matched reliably.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const CACHE_LIMIT = 4096;

/** Offsets from UTC for one time zone, with Joda-Time's local↔UTC rules. Instances are shared. */
export class ZoneRules {
  private static readonly zones = new Map<string, ZoneRules>();
  private readonly uniformDays = new Map<number, number>();
  private readonly uniformHours = new Map<number, number>();
  private readonly mixedDays = new Set<number>();
  private readonly fmt: Intl.DateTimeFormat | null;

  private constructor(
    /** The zone id as configured. */
    readonly id: string,
    private readonly fixedOffsetMs: number | null,
  ) {
    this.fmt =
      fixedOffsetMs !== null
        ? null
        : new Intl.DateTimeFormat('en-US', {
            timeZone: id,
            hourCycle: 'h23',
            era: 'short',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  /**
   * The rules of `id`: `UTC`, an IANA zone (`Europe/Berlin`), or a fixed offset `±hh`, `±hh:mm`,
   * `±hhmm` (as Joda's `DateTimeZone.forID`). Throws RangeError naming an unknown zone.
   */
  static of(id: string): ZoneRules {
    const key = id.trim();
    let zone = ZoneRules.zones.get(key);
    if (zone) return zone;
    const fixed = parseFixedOffset(key);
    if (fixed === null) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: key });
      } catch {
        throw new RangeError(`The datetime zone id '${key}' is not recognised`);
      }
    }
    zone = new ZoneRules(key, fixed);
    ZoneRules.zones.set(key, zone);
    return zone;
  }

  /** The offset (ms, local minus UTC) in force at the UTC instant `utcMs` (Joda `getOffset`). */
  offsetAt(utcMs: number): number {
    if (this.fixedOffsetMs !== null) return this.fixedOffsetMs;
    // Offsets are looked up per UTC day, or per hour on days with a transition; this assumes a
    // zone never changes offset twice within one day and comes back to the same offset.
    const day = Math.floor(utcMs / DAY_MS);
    const byDay = this.uniformDays.get(day);
    if (byDay !== undefined) return byDay;
    if (!this.mixedDays.has(day)) {
      const a = this.computeOffset(day * DAY_MS);
      if (a === this.computeOffset(day * DAY_MS + DAY_MS - 1)) return remember(this.uniformDays, day, a);
      if (this.mixedDays.size >= CACHE_LIMIT) this.mixedDays.clear();
      this.mixedDays.add(day);
    }
    const hour = Math.floor(utcMs / HOUR_MS);
    const byHour = this.uniformHours.get(hour);
    if (byHour !== undefined) return byHour;
    const a = this.computeOffset(hour * HOUR_MS);
    if (a === this.computeOffset(hour * HOUR_MS + HOUR_MS - 1)) return remember(this.uniformHours, hour, a);
    return this.computeOffset(utcMs);
  }

  /** Joda `convertUTCToLocal`: the local wall time of `utcMs`, as ms since the local epoch. */
  utcToLocal(utcMs: number): number {
    return utcMs + this.offsetAt(utcMs);
  }

  /**
   * Joda `convertLocalToUTC(instantLocal, strict=false)`: an instant showing the local time
   * `localMs`. In an overlap (clocks set back) the result is whichever offset Joda's two-step
   * estimate lands on; in a gap (clocks set forward) zones east of UTC keep the later offset and
   * zones west of UTC the earlier one, so the result lies after the gap in both cases.
   */
  localToUtc(localMs: number): number {
    const offsetLocal = this.offsetAt(localMs);
    let offset = this.offsetAt(localMs - offsetLocal);
    if (offsetLocal !== offset && offsetLocal < 0) {
      // Joda compares nextTransition() of both estimates; with at most one transition between
      // them (hours apart), that is the same as the two instants having different offsets.
      const a = localMs - offsetLocal;
      const b = localMs - offset;
      if (this.offsetAt(Math.min(a, b)) !== this.offsetAt(Math.max(a, b))) offset = offsetLocal;
    }
    return localMs - offset;
  }

  private computeOffset(utcMs: number): number {
    const second = Math.floor(utcMs / 1000) * 1000;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let sec = 0;
    let bc = false;
    for (const p of this.fmt!.formatToParts(second)) {
      switch (p.type) {
        case 'year': year = Number(p.value); break;
        case 'month': month = Number(p.value); break;
        case 'day': day = Number(p.value); break;
        case 'hour': hour = Number(p.value); break;
        case 'minute': minute = Number(p.value); break;
        case 'second': sec = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
        default: break;
      }
    }
    return utcFields(bc ? 1 - year : year, month, day, hour, minute, sec) - second;
  }
}

function remember(cache: Map<number, number>, key: number, value: number): number {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function parseFixedOffset(id: string): number | null {
  if (id === 'UTC' || id === 'Z') return 0;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(id);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 23 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * HOUR_MS + minutes * 60_000);
}

/** ms since the epoch of a proleptic Gregorian UTC date-time (any year, unlike `Date.UTC`). */
function utcFields(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

/**
 * Confluent's `TimeBasedPartitioner.getPartition`: `timestampMs` converted to local time, floored to
 * a multiple of `durationMs` counted from the local epoch, and converted back to UTC. The floor is
 * Java's long division, which truncates toward zero, so local times before 1970 round up to the
 * bucket end, exactly as Confluent does.
 */
export function bucketStart(timestampMs: number, durationMs: number, zone: ZoneRules): number {
  const local = zone.utcToLocal(timestampMs);
  return zone.localToUtc(local - (local % durationMs));
}

type Token = { readonly literal: string } | { readonly letter: string; readonly count: number };

/** Local calendar fields of one instant, computed once per format call. */
interface Fields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millis: number;
  readonly dayOfYear: number;
  readonly dayOfWeek: number;
  readonly weekyear: number;
  readonly week: number;
}

/** Letters Joda knows but whose output is text (locale- or zone-dependent): refused here. */
const TEXT_LETTERS: Readonly<Record<string, string>> = {
  G: 'era text', E: 'day-of-week text', a: 'AM/PM text', z: 'time zone name', Z: 'time zone offset',
};
const NUMERIC_LETTERS = new Set(['y', 'Y', 'x', 'C', 'M', 'd', 'D', 'H', 'k', 'K', 'h', 'm', 's', 'S', 'w', 'e']);

const isLetter = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/** Splits a Joda pattern into fields and literals, with `DateTimeFormat.parseToken`'s quoting rules. */
function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (isLetter(c)) {
      let j = i + 1;
      while (j < pattern.length && pattern[j] === c) j++;
      out.push({ letter: c, count: j - i });
      i = j;
      continue;
    }
    let text = '';
    let quoted = false;
    for (; i < pattern.length; i++) {
      const ch = pattern[i]!;
      if (ch === "'") {
        if (pattern[i + 1] === "'") {
          text += "'";
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (!quoted && isLetter(ch)) {
        break;
      } else {
        text += ch;
      }
    }
    if (text !== '') out.push({ literal: text });
  }
  return out;
}

/** A compiled `path.format`: prints an instant's local fields in a zone. */
export interface PathFormatter {
  /** The pattern as configured. */
  readonly pattern: string;
  /** `utcMs` formatted with the zone's local time at that instant. */
  format(utcMs: number, zone: ZoneRules): string;
}

/**
 * Compiles a Joda-Time pattern (`'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`, `'dt'=YYYY-MM-dd`).
 * Letters in runs are fields; `'…'` quotes literal text and `''` is a single quote; other
 * characters are literal. Throws RangeError naming an illegal or unsupported pattern letter.
 */
export function compilePathFormat(pattern: string): PathFormatter {
  const tokens = tokenize(pattern);
  for (const t of tokens) {
    if (!('letter' in t)) continue;
    const text = TEXT_LETTERS[t.letter] ?? (t.letter === 'M' && t.count >= 3 ? 'month text' : undefined);
    if (text) {
      throw new RangeError(`pattern component ${t.letter.repeat(t.count)} (${text}) is not supported: only numeric fields are, such as YYYY, MM, dd, HH, mm, ss`);
    }
    if (!NUMERIC_LETTERS.has(t.letter)) throw new RangeError(`Illegal pattern component: ${t.letter.repeat(t.count)}`);
  }
  const needsWeek = tokens.some((t) => 'letter' in t && (t.letter === 'x' || t.letter === 'w'));
  return Object.freeze({
    pattern,
    format(utcMs: number, zone: ZoneRules): string {
      const f = localFields(zone.utcToLocal(utcMs), needsWeek);
      let out = '';
      for (const t of tokens) out += 'literal' in t ? t.literal : printField(t.letter, t.count, f);
      return out;
    },
  });
}

function localFields(localMs: number, needsWeek: boolean): Fields {
  const d = new Date(localMs);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const dayOfYear = Math.floor((utcFields(year, month, day, 0, 0, 0) - utcFields(year, 1, 1, 0, 0, 0)) / DAY_MS) + 1;
  const dayOfWeek = ((d.getUTCDay() + 6) % 7) + 1;
  let weekyear = year;
  let week = 0;
  if (needsWeek) {
    // ISO-8601 weeks (Joda's ISOChronology): the week's Thursday decides its year.
    const thursday = new Date(utcFields(year, month, day, 0, 0, 0) + (4 - dayOfWeek) * DAY_MS);
    weekyear = thursday.getUTCFullYear();
    const jan1 = utcFields(weekyear, 1, 1, 0, 0, 0);
    week = Math.floor((thursday.getTime() - jan1) / DAY_MS / 7) + 1;
  }
  return {
    year, month, day, dayOfYear, dayOfWeek, weekyear, week,
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), millis: d.getUTCMilliseconds(),
  };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function printField(letter: string, count: number, f: Fields): string {
  const yearOfEra = f.year <= 0 ? 1 - f.year : f.year;
  switch (letter) {
    case 'y': return count === 2 ? pad(Math.abs(f.year) % 100, 2) : pad(f.year, count);
    case 'Y': return count === 2 ? pad(Math.abs(f.year) % 100, 2) : pad(yearOfEra, count);
    case 'x': return count === 2 ? pad(Math.abs(f.weekyear) % 100, 2) : pad(f.weekyear, count);
    case 'C': return pad(Math.floor(yearOfEra / 100), count);
    case 'M': return pad(f.month, count);
    case 'd': return pad(f.day, count);
    case 'D': return pad(f.dayOfYear, count);
    case 'H': return pad(f.hour, count);
    case 'k': return pad(f.hour === 0 ? 24 : f.hour, count);
    case 'K': return pad(f.hour % 12, count);
    case 'h': return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case 'm': return pad(f.minute, count);
    case 's': return pad(f.second, count);
    case 'S': {
      const ms = String(f.millis).padStart(3, '0');
      return count <= 3 ? ms.slice(0, count) : ms + '0'.repeat(count - 3);
    }
    case 'w': return pad(f.week, count);
    case 'e': return pad(f.dayOfWeek, count);
    default: throw new RangeError(`Illegal pattern component: ${letter.repeat(count)}`);
  }
}
