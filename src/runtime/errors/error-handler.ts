/**
 * A task's error handler (Kafka Connect's RetryWithToleranceOperator with its log and dead letter
 * queue reporters, KIP-298 / KIP-610): the one place that decides what happens to a record that a
 * converter, a transformation, the log or the sink task itself could not handle.
 *
 * Every failure is reported first — logged when `errors.log.enable`, added to the dead letter
 * queue when one is configured — and then either tolerated (`errors.tolerance=all`: the record is
 * skipped) or turned into the task's failure (`none`: `ConnectError("Tolerance exceeded in error
 * handler")` caused by the original error), as Kafka Connect does. A `RetriableError` from a
 * converter or transformation is first retried for up to `errors.retry.timeout` ms, with delays
 * starting at 300 ms and doubling up to `errors.retry.delay.max.ms`; `retryWait` gives the delay.
 */
import type { LogRecord, RecordHeader, StoredRecord } from '../../log/log.js';
import { ConnectError } from '../../sdk/errors.js';
import type { TaskLogger } from '../../sdk/logger.js';
import type { SourceRecord } from '../../sdk/records.js';
import type { Clock } from '../../util/clock.js';
import { JsonConverter } from '../converters/json-converter.js';
import { convertToString } from '../converters/values-text.js';
import { backoffDelay } from '../retry.js';
import type { TaskId } from '../task-runner.js';
import { CONNECT_JSON_ENCODING, ENCODING_HEADER, contextHeaders, sourceTargetHeaders, type DeadLetterContext } from './dead-letter-format.js';
import type { DeadLetterQueue } from './dead-letter-queue.js';
import type { ErrorPolicy } from './error-policy.js';
import { failureContext, type Failure } from './failure.js';

/** A record read from the log, with the partition it was read from. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly record: StoredRecord;
}

export interface ErrorHandlerDeps {
  readonly policy: ErrorPolicy;
  readonly id: TaskId;
  readonly logger: TaskLogger;
  readonly dlq: DeadLetterQueue | null;
  readonly clock: Clock;
  readonly random?: () => number;
}

export class ErrorHandler {
  private sourceEncoder: JsonConverter | null = null;

  constructor(private readonly deps: ErrorHandlerDeps) {}

  get tolerant(): boolean {
    return this.deps.policy.tolerance === 'all';
  }

  get dlq(): DeadLetterQueue | null {
    return this.deps.dlq;
  }

  /**
   * How long to wait before attempt `attempt + 1` of an operation that threw a RetriableError,
   * first failing at `startedAt`; null when `errors.retry.timeout` is used up (or 0).
   */
  retryWait(attempt: number, startedAt: number): number | null {
    const { retryTimeoutMs, retryDelayMaxMs } = this.deps.policy;
    if (retryTimeoutMs === 0) return null;
    const now = this.deps.clock.now();
    const deadline = retryTimeoutMs < 0 ? Number.POSITIVE_INFINITY : startedAt + retryTimeoutMs;
    if (now >= deadline) return null;
    // 300 ms doubling, ±20% jitter; above the maximum a random time below it (as Kafka Connect).
    const delay = backoffDelay(attempt - 1, { initialMs: 300, maxMs: retryDelayMaxMs, overMax: 'random', ...(this.deps.random ? { random: this.deps.random } : {}) });
    return Math.max(0, Math.min(delay, retryDelayMaxMs, deadline - now));
  }

  /** A record read from the log failed: report it (DLQ: the consumed bytes), then tolerate or throw. */
  consumedFailed(consumed: ConsumedRecord, failure: Failure): void {
    const { record } = consumed;
    const ctx = this.context(failure, consumed);
    this.log(failure, () => `, where consumed record is {topic='${consumed.topic}', partition=${consumed.partition}, offset=${record.offset}, timestamp=${record.timestamp}, timestampType=CreateTime}`);
    this.deps.dlq?.add({
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: [...record.headers, ...contextHeaders(ctx, this.deps.policy.dlqContextHeaders)],
    });
    this.decide(failure, ctx, `the record at ${consumed.topic}-${consumed.partition} offset ${record.offset}`);
  }

  /** A source record failed: report it (DLQ: the record before transformation, as connect-json), then tolerate or throw. */
  sourceFailed(original: SourceRecord, failure: Failure): void {
    const ctx = this.context(failure, null);
    this.log(failure, () => `, where source record is = ${describeSource(original)}`);
    if (this.deps.dlq) this.deps.dlq.add(this.encodeSource(original, ctx));
    const at = original.sourceOffset ? ` at source offset ${JSON.stringify(original.sourceOffset)}` : '';
    this.decide(failure, ctx, `a record for topic ${original.topic}${at}`);
  }

  /** Kafka Connect's message, then which record failed where: the task's status trace says it all. */
  private decide(failure: Failure, ctx: DeadLetterContext, what: string): void {
    if (this.tolerant) return;
    throw new ConnectError(`Tolerance exceeded in error handler: ${what} failed in stage ${ctx.stage} (${ctx.className}): ${ctx.message}`, { cause: failure.error });
  }

  private context(failure: Failure, consumed: ConsumedRecord | null): DeadLetterContext {
    const { connector, task } = this.deps.id;
    return failureContext(failure, { topic: consumed?.topic ?? null, partition: consumed?.partition ?? null, offset: consumed?.record.offset ?? null, connector, task });
  }

  private log(failure: Failure, where: () => string): void {
    const { policy, id, logger } = this.deps;
    if (!policy.logEnable) return;
    const detail = policy.logIncludeMessages ? where() : '';
    logger.error({ err: failure.error }, `Error encountered in task ${id.connector}-${id.task}. Executing stage '${failure.stage}' with class '${failure.className}'${detail}.`);
  }

  /** The record in Tributary's connect-json form (see dead-letter-format.ts). */
  private encodeSource(r: SourceRecord, ctx: DeadLetterContext): LogRecord {
    if (this.sourceEncoder === null) {
      this.sourceEncoder = new JsonConverter();
      this.sourceEncoder.configure({ 'schemas.enable': 'true' }, false);
    }
    const enc = this.sourceEncoder;
    try {
      const headers: RecordHeader[] = r.headers.map((h) => ({ key: h.key, value: enc.fromConnectData(r.topic, h.schema, h.value) }));
      headers.push(
        { key: ENCODING_HEADER, value: Buffer.from(CONNECT_JSON_ENCODING) },
        ...sourceTargetHeaders(r.topic, r.kafkaPartition),
        ...contextHeaders(ctx, this.deps.policy.dlqContextHeaders),
      );
      return {
        key: enc.fromConnectData(r.topic, r.keySchema, r.key),
        value: enc.fromConnectData(r.topic, r.valueSchema, r.value),
        timestamp: r.timestamp ?? undefined,
        headers,
      };
    } catch (err) {
      // Nothing of the batch is committed: the record is polled again after a restart.
      throw new ConnectError(`a record for topic ${r.topic} could not be written to the dead letter queue ${this.deps.dlq?.topic}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function describeSource(r: SourceRecord): string {
  const text = (schema: SourceRecord['keySchema'], v: unknown): string => {
    try {
      return convertToString(schema, v);
    } catch {
      return String(v);
    }
  };
  return (
    `SourceRecord{sourcePartition=${JSON.stringify(r.sourcePartition)}, sourceOffset=${JSON.stringify(r.sourceOffset)}} ` +
    `ConnectRecord{topic='${r.topic}', kafkaPartition=${r.kafkaPartition}, key=${text(r.keySchema, r.key)}, value=${text(r.valueSchema, r.value)}, timestamp=${r.timestamp}}`
  );
}
