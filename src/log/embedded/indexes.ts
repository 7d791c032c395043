/**
 * Sparse segment indexes, kept in memory and written beside the segment when it is sealed:
 *  - offset index (`.index`): entries of (offset − segment base: u32, file position: u32), each
 *    pointing at the start of a batch; one entry per ~`INDEX_INTERVAL_BYTES` of data.
 *  - time index (`.timeindex`): entries of (timestamp: i64, offset − base: u32): every batch before
 *    the one starting at that offset has a max timestamp ≤ the entry's timestamp.
 * Indexes only speed up lookups; a missing or short index is never wrong, and a damaged one is
 * detected by `load` and rebuilt from the segment.
 */
import { readInt64, writeInt64 } from '../codec/varint.js';

export const INDEX_INTERVAL_BYTES = 4096;

class GrowableU32 {
  data = new Uint32Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export class OffsetIndex {
  private readonly rel = new GrowableU32();
  private readonly pos = new GrowableU32();

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.rel.length;
  }

  add(offset: number, position: number): void {
    this.rel.push(offset - this.baseOffset);
    this.pos.push(position);
  }

  /** Position of the last indexed batch starting at or before `offset` (0 when none). */
  lookup(offset: number): number {
    const target = offset - this.baseOffset;
    let lo = 0;
    let hi = this.rel.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel.data[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.pos.data[found]!;
  }

  /** Last entry as [offset, position], or null. */
  last(): [number, number] | null {
    const n = this.rel.length;
    return n === 0 ? null : [this.baseOffset + this.rel.data[n - 1]!, this.pos.data[n - 1]!];
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.rel.length * 8);
    for (let i = 0; i < this.rel.length; i++) {
      buf.writeUInt32BE(this.rel.data[i]!, i * 8);
      buf.writeUInt32BE(this.pos.data[i]!, i * 8 + 4);
    }
    return buf;
  }

  /** Loads a stored index; null when it is not well formed for a segment of `logSize` bytes. */
  static load(baseOffset: number, buf: Buffer, logSize: number): OffsetIndex | null {
    if (buf.length % 8 !== 0) return null;
    const idx = new OffsetIndex(baseOffset);
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < buf.length; i += 8) {
      const rel = buf.readUInt32BE(i);
      const pos = buf.readUInt32BE(i + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize) return null;
      idx.add(baseOffset + rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    return idx;
  }
}

export class TimeIndex {
  private readonly ts: number[] = [];
  private readonly rel = new GrowableU32();

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.rel.length;
  }

  add(maxTimestamp: number, offset: number): void {
    this.ts.push(maxTimestamp);
    this.rel.push(offset - this.baseOffset);
  }

  /**
   * Where a search for the first record with a timestamp ≥ `timestamp` may start: the offset of the
   * last entry whose timestamp is still below it (no earlier batch reaches it), else the base.
   */
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.ts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.rel.data[found]!;
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.rel.length * 12);
    for (let i = 0; i < this.rel.length; i++) {
      writeInt64(buf, i * 12, this.ts[i]!);
      buf.writeUInt32BE(this.rel.data[i]!, i * 12 + 8);
    }
    return buf;
  }

  static load(baseOffset: number, buf: Buffer, lastOffset: number): TimeIndex | null {
    if (buf.length % 12 !== 0) return null;
    const idx = new TimeIndex(baseOffset);
    let prevTs = -Infinity;
    let prevRel = -1;
    for (let i = 0; i < buf.length; i += 12) {
      const ts = readInt64(buf, i);
      const rel = buf.readUInt32BE(i + 8);
      if (ts < prevTs || rel <= prevRel || baseOffset + rel > lastOffset) return null;
      idx.add(ts, baseOffset + rel);
      prevTs = ts;
      prevRel = rel;
    }
    return idx;
  }
}
