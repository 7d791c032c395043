import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import { buf, expectCode, partitionDir, readAll, useLogHarness } from '../support/log.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

const h = useLogHarness();
const T0 = 1_700_000_000_000;

/** Appends `n` single-record batches of ~`size` bytes at the clock's current time; returns their offsets. */
async function appendN(log: EmbeddedLog, topic: string, n: number, size = 200): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const { baseOffset } = await log.append(topic, 0, [{ key: null, value: Buffer.alloc(size, 'r') }]);
    out.push(baseOffset);
  }
  return out;
}

async function logFiles(dataDir: string, topic: string): Promise<number[]> {
  return (await readdir(partitionDir(dataDir, topic)))
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}

async function setup(configs: Record<string, string | number>): Promise<{ log: EmbeddedLog; clock: ManualClock; dataDir: string }> {
  const clock = new ManualClock(T0);
  const dataDir = join(await h.tempDir(), 'd');
  const log = await h.open(dataDir, { clock });
  await log.createTopic('t', { configs: { 'segment.bytes': 1024, ...configs } });
  return { log, clock, dataDir };
}

describe('retention.ms', () => {
  it('deletes only closed segments whose newest record is older, and earliestOffset moves', async () => {
    const { log, clock, dataDir } = await setup({ 'retention.ms': 5000 });
    await appendN(log, 't', 20); // old: ~5 segments at T0
    clock.advance(10_000);
    const fresh = await appendN(log, 't', 20); // new at T0 + 10 s
    const p = log.partition('t', 0);
    const segsBefore = p.segments.map((s) => ({ base: s.baseOffset, max: s.maxTimestamp }));
    expect(segsBefore.length).toBeGreaterThan(6);
    // The segment holding the first new record also holds old ones: its newest is new, so it stays.
    const firstKept = segsBefore.filter((s) => s.base <= fresh[0]!).pop()!.base;
    const expectDeleted = segsBefore.filter((s) => s.base < firstKept).length;
    expect(expectDeleted).toBeGreaterThan(2);

    expect(await log.applyRetention()).toBe(expectDeleted);
    expect(await log.earliestOffset('t', 0)).toBe(firstKept);
    expect((await log.describeTopic('t')).partitions[0]!.earliestOffset).toBe(firstKept);
    expect(p.segments.map((s) => s.baseOffset)).toEqual(segsBefore.slice(expectDeleted).map((s) => s.base));
    expect(await logFiles(dataDir, 't')).toEqual(segsBefore.slice(expectDeleted).map((s) => s.base));
    // Everything from the new earliest offset is still readable, in order.
    const all = await readAll(log, 't');
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 40 - firstKept }, (_, i) => firstKept + i));
    // Reads below the log start fail; the answer reports the log start.
    await expectCode(log.read('t', 0, 0), 'OFFSET_OUT_OF_RANGE');
    await expectCode(log.read('t', 0, firstKept - 1), 'OFFSET_OUT_OF_RANGE');
    expect((await log.read('t', 0, firstKept)).logStartOffset).toBe(firstKept);
    // Running again deletes nothing more.
    expect(await log.applyRetention()).toBe(0);
  });

  it('never deletes the active segment, even when all its records are old', async () => {
    const { log, clock } = await setup({ 'retention.ms': 1000 });
    await appendN(log, 't', 30);
    const p = log.partition('t', 0);
    const activeBase = p.segments[p.segments.length - 1]!.baseOffset;
    expect(p.segments.length).toBeGreaterThan(3);
    clock.advance(1_000_000);
    expect(await log.applyRetention()).toBeGreaterThan(2);
    expect(p.segments.map((s) => s.baseOffset)).toEqual([activeBase]);
    expect(await log.earliestOffset('t', 0)).toBe(activeBase);
    expect(await log.latestOffset('t', 0)).toBe(30);
    expect((await readAll(log, 't')).map((r) => r.offset)).toEqual(Array.from({ length: 30 - activeBase }, (_, i) => activeBase + i));
    // Appends continue with the next offsets.
    expect(await log.append('t', 0, [{ key: null, value: buf('x') }])).toEqual({ baseOffset: 30, lastOffset: 30 });
    expect(await log.applyRetention()).toBe(0);
  });

  it('keeps a segment whose newest record is exactly at the limit', async () => {
    const { log, clock } = await setup({ 'retention.ms': 5000 });
    await appendN(log, 't', 10);
    clock.advance(5000);
    await appendN(log, 't', 10);
    expect(await log.applyRetention()).toBe(0);
    clock.advance(1);
    expect(await log.applyRetention()).toBeGreaterThan(0);
  });

  it('stops at the first segment that must stay (it judges by each segment\'s newest timestamp)', async () => {
    const { log, clock } = await setup({ 'retention.ms': 5000 });
    await appendN(log, 't', 8); // segments of old records
    const p = log.partition('t', 0);
    // One record with a timestamp in the future lands in some segment...
    await log.append('t', 0, [{ key: null, value: Buffer.alloc(200, 'f'), timestamp: T0 + 1_000_000 }]);
    const futureSeg = p.segments[p.segments.length - 1]!.baseOffset;
    await appendN(log, 't', 12); // ...followed by more segments of old records
    const basesBefore = p.segments.map((s) => s.baseOffset);
    const idx = basesBefore.indexOf(futureSeg);
    expect(idx).toBeGreaterThan(0);
    expect(basesBefore.length - idx).toBeGreaterThan(2);
    clock.advance(10_000);
    // Only the segments before the one holding the future record go; the old ones after it stay.
    expect(await log.applyRetention()).toBe(idx);
    expect(p.segments.map((s) => s.baseOffset)).toEqual(basesBefore.slice(idx));
    expect(await log.earliestOffset('t', 0)).toBe(futureSeg);
  });

  it('deletes nothing with retention.ms = -1, nor on a compact-only topic', async () => {
    const clock = new ManualClock(T0);
    const log = await h.open(join(await h.tempDir(), 'd'), { clock });
    await log.createTopic('forever', { configs: { 'segment.bytes': 1024, 'retention.ms': -1 } });
    await log.createTopic('compacted', { configs: { 'segment.bytes': 1024, 'retention.ms': 1, 'cleanup.policy': 'compact' } });
    await appendN(log, 'forever', 20);
    for (let i = 0; i < 20; i++) await log.append('compacted', 0, [{ key: buf(`k${i}`), value: Buffer.alloc(200) }]);
    clock.advance(10 ** 12);
    expect(await log.applyRetention()).toBe(0);
    expect(await log.earliestOffset('forever', 0)).toBe(0);
    expect(await log.earliestOffset('compacted', 0)).toBe(0);
  });

  it('applies on compact,delete topics', async () => {
    const { log, clock } = await setup({ 'retention.ms': 1000, 'cleanup.policy': 'compact,delete' });
    for (let i = 0; i < 20; i++) await log.append('t', 0, [{ key: buf(`k${i}`), value: Buffer.alloc(200) }]);
    clock.advance(2000);
    expect(await log.applyRetention()).toBeGreaterThan(0);
    expect(await log.earliestOffset('t', 0)).toBeGreaterThan(0);
  });

  it('the new log start survives reopen', async () => {
    const { log, clock, dataDir } = await setup({ 'retention.ms': 1000 });
    await appendN(log, 't', 20);
    clock.advance(5000);
    await log.applyRetention();
    const start = await log.earliestOffset('t', 0);
    expect(start).toBeGreaterThan(0);
    await log.close();
    const again = await h.open(dataDir, { clock });
    expect(await again.earliestOffset('t', 0)).toBe(start);
    expect(await again.latestOffset('t', 0)).toBe(20);
    await expectCode(again.read('t', 0, start - 1), 'OFFSET_OUT_OF_RANGE');
    expect((await readAll(again, 't')).length).toBe(20 - start);
  });
});

describe('retention.bytes', () => {
  it('deletes the oldest closed segments while the rest stays at least retention.bytes', async () => {
    const { log, dataDir } = await setup({ 'retention.bytes': 3000 });
    await appendN(log, 't', 40);
    const p = log.partition('t', 0);
    const before = p.sizeBytes();
    expect(before).toBeGreaterThan(6000);
    const n = await log.applyRetention();
    expect(n).toBeGreaterThan(0);
    const after = p.sizeBytes();
    expect(after).toBeGreaterThanOrEqual(3000);
    // Deleting one more closed segment would go below the limit.
    expect(p.segments.length).toBeGreaterThan(1);
    expect(after - p.segments[0]!.size).toBeLessThan(3000);
    expect((await log.describeTopic('t')).partitions[0]!.sizeBytes).toBe(after);
    expect(await logFiles(dataDir, 't')).toEqual(p.segments.map((s) => s.baseOffset));
    const start = await log.earliestOffset('t', 0);
    expect(start).toBe(p.segments[0]!.baseOffset);
    expect((await readAll(log, 't')).map((r) => r.offset)).toEqual(Array.from({ length: 40 - start }, (_, i) => start + i));
    expect(await log.applyRetention()).toBe(0);
  });

  it('never deletes the active segment even when it alone is over the limit', async () => {
    const { log } = await setup({ 'retention.bytes': 100 });
    await appendN(log, 't', 12);
    await log.applyRetention();
    const p = log.partition('t', 0);
    expect(p.segments).toHaveLength(1);
    expect(p.sizeBytes()).toBeGreaterThan(100);
  });
});

describe('offsetForTimestamp', () => {
  it('finds the first offset with a timestamp at or after the target, with non-monotonic timestamps', async () => {
    const { log } = await setup({});
    const ts = [100, 300, 200, 500, 400, 400, 50, 900, 600];
    for (const t of ts) await log.append('t', 0, [{ key: null, value: buf(`at ${t}`), timestamp: T0 + t }]);
    const expected = (target: number): number | null => {
      const i = ts.findIndex((t) => T0 + t >= target);
      return i < 0 ? null : i;
    };
    for (const target of [0, T0, T0 + 50, T0 + 100, T0 + 101, T0 + 250, T0 + 300, T0 + 301, T0 + 450, T0 + 550, T0 + 600, T0 + 601, T0 + 900]) {
      expect(await log.offsetForTimestamp('t', 0, target), `target ${target - T0}`).toBe(expected(target));
    }
    // Null when every record is older.
    expect(await log.offsetForTimestamp('t', 0, T0 + 901)).toBeNull();
  });

  it('is null on an empty partition', async () => {
    const { log } = await setup({});
    expect(await log.offsetForTimestamp('t', 0, 0)).toBeNull();
  });

  it('finds records inside multi-record batches', async () => {
    const { log } = await setup({});
    await log.append('t', 0, [
      { key: null, value: buf('a'), timestamp: 10 },
      { key: null, value: buf('b'), timestamp: 30 },
      { key: null, value: buf('c'), timestamp: 20 },
    ]);
    expect(await log.offsetForTimestamp('t', 0, 15)).toBe(1);
    expect(await log.offsetForTimestamp('t', 0, 25)).toBe(1);
    expect(await log.offsetForTimestamp('t', 0, 30)).toBe(1);
    expect(await log.offsetForTimestamp('t', 0, 11)).toBe(1);
    expect(await log.offsetForTimestamp('t', 0, 10)).toBe(0);
    expect(await log.offsetForTimestamp('t', 0, 31)).toBeNull();
  });

  it('agrees with a linear scan over many segments, before and after reopen (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: -10, max: 100_010 }), { minLength: 5, maxLength: 15 }),
        fc.integer({ min: 0, max: 600 }),
        async (batches, targets, pad) => {
          const root = await makeTempDir();
          let log: EmbeddedLog | null = null;
          try {
            const dataDir = join(root, 'd');
            log = await h.open(dataDir);
            await log.createTopic('t', { configs: { 'segment.bytes': 4096 } });
            const all: number[] = [];
            for (const b of batches) {
              await log.append('t', 0, b.map((t) => ({ key: null, value: Buffer.alloc(pad, 1), timestamp: T0 + t })));
              all.push(...b.map((t) => T0 + t));
            }
            const expected = (target: number): number | null => {
              const i = all.findIndex((t) => t >= target);
              return i < 0 ? null : i;
            };
            for (const t of targets) expect(await log.offsetForTimestamp('t', 0, T0 + t)).toBe(expected(T0 + t));
            await log.close();
            log = await h.open(dataDir);
            for (const t of targets) expect(await log.offsetForTimestamp('t', 0, T0 + t)).toBe(expected(T0 + t));
          } finally {
            await log?.close();
            await removeTempDir(root);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('after retention, only the remaining records count', async () => {
    const { log, clock } = await setup({ 'retention.ms': 1000 });
    for (let i = 0; i < 20; i++) await log.append('t', 0, [{ key: null, value: Buffer.alloc(200), timestamp: T0 + i }]);
    clock.advance(100_000);
    await log.applyRetention();
    const start = await log.earliestOffset('t', 0);
    expect(start).toBeGreaterThan(0);
    expect(await log.offsetForTimestamp('t', 0, 0)).toBe(start);
    expect(await log.offsetForTimestamp('t', 0, T0 + 19)).toBe(19);
  });
});
