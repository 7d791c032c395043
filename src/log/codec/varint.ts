/**
 * Zig-zag varints as Kafka's RecordBatch v2 records use them (protobuf style, signed, 7 bits a byte).
 * Values are JS numbers: exact up to 2^53, which covers offsets, lengths and millisecond timestamps.
 */

const TWO_32 = 4294967296;

/** Zig-zag maps signed to unsigned: 0→0, -1→1, 1→2, -2→3 … */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(u: number): number {
  // u is a non-negative integer; odd values are negative.
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export function sizeOfVarint(n: number): number {
  let u = zigzag(n);
  let size = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
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
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) throw new RangeError('varint runs past the end of its buffer');
    const byte = buf[pos++]!;
    // Below bit 28 bit operations are exact; above, plain arithmetic (result is still < 2^53).
    if (shift < 28) result |= (byte & 0x7f) << shift;
    else result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 63) throw new RangeError('varint longer than 10 bytes');
  }
  cur.pos = pos;
  return unzigzag(result);
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
