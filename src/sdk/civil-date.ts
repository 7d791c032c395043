/**
 * Proleptic Gregorian dates ↔ days since 1970-01-01 (H. Hinnant's `days_from_civil` /
 * `civil_from_days`), for connectors and transformations that turn date text into epoch values and
 * back without allocating a `Date`.
 */

/** A calendar date: astronomical year (0 = 1 BC), month 1-12, day 1-31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Days since 1970-01-01 of a date; `month` may run one past December and `day` past the month's end. */
export function epochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** The date of an epoch day, written into `out` (no allocation on hot paths). */
export function civilFromEpochDay(days: number, out: CivilDate): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  out.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = era * 400 + yoe + (out.month <= 2 ? 1 : 0);
}
