/**
 * What the DLQ reader and the replay share: which topic a connector dead-letters to, the replay
 * cursor, and a bounded walk over the queue. A queue is partition 0 of its topic (Tributary creates
 * it with one partition, as Kafka Connect does); a topic created with more is read at partition 0 only.
 */
import { TributaryError } from '../../errors/codes.js';
import type { Log, StoredRecord } from '../../log/log.js';
import { readContext, replayGroup, type DeadLetterContext } from './dead-letter-format.js';
import { errorPolicy } from './error-policy.js';

export const DLQ_PARTITION = 0;
/** Byte budget of one read of the queue; a larger record still comes whole (Log.read's rule). */
export const DLQ_READ_BYTES = 1 << 20;

/** The connector's DLQ topic; BAD_REQUEST when it has none. */
export function dlqTopicOf(name: string, config: Readonly<Record<string, string>>): string {
  const topic = errorPolicy(config).dlqTopic;
  if (topic === '') {
    throw new TributaryError('BAD_REQUEST', `Connector ${name} has no dead letter queue: set errors.deadletterqueue.topic.name in its config`);
  }
  return topic;
}

export interface DlqBounds {
  /** First offset still stored. */
  readonly start: number;
  /** The offset the next dead-lettered record gets. */
  readonly end: number;
}

/** The queue's offsets; null while its topic does not exist (nothing was dead-lettered yet). */
export async function dlqBounds(log: Log, topic: string): Promise<DlqBounds | null> {
  if (!(await log.listTopics()).includes(topic)) return null;
  const [start, end] = await Promise.all([log.earliestOffset(topic, DLQ_PARTITION), log.latestOffset(topic, DLQ_PARTITION)]);
  return { start, end };
}

/**
 * The replay cursor: the replay group's committed offset on the queue, kept within the stored
 * range (retention may have removed records below it; a recreated topic may end below it).
 */
export async function readCursor(log: Log, connector: string, topic: string, bounds: DlqBounds): Promise<number> {
  const [committed] = await log.fetchOffsets(replayGroup(connector), [{ topic, partition: DLQ_PARTITION }]);
  return Math.min(Math.max(committed?.offset ?? bounds.start, bounds.start), bounds.end);
}

export function commitCursor(log: Log, connector: string, topic: string, offset: number): Promise<void> {
  return log.commitOffsets(replayGroup(connector), [{ topic, partition: DLQ_PARTITION, offset }]);
}

/** A record of the queue with its context read once. */
export interface DlqEntry {
  readonly record: StoredRecord;
  readonly context: DeadLetterContext | null;
}

/** Whether a queue record is the connector's: a shared queue is split by the context's connector name; a record naming none is everyone's. */
export function belongsTo(context: DeadLetterContext | null, connector: string): boolean {
  return context === null || context.connector === '' || context.connector === connector;
}

export interface ScanChunk {
  readonly entries: readonly DlqEntry[];
  /** One past the last offset this chunk covers (≤ `until`). */
  readonly next: number;
}

/**
 * Walks the queue from `from` to `until` (exclusive), one `Log.read` of `DLQ_READ_BYTES` per
 * chunk. The caller stops early by breaking out of the loop.
 */
export async function* scanDlq(log: Log, topic: string, from: number, until: number): AsyncGenerator<ScanChunk> {
  let offset = from;
  while (offset < until) {
    const read = await log.read(topic, DLQ_PARTITION, offset, { maxBytes: DLQ_READ_BYTES });
    const entries: DlqEntry[] = [];
    for (const record of read.records) {
      if (record.offset >= until) break;
      if (record.offset >= offset) entries.push({ record, context: readContext(record.headers) });
    }
    const next = Math.min(read.nextOffset, until);
    // A read that covers nothing (the end moved back under us) ends the walk rather than spinning.
    if (next <= offset) return;
    offset = next;
    yield { entries, next };
  }
}
