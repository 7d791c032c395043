/**
 * Record sizes as the task runners budget appends: an upper estimate per record (varint fields and
 * attributes ≤ 21 bytes), and the bound under which one append's records are kept.
 */
import { TributaryError } from '../errors/codes.js';
import { HEADER_SIZE, singleRecordBatchSize } from '../log/codec/record-batch.js';
import type { Log, LogRecord } from '../log/log.js';

/** Kafka's max.message.bytes default is 1,048,588: appends stay well below it. */
export const APPEND_MAX_BYTES = 512 * 1024;

export function recordBytes(r: LogRecord): number {
  let n = 21 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers) for (const h of r.headers) n += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return n;
}

/** A topic's size bounds for appends: records per append, and the batch one lone record makes. */
export interface TopicSizeLimit {
  /** Estimated bytes of records one append takes (below the topic's max.message.bytes, at most APPEND_MAX_BYTES). */
  readonly append: number;
  /** The topic's max.message.bytes for a lone uncompressed record (Infinity when the log checks it: a compressed topic). */
  readonly record: number;
}

/**
 * The bounds under a topic's `max.message.bytes` (Infinity: none). A compressed batch can come out a
 * little bigger than its records (incompressible data plus the codec's framing; gzip adds well
 * under 1/64), so a compressed topic's appends keep that much below the limit too.
 */
export function topicSizeLimit(maxMessageBytes: number, compressed = false): TopicSizeLimit {
  const margin = compressed ? Math.ceil(maxMessageBytes / 64) + 64 : 0;
  return {
    append: Math.max(1, Math.min(APPEND_MAX_BYTES, maxMessageBytes - HEADER_SIZE - margin)),
    record: compressed ? Number.POSITIVE_INFINITY : maxMessageBytes,
  };
}

/** `topic`'s size bounds, from its `max.message.bytes` and `compression.type`. */
export async function topicSizeLimitOf(log: Log, topic: string): Promise<TopicSizeLimit> {
  const { configs } = await log.describeTopic(topic);
  return topicSizeLimit(configs['max.message.bytes'], configs['compression.type'] !== 'none');
}

/** The size of the one-record batch `record` makes when that is over the limit (Kafka's RecordTooLargeException), else null. */
export function oversizeOf(record: LogRecord, estimate: number, limit: TopicSizeLimit): number | null {
  if (estimate + HEADER_SIZE <= limit.record) return null;
  const size = singleRecordBatchSize(record);
  return size > limit.record ? size : null;
}

/** Kafka's RecordTooLargeException, at stage KAFKA_PRODUCE in a dead-letter context. */
export function tooLargeError(size: number, max: number, topic: string): TributaryError {
  return new TributaryError('MESSAGE_TOO_LARGE', `The message is ${size} bytes when serialized which is larger than max.message.bytes=${max} of topic ${topic}`);
}
