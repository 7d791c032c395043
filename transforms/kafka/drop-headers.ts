/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.DropHeaders`: removes every header whose key
 * is in `headers` (all of its values), keeping the others in order.
 */
import { ConfigDef, type ConnectRecord, type Transformation } from '../../src/sdk/index.js';
import { nonEmptyList } from '../support/struct-values.js';

const CONFIG_DEF = new ConfigDef().define({
  name: 'headers', type: 'LIST', importance: 'HIGH', validator: nonEmptyList(), documentation: 'The name of the headers to be removed.',
});

export class DropHeaders implements Transformation {
  private drop: ReadonlySet<string> = new Set();

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.drop = new Set(CONFIG_DEF.parse(props).getList('headers'));
  }

  apply(record: ConnectRecord): ConnectRecord {
    const kept = record.headers.filter((h) => !this.drop.has(h.key));
    return { ...record, headers: kept };
  }

  close(): void {}
}
