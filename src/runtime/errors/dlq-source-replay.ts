/**
 * Replaying a source connector's dead-lettered records: each is decoded from connect-json back to
 * the SourceRecord the task produced, run through the connector's current transformations and
 * converters, and appended to its topic (explicit partition, else murmur2 of the key; keyless records
 * of one batch share a partition, rotating per batch; a missing topic is created when
 * `topic.creation.enable`, as the worker does). It is `succeeded` once durable there. When a
 * transformation, a converter or the append fails again, the record goes back to the queue (bytes
 * unchanged, fresh context headers: stage TRANSFORMATION, KEY_CONVERTER, VALUE_CONVERTER,
 * HEADER_CONVERTER or KAFKA_PRODUCE) and is `failed`. Source offsets are not touched: the task
 * moved past these records when it dead-lettered them.
 */
import { TributaryError } from '../../errors/codes.js';
import type { LogRecord } from '../../log/log.js';
import { partitionForKey } from '../../log/partitioner.js';
import type { SourceRecord } from '../../sdk/records.js';
import { oversizeOf, recordBytes, tooLargeError } from '../record-bytes.js';
import { SourcePipeline } from '../source-pipeline.js';
import { buildConverters, TransformChain } from '../task-plugins.js';
import type { DeadLetterContext } from './dead-letter-format.js';
import { appendInGroups, TopicPartitions, type Placement } from './dlq-appends.js';
import type { BatchResult, DlqReplayDeps, Outcome, ReplayStrategy } from './dlq-replay.js';
import { DLQ_PARTITION, type DlqEntry } from './dlq-scan.js';
import { deadLetterAgain, SourceRecordDecoder } from './dlq-source-codec.js';
import { errorPolicy } from './error-policy.js';
import { failureContext, type Failure } from './failure.js';

export interface SourceReplayDeps extends DlqReplayDeps {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
  readonly dlqTopic: string;
}

interface Ready {
  readonly entry: DlqEntry;
  readonly outcome: Outcome;
  readonly topic: string;
  readonly explicit: number | null;
  readonly record: LogRecord;
}

interface Failed extends Failure {
  readonly entry: DlqEntry;
  readonly outcome: Outcome;
}

export class SourceReplay implements ReplayStrategy {
  private readonly decoder = new SourceRecordDecoder();
  private readonly transforms: TransformChain<SourceRecord>;
  private readonly pipeline: SourcePipeline;
  /** The connector's class name: the failing class of KAFKA_PRODUCE errors. */
  private readonly connectorClass: string;
  private readonly partitions: TopicPartitions;
  private readonly connectHeaders: boolean;
  private batchNo = 0;

  constructor(private readonly deps: SourceReplayDeps) {
    const { registry, settings, config, name } = deps;
    const connectorClass = config['connector.class'] ?? '';
    this.connectorClass = registry.find(connectorClass)?.className ?? connectorClass;
    try {
      const converters = buildConverters(registry, settings, config);
      this.transforms = TransformChain.build<SourceRecord>(registry, config);
      this.pipeline = new SourcePipeline(converters, this.transforms, this.connectorClass);
    } catch (err) {
      throw new TributaryError('BAD_REQUEST', `Connector ${name}'s current config cannot replay records: ${(err as Error).message}`, { cause: err });
    }
    this.partitions = new TopicPartitions(deps.log, settings.topicCreationEnable);
    this.connectHeaders = errorPolicy(config).dlqContextHeaders;
  }

  async batch(entries: readonly DlqEntry[]): Promise<BatchResult> {
    this.batchNo++;
    const outcomes: Outcome[] = [];
    const ready: Ready[] = [];
    const failed: Failed[] = [];
    let blockedAt: number | null = null;
    const { pipeline } = this;
    for (const entry of entries) {
      let original: SourceRecord;
      try {
        original = this.decoder.decode(entry.record, entry.context);
      } catch (err) {
        outcomes.push({ dlq_offset: entry.record.offset, status: 'skipped', reason: (err as Error).message });
        blockedAt = entry.record.offset;
        break;
      }
      const outcome: Outcome = { dlq_offset: entry.record.offset, status: 'succeeded' };
      outcomes.push(outcome);
      let record: LogRecord | null;
      try {
        record = pipeline.convert(original);
      } catch (err) {
        failed.push({ ...pipeline.failure(err), entry, outcome });
        continue;
      }
      if (record === null) outcome.filtered = true;
      else ready.push({ entry, outcome, topic: pipeline.topic, explicit: pipeline.kafkaPartition, record });
    }

    const placements = await this.place(ready, failed);
    const placed = await appendInGroups(this.deps.log, placements.map((p) => p.placement), (t) => this.partitions.limitOf(t).append);
    placed.forEach((p, i) => {
      const { ready: r, placement } = placements[i]!;
      if (p.ok) Object.assign(r.outcome, { topic: placement.topic, partition: placement.partition, offset: p.offset });
      else failed.push({ entry: r.entry, outcome: r.outcome, stage: 'KAFKA_PRODUCE', className: this.connectorClass, error: p.error });
    });
    if (failed.length === 0) return { outcomes, blockedAt };
    return this.deadLetterAgain(failed, outcomes, blockedAt);
  }

  /**
   * Where each ready record goes; a record whose topic cannot be had, whose partition does not exist
   * or that is bigger than the topic's max.message.bytes fails (KAFKA_PRODUCE).
   */
  private async place(ready: readonly Ready[], failed: Failed[]): Promise<Array<{ ready: Ready; placement: Placement }>> {
    const counts = new Map<string, number | Error>();
    await Promise.all(
      [...new Set(ready.map((r) => r.topic))].map(async (t) => {
        const n = await this.partitions.of(t).catch((err: unknown) => err as Error);
        counts.set(t, n === null ? new Error(`topic ${t} does not exist and topic.creation.enable is false`) : n);
      }),
    );
    const out: Array<{ ready: Ready; placement: Placement }> = [];
    for (const r of ready) {
      const n = counts.get(r.topic)!;
      let error: Error | null = n instanceof Error ? n : null;
      let partition = 0;
      if (typeof n === 'number') {
        if (r.explicit !== null) {
          if (!Number.isInteger(r.explicit) || r.explicit < 0 || r.explicit >= n) error = new Error(`the record names partition ${r.explicit} of topic ${r.topic}, which has ${n} partition(s)`);
          partition = r.explicit;
        } else {
          partition = r.record.key !== null ? partitionForKey(r.record.key, n) : this.batchNo % n;
        }
        const limit = this.partitions.limitOf(r.topic);
        const oversize = error === null ? oversizeOf(r.record, recordBytes(r.record), limit) : null;
        if (oversize !== null) error = tooLargeError(oversize, limit.record, r.topic);
      }
      if (error !== null) failed.push({ entry: r.entry, outcome: r.outcome, stage: 'KAFKA_PRODUCE', className: this.connectorClass, error });
      else out.push({ ready: r, placement: { topic: r.topic, partition, record: r.record } });
    }
    return out;
  }

  /** Puts the records that failed again back in the queue; one that cannot be put there stops the replay. */
  private async deadLetterAgain(failed: readonly Failed[], outcomes: Outcome[], blockedAt: number | null): Promise<BatchResult> {
    const { log, dlqTopic } = this.deps;
    const contexts = failed.map((f) => this.context(f));
    // The queue's own bound (a topic the user made may have a small max.message.bytes).
    const appendBytes = (await this.partitions.of(dlqTopic).then(() => this.partitions.limitOf(dlqTopic), () => undefined))?.append;
    const placed = await appendInGroups(
      log,
      failed.map((f, i) => ({ topic: dlqTopic, partition: DLQ_PARTITION, record: deadLetterAgain(f.entry.record, contexts[i]!, this.connectHeaders) })),
      appendBytes === undefined ? undefined : () => appendBytes,
    );
    let fatal: Error | undefined;
    placed.forEach((p, i) => {
      const f = failed[i]!;
      const c = contexts[i]!;
      // Rebuilt so that the record's fields read in one order whatever happened before.
      for (const k of Object.keys(f.outcome)) if (k !== 'dlq_offset') delete (f.outcome as Record<string, unknown>)[k];
      if (p.ok) {
        Object.assign(f.outcome, {
          status: 'failed', new_dlq_offset: p.offset,
          error: { stage: c.stage, class_name: c.className, exception_class: c.exceptionClass, message: c.message },
        });
        return;
      }
      const message = (p.error as Error).message;
      Object.assign(f.outcome, { status: 'skipped', reason: `failed again (${c.stage}: ${c.message}) and could not be put back in the dead letter queue: ${message}` });
      blockedAt = Math.min(blockedAt ?? f.outcome.dlq_offset, f.outcome.dlq_offset);
      fatal ??= new TributaryError('CONNECT_FATAL', `append to dead letter queue ${dlqTopic} failed: ${message}`, { cause: p.error });
    });
    return fatal ? { outcomes, blockedAt, fatal } : { outcomes, blockedAt };
  }

  private context(f: Failed): DeadLetterContext {
    return failureContext(f, { topic: null, partition: null, offset: null, connector: this.deps.name, task: f.entry.context?.task ?? 0 });
  }

  async finish(): Promise<void> {}

  close(): void {
    this.transforms.close();
  }
}
