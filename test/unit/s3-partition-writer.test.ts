import { describe, expect, it } from 'vitest';
import { CutJournal } from '../../connectors/s3/cut-journal.js';
import { MIN_PART_BYTES } from '../../connectors/s3/file-upload.js';
import { JsonLinesWriter } from '../../connectors/s3/formats/json-lines-writer.js';
import { PartitionWriter, type RotationRules } from '../../connectors/s3/partition-writer.js';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import type { SinkRecord } from '../../src/sdk/index.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';

const json = new JsonConverter();
json.configure({ 'schemas.enable': 'false' }, false);

function rec(offset: number, value: unknown = { n: offset }, timestamp = 1_000 + offset): SinkRecord {
  return {
    topic: 't', kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema: null, value, timestamp,
    timestampType: 'CreateTime', headers: [], originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset,
  };
}

const RULES: RotationRules = { flushSize: null, flushSizeBytes: null, rotateIntervalMs: null, recordTime: true, partSize: MIN_PART_BYTES };

function writer(store: MemoryObjectStore, rules: Partial<RotationRules> = {}, clock = { now: 0 }, folder = (_r: SinkRecord) => 'partition=0') {
  const journal = new CutJournal(store, 'topics/_tributary/cuts/t+0.json');
  const w = new PartitionWriter({
    store,
    journal,
    rules: { ...RULES, ...rules },
    prepare: (r) => (r.value === null ? null : r),
    place: (r) => ({ encoded: folder(r), timestamp: r.timestamp! }),
    keyFor: (topic, encoded, partition, start) => `topics/${topic}/${encoded}/${topic}+${partition}+${String(start).padStart(10, '0')}.json`,
    newWriter: (out) => new JsonLinesWriter(json, out, null),
    scheduledEnd: () => null,
    now: () => clock.now,
  });
  return { w, journal };
}

const lines = (store: MemoryObjectStore, key: string): number[] => store.text(key).trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n);

describe('PartitionWriter', () => {
  it('cuts every flush.size records, completes the cut files and commits only past complete objects', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { flushSize: 3 });
    for (let i = 0; i < 8; i++) w.accept(rec(i));
    expect(w.commitOffset()).toBe(0); // two cut segments not uploaded yet
    await w.io();
    expect(store.keys()).toEqual(['topics/t/partition=0/t+0+0000000000.json', 'topics/t/partition=0/t+0+0000000003.json']);
    expect(lines(store, 'topics/t/partition=0/t+0+0000000003.json')).toEqual([3, 4, 5]);
    expect(w.commitOffset()).toBe(6);
  });

  it('cuts all folders of the partition together and names each file by its own first offset', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { flushSize: 4 }, { now: 0 }, (r) => `f=${r.kafkaOffset % 2}`);
    for (let i = 0; i < 4; i++) w.accept(rec(i));
    await w.io();
    expect(store.keys()).toEqual(['topics/t/f=0/t+0+0000000000.json', 'topics/t/f=1/t+0+0000000001.json']);
    expect(lines(store, 'topics/t/f=1/t+0+0000000001.json')).toEqual([1, 3]);
  });

  it('skips records delivered again, so a batch redelivered after a failed upload is written once', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { flushSize: 2 });
    store.failNext('put');
    const batch = [0, 1, 2].map((i) => rec(i));
    for (const r of batch) w.accept(r);
    await expect(w.io()).rejects.toThrow(/injected put failure/);
    expect(store.keys()).toEqual([]);
    for (const r of batch) w.accept(r); // redelivery
    await w.io();
    expect(lines(store, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1]);
    expect(w.commitOffset()).toBe(2);
  });

  it('cuts on record time (rotate.interval.ms) before the record that passes the interval', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { rotateIntervalMs: 10 });
    for (const [o, ts] of [[0, 100], [1, 105], [2, 110], [3, 111]] as const) w.accept(rec(o, { n: o }, ts));
    await w.io();
    expect(store.keys()).toEqual(['topics/t/partition=0/t+0+0000000000.json']);
    expect(lines(store, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1]);
    expect(w.commitOffset()).toBe(2);
  });

  it('journals an idle flush before its object appears, and a replay after a crash cuts at the same record', async () => {
    const store = new MemoryObjectStore();
    const clock = { now: 0 };
    const first = writer(store, { rotateIntervalMs: 1000, recordTime: true }, clock);
    for (let i = 0; i < 3; i++) first.w.accept(rec(i, { n: i }, 5));
    clock.now = 999;
    expect(first.w.timedCutDue(clock.now)).toBe(false);
    clock.now = 1000;
    expect(first.w.timedCutDue(clock.now)).toBe(true);
    first.w.forceCut();
    await first.w.io();
    expect(store.keys()).toEqual(['topics/_tributary/cuts/t+0.json', 'topics/t/partition=0/t+0+0000000000.json']);
    expect(store.calls.indexOf('put')).toBe(store.calls.lastIndexOf('put') - 1); // journal put before the file put
    expect(JSON.parse(store.text('topics/_tributary/cuts/t+0.json')).cuts).toEqual([2]);

    // Crash before the offset commit: a new writer replays from 0, now with more records behind.
    const second = writer(store, { rotateIntervalMs: 1000 }, { now: 50 });
    await second.journal.load();
    for (let i = 0; i < 6; i++) second.w.accept(rec(i, { n: i }, 5));
    await second.w.io();
    expect(lines(store, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1, 2]);
    expect(second.w.commitOffset()).toBe(3);
  });

  it('without the journal entry, the same replay would have put records 0..5 in one file (the test can fail)', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { flushSize: 6 });
    for (let i = 0; i < 6; i++) w.accept(rec(i, { n: i }, 5));
    await w.io();
    expect(lines(store, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('sends parts of a large file under memory pressure without cutting it, and completes it as one object', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store);
    const big = 'x'.repeat(64 * 1024);
    let i = 0;
    while (w.heldBytes() < MIN_PART_BYTES + 1024 * 1024) w.accept(rec(i++, { n: i - 1, big }));
    const held = w.heldBytes();
    const freed = await w.sendParts(1);
    expect(freed).toBeGreaterThanOrEqual(MIN_PART_BYTES);
    expect(w.heldBytes()).toBe(held - freed);
    expect(store.keys()).toEqual([]); // a part is not an object
    w.accept(rec(i++, { n: i - 1, big }));
    w.forceCut();
    await w.io();
    expect(store.calls.filter((c) => c === 'uploadPart')).toHaveLength(2);
    expect(lines(store, 'topics/t/partition=0/t+0+0000000000.json')).toEqual(Array.from({ length: i }, (_, k) => k));
  });

  it('abort leaves nothing visible and aborts the started upload', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store);
    const big = 'y'.repeat(64 * 1024);
    for (let i = 0; w.heldBytes() < MIN_PART_BYTES + 1; i++) w.accept(rec(i, { n: i, big }));
    await w.sendParts(1);
    expect(store.uploads.size).toBe(1);
    await w.abort();
    expect(store.uploads.size).toBe(0);
    expect(store.keys()).toEqual([]);
  });
});
