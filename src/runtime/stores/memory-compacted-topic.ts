/**
 * The in-memory twin of `LogCompactedTopic`, for unit tests: records live in a `MemoryTopicData`
 * that several instances may share (as several workers share a topic). Delivery is synchronous on
 * send, so `readToEnd` has nothing to wait for.
 */
import { partitionForKey } from '../../log/partitioner.js';
import type { CompactedConsumer, CompactedRecord, CompactedTopic } from './compacted-topic.js';

export class MemoryTopicData {
  readonly partitions: CompactedRecord[][];
  readonly subscribers = new Set<CompactedConsumer>();

  constructor(partitions = 1) {
    this.partitions = Array.from({ length: partitions }, () => []);
  }
}

export class MemoryCompactedTopic implements CompactedTopic {
  private consumer: CompactedConsumer | null = null;

  constructor(
    readonly topic: string,
    private readonly data: MemoryTopicData = new MemoryTopicData(),
  ) {}

  async start(consumer: CompactedConsumer): Promise<void> {
    for (const part of this.data.partitions) for (const r of part) consumer(r);
    this.consumer = consumer;
    this.data.subscribers.add(consumer);
  }

  async send(records: ReadonlyArray<{ key: string; value: Buffer | null }>): Promise<void> {
    const n = this.data.partitions.length;
    const added: CompactedRecord[] = [];
    for (const r of records) {
      const p = n === 1 ? 0 : partitionForKey(Buffer.from(r.key, 'utf8'), n);
      const part = this.data.partitions[p]!;
      const rec = { key: r.key, value: r.value, partition: p, offset: part.length };
      part.push(rec);
      added.push(rec);
    }
    for (const sub of this.data.subscribers) for (const r of added) sub(r);
  }

  async readToEnd(): Promise<void> {}

  async stop(): Promise<void> {
    if (this.consumer) this.data.subscribers.delete(this.consumer);
    this.consumer = null;
  }
}
