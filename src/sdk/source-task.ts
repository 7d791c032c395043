/**
 * A source task reads from an external system and hands records to the runtime (Kafka Connect's
 * `SourceTask`). The runtime drives it from one loop:
 *
 * 1. `start(props, context)` once, with one of the maps the connector's `taskConfigs` returned.
 *    Read where to resume from `context.offsetStorageReader` here.
 * 2. `poll(signal)` repeatedly. Return a batch of records, or an empty array after waiting a while
 *    (≈ up to a second) when there is nothing new: the runtime calls `poll` again at once. `poll` must
 *    resolve promptly once `signal` is aborted (pause, stop, shutdown). Throw `RetriableError` to be
 *    polled again after a backoff; anything else fails the task.
 * 3. `commit(offsets)` after the runtime has durably stored source offsets, with the newest offset
 *    committed per source partition. A task that acknowledges its source (a replication slot, a
 *    queue) does so here, never earlier: only these offsets are safe.
 * 4. `stop()` once, after the last `poll` has settled. Release everything.
 *
 * The ack contract: the task never stores offsets itself. Each record carries its
 * `sourcePartition`/`sourceOffset`; the runtime commits an offset only once that record and every
 * earlier record of the same source partition are durable in the log, every
 * `offset.flush.interval.ms` and on stop. After a crash the task restarts from the last committed
 * offset, so records after it are delivered again (at-least-once).
 */
import type { TaskLogger } from './logger.js';
import type { OffsetMap, SourceRecord } from './records.js';

export interface OffsetStorageReader {
  /** The last committed offset of a source partition, or null. */
  offset(partition: OffsetMap): Promise<OffsetMap | null>;
  /** Several at once; partitions without an offset are absent from the result. */
  offsets(partitions: readonly OffsetMap[]): Promise<Array<{ partition: OffsetMap; offset: OffsetMap }>>;
}

export interface SourceTaskContext {
  readonly offsetStorageReader: OffsetStorageReader;
  readonly logger: TaskLogger;
  /** The connector's name and this task's number. */
  readonly connector: string;
  readonly taskId: number;
  /**
   * Progress of a long phase (e.g. a snapshot: tables and rows done), shown as `progress` in the
   * task's entry of `GET /connectors/{c}/status` while the task runs; null clears it. Call it every
   * few seconds at most; the latest value wins.
   */
  reportProgress?(progress: Readonly<Record<string, unknown>> | null): void;
}

export interface SourceTask {
  version(): string;
  start(props: Readonly<Record<string, string>>, context: SourceTaskContext): void | Promise<void>;
  poll(signal: AbortSignal): Promise<readonly SourceRecord[]>;
  commit?(committed: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap }>): void | Promise<void>;
  stop(): void | Promise<void>;
}
