/**
 * The part of a record a `$Key` or `$Value` transformation works on (Kafka Connect's
 * `operatingSchema` / `operatingValue` / `newRecord` trio, written once).
 */
import type { ConnectRecord, Schema } from '../../src/sdk/index.js';

export interface RecordPart {
  /** `key` or `value`: used in error messages ("... for [purpose] of the record's key"). */
  readonly which: 'key' | 'value';
  schema(r: ConnectRecord): Schema | null;
  value(r: ConnectRecord): unknown;
  /** A copy of `r` with this part replaced (and its headers, when given); every other field (topic, offsets...) kept. */
  with<R extends ConnectRecord>(r: R, schema: Schema | null, value: unknown, headers?: R['headers']): R;
}

export const KEY: RecordPart = Object.freeze({
  which: 'key' as const,
  schema: (r: ConnectRecord) => r.keySchema,
  value: (r: ConnectRecord) => r.key,
  with: <R extends ConnectRecord>(r: R, schema: Schema | null, value: unknown, headers = r.headers): R => ({ ...r, keySchema: schema, key: value, headers }),
});

export const VALUE: RecordPart = Object.freeze({
  which: 'value' as const,
  schema: (r: ConnectRecord) => r.valueSchema,
  value: (r: ConnectRecord) => r.value,
  with: <R extends ConnectRecord>(r: R, schema: Schema | null, value: unknown, headers = r.headers): R => ({ ...r, valueSchema: schema, value, headers }),
});
