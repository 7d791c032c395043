/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.InsertHeader`: appends header `header` with
 * `value.literal` to every record. The literal's schema and value are inferred once, as Kafka's
 * `Values.parseString` does (`support/header-literal.ts`): `1` is an int8, `true` a boolean,
 * `2024-01-31` a Date, `[1,2]` an array of int8, `null` no value, anything else a string.
 */
import { ConfigDef, type ConnectHeader, type ConnectRecord, type Transformation } from '../../src/sdk/index.js';
import { parseLiteral } from '../support/header-literal.js';

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
    const literal = parseLiteral(cfg.getString('value.literal')!);
    this.header = Object.freeze({ key: cfg.getString('header')!, schema: literal.schema, value: literal.value });
  }

  apply(record: ConnectRecord): ConnectRecord {
    const headers = record.headers.slice();
    headers.push(this.header!);
    return { ...record, headers };
  }

  close(): void {}
}
