/**
 * Kafka Connect's `Filter`: drops every record. Meant to run under a predicate (`predicate` /
 * `negate` on the transform), so that only matching (or non-matching) records are dropped.
 */
import { ConfigDef, type ConnectRecord, type Transformation } from '../../src/sdk/index.js';

const CONFIG_DEF = new ConfigDef();

export class Filter implements Transformation {
  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(): void {}

  apply(_record: ConnectRecord): null {
    return null;
  }

  close(): void {}
}
