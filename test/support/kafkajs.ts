/**
 * kafkajs's own (independent) protocol encoders and decoders, loaded from its sources, used as the
 * reference implementation in golden-byte tests. kafkajs ships no types for these internals.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface KLong {
  toString(): string;
}
export interface KLongStatic {
  fromValue(v: number | string | bigint): KLong;
  fromString(s: string): KLong;
}
export interface KEncoder {
  readonly buffer: Buffer;
  writeVarInt(n: number): KEncoder;
  writeVarLong(n: number | KLong): KEncoder;
}
export interface KEncoderStatic {
  new (): KEncoder;
}
export interface KRecordInput {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[]>;
}
export interface KBatchInput {
  compression?: number;
  firstOffset?: KLong;
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta: number;
  transactional?: boolean;
  producerId?: KLong;
  producerEpoch?: number;
  firstSequence?: number;
  records: KEncoder[];
}
export interface KDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
}
export interface KDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  records: KDecodedRecord[];
}

export const Long = require('kafkajs/src/utils/long') as KLongStatic;
export const Encoder = require('kafkajs/src/protocol/encoder.js') as KEncoderStatic;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (input: KBatchInput) => Promise<KEncoder>;
};
export const KRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: KRecordInput) => KEncoder;
const decodeBatchK = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<KDecodedBatch>;
export const murmur2K = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;
const createDefaultPartitioner = require('kafkajs/src/producer/partitioners/default/index.js') as () => (args: {
  topic: string;
  partitionMetadata: { partitionId: number; leader: number }[];
  message: { key: Buffer | string | null; partition?: number | null };
}) => number;
export const KCompression = { None: 0, GZIP: 1 } as const;

/** kafkajs's RecordBatch v0 (= Kafka magic 2) encoder. */
export async function kafkajsEncodeBatch(input: KBatchInput): Promise<Buffer> {
  return Buffer.from((await RecordBatch(input)).buffer);
}

/** kafkajs's RecordBatch decoder, reading one batch from `buf`. */
export async function kafkajsDecodeBatch(buf: Buffer): Promise<KDecodedBatch> {
  return decodeBatchK(new Decoder(buf));
}

/** The partition kafkajs's default (Java-compatible) partitioner picks for `key`. */
export function kafkajsPartition(key: Buffer | string, partitions: number): number {
  const partitioner = createDefaultPartitioner();
  return partitioner({
    topic: 't',
    partitionMetadata: Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0 })),
    message: { key },
  });
}
