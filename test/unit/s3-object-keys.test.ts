/** Object keys exactly as Confluent's S3 sink names its files, and reading them back. */
import { describe, expect, it } from 'vitest';
import { fileExtension, formatExtension, objectKey, parseObjectKey, topicPrefix, type KeySettings } from '../../connectors/s3/object-keys.js';
import { parseS3SinkSettings } from '../../connectors/s3/s3-config.js';

const BASE = { 's3.bucket.name': 'lake', 'format.class': 'json', 'flush.size': '1' };
const settings = (props: Record<string, string> = {}): KeySettings => parseS3SinkSettings({ ...BASE, ...props });

describe('extensions', () => {
  it('names JSON, Parquet and ByteArray files as Confluent does', () => {
    expect(fileExtension(settings())).toBe('.json');
    expect(fileExtension(settings({ 's3.compression.type': 'gzip' }))).toBe('.json.gz');
    expect(fileExtension(settings({ 'format.class': 'parquet' }))).toBe('.snappy.parquet');
    expect(fileExtension(settings({ 'format.class': 'parquet', 'parquet.codec': 'zstd' }))).toBe('.zstd.parquet');
    expect(fileExtension(settings({ 'format.class': 'parquet', 'parquet.codec': 'gzip' }))).toBe('.gz.parquet');
    expect(fileExtension(settings({ 'format.class': 'parquet', 'parquet.codec': 'none' }))).toBe('.parquet');
    expect(fileExtension(settings({ 'format.class': 'bytearray' }))).toBe('.bin');
    expect(fileExtension(settings({ 'format.class': 'bytearray', 'format.bytearray.extension': '.avro-raw', 's3.compression.type': 'gzip' }))).toBe('.avro-raw.gz');
  });

  it('names key and header files .keys<ext> / .headers<ext> with their own format', () => {
    const s = settings({ 'format.class': 'parquet', 'store.kafka.keys': 'true', 'keys.format.class': 'json', 'store.kafka.headers': 'true', 'headers.format.class': 'ParquetFormat' });
    expect(fileExtension(s, 'keys')).toBe('.keys.json');
    expect(fileExtension(s, 'headers')).toBe('.headers.snappy.parquet');
    const gz = settings({ 's3.compression.type': 'gzip', 'store.kafka.keys': 'true', 'keys.format.class': 'bytearray' });
    expect(fileExtension(gz, 'keys')).toBe('.keys.bin.gz');
    expect(() => fileExtension(settings(), 'keys')).toThrow(/store\.kafka\.keys is false/);
    expect(formatExtension(settings(), 'parquet')).toBe('.snappy.parquet');
  });
});

describe('objectKey', () => {
  it('is <topics.dir>/<topic>/<encoded>/<topic>+<partition>+<offset %010d><ext>', () => {
    const s = settings();
    expect(objectKey(s, 'orders', 'partition=3', 3, 42, fileExtension(s))).toBe('topics/orders/partition=3/orders+3+0000000042.json');
    expect(objectKey(s, 'orders', 'year=2024/month=01/day=31/hour=13', 0, 9_876_543_210, '.json')).toBe('topics/orders/year=2024/month=01/day=31/hour=13/orders+0+9876543210.json');
    expect(objectKey(s, 't', 'partition=0', 0, 12_345_678_901_234, '.json')).toBe('topics/t/partition=0/t+0+12345678901234.json');
    expect(topicPrefix(s, 'orders')).toBe('topics/orders/');
  });

  it('follows topics.dir, the delimiters and the pad width', () => {
    const s = settings({ 'topics.dir': 'raw/kafka', 'directory.delim': '|', 'file.delim': '_', 'filename.offset.zero.pad.width': '20' });
    expect(objectKey(s, 'db.public.users', 'partition=1', 1, 7, '.json')).toBe('raw/kafka|db.public.users|partition=1|db.public.users_1_00000000000000000007.json');
    const bare = settings({ 'topics.dir': '', 'filename.offset.zero.pad.width': '0' });
    expect(objectKey(bare, 'orders', 'partition=3', 3, 42, '.json')).toBe('orders/partition=3/orders+3+42.json');
    expect(topicPrefix(bare, 'orders')).toBe('orders/');
  });

  it('puts key and header files beside the value file', () => {
    const s = settings({ 'store.kafka.keys': 'true', 'keys.format.class': 'json', 'store.kafka.headers': 'true', 'headers.format.class': 'json' });
    expect(objectKey(s, 'orders', 'partition=3', 3, 42, fileExtension(s, 'keys'))).toBe('topics/orders/partition=3/orders+3+0000000042.keys.json');
    expect(objectKey(s, 'orders', 'tombstone', 3, 42, fileExtension(s, 'headers'))).toBe('topics/orders/tombstone/orders+3+0000000042.headers.json');
  });

  it('refuses a negative or fractional offset', () => {
    expect(() => objectKey(settings(), 'orders', 'partition=3', 3, -1, '.json')).toThrow(RangeError);
    expect(() => objectKey(settings(), 'orders', 'partition=3', 3, 1.5, '.json')).toThrow(RangeError);
  });
});

describe('parseObjectKey', () => {
  it('reads back what objectKey wrote, for every view', () => {
    const s = settings({ 'format.class': 'parquet', 'store.kafka.keys': 'true', 'keys.format.class': 'parquet', 'store.kafka.headers': 'true', 'headers.format.class': 'json' });
    for (const view of ['value', 'keys', 'headers'] as const) {
      for (const [topic, encoded, p, off] of [
        ['orders', 'partition=3', 3, 42],
        ['db.public.users', 'year=2024/month=01/day=31/hour=13', 11, 0],
        ['a-b_c', 'country=de/tier=null', 0, 9_007_199_254_740_991],
      ] as const) {
        const key = objectKey(s, topic, encoded, p, off, fileExtension(s, view));
        expect(parseObjectKey(s, key), key).toEqual({ topic, encodedPartition: encoded, partition: p, startOffset: off, view });
      }
    }
  });

  it('works with other delimiters, no topics.dir and any padding', () => {
    const s = settings({ 'topics.dir': '', 'file.delim': '_', 'directory.delim': '#' });
    const key = objectKey(s, 'my_topic_v2', 'dt=2024-01-31#h=13', 12, 5, '.json');
    expect(key).toBe('my_topic_v2#dt=2024-01-31#h=13#my_topic_v2_12_0000000005.json');
    expect(parseObjectKey(s, key)).toEqual({ topic: 'my_topic_v2', encodedPartition: 'dt=2024-01-31#h=13', partition: 12, startOffset: 5, view: 'value' });
    expect(parseObjectKey(settings(), 'topics/orders/partition=3/orders+3+42.json')).toMatchObject({ startOffset: 42 });
  });

  it('returns null for keys these settings would not write', () => {
    const s = settings();
    for (const key of [
      'topics/orders/partition=3/orders+3+0000000042.parquet', // other format
      'topics/orders/partition=3/orders+3+0000000042.json.gz', // other compression
      'other/orders/partition=3/orders+3+0000000042.json', // other topics.dir
      'topics/orders/partition=3/payments+3+0000000042.json', // file of another topic
      'topics/orders/orders+3+0000000042.json', // no encoded partition
      'topics/orders/partition=3/orders+x+0000000042.json',
      'topics/orders/partition=3/orders+3+00000000-2.json',
      'topics/orders/partition=3/orders+3.json',
      'topics/orders/partition=3/+3+1.json',
      'topics/orders/partition=3/orders+3+0000000042.keys.json', // keys are not stored
      'topics/_tributary/journal.json',
      'README',
    ]) {
      expect(parseObjectKey(s, key), key).toBeNull();
    }
  });
});
