/**
 * The partitioned log: the one interface everything above the storage layer reads and writes through.
 *
 * Two implementations: `EmbeddedLog` (`./embedded/`, files on this machine) and, later, `KafkaLog`
 * (kafkajs against a real cluster). Nothing here may assume either: offsets are numbers that only
 * grow within a partition, batches (never single records) cross the interface, and every call is
 * asynchronous.
 *
 * @example
 * ```ts
 * const log = await EmbeddedLog.open({ dataDir: '/var/lib/tributary' });
 * await log.createTopic('orders', { partitions: 3, configs: { 'cleanup.policy': 'delete' } });
 * const { baseOffset } = await log.append('orders', 0, [{ key: null, value: Buffer.from('hi') }]);
 * const { records } = await log.read('orders', 0, baseOffset, { maxBytes: 1 << 20 });
 * await log.close();
 * ```
 */

/** A record header. Keys are UTF-8 strings; a null value is allowed, as in Kafka. */
export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** A record to append. */
export interface LogRecord {
  readonly key: Buffer | null;
  /** `null` is a tombstone: on a compacted topic it deletes the key. */
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** Milliseconds since the epoch; the log's clock when absent. */
  readonly timestamp?: number;
}

/** A record as read back, with the offset the log assigned. */
export interface StoredRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type Compression = 'none' | 'gzip';

/**
 * Per-topic configuration, with Kafka's names and defaults. Values given at creation override the
 * defaults; `describeTopic` returns the full resolved set.
 */
export interface TopicConfig {
  /** `delete` (default): retention removes old segments. `compact`: keep the newest record per key. */
  readonly 'cleanup.policy': CleanupPolicy;
  /** Closed segments whose newest record is older than this are deleted; -1 = forever. Default 7 days. */
  readonly 'retention.ms': number;
  /** Oldest closed segments are deleted while the partition is bigger than this; -1 (default) = no limit. */
  readonly 'retention.bytes': number;
  /** Roll to a new segment when the active one would pass this many bytes. Default 1 GiB. */
  readonly 'segment.bytes': number;
  /** Roll when the active segment's first record is older than this. Default 7 days. */
  readonly 'segment.ms': number;
  /** Records younger than this are never compacted. Default 0. */
  readonly 'min.compaction.lag.ms': number;
  /** How long a tombstone is kept after its timestamp once it is the newest record for its key. Default 1 day. */
  readonly 'delete.retention.ms': number;
  /** Largest batch accepted, in bytes (Kafka's 1,048,588 by default). */
  readonly 'max.message.bytes': number;
  /** Codec for batches the log encodes itself. Default `none`. */
  readonly 'compression.type': Compression;
}

export interface CreateTopicOptions {
  /** Number of partitions, ≥ 1. Default 1. */
  readonly partitions?: number;
  /** Overrides, by Kafka config name; values may be given as strings as on a command line. */
  readonly configs?: Readonly<Record<string, string | number>>;
}

export interface PartitionDescription {
  readonly partition: number;
  /** First offset still in the log (after retention). */
  readonly earliestOffset: number;
  /** Offset the next appended record will get (Kafka's log end offset / high watermark). */
  readonly latestOffset: number;
  readonly sizeBytes: number;
  readonly segments: number;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: readonly PartitionDescription[];
  readonly configs: TopicConfig;
}

export interface AppendResult {
  /** Offset of the first record of the batch. */
  readonly baseOffset: number;
  /** Offset of the last record of the batch. */
  readonly lastOffset: number;
}

export interface ReadOptions {
  /**
   * Byte budget of the answer. The batch holding `offset` is always returned whole even when it is
   * larger (Kafka's KIP-74), so a reader always makes progress.
   */
  readonly maxBytes?: number;
  /** When nothing is available at `offset`, wait this long for new data (long poll). Default 0. */
  readonly maxWaitMs?: number;
  /** Aborts a long poll early; the read then answers with what it has (possibly nothing). */
  readonly signal?: AbortSignal;
}

export interface ReadResult {
  /** Records at or after the requested offset, in offset order. Offsets may skip (compaction). */
  readonly records: readonly StoredRecord[];
  /** Where the next read should start: one past the last offset covered by this answer. */
  readonly nextOffset: number;
  /** The partition's latest offset when the read was answered. */
  readonly highWatermark: number;
  /** The partition's earliest offset when the read was answered. */
  readonly logStartOffset: number;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface CommittedOffset extends TopicPartition {
  /** The next offset the group will read (Kafka semantics). */
  readonly offset: number;
  readonly metadata?: string | null;
}

export interface Log {
  /** Creates a topic. Fails with TOPIC_ALREADY_EXISTS, INVALID_TOPIC, INVALID_PARTITIONS or INVALID_CONFIG. */
  createTopic(topic: string, options?: CreateTopicOptions): Promise<void>;
  /** Deletes a topic and its data. Fails with UNKNOWN_TOPIC_OR_PARTITION. */
  deleteTopic(topic: string): Promise<void>;
  /** Names of all topics, sorted, internal ones (`__*`) included. */
  listTopics(): Promise<string[]>;
  /** Partitions, offsets and resolved configs of a topic. Fails with UNKNOWN_TOPIC_OR_PARTITION. */
  describeTopic(topic: string): Promise<TopicDescription>;

  /**
   * Appends a batch to one partition and resolves once it is durable (fsync'ed when the log's
   * flush mode is `fsync`). Concurrent appends to one partition are ordered by call order and share
   * one sync. The batch gets consecutive offsets. An empty batch is refused. Fails with
   * MESSAGE_TOO_LARGE (encoded batch above `max.message.bytes`), INVALID_RECORD (a keyless record on
   * a compacted topic) or UNKNOWN_TOPIC_OR_PARTITION; on failure nothing of the batch is visible.
   */
  append(topic: string, partition: number, records: readonly LogRecord[]): Promise<AppendResult>;

  /**
   * Reads records from `offset` on. Only durable records are returned. An offset below the log start
   * or above the latest offset fails with OFFSET_OUT_OF_RANGE; `offset === latest` waits up to
   * `maxWaitMs` and then returns no records.
   */
  read(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<ReadResult>;

  /** First offset still stored. */
  earliestOffset(topic: string, partition: number): Promise<number>;
  /** Offset the next record will get (the high watermark). */
  latestOffset(topic: string, partition: number): Promise<number>;
  /**
   * First offset whose record timestamp is ≥ `timestamp` (Kafka's ListOffsets by time), or null when
   * every stored record is older.
   */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null>;

  /** Stores a consumer group's positions durably; a later commit for the same partition replaces it. */
  commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void>;
  /** A group's committed positions, optionally only for some partitions. Unknown group → empty. */
  fetchOffsets(group: string, partitions?: readonly TopicPartition[]): Promise<CommittedOffset[]>;
  /** Forgets a group's positions (all of them, or only those given). */
  deleteOffsets(group: string, partitions?: readonly TopicPartition[]): Promise<void>;
  /** Names of groups with committed offsets. */
  listGroups(): Promise<string[]>;

  /** Flushes and releases everything; later calls fail with LOG_CLOSED. */
  close(): Promise<void>;
}
