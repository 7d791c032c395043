/**
 * Runs a sink task (Kafka Connect's WorkerSinkTask): reads its share of the subscribed topics'
 * partitions from the log as consumer group `connect-<name>`, converts and transforms each batch,
 * `put`s it, and commits the group's offsets only after `preCommit`/`flush` made the data durable.
 * A `RetriableError` from `put` redelivers the same batch after a backoff; anything else fails the
 * task without committing. A record that fails conversion, a transformation, or that the task
 * reports as errant, goes to the error handler (`errors.*`: skip and dead-letter, or fail); offsets
 * move past it only once its dead letter queue entry is durable.
 */
import { setMaxListeners } from 'node:events';
import { isTributaryError } from '../errors/codes.js';
import type { Log, StoredRecord } from '../log/log.js';
import { isRetriable } from '../sdk/errors.js';
import type { ConnectHeader, SinkRecord, TopicPartitionOffset, TopicPartitionRef } from '../sdk/records.js';
import type { SinkTask, SinkTaskContext } from '../sdk/sink-task.js';
import type { Clock } from '../util/clock.js';
import { ErrorHandler } from './errors/error-handler.js';
import { errorPolicy } from './errors/error-policy.js';
import type { Stage } from './errors/dead-letter-format.js';
import { rootError } from './errors/failure.js';
import { retryDelay, sleep } from './retry.js';
import { SinkAssignment } from './sink-assignment.js';
import { originOf, slices, type Chunk } from './sink-chunks.js';
import { failingClassName, type TaskConverters, type TransformChain } from './task-plugins.js';
import { TaskRunner, type TaskRunnerBase } from './task-runner.js';

export interface SinkRunnerDeps extends TaskRunnerBase {
  readonly task: SinkTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly log: Log;
  readonly converters: TaskConverters;
  readonly transforms: TransformChain<SinkRecord>;
  readonly clock: Clock;
  readonly group: string;
  readonly topics: readonly string[];
  readonly topicsRegex: RegExp | null;
  readonly taskCount: number;
  readonly offsetFlushIntervalMs: number;
  readonly fetchMaxBytes: number;
  readonly maxPollRecords: number;
  readonly topicUsed: (topic: string) => void;
  /** Decides about records that fail conversion, a transformation or `put` (via the errant record reporter). Default: tolerance none, no DLQ. */
  readonly errors?: ErrorHandler;
  /** The connector's class name: the failing class of TASK_PUT errors. */
  readonly connectorClass?: string;
}

const POLL_WAIT_MS = 500;
/** The shortest long poll: a commit due now must not turn the loop into a spin. */
const MIN_POLL_WAIT_MS = 10;
/**
 * Bytes read from one partition at a time (Kafka's `max.partition.fetch.bytes` default): a fetch
 * stays small enough to be delivered, and collected, while young, instead of `fetch.max.bytes`
 * (50 MiB) of records decoded at once.
 */
const MAX_PARTITION_FETCH_BYTES = 1 << 20;
/** Records are immutable: every record read without headers shares one empty list. */
const NO_HEADERS: readonly ConnectHeader[] = Object.freeze([]);
const tpKey = (t: TopicPartitionRef): string => `${t.topic}\u0000${t.partition}`;

export class SinkTaskRunner extends TaskRunner {
  private readonly assignment: SinkAssignment;
  /** Next offset to read, per assigned partition. */
  private readonly positions = new Map<string, number>();
  /** Offset after the last record passed to put, per partition. */
  private readonly current = new Map<string, TopicPartitionOffset>();
  private readonly lastCommitted = new Map<string, number>();
  private readonly pausedByTask = new Set<string>();
  private commitRequested = false;
  private lastCommitAt = 0;
  /** Records were put since the last commit began (or its flush failed). */
  private uncommitted = false;
  /** Partitions the task seeked since the last fetch: the rest of that fetch is not delivered for them. */
  private readonly seeked = new Set<string>();
  /** What the batch in `put` was read from: where an errant report finds a record's origin. */
  private putChunks: readonly Chunk[] = [];
  /** The converter at work, for the error context of a failed conversion. */
  private stage: Stage = 'KEY_CONVERTER';

  private readonly errors: ErrorHandler;

  constructor(private readonly deps: SinkRunnerDeps) {
    super(deps);
    this.errors = deps.errors ?? new ErrorHandler({ policy: errorPolicy({}), id: deps.id, logger: deps.logger, dlq: null, clock: deps.clock });
    this.assignment = new SinkAssignment(deps.log, deps.topics, deps.topicsRegex, deps.id.task, deps.taskCount);
  }

  private context(): SinkTaskContext {
    return {
      logger: this.deps.logger,
      connector: this.id.connector,
      taskId: this.id.task,
      assignment: () => this.assignment.current(),
      pause: (tps) => tps.forEach((t) => this.pausedByTask.add(tpKey(t))),
      resume: (tps) => tps.forEach((t) => this.pausedByTask.delete(tpKey(t))),
      seek: (tp, offset) => {
        // As Kafka Connect's rewind: the next read and the next commit both start from `offset`.
        const k = tpKey(tp);
        if (!this.positions.has(k)) return;
        this.positions.set(k, offset);
        this.current.set(k, { topic: tp.topic, partition: tp.partition, offset });
        this.seeked.add(k);
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      errantRecordReporter: {
        report: (record, error) => {
          this.errors.consumedFailed(originOf(record, this.putChunks, this.deps.converters), { stage: 'TASK_PUT', className: this.deps.connectorClass ?? 'SinkTask', error });
          return this.errors.dlq?.flushSoon() ?? Promise.resolve();
        },
      },
    };
  }

  protected async initialize(): Promise<void> {
    await this.errors.dlq?.ensureTopic();
    await this.deps.task.start(this.deps.taskConfig, this.context());
    this.lastCommitAt = this.deps.clock.now();
    await this.refreshAssignment(true);
  }

  private async refreshAssignment(force = false): Promise<void> {
    const change = await this.assignment.refresh(this.deps.clock.now(), force);
    if (!change) return;
    if (change.removed.length > 0) {
      await this.commit();
      await this.deps.task.close?.(change.removed);
      for (const tp of change.removed) {
        this.positions.delete(tpKey(tp));
        this.current.delete(tpKey(tp));
        this.lastCommitted.delete(tpKey(tp));
      }
    }
    if (change.added.length === 0) return;
    const committed = await this.deps.log.fetchOffsets(this.deps.group, change.added);
    for (const tp of change.added) {
      const c = committed.find((x) => x.topic === tp.topic && x.partition === tp.partition);
      const earliest = await this.deps.log.earliestOffset(tp.topic, tp.partition);
      // auto.offset.reset=earliest: no commit, or a commit below the log start after retention.
      const pos = c && c.offset >= earliest ? c.offset : earliest;
      this.positions.set(tpKey(tp), pos);
      if (c) this.lastCommitted.set(tpKey(tp), c.offset);
    }
    for (const t of new Set(change.added.map((tp) => tp.topic))) this.deps.topicUsed(t);
    await this.deps.task.open?.(change.added);
  }

  /** Commit at the next turn of the loop rather than at the flush interval. */
  requestCommit(): void {
    this.commitRequested = true;
  }

  private commitDue(): boolean {
    return this.commitRequested || this.deps.clock.now() - this.lastCommitAt >= this.deps.offsetFlushIntervalMs;
  }

  protected async execute(): Promise<void> {
    while (!this.stopping) {
      if (this.paused) {
        // Paused: nothing is delivered, but what was put keeps being flushed and committed on time.
        await this.pausedWait(POLL_WAIT_MS);
        if (!this.stopping && this.uncommitted && this.commitDue()) await this.commit();
        continue;
      }
      await this.refreshAssignment();
      this.seeked.clear();
      const chunks = await this.fetch();
      if (this.stopping) break;
      for (const slice of slices(chunks, this.deps.maxPollRecords)) {
        if (this.stopping) break;
        const live = this.seeked.size > 0 ? slice.filter((c) => !this.seeked.has(tpKey(c.tp))) : slice;
        if (!(await this.deliver(live))) break;
      }
      if (this.commitDue()) await this.commit();
    }
  }

  /** Reads from every readable assigned partition; long-polls only when all are empty. */
  private async fetch(): Promise<Chunk[]> {
    const tps = this.assignment.current().filter((tp) => !this.pausedByTask.has(tpKey(tp)));
    if (tps.length === 0) {
      await sleep(POLL_WAIT_MS, this.pauseSignal.signal);
      return [];
    }
    const perPartition = Math.min(MAX_PARTITION_FETCH_BYTES, Math.max(64 << 10, Math.floor(this.deps.fetchMaxBytes / tps.length)));
    let results = await Promise.all(tps.map((tp) => this.read(tp, perPartition, 0)));
    if (results.every((r) => r.length === 0) && !this.pauseSignal.signal.aborted) {
      // As Kafka's WorkerSinkTask: the long poll ends when the next commit is due, so what was put
      // is flushed and committed on time rather than up to a poll wait later.
      const untilCommit = this.lastCommitAt + this.deps.offsetFlushIntervalMs - this.deps.clock.now();
      const waitMs = this.uncommitted ? Math.min(POLL_WAIT_MS, Math.max(MIN_POLL_WAIT_MS, untilCommit)) : POLL_WAIT_MS;
      const first = new AbortController();
      setMaxListeners(0, first.signal);
      const onPause = (): void => first.abort();
      this.pauseSignal.signal.addEventListener('abort', onPause, { once: true });
      results = await Promise.all(
        tps.map((tp) =>
          this.read(tp, perPartition, waitMs, first.signal).then((r) => {
            if (r.length > 0) first.abort();
            return r;
          }),
        ),
      );
      this.pauseSignal.signal.removeEventListener('abort', onPause);
    }
    const chunks: Chunk[] = [];
    for (let i = 0; i < tps.length; i++) if (results[i]!.length > 0) chunks.push({ tp: tps[i]!, records: results[i]! });
    return chunks;
  }

  private async read(tp: TopicPartitionRef, maxBytes: number, maxWaitMs: number, signal?: AbortSignal): Promise<readonly StoredRecord[]> {
    const k = tpKey(tp);
    const pos = this.positions.get(k)!;
    let res;
    try {
      res = await this.deps.log.read(tp.topic, tp.partition, pos, { maxBytes, maxWaitMs, signal });
    } catch (err) {
      if (isTributaryError(err, 'OFFSET_OUT_OF_RANGE')) {
        const earliest = await this.deps.log.earliestOffset(tp.topic, tp.partition);
        this.deps.logger.warn(`offset ${pos} of ${tp.topic}-${tp.partition} is out of range; resetting to the earliest offset ${earliest}`);
        this.positions.set(k, earliest);
        return [];
      }
      throw err;
    }
    // Only advance if nobody seeked meanwhile.
    if (this.positions.get(k) === pos) this.positions.set(k, res.nextOffset);
    return res.records;
  }

  private toSinkRecord(tp: TopicPartitionRef, r: StoredRecord): SinkRecord {
    const { converters } = this.deps;
    this.stage = 'HEADER_CONVERTER';
    const headers: readonly ConnectHeader[] =
      r.headers.length === 0
        ? NO_HEADERS
        : r.headers.map((h) => {
            const sv = converters.header.toConnectHeader(tp.topic, h.key, h.value);
            return { key: h.key, schema: sv.schema, value: sv.value };
          });
    this.stage = 'KEY_CONVERTER';
    const key = converters.key.toConnectData(tp.topic, r.key, headers);
    this.stage = 'VALUE_CONVERTER';
    const value = converters.value.toConnectData(tp.topic, r.value, headers);
    this.stage = 'TRANSFORMATION';
    return {
      topic: tp.topic,
      kafkaPartition: tp.partition,
      kafkaOffset: r.offset,
      keySchema: key.schema,
      key: key.value,
      valueSchema: value.schema,
      value: value.value,
      timestamp: r.timestamp,
      timestampType: 'CreateTime',
      headers,
      originalTopic: tp.topic,
      originalKafkaPartition: tp.partition,
      originalKafkaOffset: r.offset,
    };
  }

  /**
   * Converts and transforms one batch (a record that fails goes to the error handler), puts it, and
   * retries a retriable put with the same batch. False when the task began stopping before the batch
   * was accepted (its offsets then do not advance).
   */
  private async deliver(chunks: readonly Chunk[]): Promise<boolean> {
    if (chunks.length === 0) return true;
    const { task } = this.deps;
    const { errors } = this;
    const records: SinkRecord[] = [];
    for (const { tp, records: raws } of chunks) {
      for (let i = 0; i < raws.length; i++) {
        const raw = raws[i]!;
        let r = this.process(tp, raw);
        // Only a failure returns a promise: the hot path does not await.
        if (r instanceof Promise) r = await r;
        if (r !== null) records.push(r);
      }
    }
    this.putChunks = chunks;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          // Also when every record was dropped or dead-lettered, as before: a sink may act on any put.
          await task.put(records);
          break;
        } catch (err) {
          if (!isRetriable(err)) throw err;
          if (this.stopping) return false;
          const wait = retryDelay(err, attempt);
          this.deps.logger.warn(`put failed, redelivering the same ${records.length} records in ${wait} ms: ${(err as Error).message}`);
          await sleep(wait, this.stopSignal.signal);
          if (this.stopping) return false;
        }
      }
    } finally {
      this.putChunks = [];
    }
    // Failed records of this batch: one append, awaited before the next commit.
    errors.dlq?.flush()?.catch(() => {});
    this.uncommitted = true;
    for (const { tp, records: raws } of chunks) {
      const k = tpKey(tp);
      // A seek during put wins: the task asked for those records again.
      if (this.seeked.has(k)) continue;
      this.current.set(k, { topic: tp.topic, partition: tp.partition, offset: raws[raws.length - 1]!.offset + 1 });
    }
    return true;
  }

  /**
   * Converts and transforms one record: the record, or null when a transformation dropped it or it
   * failed and was tolerated. Waits (only here, on a failure) before retrying a RetriableError.
   */
  private process(tp: TopicPartitionRef, raw: StoredRecord): SinkRecord | null | Promise<SinkRecord | null> {
    try {
      const r = this.toSinkRecord(tp, raw);
      return this.deps.transforms.empty ? r : this.deps.transforms.apply(r);
    } catch (err) {
      return this.recordFailed(tp, raw, err, 1, this.deps.clock.now());
    }
  }

  private async recordFailed(tp: TopicPartitionRef, raw: StoredRecord, err: unknown, attempt: number, startedAt: number): Promise<SinkRecord | null> {
    const { converters } = this.deps;
    const { errors } = this;
    const stage = this.stage;
    const wait = isRetriable(rootError(err)) && !this.stopping ? errors.retryWait(attempt, startedAt) : null;
    if (wait !== null) {
      await sleep(wait, this.stopSignal.signal);
      try {
        const r = this.toSinkRecord(tp, raw);
        return this.deps.transforms.empty ? r : this.deps.transforms.apply(r);
      } catch (again) {
        return this.recordFailed(tp, raw, again, attempt + 1, startedAt);
      }
    }
    const className = failingClassName(err, stage, converters);
    errors.consumedFailed({ topic: tp.topic, partition: tp.partition, record: raw }, { stage, className, error: err });
    return null;
  }

  /** preCommit (default: flush) then commit the group offsets that moved. */
  private async commit(): Promise<void> {
    if (this.abandoned) return;
    this.commitRequested = false;
    this.lastCommitAt = this.deps.clock.now();
    this.uncommitted = false;
    const offsets = [...this.current.values()];
    if (offsets.length === 0) return;
    let safe: readonly TopicPartitionOffset[];
    try {
      if (this.deps.task.preCommit) safe = await this.deps.task.preCommit(offsets);
      else {
        await this.deps.task.flush?.(offsets);
        safe = offsets;
      }
    } catch (err) {
      if (!isRetriable(err)) throw err;
      this.uncommitted = true;
      this.deps.logger.warn(`flush failed; offsets not committed this time: ${(err as Error).message}`);
      return;
    }
    const moved = safe.filter((o) => this.lastCommitted.get(tpKey(o)) !== o.offset && this.positions.has(tpKey(o)));
    if (moved.length === 0) return;
    // Offsets move past a dead-lettered record only once its entry is durable (records reported
    // during flush/preCommit included).
    await this.errors.dlq?.drain();
    await this.deps.log.commitOffsets(this.deps.group, moved);
    for (const o of moved) this.lastCommitted.set(tpKey(o), o.offset);
  }

  protected async shutdown(clean: boolean): Promise<void> {
    try {
      if (clean) await this.commit();
    } finally {
      try {
        await this.deps.task.close?.(this.assignment.current());
      } finally {
        await this.deps.task.stop();
      }
    }
  }
}
