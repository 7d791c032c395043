/**
 * Session settings every connection of the connector uses (snapshot readers, catalog queries and the
 * replication connection alike), so that Postgres prints values in one text format whatever the
 * server's defaults: ISO dates, ISO-8601 intervals, timestamptz in UTC, floats exact, bytea as hex.
 * Value parsing (`pg-value-mapping.ts`) relies on exactly these formats.
 */
export const SESSION_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  DateStyle: 'ISO, MDY',
  IntervalStyle: 'iso_8601',
  TimeZone: 'UTC',
  extra_float_digits: '3',
  bytea_output: 'hex',
  client_encoding: 'UTF8',
  lc_monetary: 'C',
});

/** The settings as a libpq `options` startup parameter (`-c key=value ...`). */
export function sessionOptions(): string {
  return Object.entries(SESSION_SETTINGS)
    .map(([k, v]) => `-c ${k}=${v.replace(/[\\ ]/g, (c) => `\\${c}`)}`)
    .join(' ');
}
