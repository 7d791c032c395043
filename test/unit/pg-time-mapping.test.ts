/**
 * Temporal types per time.precision.mode and interval.handling.mode, from Postgres' text output
 * under DateStyle ISO / TimeZone UTC / IntervalStyle iso_8601. Expected values: Debezium's docs
 * ("Temporal types", "TIMESTAMP type") and its tests (AbstractRecordsProducerTest = ARPT,
 * PostgresTemporalPrecisionHandlingIT = PTPHIT).
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/sdk/index.js';
import { DEFAULT_TYPE_MODES, mapColumn, type ColumnMapping, type TypeModes } from '../../connectors/postgres-cdc/pg-value-mapping.js';

type Mode = TypeModes['time'];

function map(name: string, time: Mode = 'adaptive', typeMod = -1, optional = true, modes: Partial<TypeModes> = {}): ColumnMapping {
  return mapColumn({ name: 'col', type: { oid: 1, name, schema: 'pg_catalog', kind: 'base' }, typeMod, optional }, { ...DEFAULT_TYPE_MODES, time, ...modes })!;
}
const named = (m: ColumnMapping): [string, string | undefined] => [m.schema.type, m.schema.name];
const utcMs = (...a: [number, number, number, number?, number?, number?, number?]): number => Date.UTC(...a);

describe('date', () => {
  it('days since the epoch in the int modes (ARPT date), io.debezium.time.Date', () => {
    for (const mode of ['adaptive', 'adaptive_time_microseconds', 'microseconds', 'nanoseconds'] as const) {
      expect(named(map('date', mode))).toEqual(['int32', 'io.debezium.time.Date']);
      expect(map('date', mode).fromText('2016-11-04')).toBe(17109);
    }
    expect(map('date').fromText('1969-12-31')).toBe(-1);
    expect(map('date').fromText('0001-01-01')).toBe(-719162);
    expect(map('date').fromText('0001-01-01 BC')).toBe(-719528); // year 0, a leap year
    expect(map('date').fromText('5874897-12-31')).toBe(2145042905);
  });

  it("infinity is Debezium's LocalDate -5877611-06-21 (-infinity: -06-22)", () => {
    expect(map('date').fromText('infinity')).toBe(-2147472692);
    expect(map('date').fromText('-infinity')).toBe(-2147472691);
    expect(map('date', 'isostring').fromText('infinity')).toBe('-5877611-06-21Z');
  });

  it('isostring: io.debezium.time.IsoDate `2017-09-15Z`; connect: a Connect Date', () => {
    expect(named(map('date', 'isostring'))).toEqual(['string', 'io.debezium.time.IsoDate']);
    expect(map('date', 'isostring').fromText('2017-09-15')).toBe('2017-09-15Z');
    expect(map('date', 'isostring').fromText('0044-03-15 BC')).toBe('-0043-03-15Z');
    expect(map('date', 'isostring').fromText('21016-11-04')).toBe('+21016-11-04Z');
    expect(named(map('date', 'connect'))).toEqual(['int32', 'org.apache.kafka.connect.data.Date']);
    expect(map('date', 'connect').fromText('2016-11-04')).toEqual(new Date(utcMs(2016, 10, 4)));
    expect(() => map('date', 'connect').fromText('infinity')).toThrow(DataError);
  });
});

describe('time', () => {
  it('adaptive: TIME(0-3) → io.debezium.time.Time ms, TIME(4-6) and TIME → MicroTime µs (ARPT ti, tip, ttf)', () => {
    expect(named(map('time', 'adaptive', 3))).toEqual(['int32', 'io.debezium.time.Time']);
    expect(map('time', 'adaptive', 3).fromText('13:51:30.123')).toBe(49890123);
    expect(named(map('time'))).toEqual(['int64', 'io.debezium.time.MicroTime']);
    expect(map('time').fromText('13:51:30')).toBe(49890000000);
    expect(map('time', 'adaptive', 5).fromText('13:51:30.12345')).toBe(49890123450);
    expect(map('time').fromText('24:00:00')).toBe(86400000000);
  });

  it('adaptive_time_microseconds and microseconds: always µs; nanoseconds: NanoTime', () => {
    expect(named(map('time', 'adaptive_time_microseconds', 0))).toEqual(['int64', 'io.debezium.time.MicroTime']);
    expect(map('time', 'microseconds', 2).fromText('00:00:01.25')).toBe(1250000);
    expect(named(map('time', 'nanoseconds'))).toEqual(['int64', 'io.debezium.time.NanoTime']);
    expect(map('time', 'nanoseconds').fromText('13:51:30.123456')).toBe(49890123456000);
  });

  it('isostring: io.debezium.time.IsoTime `04:05:11.789Z` (24:00 wraps); connect: Connect Time', () => {
    expect(named(map('time', 'isostring'))).toEqual(['string', 'io.debezium.time.IsoTime']);
    expect(map('time', 'isostring').fromText('04:05:11.789')).toBe('04:05:11.789Z');
    expect(map('time', 'isostring').fromText('04:05:00')).toBe('04:05:00Z');
    expect(map('time', 'isostring').fromText('24:00:00')).toBe('00:00:00Z');
    expect(named(map('time', 'connect'))).toEqual(['int32', 'org.apache.kafka.connect.data.Time']);
    expect(map('time', 'connect').fromText('13:51:30.123456')).toEqual(new Date(49890123));
  });

  it('timetz: io.debezium.time.ZonedTime moved to UTC, fewest fraction digits (ARPT ttz, tptz)', () => {
    const m = map('timetz', 'connect');
    expect(named(m)).toEqual(['string', 'io.debezium.time.ZonedTime']);
    expect(m.fromText('13:51:30.123789+02')).toBe('11:51:30.123789Z');
    expect(m.fromText('13:51:30.120+02')).toBe('11:51:30.12Z');
    expect(m.fromText('11:51:02+00')).toBe('11:51:02Z');
    expect(m.fromText('23:30:00-01:30')).toBe('01:00:00Z');
    expect(m.fromText('24:00:00+00')).toBe('24:00:00Z'); // PostgresTimeBoundary
    expect(m.fromText('24:00:00+05:30')).toBe('18:30:00Z');
    expect(() => m.fromText('25:00')).toThrow(DataError);
  });
});

describe('timestamp (the wall clock read as UTC)', () => {
  const µs = (ms: number, extra: number): bigint => BigInt(ms) * 1000n + BigInt(extra);

  it('adaptive: TIMESTAMP(0-3) → Timestamp ms, TIMESTAMP(4-6) and TIMESTAMP → MicroTimestamp (docs example, ARPT ts, ts_ms)', () => {
    expect(named(map('timestamp'))).toEqual(['int64', 'io.debezium.time.MicroTimestamp']);
    expect(map('timestamp').fromText('2018-06-20 15:13:16.945104')).toBe(1529507596945104);
    expect(named(map('timestamp', 'adaptive', 3))).toEqual(['int64', 'io.debezium.time.Timestamp']);
    expect(map('timestamp', 'adaptive', 3).fromText('2016-11-04 13:51:30.123')).toBe(1478267490123);
    expect(map('timestamp', 'adaptive_time_microseconds', 0).fromText('2016-11-04 13:51:30')).toBe(1478267490000);
    expect(map('timestamp').fromText('1936-10-25 22:10:12.608')).toBe(utcMs(1936, 9, 25, 22, 10, 12, 608) * 1000);
    expect(map('timestamp').fromText('1969-12-31 23:59:59.999999')).toBe(-1);
  });

  it('beyond 2^53 µs the value is an exact bigint (ARPT ts_large, ts_max, ts_min)', () => {
    expect(map('timestamp').fromText('21016-11-04 13:51:30.123456')).toBe(µs(utcMs(21016, 10, 4, 13, 51, 30), 123456));
    expect(map('timestamp').fromText('294247-01-01 23:59:59.999999')).toBe(9223371331200000000n - 1n);
    expect(map('timestamp').fromText('4713-12-31 23:59:59.999999 BC')).toBe(-210831897600000001n);
    expect(map('timestamp', 'adaptive', 3).fromText('21016-11-04 13:51:30.124')).toBe(utcMs(21016, 10, 4, 13, 51, 30, 124));
  });

  it("infinity is PGStatement's DATE_POSITIVE/NEGATIVE_INFINITY (docs: TIMESTAMP type; PTPHIT)", () => {
    expect(map('timestamp').fromText('infinity')).toBe(9223372036825200000n);
    expect(map('timestamp').fromText('-infinity')).toBe(-9223372036832400000n);
    expect(map('timestamp', 'adaptive', 3).fromText('infinity')).toBe(9223372036825200n);
    expect(map('timestamp', 'adaptive', 3).fromText('-infinity')).toBe(-9223372036832400n);
    expect(map('timestamp', 'nanoseconds').fromText('infinity')).toBe(9223372036854775807n);
    expect(map('timestamp', 'nanoseconds').fromText('-infinity')).toBe(-9223372036854775808n);
    expect(map('timestamp', 'isostring').fromText('infinity')).toBe('+294247-01-10T04:00:25.2Z');
    expect(map('timestamp', 'isostring').fromText('-infinity')).toBe('-290308-12-21T19:59:27.6Z');
  });

  it('microseconds and nanoseconds modes; nanoseconds outside int64 is null when optional, an error when required', () => {
    expect(named(map('timestamp', 'microseconds', 1))).toEqual(['int64', 'io.debezium.time.MicroTimestamp']);
    expect(named(map('timestamp', 'nanoseconds'))).toEqual(['int64', 'io.debezium.time.NanoTimestamp']);
    expect(map('timestamp', 'nanoseconds').fromText('2016-11-04 13:51:30.123456')).toBe(1478267490123456000n);
    expect(map('timestamp', 'nanoseconds').fromText('1970-01-01 00:00:01.5')).toBe(1500000000);
    expect(map('timestamp', 'nanoseconds').fromText('9999-12-31 00:00:00')).toBeNull();
    expect(() => map('timestamp', 'nanoseconds', -1, false).fromText('9999-12-31 00:00:00')).toThrow(DataError);
  });

  it('isostring: io.debezium.time.IsoTimestamp; connect: Connect Timestamp', () => {
    expect(named(map('timestamp', 'isostring'))).toEqual(['string', 'io.debezium.time.IsoTimestamp']);
    expect(map('timestamp', 'isostring').fromText('2019-07-09 02:28:57.123456')).toBe('2019-07-09T02:28:57.123456Z');
    expect(map('timestamp', 'isostring').fromText('2019-07-09 02:28:00.5')).toBe('2019-07-09T02:28:00.5Z');
    expect(map('timestamp', 'isostring').fromText('0044-03-15 12:00:00 BC')).toBe('-0043-03-15T12:00:00Z');
    expect(named(map('timestamp', 'connect'))).toEqual(['int64', 'org.apache.kafka.connect.data.Timestamp']);
    expect(map('timestamp', 'connect').fromText('2016-11-04 13:51:30.123456')).toEqual(new Date(1478267490123));
    expect(() => map('timestamp', 'connect').fromText('infinity')).toThrow(DataError);
  });

  it('rejects text that is not an ISO timestamp', () => {
    expect(() => map('timestamp').fromText('11/04/2016 13:51')).toThrow(/column col \(timestamp\)/);
    expect(() => map('timestamp').fromText('2016-11-04 13:51:30 AD')).toThrow(DataError);
  });
});

describe('timestamptz', () => {
  it('io.debezium.time.ZonedTimestamp in UTC with the column precision as fraction width, in every mode (ARPT tz, tz_zero)', () => {
    for (const mode of ['adaptive', 'connect', 'isostring', 'nanoseconds'] as const) {
      const m = map('timestamptz', mode);
      expect(named(m)).toEqual(['string', 'io.debezium.time.ZonedTimestamp']);
      expect(m.fromText('2016-11-04 11:51:30.123456+00')).toBe('2016-11-04T11:51:30.123456Z');
    }
    const m = map('timestamptz');
    expect(m.fromText('2020-04-01 11:51:02+00')).toBe('2020-04-01T11:51:02.000000Z');
    expect(m.fromText('2016-11-04 13:51:30.1+02')).toBe('2016-11-04T11:51:30.100000Z');
    expect(m.fromText('2016-01-01 00:30:00-01:30')).toBe('2016-01-01T02:00:00.000000Z');
    expect(m.fromText('21016-11-04 06:51:30.123456+00')).toBe('+21016-11-04T06:51:30.123456Z');
    expect(m.fromText('4714-12-31 23:59:59.999999+00 BC')).toBe('-4713-12-31T23:59:59.999999Z');
    expect(map('timestamptz', 'adaptive', 3).fromText('2016-11-04 11:51:30.12+00')).toBe('2016-11-04T11:51:30.120Z');
    expect(map('timestamptz', 'adaptive', 0).fromText('2016-11-04 11:51:30+00')).toBe('2016-11-04T11:51:30Z');
  });

  it('infinity stays infinity', () => {
    expect(map('timestamptz').fromText('infinity')).toBe('infinity');
    expect(map('timestamptz').fromText('-infinity')).toBe('-infinity');
  });
});

describe('interval', () => {
  const numeric = map('interval');
  const string = map('interval', 'adaptive', -1, true, { interval: 'string' });

  it('numeric: io.debezium.time.MicroDuration, months of 365.25/12 days (docs; ARPT it)', () => {
    expect(named(numeric)).toEqual(['int64', 'io.debezium.time.MicroDuration']);
    expect(numeric.fromText('P1Y2M3DT4H5M6.78S')).toBe(37091106780000);
    expect(numeric.fromText('P1M')).toBe(2629800000000);
    expect(numeric.fromText('P1D')).toBe(86400000000);
    expect(numeric.fromText('PT0.0864S')).toBe(86400);
    expect(numeric.fromText('PT-1H')).toBe(-3600000000);
    expect(numeric.fromText('PT0S')).toBe(0);
    expect(numeric.fromText('infinity')).toBe(0); // pgjdbc's PGInterval reads it as a zero interval
    expect(numeric.fromText('P1000Y')).toBe(31557600000000000n);
    expect(numeric.fromText('P178000000Y')).toBe(9223372036854775807n); // Java's (long) cast saturates
  });

  it('string: io.debezium.time.Interval `P<y>Y<m>M<d>DT<h>H<m>M<s>S` (docs example; ARPT schemaAndValuesForIntervalAsString)', () => {
    expect(named(string)).toEqual(['string', 'io.debezium.time.Interval']);
    expect(string.fromText('P1Y2M3DT4H5M6.78S')).toBe('P1Y2M3DT4H5M6.78S');
    expect(string.fromText('PT0S')).toBe('P0Y0M0DT0H0M0S');
    expect(string.fromText('P-1Y-2M3DT-4H-5M-6.78S')).toBe('P-1Y-2M3DT-4H-5M-6.78S');
    expect(string.fromText('PT0.000001S')).toBe('P0Y0M0DT0H0M0.000001S');
    expect(string.fromText('PT1M60S')).toBe('P0Y0M0DT0H1M60S');
    expect(() => string.fromText('1 day')).toThrow(DataError);
  });
});
