import { describe, expect, it, vi } from 'vitest';
import { mkdir, open, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import { DEFAULT_TOPIC_CONFIG } from '../../src/log/embedded/topic-config.js';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { batchCrcValid, readBatchHeader, encodeBatch, computeBatchCrc } from '../../src/log/codec/record-batch.js';
import { KCompression, KRecord, Long, kafkajsDecodeBatch, kafkajsEncodeBatch } from '../support/kafkajs.js';
import { buf, expectCode, partitionDir, readAll, readAllBatches, useLogHarness, view } from '../support/log.js';

const h = useLogHarness();

async function fresh(opts: Parameters<typeof h.open>[1] = {}): Promise<{ log: EmbeddedLog; dir: string }> {
  const dir = join(await h.tempDir(), 'data');
  return { log: await h.open(dir, opts), dir };
}

describe('topics', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const { log, dir } = await fresh();
    expect(await log.listTopics()).toEqual(['__consumer_offsets']);
    await log.createTopic('orders', { partitions: 3, configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact, delete', 'segment.bytes': 4096 } });
    await log.createTopic('a-topic');
    expect(await log.listTopics()).toEqual(['__consumer_offsets', 'a-topic', 'orders']);

    const d = await log.describeTopic('orders');
    expect(d.name).toBe('orders');
    expect(d.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of d.partitions) expect(p).toMatchObject({ earliestOffset: 0, latestOffset: 0, sizeBytes: 0, segments: 1 });
    expect(d.configs).toEqual({
      ...DEFAULT_TOPIC_CONFIG,
      'retention.ms': 60000,
      'cleanup.policy': 'compact,delete',
      'segment.bytes': 4096,
    });
    expect((await log.describeTopic('a-topic')).configs).toEqual(DEFAULT_TOPIC_CONFIG);
    expect((await log.describeTopic('a-topic')).partitions).toHaveLength(1);

    await log.append('orders', 1, [{ key: buf('k'), value: buf('v') }]);
    const d2 = await log.describeTopic('orders');
    expect(d2.partitions[1]!.latestOffset).toBe(1);
    expect(d2.partitions[1]!.sizeBytes).toBeGreaterThan(61);
    expect(d2.partitions[0]!.latestOffset).toBe(0);

    await log.deleteTopic('orders');
    expect(await log.listTopics()).toEqual(['__consumer_offsets', 'a-topic']);
    await expectCode(log.describeTopic('orders'), 'UNKNOWN_TOPIC_OR_PARTITION');
    await expectCode(log.append('orders', 0, [{ key: null, value: buf('x') }]), 'UNKNOWN_TOPIC_OR_PARTITION');
    await expect(stat(join(dir, 'topics', 'orders'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expectCode(log.deleteTopic('orders'), 'UNKNOWN_TOPIC_OR_PARTITION');

    // The name can be reused; the new topic starts empty.
    await log.createTopic('orders', { partitions: 1 });
    expect(await log.latestOffset('orders', 0)).toBe(0);
    expect((await log.describeTopic('orders')).configs).toEqual(DEFAULT_TOPIC_CONFIG);
  });

  it('keeps topics, configs and data across reopen', async () => {
    const { log, dir } = await fresh();
    await log.createTopic('t', { partitions: 2, configs: { 'retention.bytes': 12345, 'compression.type': 'gzip' } });
    await log.append('t', 1, [{ key: buf('a'), value: buf('1') }, { key: buf('b'), value: buf('2') }]);
    await log.close();
    const again = await h.open(dir);
    expect(await again.listTopics()).toEqual(['__consumer_offsets', 't']);
    const d = await again.describeTopic('t');
    expect(d.configs['retention.bytes']).toBe(12345);
    expect(d.configs['compression.type']).toBe('gzip');
    expect(d.partitions.map((p) => p.latestOffset)).toEqual([0, 2]);
    expect((await readAll(again, 't', 1)).map(view)).toEqual([
      { offset: 0, key: 'a', value: '1' },
      { offset: 1, key: 'b', value: '2' },
    ]);
  });

  it('refuses a topic that exists: TOPIC_ALREADY_EXISTS', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await expectCode(log.createTopic('t'), 'TOPIC_ALREADY_EXISTS');
    await expectCode(log.createTopic('__consumer_offsets'), 'TOPIC_ALREADY_EXISTS');
  });

  it('two concurrent creations of one name: one succeeds, the other gets TOPIC_ALREADY_EXISTS', async () => {
    const { log, dir } = await fresh();
    const results = await Promise.allSettled([log.createTopic('t', { partitions: 2 }), log.createTopic('t', { partitions: 3 })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    await expectCode(Promise.reject(failed.reason), 'TOPIC_ALREADY_EXISTS');
    expect(await log.listTopics()).toEqual(['__consumer_offsets', 't']);
    expect((await log.describeTopic('t')).partitions).toHaveLength(2);
    expect((await readdir(join(dir, 'topics'))).sort()).toEqual(['__consumer_offsets', 't']);
  });

  it.each(['', '.', '..', 'has space', 'slash/name', 'ü', 'x'.repeat(250), 'a*b'])('refuses the name %j: INVALID_TOPIC', async (name) => {
    const { log } = await fresh();
    await expectCode(log.createTopic(name), 'INVALID_TOPIC');
    expect(await log.listTopics()).toEqual(['__consumer_offsets']);
  });

  it('accepts the longest legal name and all legal characters', async () => {
    const { log } = await fresh();
    await log.createTopic('x'.repeat(249));
    await log.createTopic('Az09._-');
    expect(await log.listTopics()).toContain('Az09._-');
  });

  it.each([0, -1, 1.5, Number.NaN, 100_001])('refuses %d partitions: INVALID_PARTITIONS', async (n) => {
    const { log } = await fresh();
    await expectCode(log.createTopic('t', { partitions: n }), 'INVALID_PARTITIONS');
    expect(await log.listTopics()).toEqual(['__consumer_offsets']);
  });

  it.each<[string, Record<string, string | number>]>([
    ['an unknown key', { 'retention.mss': 1000 }],
    ['a non-numeric value', { 'retention.ms': 'soon' }],
    ['a fractional value', { 'segment.bytes': 4096.5 }],
    ['a value below the minimum', { 'segment.bytes': 10 }],
    ['a value below -1', { 'retention.bytes': -2 }],
    ['an unknown cleanup policy', { 'cleanup.policy': 'shred' }],
    ['an unsupported compression', { 'compression.type': 'snappy' }],
    ['a negative delete.retention.ms', { 'delete.retention.ms': -1 }],
  ])('refuses %s: INVALID_CONFIG', async (_what, configs) => {
    const { log } = await fresh();
    await expectCode(log.createTopic('t', { configs }), 'INVALID_CONFIG');
    expect(await log.listTopics()).toEqual(['__consumer_offsets']);
  });

  it('refuses to delete the internal offsets topic: INVALID_TOPIC', async () => {
    const { log } = await fresh();
    await expectCode(log.deleteTopic('__consumer_offsets'), 'INVALID_TOPIC');
    expect(await log.listTopics()).toEqual(['__consumer_offsets']);
  });

  it('refuses a partition that does not exist: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const { log } = await fresh();
    await log.createTopic('t', { partitions: 2 });
    for (const p of [2, -1, 1.5, Number.NaN]) {
      await expectCode(log.append('t', p, [{ key: null, value: buf('x') }]), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectCode(log.read('t', p, 0), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectCode(log.latestOffset('t', p), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectCode(log.earliestOffset('t', p), 'UNKNOWN_TOPIC_OR_PARTITION');
      await expectCode(log.offsetForTimestamp('t', p, 0), 'UNKNOWN_TOPIC_OR_PARTITION');
    }
    await expectCode(log.read('nope', 0, 0), 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('fails every call with LOG_CLOSED after close', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.close();
    await expectCode(log.append('t', 0, [{ key: null, value: buf('x') }]), 'LOG_CLOSED');
    await expectCode(log.read('t', 0, 0), 'LOG_CLOSED');
    await expectCode(log.createTopic('u'), 'LOG_CLOSED');
    await expectCode(log.listTopics(), 'LOG_CLOSED');
    await expectCode(log.commitOffsets('g', []), 'LOG_CLOSED');
    await log.close(); // idempotent
  });
});

describe('append', () => {
  it('assigns consecutive offsets per partition and reads back what was written', async () => {
    const clock = new ManualClock(1_000_000);
    const { log } = await fresh({ clock });
    await log.createTopic('t', { partitions: 2 });
    expect(await log.append('t', 0, [{ key: buf('a'), value: buf('1') }])).toEqual({ baseOffset: 0, lastOffset: 0 });
    expect(
      await log.append('t', 0, [
        { key: null, value: buf('2'), headers: [{ key: 'h', value: buf('x') }, { key: 'n', value: null }] },
        { key: buf('c'), value: null, timestamp: 42 },
      ]),
    ).toEqual({ baseOffset: 1, lastOffset: 2 });
    expect(await log.append('t', 1, [{ key: null, value: buf('other') }])).toEqual({ baseOffset: 0, lastOffset: 0 });
    const r = await log.read('t', 0, 0);
    expect(r.records).toEqual([
      { offset: 0, timestamp: 1_000_000, key: buf('a'), value: buf('1'), headers: [] },
      { offset: 1, timestamp: 1_000_000, key: null, value: buf('2'), headers: [{ key: 'h', value: buf('x') }, { key: 'n', value: null }] },
      { offset: 2, timestamp: 42, key: buf('c'), value: null, headers: [] },
    ]);
    expect(r.nextOffset).toBe(3);
    expect(r.highWatermark).toBe(3);
    expect(r.logStartOffset).toBe(0);
    // Reading from the middle of a batch returns only records at or after the offset.
    expect((await log.read('t', 0, 2)).records.map((x) => x.offset)).toEqual([2]);
  });

  it('refuses an empty batch: INVALID_RECORD', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await expectCode(log.append('t', 0, []), 'INVALID_RECORD');
    expect(await log.latestOffset('t', 0)).toBe(0);
  });

  it('refuses a batch over max.message.bytes (MESSAGE_TOO_LARGE) and nothing of it is visible', async () => {
    const { log } = await fresh();
    await log.createTopic('t', { configs: { 'max.message.bytes': 500 } });
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(100) }]);
    await expectCode(log.append('t', 0, [{ key: null, value: Buffer.alloc(600, 1) }]), 'MESSAGE_TOO_LARGE');
    await expectCode(
      log.append('t', 0, Array.from({ length: 10 }, () => ({ key: null, value: Buffer.alloc(60, 2) }))),
      'MESSAGE_TOO_LARGE',
    );
    expect(await log.latestOffset('t', 0)).toBe(1);
    const r = await log.read('t', 0, 0);
    expect(r.records).toHaveLength(1);
    expect(r.records[0]!.value).toEqual(Buffer.alloc(100));
    expect((await log.read('t', 0, 1)).records).toEqual([]);
    // The log keeps working: the next batch takes the next offset.
    expect(await log.append('t', 0, [{ key: null, value: buf('ok') }])).toEqual({ baseOffset: 1, lastOffset: 1 });
    expect((await readAll(log, 't')).map((x) => x.offset)).toEqual([0, 1]);
  });

  it('refuses a keyless record on a compacted topic: INVALID_RECORD, nothing appended', async () => {
    const { log } = await fresh();
    await log.createTopic('c', { configs: { 'cleanup.policy': 'compact' } });
    await expectCode(log.append('c', 0, [{ key: buf('k'), value: buf('v') }, { key: null, value: buf('no key') }]), 'INVALID_RECORD');
    expect(await log.latestOffset('c', 0)).toBe(0);
    await log.createTopic('cd', { configs: { 'cleanup.policy': 'compact,delete' } });
    await expectCode(log.append('cd', 0, [{ key: null, value: buf('no key') }]), 'INVALID_RECORD');
    expect(await log.append('c', 0, [{ key: buf('k'), value: null }])).toEqual({ baseOffset: 0, lastOffset: 0 });
  });

  it.each(['none', 'fsync'] as const)(
    'flush=%s: 200 appends fired without awaiting get consecutive offsets in call order',
    async (flush) => {
      const { log } = await fresh({ flush });
      await log.createTopic('t', { configs: { 'segment.bytes': 8192 } });
      const sizes: number[] = Array.from({ length: 200 }, (_, i) => 1 + (i % 4));
      const calls = sizes.map((n, i) =>
        log.append(
          't',
          0,
          Array.from({ length: n }, (_, j) => ({ key: buf(`c${i}`), value: buf(`call ${i} record ${j}`) })),
        ),
      );
      const results = await Promise.all(calls);
      let next = 0;
      results.forEach((r, i) => {
        expect(r, `call ${i}`).toEqual({ baseOffset: next, lastOffset: next + sizes[i]! - 1 });
        next += sizes[i]!;
      });
      const all = await readAll(log, 't');
      expect(all.map((r) => r.offset)).toEqual(Array.from({ length: next }, (_, i) => i));
      let k = 0;
      sizes.forEach((n, i) => {
        for (let j = 0; j < n; j++) expect(all[k++]!.value!.toString()).toBe(`call ${i} record ${j}`);
      });
      // Several segments were rolled while appends were in flight.
      expect((await log.describeTopic('t')).partitions[0]!.segments).toBeGreaterThan(3);
    },
  );

  it('keeps call order when gzip encoding finishes out of order', async () => {
    const { log } = await fresh();
    await log.createTopic('g', { configs: { 'compression.type': 'gzip' } });
    // A big compressible batch first, tiny ones after: encoding of the first takes longest.
    const calls = [
      log.append('g', 0, [{ key: buf('big'), value: Buffer.alloc(2_000_000, 'z') }]),
      ...Array.from({ length: 20 }, (_, i) => log.append('g', 0, [{ key: buf(`s${i}`), value: buf(`small ${i}`) }])),
    ];
    const results = await Promise.all(calls);
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    const all = await readAll(log, 'g');
    expect(all.map((r) => r.key!.toString())).toEqual(['big', ...Array.from({ length: 20 }, (_, i) => `s${i}`)]);
  });

  it('retention running between rolls never takes a segment still being written', async () => {
    const clock = new ManualClock();
    const { log } = await fresh({ clock, flush: 'fsync' });
    await log.createTopic('t', { configs: { 'segment.bytes': 1024, 'retention.ms': 1000 } });
    const old = clock.now() - 10_000; // every record is past retention at once
    // Up to 8 appends in flight, retention asked for every third append: rolls, seals and
    // retention runs interleave on the partition's maintenance queue.
    const inFlight: Promise<unknown>[] = [];
    const retention: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      inFlight.push(log.append('t', 0, [{ key: null, value: Buffer.alloc(300, i), timestamp: old }]));
      if (inFlight.length >= 8) await inFlight.shift();
      if (i % 3 === 0) retention.push(log.applyRetention());
    }
    await Promise.all([...inFlight, ...retention]);
    expect(await log.latestOffset('t', 0)).toBe(300);
    // The partition still takes appends, and what retention kept reads back whole.
    await log.append('t', 0, [{ key: null, value: buf('after') }]);
    const kept = await readAll(log, 't', 0);
    expect(kept[kept.length - 1]!.value!.toString()).toBe('after');
  });

  it('flush=fsync: concurrent appends share fdatasync calls (group commit)', async () => {
    const { log, dir } = await fresh({ flush: 'fsync' });
    await log.createTopic('t');
    // FileHandle.prototype, reached through a handle.
    const probe = await open(join(dir, 'tributary-log.json'), 'r');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const spy = vi.spyOn(proto, 'datasync');
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append('t', 0, [{ key: null, value: buf(`v${i}`) }])));
      expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(spy.mock.calls.length).toBeGreaterThan(0);
      // One sync per append would be 200; group commit needs a handful (2 here). The bound leaves
      // room for scheduling, not for a sync per append.
      expect(spy.mock.calls.length).toBeLessThan(50);
    } finally {
      spy.mockRestore();
    }
    expect((await readAll(log, 't')).length).toBe(200);
  });

  it('stores and compresses batches of a gzip topic and reads them back', async () => {
    const { log } = await fresh();
    await log.createTopic('g', { configs: { 'compression.type': 'gzip' } });
    const records = Array.from({ length: 50 }, (_, i) => ({
      key: buf(`key-${i}`),
      value: i % 10 === 9 ? null : Buffer.alloc(1000, String(i % 10)),
      headers: [{ key: 'i', value: buf(String(i)) }],
    }));
    await log.append('g', 0, records.slice(0, 25));
    await log.append('g', 0, records.slice(25));
    const batches = await readAllBatches(log, 'g');
    expect(batches).toHaveLength(2);
    for (const b of batches) {
      expect(b.header.attributes & 0x07).toBe(1);
      expect(b.bytes.length).toBeLessThan(25 * 1000 / 4);
      expect(batchCrcValid(b.bytes, 0, b.bytes.length)).toBe(true);
    }
    const back = await readAll(log, 'g');
    expect(back.map((r) => [r.offset, r.key, r.value, r.headers])).toEqual(records.map((r, i) => [i, r.key, r.value, r.headers]));
    // kafkajs reads the stored bytes too.
    const k = await kafkajsDecodeBatch(batches[1]!.bytes);
    expect(k.records.map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => String(25 + i)));
  });
});

describe('background maintenance', () => {
  it('the cleaner compacts a dirty partition and retention deletes old segments, by themselves', async () => {
    const { log } = await fresh({ cleanerIntervalMs: 20, retentionCheckIntervalMs: 20 });
    await log.createTopic('c', { configs: { 'cleanup.policy': 'compact', 'segment.bytes': 1024 } });
    await log.createTopic('d', { configs: { 'segment.bytes': 1024, 'retention.ms': 1000 } });
    const old = Date.now() - 60_000;
    for (let i = 0; i < 60; i++) {
      await log.append('c', 0, [{ key: buf(`k${i % 3}`), value: buf(`v${i}-${'x'.repeat(60)}`) }]);
      await log.append('d', 0, [{ key: null, value: buf(`d${i}-${'x'.repeat(60)}`), timestamp: old }]);
    }
    const before = (await readAll(log, 'c')).length;
    // Nothing is called here: the timers must do the work. Wait for its effect, however long it takes.
    await vi.waitFor(
      async () => {
        expect((await readAll(log, 'c')).length).toBeLessThan(before);
        expect(await log.earliestOffset('d', 0)).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 20 },
    );
    // Still the newest value of every key.
    const latest = new Map((await readAll(log, 'c')).map((r) => [r.key!.toString(), r.value!.toString()]));
    expect([...latest.entries()].sort()).toEqual([0, 1, 2].map((k) => [`k${k}`, `v${57 + k}-${'x'.repeat(60)}`]));
  });
});

describe('read', () => {
  it('fails with OFFSET_OUT_OF_RANGE above the latest offset or below zero', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: buf('a') }]);
    await expectCode(log.read('t', 0, 2), 'OFFSET_OUT_OF_RANGE');
    await expectCode(log.read('t', 0, -1), 'OFFSET_OUT_OF_RANGE');
    await expectCode(log.read('t', 0, 0.5), 'OFFSET_OUT_OF_RANGE');
  });

  it('flush=fsync: a record is neither readable nor acknowledged before its fdatasync finishes', async () => {
    const { log } = await fresh({ flush: 'fsync' });
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: buf('synced') }]);
    const fd = log.partition('t', 0).segments[0]!.fd;
    const datasync = fd.datasync.bind(fd);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fd.datasync = async () => {
      await gate; // the sync is held until the test lets it go
      return datasync();
    };
    let acked = false;
    const append = log.append('t', 0, [{ key: null, value: buf('pending') }]).then((r) => {
      acked = true;
      return r;
    });
    // Give the write every chance to land in the file; the sync is still held.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(acked).toBe(false);
    expect(await log.latestOffset('t', 0)).toBe(1);
    expect((await log.read('t', 0, 0)).records.map((r) => r.value!.toString())).toEqual(['synced']);
    release();
    expect(await append).toEqual({ baseOffset: 1, lastOffset: 1 });
    expect((await log.read('t', 0, 0)).records.map((r) => r.value!.toString())).toEqual(['synced', 'pending']);
  });

  it('never skips a record made visible while the read was on disk', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    for (let i = 0; i < 20; i++) await log.append('t', 0, [{ key: null, value: buf(`v${i}`) }]);
    const seg = log.partition('t', 0).segments[0]!;
    const readAt = seg.readAt.bind(seg);
    let raced = false;
    // While the read at the latest offset is on disk, another append becomes visible.
    seg.readAt = async (position: number, length: number) => {
      const bytes = await readAt(position, length);
      if (!raced) {
        raced = true;
        await log.append('t', 0, [{ key: null, value: buf('v20') }]);
      }
      return bytes;
    };
    const first = await log.read('t', 0, 20, { maxWaitMs: 0 });
    expect(raced).toBe(true);
    const second = await log.read('t', 0, first.nextOffset);
    const seen = [...first.records, ...second.records].map((r) => r.value!.toString());
    expect(seen).toEqual(['v20']);
  });

  it('at the latest offset with maxWaitMs 0 returns no records at once', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: buf('a') }]);
    const r = await log.read('t', 0, 1, { maxWaitMs: 0 });
    expect(r.records).toEqual([]);
    expect(r.nextOffset).toBe(1);
    expect(r.highWatermark).toBe(1);
    const empty = await log.read('t', 0, 1);
    expect(empty.records).toEqual([]);
  });

  it('long poll: a read at the latest offset resolves with the records of an append that arrives', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: buf('before') }]);
    const pending = log.read('t', 0, 1, { maxWaitMs: 600_000 });
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await log.append('t', 0, [{ key: buf('k'), value: buf('after') }, { key: null, value: buf('after 2') }]);
    const r = await pending;
    expect(r.records.map(view)).toEqual([
      { offset: 1, key: 'k', value: 'after' },
      { offset: 2, key: null, value: 'after 2' },
    ]);
    expect(r.nextOffset).toBe(3);
  }, 10_000);

  it('long poll: an aborted read resolves with no records', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    const controller = new AbortController();
    const pending = log.read('t', 0, 0, { maxWaitMs: 600_000, signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    const r = await pending;
    expect(r.records).toEqual([]);
    expect(r.nextOffset).toBe(0);
    // An already aborted signal does not wait at all.
    const again = await log.read('t', 0, 0, { maxWaitMs: 600_000, signal: controller.signal });
    expect(again.records).toEqual([]);
  }, 10_000);

  it('long poll: close ends a waiting read', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    const pending = log.read('t', 0, 0, { maxWaitMs: 600_000 });
    await new Promise((r) => setImmediate(r));
    await log.close();
    const r = await pending;
    expect(r.records).toEqual([]);
  }, 10_000);

  it('returns at least one whole batch even when it is larger than maxBytes, and honours maxBytes after it', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(5000, 1) }, { key: null, value: Buffer.alloc(5000, 2) }]);
    for (let i = 0; i < 10; i++) await log.append('t', 0, [{ key: null, value: Buffer.alloc(1000, 3) }]);
    const first = await log.read('t', 0, 1, { maxBytes: 10 });
    expect(first.records.map((r) => r.offset)).toEqual([1]);
    expect(first.nextOffset).toBe(2);
    const some = await log.read('t', 0, 2, { maxBytes: 3300 });
    // Batches of ~1070 bytes: three fit in 3300.
    expect(some.records.map((r) => r.offset)).toEqual([2, 3, 4]);
    expect(some.nextOffset).toBe(5);
    const raw = await log.readRaw('t', 0, 2, { maxBytes: 3300 });
    expect(raw.bytes.length).toBeLessThanOrEqual(3300);
  });
});

describe('appendBatch (a raw client batch)', () => {
  async function kafkajsBatch(values: string[], opts: { gzip?: boolean; keys?: (string | null)[] } = {}): Promise<Buffer> {
    return kafkajsEncodeBatch({
      compression: opts.gzip ? KCompression.GZIP : KCompression.None,
      firstOffset: Long.fromValue(0),
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_000 + values.length - 1,
      lastOffsetDelta: values.length - 1,
      records: values.map((v, i) =>
        KRecord({ offsetDelta: i, timestampDelta: i, key: opts.keys?.[i] == null ? null : buf(opts.keys[i]!), value: buf(v), headers: { src: buf('kafkajs') } }),
      ),
    });
  }

  it('refuses a batch whose records do not carry offset deltas 0..n-1: INVALID_RECORD, nothing stored', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    const skewed = await kafkajsEncodeBatch({
      compression: KCompression.None,
      firstOffset: Long.fromValue(0),
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_000,
      lastOffsetDelta: 2,
      records: [0, 7, 2].map((d) => KRecord({ offsetDelta: d, timestampDelta: 0, key: null, value: buf(`d${d}`), headers: {} })),
    });
    await expectCode(log.partition('t', 0).appendBatch(skewed), 'INVALID_RECORD');
    expect(await log.latestOffset('t', 0)).toBe(0);
  });

  it('stores a kafkajs-encoded batch as is, with offsets assigned in place', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: buf('first') }, { key: null, value: buf('second') }]);
    const batch = await kafkajsBatch(['a', 'b', 'c']);
    const original = Buffer.from(batch);
    const res = await log.partition('t', 0).appendBatch(batch);
    expect(res).toEqual({ baseOffset: 2, lastOffset: 4 });
    expect(batch.equals(original)).toBe(true); // the caller's buffer is not modified

    const raw = await log.readRaw('t', 0, 2);
    const stored = raw.bytes;
    expect(stored.length).toBe(original.length);
    // Only the base offset (and the leader epoch, both outside the CRC) differ.
    expect(readBatchHeader(stored, 0).baseOffset).toBe(2);
    expect(stored.subarray(16).equals(original.subarray(16))).toBe(true);
    expect(stored.subarray(8, 12).equals(original.subarray(8, 12))).toBe(true);
    expect(batchCrcValid(stored, 0, stored.length)).toBe(true);

    const records = (await log.read('t', 0, 2)).records;
    expect(records.map((r) => [r.offset, r.timestamp, r.value!.toString(), r.headers])).toEqual([
      [2, 1_700_000_000_000, 'a', [{ key: 'src', value: buf('kafkajs') }]],
      [3, 1_700_000_000_001, 'b', [{ key: 'src', value: buf('kafkajs') }]],
      [4, 1_700_000_000_002, 'c', [{ key: 'src', value: buf('kafkajs') }]],
    ]);
    expect(await log.append('t', 0, [{ key: null, value: buf('next') }])).toEqual({ baseOffset: 5, lastOffset: 5 });
  });

  it('stores a gzip client batch with its compression', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    await log.partition('t', 0).appendBatch(await kafkajsBatch(['x', 'y'], { gzip: true }));
    const raw = await log.readRaw('t', 0, 0);
    expect(readBatchHeader(raw.bytes, 0).attributes & 0x07).toBe(1);
    expect((await log.read('t', 0, 0)).records.map((r) => r.value!.toString())).toEqual(['x', 'y']);
  });

  it('refuses a bad CRC with CORRUPT_MESSAGE and stores nothing', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    const batch = await kafkajsBatch(['a', 'b']);
    batch[batch.length - 1] = batch[batch.length - 1]! ^ 0xff;
    await expectCode(log.partition('t', 0).appendBatch(batch), 'CORRUPT_MESSAGE');
    expect(await log.latestOffset('t', 0)).toBe(0);
  });

  it('refuses a length field that does not match, a wrong magic and broken records with CORRUPT_MESSAGE', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    const p = log.partition('t', 0);
    const good = await kafkajsBatch(['a']);
    await expectCode(p.appendBatch(Buffer.concat([good, Buffer.alloc(1)])), 'CORRUPT_MESSAGE');
    await expectCode(p.appendBatch(good.subarray(0, 40)), 'CORRUPT_MESSAGE');
    const magic = Buffer.from(good);
    magic.writeInt8(1, 16);
    await expectCode(p.appendBatch(magic), 'CORRUPT_MESSAGE');
    // Records that do not parse, with a valid CRC.
    const broken = Buffer.from(good);
    broken.writeInt32BE(2, 57);
    broken.writeInt32BE(1, 23);
    broken.writeUInt32BE(computeBatchCrc(broken, 0, broken.length), 17);
    await expectCode(p.appendBatch(broken), 'CORRUPT_MESSAGE');
    expect(await log.latestOffset('t', 0)).toBe(0);
  });

  it('refuses a record count that does not match lastOffsetDelta, keyless records on compacted topics, and oversized batches', async () => {
    const { log } = await fresh();
    await log.createTopic('t', { configs: { 'max.message.bytes': 200 } });
    await log.createTopic('c', { configs: { 'cleanup.policy': 'compact' } });
    const two = await kafkajsBatch(['a', 'b']);
    const mismatch = Buffer.from(two);
    mismatch.writeInt32BE(5, 23);
    mismatch.writeUInt32BE(computeBatchCrc(mismatch, 0, mismatch.length), 17);
    await expectCode(log.partition('t', 0).appendBatch(mismatch), 'INVALID_RECORD');
    await expectCode(log.partition('c', 0).appendBatch(await kafkajsBatch(['a'], { keys: [null] })), 'INVALID_RECORD');
    await expect(log.partition('c', 0).appendBatch(await kafkajsBatch(['a'], { keys: ['k'] }))).resolves.toEqual({ baseOffset: 0, lastOffset: 0 });
    await expectCode(log.partition('t', 0).appendBatch(await kafkajsBatch(['x'.repeat(300)])), 'MESSAGE_TOO_LARGE');
    expect(await log.latestOffset('t', 0)).toBe(0);
  });

  it('accepts our own encoder\'s output the same way', async () => {
    const { log } = await fresh();
    await log.createTopic('t');
    const batch = await encodeBatch([{ key: buf('k'), value: buf('v'), timestamp: 5 }], { baseOffset: 0 });
    expect(await log.partition('t', 0).appendBatch(batch)).toEqual({ baseOffset: 0, lastOffset: 0 });
    expect((await log.read('t', 0, 0)).records[0]).toMatchObject({ offset: 0, timestamp: 5, key: buf('k'), value: buf('v') });
  });
});

describe('consumer group offsets', () => {
  it('commit, fetch, delete and list survive reopen', async () => {
    const { log, dir } = await fresh();
    await log.createTopic('a', { partitions: 3 });
    await log.createTopic('b');
    await log.commitOffsets('g1', [
      { topic: 'a', partition: 0, offset: 10 },
      { topic: 'a', partition: 2, offset: 7, metadata: 'meta' },
      { topic: 'b', partition: 0, offset: 3 },
    ]);
    await log.commitOffsets('g2', [{ topic: 'a', partition: 1, offset: 1 }]);
    await log.commitOffsets('g1', [{ topic: 'a', partition: 0, offset: 12 }]); // replaces
    await log.commitOffsets('g3', [{ topic: 'b', partition: 0, offset: 0 }]);
    await log.deleteOffsets('g3');
    await log.commitOffsets('g4', [{ topic: 'a', partition: 0, offset: 1 }, { topic: 'a', partition: 1, offset: 2 }]);
    await log.deleteOffsets('g4', [{ topic: 'a', partition: 0 }]);

    const check = async (l: EmbeddedLog): Promise<void> => {
      expect(await l.listGroups()).toEqual(['g1', 'g2', 'g4']);
      expect(await l.fetchOffsets('g1')).toEqual([
        { topic: 'a', partition: 0, offset: 12, metadata: null },
        { topic: 'a', partition: 2, offset: 7, metadata: 'meta' },
        { topic: 'b', partition: 0, offset: 3, metadata: null },
      ]);
      expect(await l.fetchOffsets('g1', [{ topic: 'a', partition: 2 }, { topic: 'a', partition: 1 }])).toEqual([
        { topic: 'a', partition: 2, offset: 7, metadata: 'meta' },
      ]);
      expect(await l.fetchOffsets('g2')).toEqual([{ topic: 'a', partition: 1, offset: 1, metadata: null }]);
      expect(await l.fetchOffsets('g3')).toEqual([]);
      expect(await l.fetchOffsets('g4')).toEqual([{ topic: 'a', partition: 1, offset: 2, metadata: null }]);
      expect(await l.fetchOffsets('unknown')).toEqual([]);
    };
    await check(log);
    await log.close();
    const again = await h.open(dir);
    await check(again);
    // And after a crash (no clean-shutdown marker).
    await again.close();
    await rm(join(dir, '.clean-shutdown'));
    await check(await h.open(dir));
  });

  it('refuses commits for unknown partitions or invalid offsets', async () => {
    const { log } = await fresh();
    await log.createTopic('a');
    await expectCode(log.commitOffsets('g', [{ topic: 'nope', partition: 0, offset: 1 }]), 'UNKNOWN_TOPIC_OR_PARTITION');
    await expectCode(log.commitOffsets('g', [{ topic: 'a', partition: 1, offset: 1 }]), 'UNKNOWN_TOPIC_OR_PARTITION');
    await expectCode(log.commitOffsets('g', [{ topic: 'a', partition: 0, offset: -1 }]), 'INVALID_ARGUMENT');
    await expectCode(log.commitOffsets('g', [{ topic: 'a', partition: 0, offset: 1.5 }]), 'INVALID_ARGUMENT');
    expect(await log.listGroups()).toEqual([]);
  });

  it('deleting a topic removes its group offsets, also after reopen', async () => {
    const { log, dir } = await fresh();
    await log.createTopic('gone', { partitions: 2 });
    await log.createTopic('kept');
    await log.commitOffsets('g', [
      { topic: 'gone', partition: 0, offset: 5 },
      { topic: 'gone', partition: 1, offset: 6 },
      { topic: 'kept', partition: 0, offset: 7 },
    ]);
    await log.commitOffsets('only-gone', [{ topic: 'gone', partition: 0, offset: 1 }]);
    await log.deleteTopic('gone');
    expect(await log.fetchOffsets('g')).toEqual([{ topic: 'kept', partition: 0, offset: 7, metadata: null }]);
    expect(await log.listGroups()).toEqual(['g']);
    await log.close();
    const again = await h.open(dir);
    expect(await again.fetchOffsets('g')).toEqual([{ topic: 'kept', partition: 0, offset: 7, metadata: null }]);
    expect(await again.listGroups()).toEqual(['g']);
    // A new topic of the same name does not inherit old positions.
    await again.createTopic('gone');
    expect(await again.fetchOffsets('only-gone')).toEqual([]);
  });
});

describe('data directory guard', () => {
  it('refuses a non-empty foreign directory and writes nothing into it', async () => {
    const dir = await h.tempDir();
    await writeFile(join(dir, 'precious.txt'), 'do not touch');
    await mkdir(join(dir, 'sub'));
    const before = (await readdir(dir, { recursive: true })).sort();
    await expectCode(EmbeddedLog.open({ dataDir: dir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 }), 'DATA_DIR_INVALID');
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(before);
    expect(await readFile(join(dir, 'precious.txt'), 'utf8')).toBe('do not touch');
  });

  it('refuses a directory with a foreign marker or another format version', async () => {
    const dir = await h.tempDir();
    await writeFile(join(dir, 'tributary-log.json'), JSON.stringify({ format: 'tributary-log', version: 99 }));
    await expectCode(EmbeddedLog.open({ dataDir: dir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 }), 'DATA_DIR_INVALID');
    await writeFile(join(dir, 'tributary-log.json'), 'not json');
    await expectCode(EmbeddedLog.open({ dataDir: dir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 }), 'DATA_DIR_INVALID');
    expect((await readdir(dir)).sort()).toEqual(['tributary-log.json']);
  });

  it('refuses a missing directory when create is false, and creates it by default', async () => {
    const base = await h.tempDir();
    await expectCode(EmbeddedLog.open({ dataDir: join(base, 'missing'), create: false, retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 }), 'DATA_DIR_INVALID');
    await expect(stat(join(base, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    const log = await h.open(join(base, 'made'));
    expect(await log.listTopics()).toEqual(['__consumer_offsets']);
    expect(JSON.parse(await readFile(join(base, 'made', 'tributary-log.json'), 'utf8'))).toMatchObject({ format: 'tributary-log' });
  });

  it('refuses a second open of a directory that is open (in use)', async () => {
    const { log, dir } = await fresh();
    await log.createTopic('t');
    await log.append('t', 0, [{ key: null, value: buf('x') }]);
    await expectCode(EmbeddedLog.open({ dataDir: dir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 }), 'DATA_DIR_INVALID');
    // The first log is unaffected and the directory can be opened once it is closed.
    expect((await log.read('t', 0, 0)).records).toHaveLength(1);
    await log.close();
    const again = await h.open(dir);
    expect(await again.latestOffset('t', 0)).toBe(1);
  });

  it('refuses a directory locked by another live process', async () => {
    const { log, dir } = await fresh();
    await log.close();
    // The parent of this test process is alive and is not this process.
    await writeFile(join(dir, '.lock'), String(process.ppid));
    await expectCode(EmbeddedLog.open({ dataDir: dir, flush: 'none', retentionCheckIntervalMs: 0, cleanerIntervalMs: 0 }), 'DATA_DIR_INVALID');
    // A lock left by a dead process is taken over.
    await writeFile(join(dir, '.lock'), '999999999');
    const again = await h.open(dir);
    expect(await again.listTopics()).toEqual(['__consumer_offsets']);
  });

  it('lays out topics/<topic>/<partition>/ with topic.json and 20-digit segment files', async () => {
    const { log, dir } = await fresh();
    await log.createTopic('t', { partitions: 2 });
    expect((await readdir(join(dir, 'topics'))).sort()).toEqual(['__consumer_offsets', 't']);
    expect((await readdir(join(dir, 'topics', 't'))).sort()).toEqual(['0', '1', 'topic.json']);
    expect(await readdir(partitionDir(dir, 't', 0))).toContain('00000000000000000000.log');
  });
});
