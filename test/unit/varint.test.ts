import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readInt64, readVarint, sizeOfVarint, writeInt64, writeVarint } from '../../src/log/codec/varint.js';
import { Encoder } from '../support/kafkajs.js';

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1

function encode(n: number): Buffer {
  const b = Buffer.alloc(16, 0xee);
  const end = writeVarint(b, 0, n);
  return b.subarray(0, end);
}

function decode(bytes: Buffer): { value: number; pos: number } {
  const cur = { pos: 0 };
  const value = readVarint(bytes, cur, bytes.length);
  return { value, pos: cur.pos };
}

/** Reference zig-zag varint in BigInt (protobuf sint64), independent of the implementation. */
function referenceVarint(n: number): Buffer {
  let u = (BigInt(n) << 1n) ^ (BigInt(n) >> 63n);
  u = BigInt.asUintN(64, u);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

const BOUNDARIES = [
  0, 1, -1, 2, -2, 63, -64, 64, -65, 127, 128, -128, 8191, -8192, 8192,
  2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 35, -(2 ** 35),
  2 ** 52, -(2 ** 52), 2 ** 52 + 1, -(2 ** 52) - 1, -(2 ** 52) - 3, MAX - 1, MAX, -MAX, -MAX + 1,
];

describe('zig-zag varint', () => {
  it('encodes small values as protobuf sint64 does', () => {
    expect([...encode(0)]).toEqual([0x00]);
    expect([...encode(-1)]).toEqual([0x01]);
    expect([...encode(1)]).toEqual([0x02]);
    expect([...encode(-2)]).toEqual([0x03]);
    expect([...encode(63)]).toEqual([0x7e]);
    expect([...encode(-64)]).toEqual([0x7f]);
    expect([...encode(64)]).toEqual([0x80, 0x01]);
    expect([...encode(300)]).toEqual([0xd8, 0x04]);
    expect([...encode(2 ** 31 - 1)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0x0f]);
    expect([...encode(-(2 ** 31))]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it.each(BOUNDARIES)('round-trips boundary %d and matches the BigInt reference', (n) => {
    const bytes = encode(n);
    expect(bytes.toString('hex')).toBe(referenceVarint(n).toString('hex'));
    expect(bytes.length).toBe(sizeOfVarint(n));
    const back = decode(bytes);
    expect(back.value).toBe(n);
    expect(back.pos).toBe(bytes.length);
  });

  it('round-trips any safe integer (±2^53), with sizeOfVarint equal to the bytes written', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (n) => {
        const bytes = encode(n);
        expect(bytes.length).toBe(sizeOfVarint(n));
        expect(bytes.equals(referenceVarint(n))).toBe(true);
        expect(decode(bytes)).toEqual({ value: n, pos: bytes.length });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips 32-bit and near-power-of-two values', () => {
    const nearPowers = fc
      .tuple(fc.integer({ min: 0, max: 52 }), fc.integer({ min: -3, max: 3 }), fc.boolean())
      .map(([p, d, neg]) => {
        const n = Math.min(MAX, Math.max(0, 2 ** p + d));
        return neg && n !== 0 ? -n : n;
      });
    fc.assert(
      fc.property(fc.oneof(fc.integer(), nearPowers), (n) => {
        const bytes = encode(n);
        expect(bytes.length).toBe(sizeOfVarint(n));
        expect(decode(bytes).value).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads consecutive varints and advances the cursor', () => {
    const values = [5, -300, 2 ** 40, -(2 ** 33), 0, MAX];
    const b = Buffer.alloc(100);
    let pos = 0;
    for (const v of values) pos = writeVarint(b, pos, v);
    const cur = { pos: 0 };
    expect(values.map(() => readVarint(b, cur, pos))).toEqual(values);
    expect(cur.pos).toBe(pos);
  });

  it('writes at the given position and leaves other bytes alone', () => {
    const b = Buffer.alloc(8, 0xaa);
    const end = writeVarint(b, 3, 300);
    expect(end).toBe(5);
    expect([...b]).toEqual([0xaa, 0xaa, 0xaa, 0xd8, 0x04, 0xaa, 0xaa, 0xaa]);
  });

  it('throws a RangeError on a varint running past its end', () => {
    const b = Buffer.from([0x80, 0x80]);
    expect(() => readVarint(b, { pos: 0 }, b.length)).toThrow(RangeError);
    // The end bound is honoured even when the buffer is longer.
    const c = Buffer.from([0xd8, 0x04]);
    expect(() => readVarint(c, { pos: 0 }, 1)).toThrow(RangeError);
    expect(() => readVarint(Buffer.alloc(0), { pos: 0 }, 0)).toThrow(RangeError);
  });

  it('throws a RangeError on a varint longer than 10 bytes', () => {
    const tooLong = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => readVarint(tooLong, { pos: 0 }, tooLong.length)).toThrow(RangeError);
    // Exactly 10 bytes is legal (a full 64-bit value).
    const ten = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    const cur = { pos: 0 };
    expect(readVarint(ten, cur, ten.length)).toBe(0);
    expect(cur.pos).toBe(10);
  });

  describe('agrees with kafkajs', () => {
    it('writeVarInt for 32-bit values', () => {
      const values = [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 20, 2 ** 31 - 1, -(2 ** 31)];
      for (const v of values) expect(encode(v).toString('hex'), `value ${v}`).toBe(new Encoder().writeVarInt(v).buffer.toString('hex'));
      fc.assert(
        fc.property(fc.integer(), (v) => {
          expect(encode(v).equals(new Encoder().writeVarInt(v).buffer)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('writeVarLong for 64-bit values within ±2^53', () => {
      for (const v of BOUNDARIES) {
        expect(encode(v).toString('hex'), `value ${v}`).toBe(new Encoder().writeVarLong(v).buffer.toString('hex'));
      }
      fc.assert(
        fc.property(fc.integer({ min: -MAX, max: MAX }), (v) => {
          expect(encode(v).equals(new Encoder().writeVarLong(v).buffer)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('int64', () => {
  const cases = [0, 1, -1, 255, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, -(2 ** 32), 2 ** 32 + 1, 1_700_000_000_000, MAX, -MAX];

  it.each(cases)('writes %d as a big-endian two-complement int64 and reads it back', (n) => {
    const b = Buffer.alloc(10, 0x55);
    writeInt64(b, 1, n);
    const ref = Buffer.alloc(8);
    ref.writeBigInt64BE(BigInt(n));
    expect(b.subarray(1, 9).toString('hex')).toBe(ref.toString('hex'));
    expect(b[0]).toBe(0x55);
    expect(b[9]).toBe(0x55);
    expect(readInt64(b, 1)).toBe(n);
  });

  it('encodes -1 as eight 0xff bytes', () => {
    const b = Buffer.alloc(8);
    writeInt64(b, 0, -1);
    expect(b.toString('hex')).toBe('ffffffffffffffff');
    expect(readInt64(Buffer.from('ffffffffffffffff', 'hex'), 0)).toBe(-1);
  });

  it('round-trips any safe integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (n) => {
        const b = Buffer.alloc(8);
        writeInt64(b, 0, n);
        expect(b.readBigInt64BE(0)).toBe(BigInt(n));
        expect(readInt64(b, 0)).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });
});
