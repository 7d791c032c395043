/**
 * The offset store: source connectors' offsets, in the offsets topic with Kafka Connect's format
 * (reference/kafka-connect.md §2.2): key = JSON `["<connector>",{sourcePartition}]`, value = JSON
 * `{sourceOffset}` or a tombstone. Partition identity is the JSON text of the partition map.
 */
import type { OffsetMap } from '../../sdk/records.js';
import type { CompactedRecord, CompactedTopic } from './compacted-topic.js';

export interface OffsetEntry {
  readonly partition: OffsetMap;
  /** null = forget (tombstone) */
  readonly offset: OffsetMap | null;
}

export class OffsetStore {
  /** connector → partition JSON → { partition, offset } */
  private readonly data = new Map<string, Map<string, { partition: OffsetMap; offset: OffsetMap }>>();

  constructor(
    private readonly topic: CompactedTopic,
    private readonly onBadRecord: (msg: string) => void = () => {},
  ) {}

  start(): Promise<void> {
    return this.topic.start((r) => this.apply(r));
  }

  stop(): Promise<void> {
    return this.topic.stop();
  }

  /** The key text for a partition: what identifies it (byte-equal, as in Kafka Connect). */
  static partitionKey(connector: string, partition: OffsetMap): string {
    return JSON.stringify([connector, partition]);
  }

  get(connector: string, partition: OffsetMap): OffsetMap | null {
    return this.data.get(connector)?.get(JSON.stringify(partition))?.offset ?? null;
  }

  /** Every stored partition and offset of a connector. */
  all(connector: string): Array<{ partition: OffsetMap; offset: OffsetMap }> {
    return [...(this.data.get(connector)?.values() ?? [])];
  }

  /** Writes the offsets durably; resolves once they are in the log and applied here. */
  async put(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.topic.send(
      entries.map((e) => ({
        key: OffsetStore.partitionKey(connector, e.partition),
        value: e.offset === null ? null : Buffer.from(JSON.stringify(e.offset), 'utf8'),
      })),
    );
    await this.topic.readToEnd();
  }

  private apply({ key, value, offset }: CompactedRecord): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(key);
    } catch {
      this.onBadRecord(`offsets topic record at offset ${offset} ignored: key is not JSON`);
      return;
    }
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || !isMap(parsed[1])) {
      this.onBadRecord(`offsets topic record at offset ${offset} ignored: key is not ["<connector>",{partition}]`);
      return;
    }
    const [connector, partition] = parsed as [string, OffsetMap];
    const id = JSON.stringify(partition);
    let m = this.data.get(connector);
    if (value === null) {
      m?.delete(id);
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(value.toString('utf8'));
    } catch {
      this.onBadRecord(`offsets topic record at offset ${offset} ignored: value is not JSON`);
      return;
    }
    if (!isMap(v)) {
      this.onBadRecord(`offsets topic record at offset ${offset} ignored: value is not a JSON object`);
      return;
    }
    if (!m) this.data.set(connector, (m = new Map()));
    m.set(id, { partition, offset: v });
  }
}

function isMap(v: unknown): v is OffsetMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
