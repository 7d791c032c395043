import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OffsetIndex, TimeIndex } from '../../src/log/embedded/indexes.js';

describe('OffsetIndex', () => {
  function sample(): OffsetIndex {
    const idx = new OffsetIndex(1000);
    idx.add(1010, 4100);
    idx.add(1025, 8300);
    idx.add(1040, 12500);
    return idx;
  }

  it('starts empty: lookup gives position 0 and last() is null', () => {
    const idx = new OffsetIndex(50);
    expect(idx.entries).toBe(0);
    expect(idx.lookup(50)).toBe(0);
    expect(idx.lookup(1_000_000)).toBe(0);
    expect(idx.last()).toBeNull();
    expect(idx.toBuffer().length).toBe(0);
  });

  it('looks up the last entry at or before an offset', () => {
    const idx = sample();
    expect(idx.entries).toBe(3);
    expect(idx.lookup(1000)).toBe(0);
    expect(idx.lookup(1009)).toBe(0);
    expect(idx.lookup(1010)).toBe(4100);
    expect(idx.lookup(1024)).toBe(4100);
    expect(idx.lookup(1025)).toBe(8300);
    expect(idx.lookup(1039)).toBe(8300);
    expect(idx.lookup(1040)).toBe(12500);
    expect(idx.lookup(99_999)).toBe(12500);
    expect(idx.last()).toEqual([1040, 12500]);
  });

  it('serialises entries as big-endian (u32 relative offset, u32 position)', () => {
    const buf = sample().toBuffer();
    expect(buf.toString('hex')).toBe(
      ['0000000a', '00001004', '00000019', '0000206c', '00000028', '000030d4'].join(''),
    );
  });

  it('loads what it wrote', () => {
    const buf = sample().toBuffer();
    const loaded = OffsetIndex.load(1000, buf, 20_000);
    expect(loaded).not.toBeNull();
    expect(loaded!.entries).toBe(3);
    expect(loaded!.toBuffer().equals(buf)).toBe(true);
    expect(loaded!.lookup(1030)).toBe(8300);
    expect(loaded!.last()).toEqual([1040, 12500]);
  });

  it('loads an empty buffer as an empty index', () => {
    const loaded = OffsetIndex.load(7, Buffer.alloc(0), 0);
    expect(loaded?.entries).toBe(0);
  });

  it('grows past its initial capacity', () => {
    const idx = new OffsetIndex(0);
    for (let i = 1; i <= 1000; i++) idx.add(i * 3, i * 4096);
    expect(idx.entries).toBe(1000);
    expect(idx.lookup(3 * 500 + 1)).toBe(500 * 4096);
    const loaded = OffsetIndex.load(0, idx.toBuffer(), 1001 * 4096);
    expect(loaded?.entries).toBe(1000);
    expect(loaded?.last()).toEqual([3000, 1000 * 4096]);
  });

  describe('load rejects malformed buffers', () => {
    const entry = (rel: number, pos: number): Buffer => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(rel, 0);
      b.writeUInt32BE(pos, 4);
      return b;
    };

    it('length not a multiple of 8', () => {
      const good = sample().toBuffer();
      expect(OffsetIndex.load(1000, good.subarray(0, good.length - 1), 20_000)).toBeNull();
      expect(OffsetIndex.load(1000, Buffer.concat([good, Buffer.alloc(4)]), 20_000)).toBeNull();
      expect(OffsetIndex.load(1000, Buffer.alloc(3), 20_000)).toBeNull();
    });

    it('relative offsets not strictly increasing', () => {
      expect(OffsetIndex.load(0, Buffer.concat([entry(10, 100), entry(5, 200)]), 1000)).toBeNull();
      expect(OffsetIndex.load(0, Buffer.concat([entry(10, 100), entry(10, 200)]), 1000)).toBeNull();
    });

    it('positions not strictly increasing', () => {
      expect(OffsetIndex.load(0, Buffer.concat([entry(10, 300), entry(20, 200)]), 1000)).toBeNull();
      expect(OffsetIndex.load(0, Buffer.concat([entry(10, 300), entry(20, 300)]), 1000)).toBeNull();
    });

    it('a position at or beyond the log size', () => {
      expect(OffsetIndex.load(0, Buffer.concat([entry(10, 100), entry(20, 1000)]), 1000)).toBeNull();
      expect(OffsetIndex.load(0, entry(1, 5000), 1000)).toBeNull();
      expect(OffsetIndex.load(0, Buffer.concat([entry(10, 100), entry(20, 999)]), 1000)).not.toBeNull();
    });
  });

  it('lookup agrees with a linear scan (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 110_000 }), { minLength: 1, maxLength: 50 }),
        (base, rels, probes) => {
          const sorted = [...rels].sort((a, b) => a - b);
          const idx = new OffsetIndex(base);
          sorted.forEach((r, i) => idx.add(base + r, (i + 1) * 100));
          const reloaded = OffsetIndex.load(base, idx.toBuffer(), (sorted.length + 1) * 100);
          expect(reloaded).not.toBeNull();
          for (const p of probes) {
            let expected = 0;
            sorted.forEach((r, i) => {
              if (r <= p) expected = (i + 1) * 100;
            });
            expect(idx.lookup(base + p)).toBe(expected);
            expect(reloaded!.lookup(base + p)).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TimeIndex', () => {
  function sample(): TimeIndex {
    const idx = new TimeIndex(500);
    idx.add(1_700_000_000_100, 510);
    idx.add(1_700_000_000_100, 520); // equal timestamps are allowed (running max)
    idx.add(1_700_000_000_900, 530);
    return idx;
  }

  it('starts empty: lookup gives the base offset', () => {
    const idx = new TimeIndex(42);
    expect(idx.entries).toBe(0);
    expect(idx.lookup(0)).toBe(42);
    expect(idx.lookup(Number.MAX_SAFE_INTEGER)).toBe(42);
  });

  it('looks up the last entry whose timestamp is below the target', () => {
    const idx = sample();
    expect(idx.entries).toBe(3);
    expect(idx.lookup(1_700_000_000_000)).toBe(500);
    expect(idx.lookup(1_700_000_000_100)).toBe(500); // not below: a batch before 510 may hold it
    expect(idx.lookup(1_700_000_000_101)).toBe(520);
    expect(idx.lookup(1_700_000_000_900)).toBe(520);
    expect(idx.lookup(1_700_000_000_901)).toBe(530);
  });

  it('serialises entries as (i64 timestamp, u32 relative offset), big-endian', () => {
    const idx = new TimeIndex(100);
    idx.add(-1, 101);
    idx.add(2 ** 40 + 5, 4294967294 + 100);
    expect(idx.toBuffer().toString('hex')).toBe('ffffffffffffffff' + '00000001' + '0000010000000005' + 'fffffffe');
  });

  it('loads what it wrote', () => {
    const buf = sample().toBuffer();
    const loaded = TimeIndex.load(500, buf, 535);
    expect(loaded).not.toBeNull();
    expect(loaded!.entries).toBe(3);
    expect(loaded!.toBuffer().equals(buf)).toBe(true);
    expect(loaded!.lookup(1_700_000_000_500)).toBe(520);
    expect(TimeIndex.load(500, Buffer.alloc(0), 500)?.entries).toBe(0);
  });

  describe('load rejects malformed buffers', () => {
    const entry = (ts: number, rel: number): Buffer => {
      const b = Buffer.alloc(12);
      b.writeBigInt64BE(BigInt(ts), 0);
      b.writeUInt32BE(rel, 8);
      return b;
    };

    it('length not a multiple of 12', () => {
      const good = sample().toBuffer();
      expect(TimeIndex.load(500, good.subarray(0, 20), 535)).toBeNull();
      expect(TimeIndex.load(500, Buffer.alloc(8), 535)).toBeNull();
    });

    it('decreasing timestamps', () => {
      expect(TimeIndex.load(0, Buffer.concat([entry(200, 1), entry(100, 2)]), 10)).toBeNull();
    });

    it('relative offsets not strictly increasing', () => {
      expect(TimeIndex.load(0, Buffer.concat([entry(100, 2), entry(200, 2)]), 10)).toBeNull();
      expect(TimeIndex.load(0, Buffer.concat([entry(100, 3), entry(200, 1)]), 10)).toBeNull();
    });

    it('an offset past the segment\'s last offset', () => {
      expect(TimeIndex.load(0, Buffer.concat([entry(100, 2), entry(200, 11)]), 10)).toBeNull();
      expect(TimeIndex.load(0, Buffer.concat([entry(100, 2), entry(200, 10)]), 10)).not.toBeNull();
    });
  });

  it('lookup agrees with a linear scan (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 100 }),
        fc.array(fc.integer({ min: -10, max: 60_000 }), { minLength: 1, maxLength: 30 }),
        (steps, probes) => {
          const base = 1000;
          const idx = new TimeIndex(base);
          let ts = 0;
          const entries: [number, number][] = [];
          steps.forEach((s, i) => {
            ts += s;
            idx.add(ts, base + (i + 1) * 3);
            entries.push([ts, base + (i + 1) * 3]);
          });
          const reloaded = TimeIndex.load(base, idx.toBuffer(), base + (steps.length + 1) * 3);
          expect(reloaded).not.toBeNull();
          for (const p of probes) {
            let expected = base;
            for (const [t, o] of entries) if (t < p) expected = o;
            expect(idx.lookup(p)).toBe(expected);
            expect(reloaded!.lookup(p)).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
