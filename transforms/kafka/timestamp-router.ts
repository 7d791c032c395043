/**
 * Kafka Connect's `org.apache.kafka.connect.transforms.TimestampRouter`: the topic becomes
 * `topic.format` (default `${topic}-${timestamp}`) with `${topic}` replaced by the topic and then
 * `${timestamp}` by the record timestamp formatted with `timestamp.format` (default `yyyyMMdd`, a
 * SimpleDateFormat pattern, in UTC). A record without a timestamp is a DataError, as in Kafka.
 *
 * The pattern is compiled at configure time (Kafka compiles it at the first record), the topic
 * format is split once into its pieces, and formatting reuses the last text while the timestamp
 * stays within the pattern's finest unit, so a router runs at hot-path speed.
 */
import { ConfigDef, ConfigError, DataError, type ConnectRecord, type Transformation } from '../../src/sdk/index.js';
import { JavaDateFormat } from '../support/java-date-format.js';

const TOPIC = '${topic}';
const TIMESTAMP = '${timestamp}';

const CONFIG_DEF = new ConfigDef()
  .define({
    name: 'topic.format', type: 'STRING', default: '${topic}-${timestamp}', importance: 'HIGH',
    documentation: 'Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.',
  })
  .define({
    name: 'timestamp.format', type: 'STRING', default: 'yyyyMMdd', importance: 'HIGH',
    documentation: 'Format string for the timestamp that is compatible with java.text.SimpleDateFormat.',
  });

export class TimestampRouter implements Transformation {
  /** `topic.format` split at `${topic}`: the topic goes between consecutive pieces. */
  private pieces: readonly string[] = [];
  private format: JavaDateFormat | null = null;
  private lastTopic: string | null = null;
  private lastTemplate: readonly string[] = [];

  config(): ConfigDef {
    return CONFIG_DEF;
  }

  configure(props: Readonly<Record<string, string>>): void {
    const cfg = CONFIG_DEF.parse(props);
    const pattern = cfg.getString('timestamp.format')!;
    try {
      this.format = new JavaDateFormat(pattern);
    } catch (err) {
      throw new ConfigError(`Invalid value ${pattern} for configuration timestamp.format: ${(err as Error).message}`, { key: 'timestamp.format', cause: err });
    }
    this.pieces = cfg.getString('topic.format')!.split(TOPIC);
    this.lastTopic = null;
  }

  apply(record: ConnectRecord): ConnectRecord {
    if (record.timestamp === null || record.timestamp === undefined) {
      throw new DataError(`Timestamp missing on record: topic ${record.topic}, partition ${String(record.kafkaPartition)}`);
    }
    const template = this.template(record.topic);
    const ts = this.format!.format(record.timestamp);
    let topic = template[0]!;
    for (let i = 1; i < template.length; i++) topic += ts + template[i]!;
    return { ...record, topic };
  }

  close(): void {}

  /** The topic format with `${topic}` filled in, split at `${timestamp}`; remembered for the last topic. */
  private template(topic: string): readonly string[] {
    if (topic !== this.lastTopic) {
      this.lastTopic = topic;
      this.lastTemplate = this.pieces.join(topic).split(TIMESTAMP);
    }
    return this.lastTemplate;
  }
}
