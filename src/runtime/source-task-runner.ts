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
import type { Log, LogRecord } from '../log/log.js';
import { partitionForKey } from '../log/partitioner.js';
import { isRetriable } from '../sdk/errors.js';
import type { OffsetMap, SourceRecord } from '../sdk/records.js';
import type { OffsetStorageReader, SourceTask } from '../sdk/source-task.js';
import { AppendSplitter } from './append-splitter.js';
import { ErrorHandler } from './errors/error-handler.js';
import { errorPolicy } from './errors/error-policy.js';
import { rootError } from './errors/failure.js';
import { oversizeOf, recordBytes, tooLargeError, topicSizeLimit, type TopicSizeLimit } from './record-bytes.js';
import { SourcePipeline } from './source-pipeline.js';
import type { OffsetStore } from './stores/offset-store.js';
import { SubmittedBatches, type SourceOffset } from './submitted-batches.js';
import type { TaskConverters, TransformChain } from './task-plugins.js';
import { TaskRunner, type TaskRunnerBase } from './task-runner.js';
import { retryDelay, sleep, withTimeout } from './retry.js';
import { systemClock, type Clock } from '../util/clock.js';

/** Without a size lookup: appends of APPEND_MAX_BYTES, no record check. */
const NO_SIZE_LIMIT = topicSizeLimit(Number.POSITIVE_INFINITY);

export interface SourceRunnerDeps extends TaskRunnerBase {
  readonly task: SourceTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly log: Log;
  readonly offsets: OffsetStore;
  readonly converters: TaskConverters;
  readonly transforms: TransformChain<SourceRecord>;
  readonly offsetFlushIntervalMs: number;
  readonly offsetFlushTimeoutMs: number;
  readonly bufferBytes: number;
  /** Partition count of a topic, creating it when allowed; cached by the caller. */
  readonly topicPartitions: (topic: string) => Promise<number>;
  /** Told about each topic the task writes to (for `/connectors/{c}/topics`). */
  readonly topicUsed: (topic: string) => void;
  /** The task's progress report (shown in its status). */
  readonly reportProgress: (progress: Readonly<Record<string, unknown>> | null) => void;
  /** A topic's size bounds (`topicSizeLimitOf`); default: none (appends of APPEND_MAX_BYTES, no record check). */
  readonly sizeLimit?: (topic: string) => Promise<TopicSizeLimit>;
  /** Decides about records that fail; default: tolerance none, no DLQ. */
  readonly errors?: ErrorHandler;
  /** The connector's class name: the failing class of KAFKA_PRODUCE errors. */
  readonly connectorClass?: string;
  readonly clock?: Clock;
}

export class SourceTaskRunner extends TaskRunner {
  private readonly submitted = new SubmittedBatches();
  private readonly partitionCounts = new Map<string, number>();
  /** Per topic: the byte bound of one append, and the largest lone record the topic accepts. */
  private readonly limits = new Map<string, TopicSizeLimit>();
  private readonly errors: ErrorHandler;
  private readonly clock: Clock;
  private readonly pipeline: SourcePipeline;
  /** Counts polled batches; keyless records of one batch share a partition. */
  private batchNo = 0;
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SourceRunnerDeps) {
    super(deps);
    this.clock = deps.clock ?? systemClock;
    this.errors = deps.errors ?? new ErrorHandler({ policy: errorPolicy({}), id: deps.id, logger: deps.logger, dlq: null, clock: this.clock });
    this.pipeline = new SourcePipeline(deps.converters, deps.transforms, deps.connectorClass ?? 'SourceTask');
  }

  protected async initialize(): Promise<void> {
    const { offsets, id, task, taskConfig, logger } = this.deps;
    await this.errors.dlq?.ensureTopic();
    const reader: OffsetStorageReader = {
      offset: async (partition) => offsets.get(id.connector, partition),
      offsets: async (partitions) =>
        partitions.flatMap((partition) => {
          const offset = offsets.get(id.connector, partition);
          return offset ? [{ partition, offset }] : [];
        }),
    };
    await task.start(taskConfig, { offsetStorageReader: reader, logger, connector: id.connector, taskId: id.task, reportProgress: this.deps.reportProgress });
    this.commitTimer = setInterval(() => void this.commitOffsets(), this.deps.offsetFlushIntervalMs);
    this.commitTimer.unref();
  }

  protected async execute(): Promise<void> {
    let retries = 0;
    while (!this.stopping) {
      if (!(await this.waitWhilePaused())) break;
      let records: readonly SourceRecord[];
      try {
        records = await this.deps.task.poll(this.pauseSignal.signal);
        retries = 0;
      } catch (err) {
        if (this.stopping) break;
        if (!isRetriable(err)) throw err;
        const wait = retryDelay(err, retries++);
        this.deps.logger.warn(`poll failed, retrying in ${wait} ms: ${(err as Error).message}`);
        await sleep(wait, this.stopSignal.signal);
        continue;
      }
      // A batch polled while stopping is dropped: its offsets were never committed, so the next
      // run reads it again. (An abandoned task must not append after its successor started.)
      if (records.length === 0 || this.stopping) continue;
      await this.send(records);
      await this.submitted.waitBelow(this.deps.bufferBytes);
      if (this.fatal !== null) throw this.fatal;
    }
  }

  /** Converts a polled batch and appends it; returns once the appends are under way. */
  private async send(records: readonly SourceRecord[]): Promise<void> {
    const offsets = new Map<string, SourceOffset>();
    // Parallel arrays instead of one wrapper object per record.
    const topics: string[] = [];
    const explicit: Array<number | null> = [];
    const out: LogRecord[] = [];
    const originals: SourceRecord[] = [];
    // Records of one source partition usually come in runs sharing one partition object: its JSON
    // (the identity) is computed once per run and only the run's newest offset goes in the map.
    let runPartition: OffsetMap | null = null;
    let runKey = '';
    let runOffset: OffsetMap | null = null;
    for (const original of records) {
      const sp = original.sourcePartition;
      if (sp && original.sourceOffset) {
        if (sp !== runPartition) {
          if (runPartition !== null) offsets.set(runKey, { partition: runPartition, offset: runOffset! });
          runPartition = sp;
          runKey = JSON.stringify(sp);
        }
        runOffset = original.sourceOffset;
      }
      try {
        this.convert(original, topics, explicit, out, originals);
      } catch (err) {
        // Only a failure waits (a retry) or reports; nothing of this batch is appended before the loop ends.
        await this.recordFailed(original, err, topics, explicit, out, originals);
      }
    }
    if (runPartition !== null) offsets.set(runKey, { partition: runPartition, offset: runOffset! });
    // Topics seen for the first time: look up (or create) them once, not per record.
    let lastTopic = '';
    for (const t of topics) {
      if (t === lastTopic || this.partitionCounts.has(t)) continue;
      lastTopic = t;
      this.partitionCounts.set(t, await this.deps.topicPartitions(t));
      this.limits.set(t, (await this.deps.sizeLimit?.(t)) ?? NO_SIZE_LIMIT);
      this.deps.topicUsed(t);
    }
    this.batchNo++;
    // One append per partition, split so that no append passes the topic's bound (a record bigger
    // than that goes alone): a big poll must not exceed the topic's max.message.bytes.
    const splitter = new AppendSplitter();
    let bytes = 0;
    for (let i = 0; i < out.length; i++) {
      const topic = topics[i]!;
      const record = out[i]!;
      const partition = this.partitionFor(topic, explicit[i]!, record.key);
      const limit = this.limits.get(topic)!;
      const size = recordBytes(record);
      const oversize = oversizeOf(record, size, limit);
      if (oversize !== null) {
        this.tooLarge(originals[i]!, topic, oversize, limit.record);
        continue;
      }
      splitter.add(topic, partition, record, size, limit.append);
      bytes += size;
    }
    const appends = splitter.groups;
    // The batch's dead-lettered records: one more append the batch's offsets wait for.
    const dead = this.errors.dlq?.flush() ?? null;
    const batch = this.submitted.submit(offsets, bytes, appends.length + (dead ? 1 : 0));
    dead?.then(
      () => this.submitted.acked(batch),
      (err: unknown) => {
        this.raise(err);
        this.submitted.fail();
      },
    );
    for (const { topic, partition, records: rs } of appends) {
      // The callbacks hold the topic partition only, not the records: those can go once encoded.
      this.deps.log.append(topic, partition, rs).then(
        () => this.submitted.acked(batch),
        (err: unknown) => {
          this.raise(new TributaryError('CONNECT_FATAL', `append to ${topic}-${partition} failed: ${(err as Error).message}`, { cause: err }));
          this.submitted.fail();
        },
      );
    }
  }

  /** Transforms and converts one record into the parallel arrays; throws what failed (`pipeline.failure` names where). */
  private convert(original: SourceRecord, topics: string[], explicit: Array<number | null>, out: LogRecord[], originals: SourceRecord[]): void {
    const { pipeline } = this;
    const record = pipeline.convert(original);
    if (record === null) return;
    topics.push(pipeline.topic);
    explicit.push(pipeline.kafkaPartition);
    out.push(record);
    originals.push(original);
  }

  /** Retries a RetriableError within `errors.retry.timeout`, then hands the record to the error handler. */
  private async recordFailed(original: SourceRecord, first: unknown, topics: string[], explicit: Array<number | null>, out: LogRecord[], originals: SourceRecord[]): Promise<void> {
    const startedAt = this.clock.now();
    let err = first;
    for (let attempt = 1; ; attempt++) {
      const wait = isRetriable(rootError(err)) && !this.stopping ? this.errors.retryWait(attempt, startedAt) : null;
      if (wait === null) break;
      await sleep(wait, this.stopSignal.signal);
      try {
        this.convert(original, topics, explicit, out, originals);
        return;
      } catch (again) {
        err = again;
      }
    }
    this.errors.sourceFailed(original, this.pipeline.failure(err));
  }

  /** A converted record no append could take: Kafka's RecordTooLargeException, at stage KAFKA_PRODUCE. */
  private tooLarge(original: SourceRecord, topic: string, size: number, max: number): void {
    this.errors.sourceFailed(original, { stage: 'KAFKA_PRODUCE', className: this.pipeline.connectorClass, error: tooLargeError(size, max, topic) });
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
      if (this.abandoned) return;
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

  protected override onAbandon(): void {
    if (this.commitTimer) clearInterval(this.commitTimer);
  }

  protected async shutdown(): Promise<void> {
    if (this.commitTimer) clearInterval(this.commitTimer);
    // Give in-flight appends the flush timeout to become durable, then commit what is.
    await withTimeout(this.submitted.waitBelow(0), this.deps.offsetFlushTimeoutMs, undefined);
    await this.commitOffsets();
    await this.deps.task.stop();
  }
}
