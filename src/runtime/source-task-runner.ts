/**
 * Runs a source task (Kafka Connect's WorkerSourceTask): poll → transforms → converters → log
 * appends in batches, with offsets committed only up to what the log has made durable.
 *
 * Appends are not awaited one by one: each polled batch is split by topic partition and appended
 * concurrently (the log keeps call order per partition), and the loop waits only when the bytes in
 * flight pass `producer.buffer.memory`. An append that fails fails the task; offsets of records not
 * durable are never committed, so a restart redelivers them.
 */
import { TributaryError } from '../errors/codes.js';
import type { Log, LogRecord, RecordHeader } from '../log/log.js';
import { partitionForKey } from '../log/partitioner.js';
import { isRetriable } from '../sdk/errors.js';
import type { SourceRecord } from '../sdk/records.js';
import type { OffsetStorageReader, SourceTask } from '../sdk/source-task.js';
import type { OffsetStore } from './stores/offset-store.js';
import { SubmittedBatches, type SourceOffset } from './submitted-batches.js';
import type { TaskConverters, TransformChain } from './task-plugins.js';
import { TaskRunner, type TaskRunnerBase } from './task-runner.js';
import { backoffDelay, sleep } from './retry.js';
import type { Clock } from '../util/clock.js';

export interface SourceRunnerDeps extends TaskRunnerBase {
  readonly task: SourceTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly log: Log;
  readonly offsets: OffsetStore;
  readonly converters: TaskConverters;
  readonly transforms: TransformChain<SourceRecord>;
  readonly clock: Clock;
  readonly offsetFlushIntervalMs: number;
  readonly offsetFlushTimeoutMs: number;
  readonly bufferBytes: number;
  /** Partition count of a topic, creating it when allowed; cached by the caller. */
  readonly topicPartitions: (topic: string) => Promise<number>;
  /** Told about each topic the task writes to (for `/connectors/{c}/topics`). */
  readonly topicUsed: (topic: string) => void;
}

export class SourceTaskRunner extends TaskRunner {
  private readonly submitted = new SubmittedBatches();
  private readonly partitionCounts = new Map<string, number>();
  /** Counts polled batches; keyless records of one batch share a partition. */
  private batchNo = 0;
  private appendFailure: unknown = null;
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SourceRunnerDeps) {
    super(deps);
  }

  protected async initialize(): Promise<void> {
    const { offsets, id, task, taskConfig, logger } = this.deps;
    const reader: OffsetStorageReader = {
      offset: async (partition) => offsets.get(id.connector, partition),
      offsets: async (partitions) =>
        partitions.flatMap((partition) => {
          const offset = offsets.get(id.connector, partition);
          return offset ? [{ partition, offset }] : [];
        }),
    };
    await task.start(taskConfig, { offsetStorageReader: reader, logger, connector: id.connector, taskId: id.task });
    this.commitTimer = setInterval(() => void this.commitOffsets(), this.deps.offsetFlushIntervalMs);
    this.commitTimer.unref();
  }

  protected async execute(): Promise<void> {
    let retries = 0;
    while (!this.stopping) {
      if (!(await this.waitWhilePaused())) break;
      if (this.appendFailure) throw this.appendFailure;
      let records: readonly SourceRecord[];
      try {
        records = await this.deps.task.poll(this.pauseSignal.signal);
        retries = 0;
      } catch (err) {
        if (this.stopping) break;
        if (!isRetriable(err)) throw err;
        const wait = (err as { retryAfterMs?: number }).retryAfterMs ?? backoffDelay(retries++);
        this.deps.logger.warn(`poll failed, retrying in ${wait} ms: ${(err as Error).message}`);
        await sleep(wait, this.stopSignal.signal);
        continue;
      }
      if (records.length === 0) continue;
      await this.send(records);
      await this.submitted.waitBelow(this.deps.bufferBytes);
    }
  }

  /** Converts a polled batch and appends it; returns once the appends are under way. */
  private async send(records: readonly SourceRecord[]): Promise<void> {
    const { converters, transforms } = this.deps;
    const offsets = new Map<string, SourceOffset>();
    const out: Array<{ topic: string; explicit: number | null; record: LogRecord }> = [];
    let bytes = 0;
    for (const original of records) {
      if (original.sourcePartition && original.sourceOffset) {
        offsets.set(JSON.stringify(original.sourcePartition), { partition: original.sourcePartition, offset: original.sourceOffset });
      }
      const r = transforms.empty ? original : transforms.apply(original);
      if (r === null) continue;
      const key = converters.key.fromConnectData(r.topic, r.keySchema, r.key, r.headers);
      const value = converters.value.fromConnectData(r.topic, r.valueSchema, r.value, r.headers);
      let headers: RecordHeader[] | undefined;
      if (r.headers.length > 0) {
        headers = r.headers.map((h) => ({ key: h.key, value: converters.header.fromConnectHeader(r.topic, h.key, h.schema, h.value) }));
      }
      out.push({ topic: r.topic, explicit: r.kafkaPartition, record: { key, value, timestamp: r.timestamp ?? undefined, headers } });
      bytes += (key?.length ?? 0) + (value?.length ?? 0) + 16;
    }
    // Topics seen for the first time: look up (or create) them once, not per record.
    for (const o of out) {
      if (this.partitionCounts.has(o.topic)) continue;
      this.partitionCounts.set(o.topic, await this.deps.topicPartitions(o.topic));
      this.deps.topicUsed(o.topic);
    }
    this.batchNo++;
    const groups = new Map<string, { topic: string; partition: number; records: LogRecord[] }>();
    for (const o of out) {
      const partition = this.partitionFor(o.topic, o.explicit, o.record.key);
      const gk = `${o.topic}\u0000${partition}`;
      let g = groups.get(gk);
      if (!g) groups.set(gk, (g = { topic: o.topic, partition, records: [] }));
      g.records.push(o.record);
    }
    const batch = this.submitted.submit(offsets, bytes, groups.size);
    for (const g of groups.values()) {
      this.deps.log.append(g.topic, g.partition, g.records).then(
        () => this.submitted.acked(batch),
        (err: unknown) => {
          this.appendFailure ??= new TributaryError('CONNECT_FATAL', `append to ${g.topic}-${g.partition} failed: ${(err as Error).message}`, { cause: err });
          this.pauseSignal.abort();
        },
      );
    }
  }

  private partitionFor(topic: string, explicit: number | null, key: Buffer | null): number {
    const n = this.partitionCounts.get(topic)!;
    if (explicit !== null) {
      if (!Number.isInteger(explicit) || explicit < 0 || explicit >= n) {
        throw new TributaryError('CONNECT_FATAL', `a record for topic ${topic} names partition ${explicit}, but the topic has ${n} partition(s)`);
      }
      return explicit;
    }
    if (key !== null) return partitionForKey(key, n);
    // Keyless records: one partition per polled batch, rotating (as Kafka's sticky partitioner).
    return this.batchNo % n;
  }

  /** Commits the offsets that became durable; one commit at a time. */
  commitOffsets(): Promise<void> {
    const run = async (): Promise<void> => {
      const entries = this.submitted.takeCommittable();
      if (entries.length === 0) return;
      try {
        await this.deps.offsets.put(this.id.connector, entries);
      } catch (err) {
        this.submitted.restore(entries);
        this.deps.logger.error(`offset commit failed: ${(err as Error).message}`);
        return;
      }
      try {
        await this.deps.task.commit?.(entries);
      } catch (err) {
        this.deps.logger.warn(`task commit hook failed: ${(err as Error).message}`);
      }
    };
    this.committing = this.committing.then(run);
    return this.committing;
  }

  protected async shutdown(): Promise<void> {
    if (this.commitTimer) clearInterval(this.commitTimer);
    // Give in-flight appends the flush timeout to become durable, then commit what is.
    await Promise.race([this.submitted.waitBelow(0), sleep(this.deps.offsetFlushTimeoutMs)]);
    await this.commitOffsets();
    await this.deps.task.stop();
  }
}
