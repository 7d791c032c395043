/**
 * Kafka Connect's `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the default header
 * converter: writes a header value as UTF-8 text without its schema (`values-text.ts`
 * `convertToString`) and infers a schema and value when reading (the SDK's `parseString`, Kafka's
 * `Values.parseString`).
 */
import { type HeaderConverter, type Schema, type SchemaAndValue, ConfigDef, DataError, Schemas, parseString } from '../../sdk/index.js';
import { convertToString } from './values-text.js';

const CONFIG_DEF = new ConfigDef();

export class SimpleHeaderConverter implements HeaderConverter {
  config(): ConfigDef {
    return CONFIG_DEF;
  }

  /** Takes no settings. */
  configure(_configs: Readonly<Record<string, string>>): void {}

  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(convertToString(schema, value), 'utf8');
  }

  /**
   * Never fails: text that is nothing else is a string (invalid UTF-8 is replaced, as in Java), and
   * text the parser refuses (`1e999999999`) stays bytes, as Kafka keeps it.
   */
  toConnectHeader(_topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    try {
      return parseString(bytes.toString('utf8'));
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      return { schema: Schemas.BYTES, value: Buffer.from(bytes) };
    }
  }
}
