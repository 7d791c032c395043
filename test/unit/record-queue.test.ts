import { describe, expect, test } from 'vitest';
import { RecordQueue } from '../../connectors/postgres-cdc/record-queue.js';
import { sourceRecord } from '../../src/sdk/index.js';

const recs = (n: number) => Array.from({ length: n }, (_, i) => sourceRecord({ topic: 't', value: i }));

describe('the CDC record queue', () => {
  test('bounded by records: full at capacity, room again once polled', async () => {
    const q = new RecordQueue(10);
    q.push(recs(9));
    expect(q.full).toBe(false);
    q.push(recs(3));
    expect(q.full).toBe(true);
    let roomy = false;
    const room = q.room().then(() => (roomy = true));
    await Promise.resolve();
    expect(roomy).toBe(false);
    expect((await q.take(5, 0, new AbortController().signal)).length).toBe(5);
    await room;
    expect(roomy).toBe(true);
  });

  test('bounded by bytes (max.queue.size.in.bytes) when given: full at the byte bound, freed as records are taken', async () => {
    const q = new RecordQueue(1000, 100);
    q.push(recs(4), 80);
    expect(q.full).toBe(false);
    q.push(recs(2), 40);
    expect(q.full).toBe(true);
    await q.take(2, 0, new AbortController().signal); // 2 × 20 bytes
    expect(q.full).toBe(false);
    const q2 = new RecordQueue(1000);
    q2.push(recs(2), 1e9);
    expect(q2.full, 'no byte bound when 0').toBe(false);
  });

  test('a failure is thrown after the records before it were taken', async () => {
    const q = new RecordQueue(10);
    q.push(recs(2));
    q.fail(new Error('lost'));
    const signal = new AbortController().signal;
    expect((await q.take(10, 0, signal)).length).toBe(2);
    await expect(q.take(10, 0, signal)).rejects.toThrow('lost');
  });
});
