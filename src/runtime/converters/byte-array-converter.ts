/**
 * Kafka Connect's `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through
 * unchanged; reads give an optional bytes schema.
 */
import {
  type Converter,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
  ConfigDef,
  DataError,
  Schemas,
} from '../../sdk/index.js';
import { converterTypeKey } from './converter-config.js';

const CONFIG_DEF = new ConfigDef().define(converterTypeKey);

export class ByteArrayConverter implements Converter, HeaderConverter {
  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(configs: Readonly<Record<string, string>>, _isKey?: boolean): void {
    CONFIG_DEF.parse(configs);
  }

  /** Accepts a Buffer (any Uint8Array) or null; a non-bytes schema or any other value is a DataError. */
  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema !== undefined && schema.type !== 'bytes') {
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type.toUpperCase()} (topic "${topic}")`);
    }
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
    throw new DataError(`ByteArrayConverter is not compatible with objects of type ${kind} (topic "${topic}")`);
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_BYTES, value: bytes ?? null };
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}
