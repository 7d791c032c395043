/**
 * What a sink task runner reads and hands to `put`: chunks of records, one partition each, cut into
 * batches of at most `consumer.max.poll.records`; and, when the task reports a record as errant,
 * the consumed record it came from.
 */
import type { StoredRecord } from '../log/log.js';
import type { SinkRecord, TopicPartitionRef } from '../sdk/records.js';
import type { ConsumedRecord } from './errors/error-handler.js';
import type { TaskConverters } from './task-plugins.js';

/** Records read from one partition. */
export interface Chunk {
  readonly tp: TopicPartitionRef;
  readonly records: readonly StoredRecord[];
}

/**
 * The consumed record `record` came from: looked up, only when a record is reported, by its
 * original coordinates in `chunks` (what the batch in `put` was read from); else (a record the task
 * made) re-encoded.
 */
export function originOf(record: SinkRecord, chunks: readonly Chunk[], converters: TaskConverters): ConsumedRecord {
  const { originalTopic: topic, originalKafkaPartition: partition } = record;
  const raw = consumedAt(chunks, topic, partition, record.originalKafkaOffset);
  if (raw !== null) return { topic, partition, record: raw };
  // As Kafka Connect: without the consumed record, the reported record is converted back.
  return {
    topic: record.topic,
    partition: record.kafkaPartition,
    record: {
      offset: record.kafkaOffset,
      timestamp: record.timestamp ?? 0,
      key: converters.key.fromConnectData(record.topic, record.keySchema, record.key, record.headers),
      value: converters.value.fromConnectData(record.topic, record.valueSchema, record.value, record.headers),
      headers: record.headers.map((h) => ({ key: h.key, value: converters.header.fromConnectHeader(record.topic, h.key, h.schema, h.value) })),
    },
  };
}

/** The record at `offset` of `topic`-`partition` among the chunks, or null. */
function consumedAt(chunks: readonly Chunk[], topic: string, partition: number, offset: number): StoredRecord | null {
  for (const { tp, records } of chunks) {
    if (tp.partition !== partition || tp.topic !== topic) continue;
    // A chunk's offsets ascend (with gaps where compaction removed records).
    let lo = 0;
    let hi = records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = records[mid]!.offset;
      if (at === offset) return records[mid]!;
      if (at < offset) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return null;
}

export /** Cuts fetched chunks into batches of at most `max` records, in order (a chunk may be split). */
function* slices(chunks: readonly Chunk[], max: number): Generator<Chunk[]> {
  let batch: Chunk[] = [];
  let n = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.records.length; ) {
      const take = Math.min(max - n, c.records.length - i);
      batch.push(take === c.records.length ? c : { tp: c.tp, records: c.records.slice(i, i + take) });
      n += take;
      i += take;
      if (n === max) {
        yield batch;
        batch = [];
        n = 0;
      }
    }
  }
  if (batch.length > 0) yield batch;
}
