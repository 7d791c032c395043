/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.InsertHeader`: appends header `header` with
 * `value.literal` to every record. The literal's schema and value are inferred once, as Kafka's
 * `Values.parseString` does (the SDK's `parseString`): `1` is an int8, `true` a boolean,
 * `2024-01-31` a Date, `[1,2]` an array of int8, `null` no value, anything else a string. A literal
 * the parser refuses (`1e999999999`, which Java's BigDecimal cannot rescale) is a config error.
 */
import { ConfigDef, ConfigError, type ConnectHeader, type ConnectRecord, DataError, type SchemaAndValue, type Transformation, parseString } from '../../src/sdk/index.js';

const CONFIG_DEF = new ConfigDef()
  .define({ name: 'header', type: 'STRING', importance: 'HIGH', documentation: 'The name of the header.' })
  .define({ name: 'value.literal', type: 'STRING', importance: 'HIGH', documentation: 'The literal value that is to be set as the header value on all records.' });

export class InsertHeader implements Transformation {
  private header: ConnectHeader | null = null;

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    const text = cfg.getString('value.literal')!;
    let literal: SchemaAndValue;
    try {
      literal = parseString(text);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      throw new ConfigError(`Invalid value ${text} for configuration value.literal: ${err.message}`, { cause: err, key: 'value.literal' });
    }
    this.header = Object.freeze({ key: cfg.getString('header')!, schema: literal.schema, value: literal.value });
  }

  apply(record: ConnectRecord): ConnectRecord {
    const headers = record.headers.slice();
    headers.push(this.header!);
    return { ...record, headers };
  }

  close(): void {}
}
