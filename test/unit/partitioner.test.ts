import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { murmur2, partitionForKey } from '../../src/log/partitioner.js';
import { kafkajsPartition, murmur2K } from '../support/kafkajs.js';

describe('murmur2', () => {
  // Apache Kafka's UtilsTest.testMurmur2 vectors (Java Utils.murmur2 of the ASCII bytes); kafkajs's
  // implementation gives the same values, checked below too.
  const JAVA_VECTORS: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];

  it.each(JAVA_VECTORS)('murmur2(%j) is Java Kafka\'s %d', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'ascii'))).toBe(expected);
    expect(murmur2K(Buffer.from(key, 'ascii'))).toBe(expected);
  });

  it('returns a signed 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const h = murmur2(Buffer.from(bytes));
        expect(Number.isInteger(h)).toBe(true);
        expect(h).toBe(h | 0);
      }),
    );
  });

  it('equals kafkajs murmur2 on random buffers of every length class (mod 4)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(murmur2K(key));
      }),
      { numRuns: 3000 },
    );
  });

  it('equals kafkajs murmur2 on buffers of high bytes (sign extension of each lane)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => a.map((b) => b | 0x80)), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(murmur2K(key));
      }),
      { numRuns: 1000 },
    );
  });

  it('equals kafkajs murmur2 on UTF-8 strings (kafkajs hashes the UTF-8 bytes of a string key)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => {
        expect(murmur2(Buffer.from(s, 'utf8'))).toBe(murmur2K(s));
      }),
      { numRuns: 1000 },
    );
  });

  it('hashes the empty key like kafkajs', () => {
    expect(murmur2(Buffer.alloc(0))).toBe(murmur2K(Buffer.alloc(0)));
  });

  it('ignores bytes outside the view of a subarray', () => {
    const big = Buffer.from('xxfoobaryy');
    expect(murmur2(big.subarray(2, 8))).toBe(murmur2(Buffer.from('foobar')));
  });
});

describe('partitionForKey', () => {
  it('picks the partition kafkajs\'s default partitioner picks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 1, max: 1000 }), (bytes, n) => {
        const key = Buffer.from(bytes);
        const p = partitionForKey(key, n);
        expect(p).toBe(kafkajsPartition(key, n));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('uses (murmur2 & 0x7fffffff) % n, not Math.abs, for negative hashes', () => {
    // murmur2('21') is negative: toPositive keeps the low 31 bits.
    const key = Buffer.from('21');
    expect(murmur2(key)).toBeLessThan(0);
    for (const n of [1, 2, 3, 7, 10, 100, 4096]) {
      expect(partitionForKey(key, n)).toBe((-973932308 & 0x7fffffff) % n);
      expect(partitionForKey(key, n)).toBe(kafkajsPartition(key, n));
    }
  });

  it('string keys land where kafkajs puts them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer({ min: 1, max: 64 }), (s, n) => {
        expect(partitionForKey(Buffer.from(s, 'utf8'), n)).toBe(kafkajsPartition(s, n));
      }),
      { numRuns: 1000 },
    );
  });
});
