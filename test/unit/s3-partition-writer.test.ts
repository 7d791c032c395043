import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CutJournal } from '../../connectors/s3/cut-journal.js';
import { FileUpload, MIN_PART_BYTES } from '../../connectors/s3/file-upload.js';
import { JsonLinesWriter } from '../../connectors/s3/formats/json-lines-writer.js';
import { PartitionWriter, type PartitionWriterDeps, type RotationRules } from '../../connectors/s3/partition-writer.js';
import { LocalSpillFiles, type SpillFiles } from '../../connectors/s3/spill-files.js';
import { JsonConverter } from '../../src/runtime/converters/json-converter.js';
import type { SinkRecord } from '../../src/sdk/index.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs('tributary-spill-unit-');
const json = new JsonConverter();
json.configure({ 'schemas.enable': 'false' }, false);

function rec(offset: number, value: unknown = { n: offset }, timestamp = 1_000 + offset): SinkRecord {
  return {
    topic: 't', kafkaPartition: 0, kafkaOffset: offset, keySchema: null, key: null, valueSchema: null, value, timestamp,
    timestampType: 'CreateTime', headers: [], originalTopic: 't', originalKafkaPartition: 0, originalKafkaOffset: offset,
  };
}

const RULES: RotationRules = { flushSize: null, flushSizeBytes: null, rotateIntervalMs: null, recordTime: true, partSize: MIN_PART_BYTES };

function writer(store: MemoryObjectStore, rules: Partial<RotationRules> = {}, clock = { now: 0 }, folder = (_r: SinkRecord) => 'partition=0', extra: Partial<PartitionWriterDeps> = {}) {
  const journal = new CutJournal(store, JOURNAL);
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
    ...extra,
  });
  return { w, journal };
}

/** Where the data objects are (the cut journal is under `topics/_tributary/`). */
const DATA = 'topics/t/';
const JOURNAL = 'topics/_tributary/cuts/t+0.json';

/** The store a replay after a crash writes into: empty but for the cut journal `store` holds, so it shows only what the replay wrote. */
function journalOnly(store: MemoryObjectStore): MemoryObjectStore {
  const fresh = new MemoryObjectStore();
  fresh.objects.set(JOURNAL, Buffer.from(store.objects.get(JOURNAL)!));
  return fresh;
}

const lines = (store: MemoryObjectStore, key: string): number[] => store.text(key).trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n);

describe('PartitionWriter', () => {
  it('cuts every flush.size records, completes the cut files and commits only past complete objects', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { flushSize: 3 });
    for (let i = 0; i < 8; i++) w.accept(rec(i));
    expect(w.commitOffset()).toBe(0); // two cut segments not uploaded yet
    await w.io();
    expect(store.keys(DATA)).toEqual(['topics/t/partition=0/t+0+0000000000.json', 'topics/t/partition=0/t+0+0000000003.json']);
    expect(lines(store, 'topics/t/partition=0/t+0+0000000003.json')).toEqual([3, 4, 5]);
    expect(w.commitOffset()).toBe(6);
  });

  it('cuts all folders of the partition together and names each file by its own first offset', async () => {
    const store = new MemoryObjectStore();
    const { w } = writer(store, { flushSize: 4 }, { now: 0 }, (r) => `f=${r.kafkaOffset % 2}`);
    for (let i = 0; i < 4; i++) w.accept(rec(i));
    await w.io();
    expect(store.keys(DATA)).toEqual(['topics/t/f=0/t+0+0000000000.json', 'topics/t/f=1/t+0+0000000001.json']);
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
    expect(store.keys(DATA)).toEqual(['topics/t/partition=0/t+0+0000000000.json']);
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

    const firstFile = store.objects.get('topics/t/partition=0/t+0+0000000000.json')!;

    // Crash before the offset commit: a new writer replays from 0, now with more records behind.
    const replayed = journalOnly(store);
    const second = writer(replayed, { rotateIntervalMs: 1000 }, { now: 50 });
    await second.journal.load();
    for (let i = 0; i < 6; i++) second.w.accept(rec(i, { n: i }, 5));
    await second.w.io();
    expect(replayed.keys(DATA)).toEqual(['topics/t/partition=0/t+0+0000000000.json']);
    expect(lines(replayed, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1, 2]);
    expect(replayed.objects.get('topics/t/partition=0/t+0+0000000000.json')!.equals(firstFile)).toBe(true);
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

/** The files under a spill parent directory (in the task's own subdirectory). */
async function spillFilesIn(parent: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(parent)) out.push(...(await readdir(join(parent, d))));
  return out;
}

const journalOf = (store: MemoryObjectStore): unknown => JSON.parse(store.text(JOURNAL));

describe('the replay region (records up to the journal\'s through, cut by an earlier run)', () => {
  it('makes no memory, idle or scheduled cut there, so the replay forms the same objects; they resume after through', async () => {
    const store = new MemoryObjectStore();
    const rules = { flushSize: 4, rotateIntervalMs: 1000 };
    const first = writer(store, rules, { now: 0 });
    for (let i = 0; i < 8; i++) first.w.accept(rec(i, { n: i }, 5));
    await first.w.io();
    expect(journalOf(store)).toEqual({ version: 1, cuts: [], through: 7 });
    const firstRun = new Map(store.keys(DATA).map((k) => [k, store.objects.get(k)!]));
    expect([...firstRun.keys()]).toEqual(['topics/t/partition=0/t+0+0000000000.json', 'topics/t/partition=0/t+0+0000000004.json']);

    // A crash before the commit; the replay runs where every schedule window ends a millisecond after it began.
    const clock = { now: 10_000 };
    const replayed = journalOnly(store);
    const second = writer(replayed, rules, clock, undefined, { scheduledEnd: (startedAt) => startedAt + 1 });
    await second.journal.load();
    expect(second.journal.replayThrough).toBe(7);
    second.w.accept(rec(0, { n: 0 }, 5));
    second.w.accept(rec(1, { n: 1 }, 5));
    clock.now += 5_000; // idle for longer than rotate.interval.ms, and past the schedule
    expect(second.w.replaying()).toBe(true);
    expect(second.w.timedCutDue(clock.now)).toBe(false);
    expect(second.w.nextTimedCut()).toBeNull();
    expect(second.w.forceCut(), 'the memory budget cannot cut either').toBe(false);
    for (let i = 2; i < 10; i++) second.w.accept(rec(i, { n: i }, 5));
    await second.w.io();
    expect(replayed.keys(DATA)).toEqual([...firstRun.keys()]);
    for (const [k, b] of firstRun) expect(replayed.objects.get(k)!.equals(b), k).toBe(true);

    // 8 and 9 are past through: the timed and forced cuts are back, journaled.
    expect(second.w.replaying()).toBe(false);
    clock.now += 5_000;
    expect(second.w.timedCutDue(clock.now)).toBe(true);
    expect(second.w.nextTimedCut()).not.toBeNull();
    expect(second.w.forceCut()).toBe(true);
    await second.w.io();
    expect(lines(replayed, 'topics/t/partition=0/t+0+0000000008.json')).toEqual([8, 9]);
    expect(journalOf(replayed)).toEqual({ version: 1, cuts: [9], through: 9 });
    expect(second.w.commitOffset()).toBe(10);
  });

  it('the wall-clock rotate.interval.ms cut waits for the end of the region; the journal\'s cut is made at its record', async () => {
    const store = new MemoryObjectStore();
    const rules = { rotateIntervalMs: 10, recordTime: false };
    const first = writer(store, rules);
    for (const [o, ts] of [[0, 0], [1, 1], [2, 2], [3, 100]] as const) first.w.accept(rec(o, { n: o }, ts));
    await first.w.io();
    expect(journalOf(store)).toEqual({ version: 1, cuts: [2], through: 2 });

    // The replay takes longer: record 2 comes 100 ms after 0, which would cut before it outside the region.
    const firstFile = store.objects.get('topics/t/partition=0/t+0+0000000000.json')!;
    const replayed = journalOnly(store);
    const second = writer(replayed, rules);
    await second.journal.load();
    for (const [o, ts] of [[0, 0], [1, 50], [2, 100], [3, 200], [4, 300]] as const) second.w.accept(rec(o, { n: o }, ts));
    await second.w.io();
    expect(replayed.keys(DATA)).toEqual(['topics/t/partition=0/t+0+0000000000.json', 'topics/t/partition=0/t+0+0000000003.json']);
    expect(lines(replayed, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1, 2]);
    expect(replayed.objects.get('topics/t/partition=0/t+0+0000000000.json')!.equals(firstFile)).toBe(true);
    expect(lines(replayed, 'topics/t/partition=0/t+0+0000000003.json')).toEqual([3]); // past the region: cut by the clock again
    expect(journalOf(replayed)).toEqual({ version: 1, cuts: [2, 3], through: 3 });
  });

  it('saves the journal with through before any object of the segments cut, one put per round; a failed save completes nothing', async () => {
    const store = new MemoryObjectStore();
    const events: string[] = [];
    const put = store.put.bind(store);
    store.put = async (key, body) => {
      await put(key, body);
      events.push(key === JOURNAL ? `journal through ${(JSON.parse(Buffer.from(body).toString('utf8')) as { through: number }).through}` : key.slice(key.lastIndexOf('/') + 1));
    };
    const { w } = writer(store, { flushSize: 2 }, { now: 0 }, (r) => `f=${r.kafkaOffset % 2}`);
    for (let i = 0; i < 5; i++) w.accept(rec(i));
    await w.io();
    expect(events).toEqual(['journal through 3', 't+0+0000000000.json', 't+0+0000000001.json', 't+0+0000000002.json', 't+0+0000000003.json']);

    events.length = 0;
    w.accept(rec(5));
    store.failNext('put');
    await expect(w.io()).rejects.toThrow(/injected put failure/);
    expect(events).toEqual([]);
    expect(w.commitOffset()).toBe(4);
    await w.io();
    expect(events).toEqual(['journal through 5', 't+0+0000000004.json', 't+0+0000000005.json']);
    await w.io();
    expect(events, 'nothing cut since: no save').toHaveLength(3);
  });

  it('an old journal without through still loads: its cuts apply, and there is no replay region', async () => {
    const store = new MemoryObjectStore();
    await store.put(JOURNAL, Buffer.from(JSON.stringify({ version: 1, cuts: [2] })));
    const { w, journal } = writer(store);
    await journal.load();
    expect(journal.replayThrough).toBe(-1);
    for (let i = 0; i < 5; i++) w.accept(rec(i));
    expect(w.replaying()).toBe(false);
    expect(w.forceCut()).toBe(true);
    await w.io();
    expect(lines(store, 'topics/t/partition=0/t+0+0000000000.json')).toEqual([0, 1, 2]);
    expect(lines(store, 'topics/t/partition=0/t+0+0000000003.json')).toEqual([3, 4]);
    expect(journalOf(store)).toEqual({ version: 1, cuts: [2, 4], through: 4 });

    await store.put(JOURNAL, Buffer.from(JSON.stringify({ version: 1, cuts: [], through: 'seven' })));
    await expect(writer(store).journal.load()).rejects.toThrow(/no offset in "through"/);
  });

  it('spills the open files of a replaying partition to local disk; the replay still writes the same bytes, and the spill file goes', async () => {
    const parent = await tempDir();
    const store = new MemoryObjectStore();
    const big = 'z'.repeat(64 * 1024);
    const first = writer(store, { flushSize: 3 });
    for (let i = 0; i < 3; i++) first.w.accept(rec(i, { n: i, big }));
    await first.w.io();
    const before = Buffer.from(store.objects.get('topics/t/partition=0/t+0+0000000000.json')!);

    const replayed = journalOnly(store);
    const second = writer(replayed, { flushSize: 3 }, { now: 0 }, undefined, { spill: new LocalSpillFiles(parent) });
    await second.journal.load();
    second.w.accept(rec(0, { n: 0, big }));
    second.w.accept(rec(1, { n: 1, big }));
    const held = second.w.heldBytes();
    expect(held).toBeGreaterThan(2 * big.length);
    expect(await second.w.spill(1)).toBe(held);
    expect(second.w.heldBytes()).toBe(0);
    expect(await spillFilesIn(parent)).toHaveLength(1);
    second.w.accept(rec(2, { n: 2, big }));
    await second.w.io();
    expect(replayed.keys(DATA)).toEqual(['topics/t/partition=0/t+0+0000000000.json']);
    expect(replayed.objects.get('topics/t/partition=0/t+0+0000000000.json')!.equals(before)).toBe(true);
    expect(await spillFilesIn(parent)).toEqual([]);
  });
});

describe('FileUpload spill', () => {
  const MiB = 1024 * 1024;
  /** `n` bytes no two runs share, in chunks of at most 1 MiB. */
  const bytes = (n: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i += MiB) out.push(randomBytes(Math.min(MiB, n - i)));
    return out;
  };
  /** Records the size of each part the store accepted. */
  function partSizes(store: MemoryObjectStore): number[] {
    const sizes: number[] = [];
    const uploadPart = store.uploadPart.bind(store);
    store.uploadPart = async (key, id, n, body) => {
      const part = await uploadPart(key, id, n, body);
      sizes.push(body.length);
      return part;
    };
    return sizes;
  }

  it('a small file spilled twice is one PutObject of exactly its bytes; a failed put is retried with the same bytes', async () => {
    const parent = await tempDir();
    const store = new MemoryObjectStore();
    const up = new FileUpload(store, 'k', MIN_PART_BYTES, new LocalSpillFiles(parent));
    const all: Buffer[] = [];
    const push = (b: Buffer): void => {
      all.push(b);
      up.push(b);
    };
    push(Buffer.from('abc'));
    expect(await up.spill()).toBe(3);
    push(Buffer.from('def'));
    push(Buffer.from('g'));
    expect(await up.spill()).toBe(4);
    push(Buffer.from('hi'));
    expect(up.heldBytes()).toBe(2);
    expect(up.spilledBytes()).toBe(7);
    store.failNext('put');
    await expect(up.complete()).rejects.toThrow(/injected put failure/);
    await up.complete();
    expect(store.calls).toEqual(['put', 'put']);
    expect(store.text('k')).toBe('abcdefghi');
    expect(await spillFilesIn(parent)).toEqual([]);
  });

  it('multipart: parts read back from the spill file in order, a failed part keeps its bytes and number across a spill, the last part smaller', async () => {
    const parent = await tempDir();
    const store = new MemoryObjectStore();
    const sizes = partSizes(store);
    const up = new FileUpload(store, 'k', MIN_PART_BYTES, new LocalSpillFiles(parent));
    const all: Buffer[] = [];
    const push = (n: number): void => {
      for (const b of bytes(n)) {
        all.push(b);
        up.push(b);
      }
    };
    push(3 * MiB);
    await up.spill();
    push(4 * MiB);
    await up.spill();
    expect(up.heldBytes()).toBe(0);
    expect(up.partReady()).toBe(true);
    await up.uploadPart(); // 5 MiB from the file
    push(4 * MiB);
    expect(up.partReady()).toBe(true);
    store.failNext('uploadPart');
    await expect(up.uploadPart()).rejects.toThrow(/injected uploadPart failure/); // the file's last 2 MiB and the 4 MiB buffered
    expect(up.heldBytes()).toBe(6 * MiB);
    push(MiB);
    expect(await up.spill()).toBe(MiB); // after the failed part, which keeps its bytes
    await up.uploadPart();
    push(2 * MiB);
    await up.complete();
    expect(sizes).toEqual([5 * MiB, 6 * MiB, 3 * MiB]);
    expect(store.objects.get('k')!.equals(Buffer.concat(all))).toBe(true);
    expect(await spillFilesIn(parent)).toEqual([]);
  });

  it('a spilled file larger than a part is sent in parts of the part size read from the file, not as one put', async () => {
    const parent = await tempDir();
    const store = new MemoryObjectStore();
    const sizes = partSizes(store);
    const up = new FileUpload(store, 'k', MIN_PART_BYTES, new LocalSpillFiles(parent));
    const all = bytes(12 * MiB);
    for (const b of all) {
      up.push(b);
      await up.spill();
    }
    const tail = Buffer.from('tail');
    all.push(tail);
    up.push(tail);
    await up.complete();
    expect(store.calls).toEqual(['createUpload', 'uploadPart', 'uploadPart', 'uploadPart', 'completeUpload']);
    expect(sizes).toEqual([5 * MiB, 5 * MiB, 2 * MiB + 4]);
    expect(store.objects.get('k')!.equals(Buffer.concat(all))).toBe(true);
  });

  it('abort deletes the spill file (and aborts a started upload)', async () => {
    const parent = await tempDir();
    const store = new MemoryObjectStore();
    const up = new FileUpload(store, 'k', MIN_PART_BYTES, new LocalSpillFiles(parent));
    for (const b of bytes(6 * MiB)) up.push(b);
    await up.uploadPart();
    up.push(Buffer.from('more'));
    await up.spill();
    expect(await spillFilesIn(parent)).toHaveLength(1);
    await up.abort();
    expect(await spillFilesIn(parent)).toEqual([]);
    expect(store.calls.at(-1)).toBe('abortUpload');
    expect(store.keys()).toEqual([]);
  });

  it('a spill write that fails half-way keeps the bytes buffered; the next spill writes them again at the same place', async () => {
    const parent = await tempDir();
    const store = new MemoryObjectStore();
    const local = new LocalSpillFiles(parent);
    let failNext = false;
    const flaky: SpillFiles = {
      newFile: () => local.newFile(),
      read: (f, at, n) => local.read(f, at, n),
      remove: (f) => local.remove(f),
      write: async (f, at, chunks) => {
        if (!failNext) return local.write(f, at, chunks);
        failNext = false;
        await local.write(f, at, chunks.slice(0, 1)); // the disk took part of it
        throw new Error('injected spill failure');
      },
    };
    const up = new FileUpload(store, 'k', MIN_PART_BYTES, flaky);
    up.push(Buffer.from('ab'));
    await up.spill();
    up.push(Buffer.from('cd'));
    up.push(Buffer.from('ef'));
    failNext = true;
    await expect(up.spill()).rejects.toThrow(/injected spill failure/);
    expect(up.heldBytes()).toBe(4);
    expect(up.spilledBytes()).toBe(2);
    up.push(Buffer.from('g'));
    expect(await up.spill()).toBe(5);
    await up.complete();
    expect(store.text('k')).toBe('abcdefg');
  });

  it('without spill files an upload spills nothing', async () => {
    const up = new FileUpload(new MemoryObjectStore(), 'k', MIN_PART_BYTES);
    up.push(Buffer.from('x'));
    expect(await up.spill()).toBe(0);
    expect(up.heldBytes()).toBe(1);
  });
});
