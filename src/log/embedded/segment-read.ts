/**
 * Read paths over one segment: whole stored batches from an offset, and the search by timestamp.
 * Both stay within the segment's visible bytes, so nothing not yet durable is ever returned.
 */
import { LOG_OVERHEAD, decodeBatch, readBatchHeader } from '../codec/record-batch.js';
import { readInt64 } from '../codec/varint.js';
import { INDEX_INTERVAL_BYTES } from './indexes.js';
import type { Segment } from './segment.js';

export interface RawRead {
  /** Whole batches, back to back, as stored. */
  readonly bytes: Buffer;
  readonly nextOffset: number;
}

/**
 * Reads whole batches from `seg` starting at the batch that holds `offset` (or the first after it),
 * within the segment's visible bytes. Null when the segment holds nothing at or after `offset`.
 */
export async function readFromSegment(seg: Segment, offset: number, maxBytes: number): Promise<RawRead | null> {
  const end = seg.visibleSize;
  let pos = seg.offsetIndex.lookup(offset);
  if (pos >= end) return null;
  const window = (from: number): number => Math.min(end - from, maxBytes + 2 * INDEX_INTERVAL_BYTES);
  let bufStart = pos;
  let buf = await seg.readAt(pos, window(pos));
  // Skip batches that end before `offset`.
  for (;;) {
    if (pos >= end) return null;
    if (pos - bufStart + LOG_OVERHEAD + 49 > buf.length) {
      bufStart = pos;
      buf = await seg.readAt(pos, window(pos));
    }
    const rel = pos - bufStart;
    const size = buf.readInt32BE(rel + 8) + LOG_OVERHEAD;
    if (readInt64(buf, rel) + buf.readInt32BE(rel + 23) >= offset) break;
    pos += size;
  }
  // Collect whole batches: the first always, the rest while they fit in maxBytes.
  const firstSize = buf.readInt32BE(pos - bufStart + 8) + LOG_OVERHEAD;
  const want = Math.min(end - pos, Math.max(firstSize, maxBytes));
  if (pos - bufStart + want > buf.length) {
    bufStart = pos;
    buf = await seg.readAt(pos, want);
  }
  const start = pos - bufStart;
  let at = start;
  let lastOffset = offset - 1;
  while (at + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(at + 8) + LOG_OVERHEAD;
    if (at + size > buf.length || (at > start && at + size - start > maxBytes)) break;
    lastOffset = readInt64(buf, at) + buf.readInt32BE(at + 23);
    at += size;
  }
  return { bytes: buf.subarray(start, at), nextOffset: lastOffset + 1 };
}

/** Offset of the first record with a timestamp ≥ `timestamp` in `seg`, or null. */
export async function findTimestampInSegment(seg: Segment, timestamp: number): Promise<number | null> {
  const from = seg.offsetIndex.lookup(seg.timeIndex.lookup(timestamp));
  let found: Buffer | null = null;
  let at = 0;
  await seg.scan(from, seg.visibleSize, (b) => {
    if (readInt64(b.buf, b.bufPos + 35) >= timestamp) {
      found = b.buf;
      at = b.bufPos;
      return false;
    }
    return true;
  });
  if (found === null) return null;
  const h = readBatchHeader(found, at);
  return decodeBatch(found, at, h).find((r) => r.timestamp >= timestamp)?.offset ?? null;
}
