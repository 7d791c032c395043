import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, sourceRecord, type ConnectRecord } from '../../src/sdk/index.js';
import { TimestampRouter } from '../../transforms/kafka/timestamp-router.js';

function router(props: Record<string, string> = {}): TimestampRouter {
  const r = new TimestampRouter();
  r.configure(props);
  return r;
}
const record = (topic: string, timestamp: number | null): ConnectRecord => sourceRecord({ topic, kafkaPartition: 0, timestamp, key: 'k', value: 'v' });

describe('TimestampRouter', () => {
  it('routes to ${topic}-yyyyMMdd by default (Kafka test case)', () => {
    expect(router().apply(record('test', 1483425001864))!.topic).toBe('test-20170103');
  });

  it('keeps everything but the topic', () => {
    const r = record('test', 1483425001864);
    expect(router().apply(r)).toEqual({ ...r, topic: 'test-20170103' });
  });

  it('formats in UTC with any SimpleDateFormat pattern and placeholder layout', () => {
    const r = router({ 'topic.format': 'archive.${timestamp}.${topic}.${timestamp}', 'timestamp.format': "yyyy-MM'W'w-HH" });
    expect(r.apply(record('orders', Date.parse('2024-12-31T23:30:00Z')))!.topic).toBe('archive.2024-12W1-23.orders.2024-12W1-23');
    expect(router({ 'topic.format': 'fixed' }).apply(record('orders', 0))!.topic).toBe('fixed');
  });

  it('follows each record across day boundaries and topics', () => {
    const r = router({ 'timestamp.format': 'yyyyMMddHH' });
    const t = Date.parse('2024-03-05T07:59:59.999Z');
    expect([r.apply(record('a', t))!.topic, r.apply(record('a', t + 1))!.topic, r.apply(record('b', t + 1))!.topic, r.apply(record('a', t))!.topic])
      .toEqual(['a-2024030507', 'a-2024030508', 'b-2024030508', 'a-2024030507']);
  });

  it('replaces ${timestamp} in the topic too, as Kafka replaces in turn', () => {
    expect(router().apply(record('x${timestamp}', 0))!.topic).toBe('x19700101-19700101');
  });

  it('fails records without a timestamp with a DataError', () => {
    expect(() => router().apply(record('test', null))).toThrow(DataError);
    expect(() => router().apply(record('test', null))).toThrow('Timestamp missing on record');
  });

  it('refuses an invalid timestamp.format at configure time', () => {
    expect(() => router({ 'timestamp.format': 'yyyy-bb' })).toThrow(ConfigError);
    expect(() => router({ 'timestamp.format': 'yyyy-bb' })).toThrow("Invalid value yyyy-bb for configuration timestamp.format: Illegal pattern character 'b'");
  });
});
