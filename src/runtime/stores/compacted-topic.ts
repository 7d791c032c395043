/**
 * "A compacted topic read to its end, then tailed" (Kafka Connect's KafkaBasedLog): the one
 * primitive under the config, offset and status stores.
 *
 * `start()` makes sure the topic exists with `cleanup.policy=compact`, then delivers every stored
 * record to the consumer in offset order per partition before it resolves. Afterwards records
 * written by anyone (this process or, later, other workers) keep arriving through the same
 * callback. `readToEnd()` resolves once everything written before the call has been delivered.
 *
 * Two implementations: `LogCompactedTopic` over any `Log` (embedded or Kafka) and
 * `MemoryCompactedTopic`, the in-memory twin for unit tests.
 */

export interface CompactedRecord {
  readonly key: string;
  /** null = tombstone */
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: number;
}

/** Called for each record, in order within a partition; must not throw for bad data (log and skip). */
export type CompactedConsumer = (record: CompactedRecord) => void;

export interface CompactedTopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Refuse an existing topic with a different partition count (the config topic must have 1). */
  readonly exactPartitions?: boolean;
}

export interface CompactedTopic {
  readonly topic: string;
  start(consumer: CompactedConsumer): Promise<void>;
  /**
   * Appends records and resolves once they are durable. Records with the same key go to the same
   * partition (murmur2 of the key, as Kafka's producer), so their order is kept; records of one
   * call that land in one partition are appended as one atomic batch.
   */
  send(records: ReadonlyArray<{ key: string; value: Buffer | null }>): Promise<void>;
  readToEnd(): Promise<void>;
  stop(): Promise<void>;
}
