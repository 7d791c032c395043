/**
 * A sink task writes records read from the log to an external system (Kafka Connect's `SinkTask`).
 * The runtime drives it from one loop:
 *
 * 1. `start(props, context)` once, then `open(partitions)` with the topic partitions assigned.
 * 2. `put(records)` with each batch read from the log (converted and transformed), in offset order
 *    per partition. `put` may write at once or buffer. Throw `RetriableError` to get the same batch
 *    again after a backoff (the runtime pauses consumption meanwhile); anything else fails the task.
 * 3. `preCommit(offsets)` before the runtime commits the consumer group's offsets, every
 *    `offset.flush.interval.ms`, when the task asks (`context.requestCommit()`) and on stop. `offsets`
 *    holds, per partition, the offset after the last record passed to `put`. Return the offsets
 *    that are safe to commit: everything before them must be durable in the external system. The
 *    default calls `flush(offsets)` and returns `offsets`. Return `[]` to commit nothing this time.
 * 4. `close(partitions)` before partitions go away (stop, rebalance), then `stop()` once.
 *
 * After a crash the task restarts from the committed offsets, so records after them are delivered
 * again (at-least-once); a sink that names its output by offset can make that exactly-once.
 *
 * A record the task cannot write (and never will: bad data, not an outage) goes to
 * `context.errantRecordReporter.report(record, error)` instead of failing the whole batch (Kafka
 * Connect's KIP-610). The connector's `errors.*` settings decide what happens to it: with
 * `errors.tolerance=all` it is logged, sent to the dead letter queue if one is configured, and
 * skipped; with `none`, `report` throws and the task fails, as if `put` had thrown. The runtime
 * commits no offset past a reported record before its dead letter queue entry is durable.
 */
import type { TaskLogger } from './logger.js';
import type { SinkRecord, TopicPartitionOffset, TopicPartitionRef } from './records.js';

export interface ErrantRecordReporter {
  /**
   * Reports `record` (as passed to `put`, or a copy of it) as not writable because of `error`.
   * Synchronous in effect: throws when the connector does not tolerate errors. The promise
   * resolves when the report is durable; the task need not await it.
   */
  report(record: SinkRecord, error: Error): Promise<void>;
}

export interface SinkTaskContext {
  readonly logger: TaskLogger;
  readonly connector: string;
  readonly taskId: number;
  /** The partitions currently assigned to this task. */
  assignment(): readonly TopicPartitionRef[];
  /** Stop delivering records of these partitions until `resume`. */
  pause(partitions: readonly TopicPartitionRef[]): void;
  resume(partitions: readonly TopicPartitionRef[]): void;
  /** Rewind or skip: the next record delivered for the partition is at `offset`. */
  seek(partition: TopicPartitionRef, offset: number): void;
  /** Commit offsets soon, without waiting for the flush interval. */
  requestCommit(): void;
  /** Where records the task cannot write go (see the file comment). */
  readonly errantRecordReporter: ErrantRecordReporter;
}

export interface SinkTask {
  version(): string;
  start(props: Readonly<Record<string, string>>, context: SinkTaskContext): void | Promise<void>;
  open?(partitions: readonly TopicPartitionRef[]): void | Promise<void>;
  put(records: readonly SinkRecord[]): void | Promise<void>;
  /** Make everything passed to `put` durable. */
  flush?(offsets: readonly TopicPartitionOffset[]): void | Promise<void>;
  preCommit?(offsets: readonly TopicPartitionOffset[]): readonly TopicPartitionOffset[] | Promise<readonly TopicPartitionOffset[]>;
  close?(partitions: readonly TopicPartitionRef[]): void | Promise<void>;
  stop(): void | Promise<void>;
}

