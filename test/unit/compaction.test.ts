import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { StoredRecord } from '../../src/log/log.js';
import { batchCrcValid, decodeBatch } from '../../src/log/codec/record-batch.js';
import { kafkajsDecodeBatch } from '../support/kafkajs.js';
import { buf, expectCode, partitionDir, readAll, readAllBatches, useLogHarness, view } from '../support/log.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

const h = useLogHarness();
const T0 = 1_700_000_000_000;

interface Setup {
  log: EmbeddedLog;
  clock: ManualClock;
  dataDir: string;
}

async function setup(configs: Record<string, string | number> = {}): Promise<Setup> {
  const clock = new ManualClock(T0);
  const dataDir = join(await h.tempDir(), 'd');
  const log = await h.open(dataDir, { clock });
  await log.createTopic('c', { configs: { 'cleanup.policy': 'compact', 'segment.bytes': 1024, ...configs } });
  return { log, clock, dataDir };
}

function activeBase(log: EmbeddedLog, topic = 'c'): number {
  const segs = log.partition(topic, 0).segments;
  return segs[segs.length - 1]!.baseOffset;
}

/**
 * What one compaction pass must leave, given everything readable before it: in the closed segments
 * (all cleanable: lag 0 and every timestamp ≤ now) only the newest record per key, a tombstone only
 * while its timestamp ≥ now − delete.retention.ms; the active segment as it is.
 */
function expectedAfterPass(before: readonly StoredRecord[], active: number, now: number, deleteRetentionMs: number): StoredRecord[] {
  const latest = new Map<string, number>();
  for (const r of before) if (r.offset < active) latest.set(r.key!.toString('latin1'), r.offset);
  return before.filter(
    (r) => r.offset >= active || (latest.get(r.key!.toString('latin1')) === r.offset && (r.value !== null || r.timestamp >= now - deleteRetentionMs)),
  );
}

async function compact(s: Setup, deleteRetentionMs: number): Promise<{ before: StoredRecord[]; expected: StoredRecord[]; after: StoredRecord[] }> {
  const before = await readAll(s.log, 'c');
  const expected = expectedAfterPass(before, activeBase(s.log), s.clock.now(), deleteRetentionMs);
  await s.log.compactTopic('c');
  const after = await readAll(s.log, 'c');
  return { before, expected, after };
}

/** Structural checks of every stored batch: no empty batch, lastOffsetDelta on the last kept record. */
async function checkBatches(log: EmbeddedLog, topic = 'c'): Promise<{ batches: number; codecs: Set<number> }> {
  const batches = await readAllBatches(log, topic);
  const codecs = new Set<number>();
  let prevLast = -1;
  for (const { header, bytes } of batches) {
    expect(batchCrcValid(bytes, 0, bytes.length)).toBe(true);
    const records = decodeBatch(bytes, 0, header);
    expect(header.recordsCount).toBeGreaterThan(0);
    expect(records.length).toBe(header.recordsCount);
    expect(header.baseOffset).toBeGreaterThan(prevLast);
    expect(records[0]!.offset).toBeGreaterThanOrEqual(header.baseOffset);
    expect(header.lastOffsetDelta).toBe(records[records.length - 1]!.offset - header.baseOffset);
    expect(header.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp)));
    prevLast = header.baseOffset + header.lastOffsetDelta;
    codecs.add(header.attributes & 0x07);
    // kafkajs reads it and ends on the batch's last offset (it advances by the last record returned).
    const k = await kafkajsDecodeBatch(bytes);
    expect(k.records.map((r) => Number(r.offset))).toEqual(records.map((r) => r.offset));
    expect(Number(k.records[k.records.length - 1]!.offset)).toBe(header.baseOffset + header.lastOffsetDelta);
  }
  return { batches: batches.length, codecs };
}

function expectStrictlyIncreasing(records: readonly StoredRecord[]): void {
  for (let i = 1; i < records.length; i++) expect(records[i]!.offset).toBeGreaterThan(records[i - 1]!.offset);
}

describe('compaction (examples)', () => {
  it('keeps the newest record per key with its offset; offsets stay increasing', async () => {
    const s = await setup();
    for (let round = 0; round < 10; round++) {
      for (let k = 0; k < 5; k++) await s.log.append('c', 0, [{ key: buf(`k${k}`), value: Buffer.from(`r${round}`.padEnd(120, '.')) }]);
    }
    const sizeBefore = s.log.partition('c', 0).sizeBytes();
    const { before, expected, after } = await compact(s, 86_400_000);
    expect(before).toHaveLength(50);
    expect(after.map(view)).toEqual(expected.map(view));
    expect(after.length).toBeLessThan(30);
    expectStrictlyIncreasing(after);
    // Every key's newest value is there, at its original offset.
    for (let k = 0; k < 5; k++) {
      const newest = before.filter((r) => r.key!.toString() === `k${k}`).pop()!;
      expect(after.filter((r) => r.key!.toString() === `k${k}`).pop()).toEqual(newest);
    }
    expect(s.log.partition('c', 0).sizeBytes()).toBeLessThan(sizeBefore);
    expect(await s.log.latestOffset('c', 0)).toBe(50);
    expect(await s.log.append('c', 0, [{ key: buf('k0'), value: buf('next') }])).toEqual({ baseOffset: 50, lastOffset: 50 });
    await checkBatches(s.log);
  });

  it('leaves the active segment untouched, byte for byte', async () => {
    const s = await setup();
    for (let i = 0; i < 40; i++) await s.log.append('c', 0, [{ key: buf(`k${i % 3}`), value: Buffer.alloc(100, i) }]);
    const active = activeBase(s.log);
    const file = join(partitionDir(s.dataDir, 'c'), `${String(active).padStart(20, '0')}.log`);
    const bytes = await readFile(file);
    const inActive = (await readAll(s.log, 'c')).filter((r) => r.offset >= active);
    expect(inActive.length).toBeGreaterThan(1);
    await s.log.compactTopic('c');
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect((await readAll(s.log, 'c')).filter((r) => r.offset >= active)).toEqual(inActive);
  });

  it('does nothing when only the active segment exists, and refuses a non-compacted topic', async () => {
    const s = await setup();
    await s.log.append('c', 0, [{ key: buf('a'), value: buf('1') }, { key: buf('a'), value: buf('2') }]);
    const [res] = await s.log.compactTopic('c');
    expect(res!.segmentsCleaned).toBe(0);
    expect((await readAll(s.log, 'c')).map((r) => r.value!.toString())).toEqual(['1', '2']);
    await s.log.createTopic('plain');
    await expectCode(s.log.compactTopic('plain'), 'INVALID_CONFIG');
  });

  it('keeps a tombstone until delete.retention.ms has passed, then drops it', async () => {
    const s = await setup({ 'delete.retention.ms': 1000 });
    await s.log.append('c', 0, [{ key: buf('gone'), value: buf('old value') }]);
    await s.log.append('c', 0, [{ key: buf('stays'), value: buf('v') }]);
    await s.log.append('c', 0, [{ key: buf('gone'), value: null }]);
    // A record the size of a segment rolls everything above into closed segments.
    await s.log.append('c', 0, [{ key: buf('filler'), value: Buffer.alloc(1000) }]);
    await s.log.append('c', 0, [{ key: buf('filler2'), value: Buffer.alloc(1000) }]);

    s.clock.advance(1000); // exactly at the limit: still kept
    let r = await compact(s, 1000);
    expect(r.after.map(view)).toEqual(r.expected.map(view));
    expect(r.after.map(view).slice(0, 3)).toEqual([
      { offset: 1, key: 'stays', value: 'v' },
      { offset: 2, key: 'gone', value: null },
      { offset: 3, key: 'filler', value: '\0'.repeat(1000) },
    ]);

    s.clock.advance(1);
    r = await compact(s, 1000);
    expect(r.after.map(view)).toEqual(r.expected.map(view));
    expect(r.after.map((x) => x.key!.toString())).toEqual(['stays', 'filler', 'filler2']);
    expect(r.after.map((x) => x.offset)).toEqual([1, 3, 4]);
    // Gone for good: neither the tombstone nor the old value comes back after reopen.
    await s.log.close();
    const again = await h.open(s.dataDir, { clock: s.clock });
    expect((await readAll(again, 'c')).map((x) => x.key!.toString())).toEqual(['stays', 'filler', 'filler2']);
  });

  it('honours min.compaction.lag.ms: segments with newer records are not touched', async () => {
    const s = await setup({ 'min.compaction.lag.ms': 10_000 });
    for (let i = 0; i < 30; i++) await s.log.append('c', 0, [{ key: buf(`k${i % 4}`), value: Buffer.alloc(100, i) }]);
    s.clock.advance(20_000);
    for (let i = 0; i < 30; i++) await s.log.append('c', 0, [{ key: buf(`k${i % 4}`), value: Buffer.alloc(100, 100 + i) }]);
    const p = s.log.partition('c', 0);
    const cutoff = s.clock.now() - 10_000;
    const young = p.segments.filter((seg) => seg.maxTimestamp > cutoff).map((seg) => seg.baseOffset);
    const old = p.segments.slice(0, -1).filter((seg) => seg.maxTimestamp <= cutoff);
    expect(young.length).toBeGreaterThan(2);
    expect(old.length).toBeGreaterThan(2);
    const firstYoung = young[0]!;
    const pdir = partitionDir(s.dataDir, 'c');
    const youngBytes = await Promise.all(young.map((b) => readFile(join(pdir, `${String(b).padStart(20, '0')}.log`))));
    const before = await readAll(s.log, 'c');

    const [res] = await s.log.compactTopic('c');
    expect(res!.segmentsCleaned).toBe(old.length);
    const after = await readAll(s.log, 'c');
    // The old part is compacted within itself (its keys' newer records are in the young part)...
    expect(after.filter((r) => r.offset < firstYoung).map(view)).toEqual(expectedAfterPass(before.filter((r) => r.offset < firstYoung), firstYoung, s.clock.now(), 0).map(view));
    // ...and every young segment is byte-for-byte as it was.
    for (let i = 0; i < young.length; i++) {
      expect((await readFile(join(pdir, `${String(young[i]).padStart(20, '0')}.log`))).equals(youngBytes[i]!)).toBe(true);
    }
    expect(after.filter((r) => r.offset >= firstYoung)).toEqual(before.filter((r) => r.offset >= firstYoung));

    // Once the lag has passed, the rest is compacted too.
    s.clock.advance(20_000);
    const r2 = await compact(s, 86_400_000);
    expect(r2.after.map(view)).toEqual(r2.expected.map(view));
  });

  it('drops batches left empty and shrinks lastOffsetDelta to the last kept record', async () => {
    const s = await setup();
    const keys = (ks: string[], tag: string): { key: Buffer; value: Buffer; timestamp: number }[] =>
      ks.map((k, i) => ({ key: buf(k), value: Buffer.from(`${tag}-${k}`.padEnd(60, '.')), timestamp: T0 - 1000 + i * 10 }));
    await s.log.append('c', 0, keys(['a', 'b', 'c', 'd', 'e'], 'b1')); // 0..4: c, d, e superseded below
    await s.log.append('c', 0, keys(['f', 'g', 'h'], 'b2')); // 5..7: all superseded below → batch dropped
    await s.log.append('c', 0, keys(['c', 'i', 'd', 'e', 'f'], 'b3')); // 8..12: first record superseded below
    await s.log.append('c', 0, keys(['g', 'h', 'c'], 'b4')); // 13..15
    await s.log.append('c', 0, [{ key: buf('roll'), value: Buffer.alloc(1000) }]);
    await s.log.append('c', 0, [{ key: buf('roll2'), value: Buffer.alloc(1000) }]);
    const { after, expected } = await compact(s, 86_400_000);
    expect(after.map(view)).toEqual(expected.map(view));
    expect(after.map((r) => r.offset)).toEqual([0, 1, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    const batches = await readAllBatches(s.log, 'c');
    expect(batches.map((b) => [b.header.baseOffset, b.header.lastOffsetDelta, b.header.recordsCount])).toEqual([
      [0, 1, 2], // a, b kept: lastOffsetDelta 4 → 1
      [8, 4, 4], // base offset kept although its first record went
      [13, 2, 3],
      [16, 0, 1],
      [17, 0, 1],
    ]);
    // Max timestamps follow the kept records.
    expect(batches[0]!.header.maxTimestamp).toBe(T0 - 1000 + 10);
    await checkBatches(s.log);
  });

  it('recompresses gzip batches, still readable by us and kafkajs', async () => {
    const s = await setup({ 'compression.type': 'gzip', 'segment.bytes': 2048 });
    for (let round = 0; round < 12; round++) {
      await s.log.append(
        'c',
        0,
        Array.from({ length: 6 }, (_, i) => ({
          key: buf(`k${(round * 6 + i) % 9}`),
          value: round % 4 === 3 && i === 0 ? null : Buffer.concat([Buffer.from(`round ${round} item ${i} `), randomBytes(150)]),
        })),
      );
    }
    expect(s.log.partition('c', 0).segments.length).toBeGreaterThan(3);
    const { after, expected, before } = await compact(s, 86_400_000);
    expect(after.length).toBeLessThan(before.length);
    expect(after.map(view)).toEqual(expected.map(view));
    const { codecs } = await checkBatches(s.log);
    expect([...codecs]).toEqual([1]);
  });

  it('appends running concurrently with compaction all land', async () => {
    const s = await setup();
    for (let i = 0; i < 60; i++) await s.log.append('c', 0, [{ key: buf(`k${i % 7}`), value: Buffer.alloc(80, i) }]);
    const before = await readAll(s.log, 'c');
    const expectedOld = expectedAfterPass(before, activeBase(s.log), s.clock.now(), 86_400_000);
    const compaction = s.log.compactTopic('c');
    const appends = Array.from({ length: 100 }, (_, i) => s.log.append('c', 0, [{ key: buf(`new${i}`), value: Buffer.alloc(60, i) }]));
    const [, results] = await Promise.all([compaction, Promise.all(appends)]);
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 100 }, (_, i) => 60 + i));
    const after = await readAll(s.log, 'c');
    expectStrictlyIncreasing(after);
    expect(after.filter((r) => r.offset < 60).map(view)).toEqual(expectedOld.map(view));
    expect(after.filter((r) => r.offset >= 60).map((r) => r.key!.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `new${i}`));
    // A second pass over the grown log is exact again.
    const r2 = await compact(s, 86_400_000);
    expect(r2.after.map(view)).toEqual(r2.expected.map(view));
  });

  it('compacted segments survive reopen and crash recovery', async () => {
    const s = await setup();
    for (let i = 0; i < 80; i++) await s.log.append('c', 0, [{ key: buf(`k${i % 6}`), value: i % 11 === 10 ? null : Buffer.alloc(90, i) }]);
    const { after } = await compact(s, 86_400_000);
    await s.log.close();
    let again = await h.open(s.dataDir, { clock: s.clock });
    expect(await readAll(again, 'c')).toEqual(after);
    await checkBatches(again);
    await again.close();
    await rm(join(s.dataDir, '.clean-shutdown'));
    again = await h.open(s.dataDir, { clock: s.clock });
    expect(await readAll(again, 'c')).toEqual(after);
    expect(await again.latestOffset('c', 0)).toBe(80);
  });
});

describe('compaction (property)', () => {
  type Op =
    | { kind: 'append'; records: { key: number; tombstone: boolean; pad: number }[] }
    | { kind: 'compact' }
    | { kind: 'reopen'; crash: boolean }
    | { kind: 'advance'; ms: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        records: fc.array(
          fc.record({ key: fc.integer({ min: 0, max: 5 }), tombstone: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), pad: fc.integer({ min: 0, max: 120 }) }),
          { minLength: 1, maxLength: 6 },
        ),
      }),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'compact' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), crash: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3000 }) }) },
  );

  interface Stored {
    key: string;
    value: string | null;
    timestamp: number;
  }

  async function run(ops: Op[], deleteRetentionMs: number, compression: 'none' | 'gzip'): Promise<void> {
    const root = await makeTempDir();
    const clock = new ManualClock(T0);
    const dataDir = join(root, 'd');
    let opened: EmbeddedLog | null = null;
    try {
      let log = (opened = await h.open(dataDir, { clock }));
      await log.createTopic('c', {
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': 2048, 'delete.retention.ms': deleteRetentionMs, 'compression.type': compression },
      });
      const model: Stored[] = []; // by offset
      let seq = 0;
      const s = (): Setup => ({ log, clock, dataDir });

      const check = async (): Promise<StoredRecord[]> => {
        const all = await readAll(log, 'c');
        expect(await log.latestOffset('c', 0)).toBe(model.length);
        expectStrictlyIncreasing(all);
        // Every surviving record is exactly the one appended at its offset.
        for (const r of all) {
          const m = model[r.offset]!;
          expect({ key: r.key!.toString(), value: r.value?.toString() ?? null, timestamp: r.timestamp }).toEqual(m);
        }
        // Per key, the last record read is the newest appended, unless that is a tombstone old
        // enough to have been dropped (then the key must be gone entirely: no resurrection).
        const lastRead = new Map<string, StoredRecord>();
        for (const r of all) lastRead.set(r.key!.toString(), r);
        const newest = new Map<string, number>();
        model.forEach((m, offset) => newest.set(m.key, offset));
        for (const [key, offset] of newest) {
          const got = lastRead.get(key);
          const m = model[offset]!;
          if (m.value === null && m.timestamp < clock.now() - deleteRetentionMs) {
            if (got !== undefined) expect(got.offset).toBe(offset);
          } else {
            expect(got?.offset, `newest record of ${key}`).toBe(offset);
          }
        }
        return all;
      };

      for (const op of ops) {
        if (op.kind === 'append') {
          const records = op.records.map((r) => {
            const id = seq++;
            return { key: `key-${r.key}`, value: r.tombstone ? null : `value-${id}-${'x'.repeat(r.pad)}` };
          });
          const res = await log.append(
            'c',
            0,
            records.map((r) => ({ key: buf(r.key), value: r.value === null ? null : buf(r.value) })),
          );
          expect(res.baseOffset).toBe(model.length);
          for (const r of records) model.push({ ...r, timestamp: clock.now() });
        } else if (op.kind === 'compact') {
          const { after, expected } = await compact(s(), deleteRetentionMs);
          expect(after.map(view)).toEqual(expected.map(view));
          await checkBatches(log);
        } else if (op.kind === 'reopen') {
          const before = await readAll(log, 'c');
          await log.close();
          if (op.crash) await rm(join(dataDir, '.clean-shutdown'));
          log = opened = await h.open(dataDir, { clock });
          expect(await readAll(log, 'c')).toEqual(before);
        } else {
          clock.advance(op.ms);
        }
        await check();
      }

      // Finally: roll everything into closed segments, let tombstones age when they can, compact:
      // exactly the newest record per key must remain.
      // (Random bytes: larger than segment.bytes even under gzip.)
      clock.advance(1);
      const filler = randomBytes(2100);
      await log.append('c', 0, [{ key: buf('~filler'), value: filler }]);
      model.push({ key: '~filler', value: filler.toString(), timestamp: clock.now() });
      await log.compactTopic('c');
      const all = await check();
      const newest = new Map<string, number>();
      model.forEach((m, offset) => newest.set(m.key, offset));
      const expectedFinal = [...newest.values()]
        .filter((o) => model[o]!.value !== null || model[o]!.timestamp >= clock.now() - deleteRetentionMs)
        .sort((a, b) => a - b);
      expect(all.map((r) => r.offset)).toEqual(expectedFinal);
      await log.close();
      log = opened = await h.open(dataDir, { clock });
      expect((await readAll(log, 'c')).map((r) => r.offset)).toEqual(expectedFinal);
    } finally {
      await opened?.close();
      await removeTempDir(root);
    }
  }

  it('full reads equal the model, tombstones kept (delete.retention.ms large)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), (ops) => run(ops, 1_000_000_000, 'none')),
      { numRuns: 12 },
    );
  });

  it('full reads equal the model, tombstones dropped once old (delete.retention.ms 0)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), (ops) => run(ops, 0, 'none')),
      { numRuns: 12 },
    );
  });

  it('full reads equal the model on a gzip topic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), (ops) => run(ops, 2000, 'gzip')),
      { numRuns: 6 },
    );
  });
});
