/**
 * A task's writer to its dead letter queue topic. Failed records are added as they are found and
 * appended once per batch (never one append per record); `drain` resolves when every append so far
 * is durable and is what a sink awaits before committing offsets past a dead-lettered record.
 */
import { TributaryError } from '../../errors/codes.js';
import type { Log, LogRecord } from '../../log/log.js';
import { AppendSplitter } from '../append-splitter.js';
import { APPEND_MAX_BYTES, recordBytes, topicSizeLimitOf } from '../record-bytes.js';
import { ensureTopic } from '../topic-creation.js';
import { DLQ_MAX_MESSAGE_BYTES, DLQ_PARTITIONS } from './dead-letter-format.js';

export class DeadLetterQueue {
  private pending: LogRecord[] = [];
  private inflight = new Set<Promise<void>>();
  private failure: unknown = null;
  private scheduled: Promise<void> | null = null;
  /** Bytes per append: APPEND_MAX_BYTES, or less when `ensureTopic` found a topic with a smaller max.message.bytes. */
  private appendBytes = APPEND_MAX_BYTES;

  constructor(
    private readonly log: Log,
    readonly topic: string,
  ) {}

  /**
   * Creates the topic when missing (as Kafka Connect does, whatever `topic.creation.enable` says):
   * one partition, and a `max.message.bytes` large enough for a record refused by its own topic for
   * its size. An existing topic is used as it is: its appends then keep under its own limit.
   */
  async ensureTopic(): Promise<void> {
    await ensureTopic(this.log, this.topic, { partitions: DLQ_PARTITIONS, configs: { 'max.message.bytes': DLQ_MAX_MESSAGE_BYTES } });
    this.appendBytes = (await topicSizeLimitOf(this.log, this.topic)).append;
  }

  /** Adds a record to the next `flush` (which splits it into appends by size). */
  add(record: LogRecord): void {
    this.pending.push(record);
  }

  /**
   * Appends what is pending soon: records added in the same turn of the event loop share one append
   * (errant records a sink task reports one by one). Resolves when they — and every append before
   * them, whoever started it — are durable.
   */
  flushSoon(): Promise<void> {
    if (this.scheduled === null) {
      this.scheduled = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          this.scheduled = null;
          this.drain().then(resolve, reject);
        }),
      );
      this.scheduled.catch(() => {});
    }
    return this.scheduled;
  }

  /**
   * Appends what was added since the last call, split so no append passes 512 KiB (or the topic's
   * smaller limit) unless a single record does. Resolves when those appends are durable; rejects when one fails. Null when nothing
   * was pending.
   */
  flush(): Promise<void> | null {
    if (this.pending.length === 0) return null;
    const splitter = new AppendSplitter();
    for (const r of this.pending) splitter.add(this.topic, 0, r, recordBytes(r), this.appendBytes);
    this.pending = [];
    const done = Promise.all(splitter.groups.map((g) => this.log.append(g.topic, g.partition, g.records))).then(
      () => undefined,
      (err: unknown) => {
        const e = new TributaryError('CONNECT_FATAL', `append to dead letter queue ${this.topic} failed: ${(err as Error).message}`, { cause: err });
        this.failure ??= e;
        throw e;
      },
    );
    this.inflight.add(done);
    const forget = (): void => void this.inflight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Flushes, then resolves once every append so far is durable; rejects with the first failure. */
  async drain(): Promise<void> {
    void this.flush()?.catch(() => {});
    await Promise.allSettled([...this.inflight]);
    if (this.failure !== null) throw this.failure;
  }
}
