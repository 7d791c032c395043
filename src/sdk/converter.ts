/**
 * Converters turn Connect data into the bytes stored in the log and back (Kafka Connect's
 * `Converter` and `HeaderConverter`). The runtime creates one key converter and one value converter
 * per task (and one header converter), calls `configure` once, then calls the conversions from the
 * task loop, one record at a time but never across an `await`: conversions are synchronous.
 *
 * A record that cannot be read throws `DataError` naming what is wrong; the runtime fails the task
 * (or, with error tolerance, reports the record) and never drops it silently.
 *
 * @example
 * ```ts
 * const c = new JsonConverter();
 * c.configure({ 'schemas.enable': 'false' }, false);
 * c.fromConnectData('t', null, { a: 1 }); // Buffer '{"a":1}'
 * ```
 */
import type { ConfigDef } from './config-def.js';
import type { ConnectHeader } from './records.js';
import type { Schema } from './schema.js';

export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export interface Converter {
  /** Settings with the `key.converter.` / `value.converter.` prefix removed. Throws ConfigError. */
  configure(configs: Readonly<Record<string, string>>, isKey: boolean): void;
  /** The converter's settings, for validation and documentation. */
  config(): ConfigDef;
  /** Connect data → bytes; `null` value → `null` bytes (a tombstone stays a tombstone). */
  fromConnectData(topic: string, schema: Schema | null, value: unknown, headers?: readonly ConnectHeader[]): Buffer | null;
  /** Bytes → Connect data; `null` bytes → value `null` (schema null or optional). Throws DataError. */
  toConnectData(topic: string, bytes: Buffer | null, headers?: readonly ConnectHeader[]): SchemaAndValue;
}

export interface HeaderConverter {
  configure(configs: Readonly<Record<string, string>>): void;
  config(): ConfigDef;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null;
  toConnectHeader(topic: string, headerKey: string, bytes: Buffer | null): SchemaAndValue;
}
