/**
 * Zig-zag varints as Kafka's RecordBatch v2 records use them (protobuf style, signed, 7 bits a byte).
 * Values are JS numbers: exact up to 2^53, which covers offsets, lengths and millisecond timestamps.
 */

const TWO_32 = 4294967296;

/** Zig-zag maps signed to unsigned: 0→0, -1→1, 1→2, -2→3 … */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/**
 * The zig-zag value is 2m + s, with m = n ≥ 0 ? n : −n − 1 and s the sign bit. Past 2^53 (|n| > 2^52)
 * 2m + s is not exact as a double, so the slow paths below work from m instead: the first byte holds
 * s and m's low 6 bits, the following bytes ⌊m / 64⌋, which stays exact for every safe integer.
 */
function zigzagHalf(n: number): number {
  return n >= 0 ? n : -n - 1;
}

export function sizeOfVarint(n: number): number {
  let rest = Math.floor(zigzagHalf(n) / 64);
  let size = 1;
  while (rest > 0) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}

/** Writes `n` at `pos`, returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  let u = zigzag(n);
  if (u < 0x80000000) {
    // Fast path: fits in 31 bits, bit operations are exact.
    while (u >= 0x80) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[pos++] = u;
    return pos;
  }
  // Slow path (u ≥ 2^31, so a second byte always follows): exact from m, see zigzagHalf.
  const m = zigzagHalf(n);
  buf[pos++] = ((m % 64) * 2 + (n < 0 ? 1 : 0)) | 0x80;
  u = Math.floor(m / 64);
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

/** Result slot of `readVarint`, reused to avoid an object per call on hot paths. */
export interface VarintCursor {
  pos: number;
}

/**
 * Reads a zig-zag varint at `cur.pos` and advances it. Throws a RangeError on a varint longer
 * than 10 bytes or running past `end`; callers translate it into CORRUPT_MESSAGE.
 */
export function readVarint(buf: Buffer, cur: VarintCursor, end: number): number {
  let pos = cur.pos;
  if (pos >= end) throw new RangeError('varint runs past the end of its buffer');
  let byte = buf[pos++]!;
  const negative = (byte & 1) === 1;
  // m = ⌊zig-zag value / 2⌋ (see zigzagHalf): exact for every safe integer, unlike the value itself.
  let m = (byte & 0x7f) >>> 1;
  let shift = 6;
  while ((byte & 0x80) !== 0) {
    if (shift > 62) throw new RangeError('varint longer than 10 bytes');
    if (pos >= end) throw new RangeError('varint runs past the end of its buffer');
    byte = buf[pos++]!;
    // Below bit 27 bit operations are exact; above, plain arithmetic.
    if (shift < 24) m |= (byte & 0x7f) << shift;
    else m += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  cur.pos = pos;
  return negative ? -m - 1 : m;
}

export function writeInt64(buf: Buffer, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  const lo = n - hi * TWO_32;
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(lo, pos + 4);
}

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}
