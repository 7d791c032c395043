/**
 * The records that cross the connector boundary (Kafka Connect's `ConnectRecord`, `SourceRecord`,
 * `SinkRecord`). Records are immutable plain objects: a transformation returns a new one, made with
 * `{ ...record, value: v }` or the helpers below.
 *
 * Source offsets and partitions are maps of string keys to JSON values (string, number, boolean,
 * null, arrays and maps of those), exactly what the offsets topic stores as plain JSON. Partition
 * identity is the JSON text of the map, so build it with keys in a fixed order.
 */
import type { Schema } from './schema.js';

/** A JSON-serialisable map: a source partition or a source offset. */
export type OffsetMap = Readonly<Record<string, unknown>>;

export interface ConnectHeader {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

export interface ConnectRecord {
  /** The topic this record goes to (source) or came from (sink). */
  readonly topic: string;
  /** Explicit partition, or null to let the key's hash decide (murmur2, as Kafka's producer). */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  /** `null` with a key is a tombstone. */
  readonly value: unknown;
  /** Milliseconds since the epoch, or null for "now". */
  readonly timestamp: number | null;
  readonly headers: readonly ConnectHeader[];
}

export interface SourceRecord extends ConnectRecord {
  /** Where in the source system this record came from, e.g. `{"filename":"/var/in.txt"}`. */
  readonly sourcePartition: OffsetMap | null;
  /** How far into that source partition this record is, e.g. `{"position":1234}`. */
  readonly sourceOffset: OffsetMap | null;
}

export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  /** The record's offset in its topic partition. */
  readonly kafkaOffset: number;
  readonly timestampType: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  /** The topic, partition and offset the record was read from, before any transformation renamed it. */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
}

/** Builds a source record; omitted fields are null / empty. */
export function sourceRecord(r: Partial<SourceRecord> & { topic: string }): SourceRecord {
  return {
    kafkaPartition: null,
    keySchema: null,
    key: null,
    valueSchema: null,
    value: null,
    timestamp: null,
    headers: [],
    sourcePartition: null,
    sourceOffset: null,
    ...r,
  };
}

/** A topic partition and an offset in it (the next offset to read, as Kafka commits it). */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}
