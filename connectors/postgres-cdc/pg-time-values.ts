/**
 * Debezium's temporal mappings (`PostgresValueConverter`, `JdbcValueConverters`, `io.debezium.time.*`)
 * for date, time, timetz, timestamp, timestamptz and interval: the schema per `time.precision.mode`
 * and a converter from Postgres' text output to the Connect value.
 */
import { SchemaBuilder } from '../../src/sdk/index.js';
import {
  civilFromEpochDay, epochDay, int64Of, isoDate, isoFraction, isoInstant, isoTime, scanDate, scanTime, scanTimestamp, scratch,
} from './pg-time-text.js';
import type { TypeModes } from './pg-value-mapping.js';

type TimePrecisionMode = TypeModes['time'];
export type Convert = (text: string) => unknown;

const semantic = (b: SchemaBuilder, name: string): SchemaBuilder => b.name(name).version(1);

const MICROS_PER_DAY = 86_400_000_000;
/** Connect logical types hold JS Dates, which end at ±8.64e15 ms. */
const MAX_DATE_MS = 8.64e15;

function jsDate(ms: number | bigint): Date {
  const n = Number(ms);
  if (!(Math.abs(n) <= MAX_DATE_MS)) throw new RangeError('outside the range of a JS Date');
  return new Date(n);
}

// Debezium maps date 'infinity' to LocalDate -5877611-06-21 and '-infinity' to -5877611-06-22
// (PostgresValueConverter.POSITIVE/NEGATIVE_INFINITY_LOCAL_DATE), whatever the mode.
const DATE_PINF_DAYS = epochDay(-5877611, 6, 21);
const DATE_NINF_DAYS = epochDay(-5877611, 6, 22);

/** DATE: days since the epoch (io.debezium.time.Date), `2017-09-15Z` (isostring) or a Connect Date. */
export function dateMapping(mode: TimePrecisionMode): { builder: SchemaBuilder; convert: Convert } {
  const days = (text: string): number => {
    if (text === 'infinity') return DATE_PINF_DAYS;
    if (text === '-infinity') return DATE_NINF_DAYS;
    scanDate(text);
    return epochDay(scratch.year, scratch.month, scratch.day);
  };
  switch (mode) {
    case 'isostring':
      return {
        builder: semantic(SchemaBuilder.string(), 'io.debezium.time.IsoDate'),
        convert: (t) => {
          civilFromEpochDay(days(t));
          return `${isoDate(scratch.year, scratch.month, scratch.day)}Z`;
        },
      };
    case 'connect':
      return { builder: SchemaBuilder.date(), convert: (t) => jsDate(days(t) * 86_400_000) };
    default:
      return { builder: semantic(SchemaBuilder.int32(), 'io.debezium.time.Date'), convert: days };
  }
}

function microsOfDay(text: string): number {
  scanTime(text, false);
  return ((scratch.hour * 60 + scratch.minute) * 60 + scratch.second) * 1_000_000 + scratch.micros;
}

/**
 * TIME(p): adaptive picks ms (p ≤ 3, io.debezium.time.Time) or µs (MicroTime); 24:00:00 is one whole
 * day. Precision is the column's (6 when unspecified).
 */
export function timeMapping(mode: TimePrecisionMode, precision: number): { builder: SchemaBuilder; convert: Convert } {
  switch (mode) {
    case 'isostring':
      // IsoTime adds the value to 00:00, so 24:00:00 wraps to 00:00:00
      return {
        builder: semantic(SchemaBuilder.string(), 'io.debezium.time.IsoTime'),
        convert: (t) => {
          const us = microsOfDay(t) % MICROS_PER_DAY;
          const s = Math.floor(us / 1_000_000);
          return `${isoTime(Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60, us % 1_000_000)}Z`;
        },
      };
    case 'connect':
      return { builder: SchemaBuilder.time(), convert: (t) => new Date(Math.floor(microsOfDay(t) / 1000)) };
    case 'nanoseconds':
      return { builder: semantic(SchemaBuilder.int64(), 'io.debezium.time.NanoTime'), convert: (t) => microsOfDay(t) * 1000 };
    case 'adaptive':
      if (precision <= 3) {
        return { builder: semantic(SchemaBuilder.int32(), 'io.debezium.time.Time'), convert: (t) => Math.floor(microsOfDay(t) / 1000) };
      }
    // falls through: µs for p 4-6 in adaptive, always in the other modes
    default:
      return { builder: semantic(SchemaBuilder.int64(), 'io.debezium.time.MicroTime'), convert: microsOfDay };
  }
}

/** TIMETZ: io.debezium.time.ZonedTime, the time moved to UTC, e.g. `11:51:30.123789Z`. */
export function timetzMapping(): { builder: SchemaBuilder; convert: Convert } {
  return {
    builder: semantic(SchemaBuilder.string(), 'io.debezium.time.ZonedTime'),
    convert: (text) => {
      scanTime(text, true);
      const { hour, minute, second, micros, offsetSeconds } = scratch;
      // PostgresTimeBoundary: 24:00:00 at UTC stays 24:00:00Z; elsewhere java.time reads it as 00:00
      if (hour === 24 && offsetSeconds === 0) return '24:00:00Z';
      const s = ((((hour % 24) * 3600 + minute * 60 + second - offsetSeconds) % 86400) + 86400) % 86400;
      return `${isoTime(Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60, micros)}Z`;
    },
  };
}

// PGStatement.DATE_POSITIVE/NEGATIVE_INFINITY read as epoch microseconds (PostgresValueConverter).
const TS_PINF_SECONDS = 9223372036825;
const TS_PINF_MICROS = 200000;
const TS_NINF_SECONDS = -9223372036833;
const TS_NINF_MICROS = 600000;

/** Epoch seconds (whole) of the last scanned timestamp, in UTC. */
function scannedEpochSeconds(): number {
  const d = epochDay(scratch.year, scratch.month, scratch.day);
  return d * 86400 + scratch.hour * 3600 + scratch.minute * 60 + scratch.second - scratch.offsetSeconds;
}

/**
 * TIMESTAMP(p), the wall clock taken as UTC: adaptive picks ms (p ≤ 3, io.debezium.time.Timestamp)
 * or µs (MicroTimestamp); `infinity` becomes PGStatement's infinity instant, or Long.MAX/MIN_VALUE
 * for nanoseconds. `optional` matters because Debezium turns an out-of-range nanosecond value into
 * null for an optional column (the converter's IllegalArgumentException is logged and dropped).
 */
export function timestampMapping(
  mode: TimePrecisionMode,
  precision: number,
  optional: boolean,
): { builder: SchemaBuilder; convert: Convert } {
  let seconds = 0;
  let micros = 0;
  const scan = (text: string): void => {
    if (text === 'infinity') {
      seconds = TS_PINF_SECONDS;
      micros = TS_PINF_MICROS;
    } else if (text === '-infinity') {
      seconds = TS_NINF_SECONDS;
      micros = TS_NINF_MICROS;
    } else {
      scanTimestamp(text);
      seconds = scannedEpochSeconds();
      micros = scratch.micros;
    }
  };
  const millis = (t: string): number | bigint => {
    scan(t);
    return int64Of(seconds, 1000, Math.floor(micros / 1000));
  };
  const microsOf = (t: string): number | bigint => {
    scan(t);
    return int64Of(seconds, 1_000_000, micros);
  };
  switch (mode) {
    case 'isostring':
      return {
        builder: semantic(SchemaBuilder.string(), 'io.debezium.time.IsoTimestamp'),
        convert: (t) => {
          scan(t);
          return isoInstant(seconds, micros);
        },
      };
    case 'connect':
      return { builder: SchemaBuilder.timestamp(), convert: (t) => jsDate(millis(t)) };
    case 'nanoseconds':
      return {
        builder: semantic(SchemaBuilder.int64(), 'io.debezium.time.NanoTimestamp'),
        convert: (t) => {
          if (t === 'infinity') return 9223372036854775807n;
          if (t === '-infinity') return -9223372036854775808n;
          scan(t);
          try {
            return int64Of(seconds, 1_000_000_000, micros * 1000);
          } catch (err) {
            if (optional) return null;
            throw err;
          }
        },
      };
    case 'microseconds':
      return { builder: semantic(SchemaBuilder.int64(), 'io.debezium.time.MicroTimestamp'), convert: microsOf };
    default: // adaptive, adaptive_time_microseconds
      if (precision <= 3) return { builder: semantic(SchemaBuilder.int64(), 'io.debezium.time.Timestamp'), convert: millis };
      return { builder: semantic(SchemaBuilder.int64(), 'io.debezium.time.MicroTimestamp'), convert: microsOf };
  }
}

/**
 * TIMESTAMPTZ: io.debezium.time.ZonedTimestamp, the instant in UTC with exactly as many fraction
 * digits as the column's precision (`ZonedTimestamp.toIsoString` with the column scale, 6 when
 * unspecified; precision 0 prints none): `2024-01-02T01:04:05.123456Z`. `infinity` stays `infinity`.
 */
export function timestamptzMapping(precision: number): { builder: SchemaBuilder; convert: Convert } {
  return {
    builder: semantic(SchemaBuilder.string(), 'io.debezium.time.ZonedTimestamp'),
    convert: (text) => {
      if (text === 'infinity' || text === '-infinity') return text;
      scanTimestamp(text);
      if (scratch.offsetSeconds === 0) {
        // Fast path for what TimeZone=UTC prints: `YYYY-MM-DD HH:MM:SS[.f]+00`, a 4-digit AD year
        if (text.charCodeAt(4) === 45 && !text.endsWith(' BC')) {
          return `${text.slice(0, 10)}T${text.slice(11, 19)}${isoFraction(scratch.micros, precision)}Z`;
        }
        const { year, month, day, hour, minute, second, micros } = scratch;
        return `${isoDate(year, month, day)}T${isoTime(hour, minute, second, micros, precision)}Z`;
      }
      return isoInstant(scannedEpochSeconds(), scratch.micros, precision);
    },
  };
}
