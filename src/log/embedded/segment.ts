/**
 * One segment of a partition: `<20-digit base offset>.log` holding RecordBatch v2 bytes back to back,
 * with its sparse `.index` and `.timeindex`. The active segment is appended to by its partition; all
 * others are read-only until retention or compaction replaces them.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { writeSynced } from './files.js';
import { join } from 'node:path';
import {
  LOG_OVERHEAD,
  MAGIC,
  MIN_BATCH_LENGTH,
  batchCrcValid,
  readBatchHeader,
  type BatchHeader,
} from '../codec/record-batch.js';
import { readInt64 } from '../codec/varint.js';
import { INDEX_INTERVAL_BYTES, OffsetIndex, TimeIndex } from './indexes.js';

const SCAN_CHUNK = 1 << 20;
const TWO_32 = 2 ** 32;

export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** File names of a segment; `suffix` (e.g. `.cleaned`) names the cleaner's not-yet-swapped copy. */
export function segmentPaths(dir: string, baseOffset: number, suffix = ''): { log: string; index: string; timeindex: string } {
  const stem = join(dir, segmentName(baseOffset));
  return { log: `${stem}.log${suffix}`, index: `${stem}.index${suffix}`, timeindex: `${stem}.timeindex${suffix}` };
}

/**
 * Why the batch at `pos` of `buf` (with `avail` bytes readable from there) is not a valid batch that
 * may follow offset `minOffset - 1`, or null when it is valid. Checks sizes, magic, CRC and offsets.
 */
export function invalidBatchReason(buf: Buffer, pos: number, avail: number, minOffset: number): string | null {
  if (avail < LOG_OVERHEAD) return `torn batch header (${avail} bytes left)`;
  const batchLength = buf.readInt32BE(pos + 8);
  if (batchLength < MIN_BATCH_LENGTH) return `batch length ${batchLength} is below the minimum`;
  const size = batchLength + LOG_OVERHEAD;
  if (size > avail) return `torn batch (${size} bytes declared, ${avail} present)`;
  if (buf.readInt8(pos + 16) !== MAGIC) return `magic ${buf.readInt8(pos + 16)} is not 2`;
  if (!batchCrcValid(buf, pos, size)) return 'CRC-32C mismatch';
  const baseOffset = readInt64(buf, pos);
  const lastOffsetDelta = buf.readInt32BE(pos + 23);
  const recordsCount = buf.readInt32BE(pos + 57);
  if (baseOffset < minOffset) return `offset ${baseOffset} does not follow ${minOffset - 1}`;
  if (lastOffsetDelta < 0 || recordsCount < 0 || recordsCount > lastOffsetDelta + 1) {
    return `inconsistent record count ${recordsCount} / last offset delta ${lastOffsetDelta}`;
  }
  return null;
}

export interface ScannedBatch {
  /** Buffer holding the batch at `bufPos`. */
  readonly buf: Buffer;
  readonly bufPos: number;
  /** Position of the batch in the segment file. */
  readonly filePos: number;
  readonly size: number;
}

export class Segment {
  /** End of assigned bytes (writes may still be in flight). */
  size = 0;
  /** End of bytes readers may see (durable, or written in flush mode `none`). */
  visibleSize = 0;
  /** One past the last offset of the assigned batches. */
  nextOffset: number;
  maxTimestamp = -1;
  /** Timestamp of the first batch, for `segment.ms` rolling; null when empty. */
  firstTimestamp: number | null = null;
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  /** Closed, fully visible, synced, indexes written: from now on only the cleaner may replace it. */
  sealed = false;
  private bytesSinceIndexEntry = 0;
  private refs = 0;
  private retired = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly fd: FileHandle,
    readonly suffix = '',
  ) {
    this.nextOffset = baseOffset;
    this.offsetIndex = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
  }

  get paths(): ReturnType<typeof segmentPaths> {
    return segmentPaths(this.dir, this.baseOffset, this.suffix);
  }

  /** Creates an empty segment file (fails if one exists, unless `suffix` names a scratch copy). */
  static async create(dir: string, baseOffset: number, suffix = ''): Promise<Segment> {
    const fd = await open(segmentPaths(dir, baseOffset, suffix).log, suffix === '' ? 'wx+' : 'w+');
    return new Segment(dir, baseOffset, fd, suffix);
  }

  /** Opens an existing segment file for reading and appending; state is filled by `recover`/`loadIndexes`. */
  static async open(dir: string, baseOffset: number): Promise<Segment> {
    const fd = await open(segmentPaths(dir, baseOffset).log, 'r+');
    const seg = new Segment(dir, baseOffset, fd);
    const { size } = await fd.stat();
    seg.size = size;
    seg.visibleSize = size;
    return seg;
  }

  /** Whether a new relative offset would overflow the u32 indexes. */
  fitsOffset(lastOffset: number): boolean {
    return lastOffset - this.baseOffset < TWO_32 - 1;
  }

  /** Records a batch placed at `position` in the in-memory state and indexes. */
  noteBatch(position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    if (this.bytesSinceIndexEntry >= INDEX_INTERVAL_BYTES && position > 0) {
      this.offsetIndex.add(baseOffset, position);
      // Time entry: every batch before this one has a max timestamp ≤ the running max so far.
      this.timeIndex.add(this.maxTimestamp, baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    if (this.firstTimestamp === null) this.firstTimestamp = maxTimestamp;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    this.nextOffset = lastOffset + 1;
    this.size = position + size;
  }

  /**
   * Walks batches from `from` to `to` (file positions), reading in large chunks. The visitor returns
   * false to stop; `scan` then returns the position of the batch it stopped at. A batch that does
   * not fit before `to` is passed with whatever bytes exist, so validators see torn tails.
   * `afterChunk` runs after each chunk's batches were visited (the cleaner writes its output there).
   */
  async scan(
    from: number,
    to: number,
    visit: (b: ScannedBatch) => boolean,
    afterChunk?: () => Promise<void>,
  ): Promise<number> {
    let pos = from;
    while (pos < to) {
      const want = Math.min(SCAN_CHUNK, to - pos);
      let buf = await this.readAt(pos, want);
      let at = 0;
      while (at < buf.length) {
        const avail = buf.length - at;
        // A batch header cut by the end of the chunk (not of the range): read on from its start.
        if (avail < LOG_OVERHEAD && at > 0 && pos + buf.length < to) break;
        let size = avail >= LOG_OVERHEAD ? buf.readInt32BE(at + 8) + LOG_OVERHEAD : avail;
        if (size <= 0 || size > to - (pos + at)) size = Math.min(avail, to - (pos + at));
        if (size > avail) {
          if (at === 0) {
            // One batch bigger than the chunk: read it whole.
            buf = await this.readAt(pos, size);
            if (buf.length < size) size = buf.length;
          } else break;
        }
        if (!visit({ buf, bufPos: at, filePos: pos + at, size: Math.min(size, buf.length - at) })) return pos + at;
        at += size;
      }
      if (at === 0) break;
      pos += at;
      if (afterChunk) await afterChunk();
    }
    return pos;
  }

  async readAt(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fd.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  /**
   * Validates every batch from the start, rebuilding state and indexes, and truncates the file at the
   * first invalid byte. Returns the reason it truncated, or null when the whole file was valid.
   */
  async recover(minOffset: number): Promise<string | null> {
    const fileSize = (await this.fd.stat()).size;
    this.resetState();
    let reason: string | null = null;
    let expect = Math.max(minOffset, this.baseOffset);
    const stop = await this.scan(0, fileSize, (b) => {
      reason = invalidBatchReason(b.buf, b.bufPos, b.size, expect);
      if (reason !== null) return false;
      const h = readBatchHeader(b.buf, b.bufPos);
      const last = h.baseOffset + h.lastOffsetDelta;
      if (!this.fitsOffset(last)) {
        reason = `offset ${last} too far from segment base ${this.baseOffset}`;
        return false;
      }
      this.noteBatch(b.filePos, b.size, h.baseOffset, last, h.maxTimestamp);
      expect = last + 1;
      return true;
    });
    if (stop < fileSize) {
      reason ??= `torn tail of ${fileSize - stop} bytes`;
      await this.fd.truncate(stop);
      await this.fd.datasync();
    }
    this.size = stop;
    this.visibleSize = stop;
    return reason;
  }

  /**
   * Loads the stored indexes of a segment known to be valid (before the recovery point) and scans the
   * tail after the last index entry for the end offset and max timestamp. Falls back to a full
   * rebuild when an index is damaged. Returns false when even that found invalid data.
   */
  async loadIndexes(): Promise<boolean> {
    const p = this.paths;
    const [offBuf, timeBuf] = await Promise.all([readFile(p.index).catch(() => null), readFile(p.timeindex).catch(() => null)]);
    const offsetIndex = offBuf === null ? null : OffsetIndex.load(this.baseOffset, offBuf, this.size);
    const lastEntry = offsetIndex?.last() ?? null;
    let ok = offsetIndex !== null;
    if (ok && lastEntry !== null) {
      const head = await this.readAt(lastEntry[1], LOG_OVERHEAD);
      ok = head.length === LOG_OVERHEAD && readInt64(head, 0) === lastEntry[0];
    }
    if (!ok || offsetIndex === null) return (await this.recover(this.baseOffset)) === null;
    // Scan the tail from the last indexed batch to learn the end offset and the max timestamp.
    const tailFrom = lastEntry?.[1] ?? 0;
    const fileSize = this.size;
    this.resetState();
    let tailOk = true;
    let maxTs = -1;
    let firstTs: number | null = null;
    let next = lastEntry?.[0] ?? this.baseOffset;
    const stop = await this.scan(tailFrom, fileSize, (b) => {
      if (b.size < LOG_OVERHEAD + 49) {
        tailOk = false;
        return false;
      }
      const h: BatchHeader = readBatchHeader(b.buf, b.bufPos);
      if (firstTs === null) firstTs = h.maxTimestamp;
      if (h.maxTimestamp > maxTs) maxTs = h.maxTimestamp;
      next = h.baseOffset + h.lastOffsetDelta + 1;
      return true;
    });
    if (!tailOk || stop !== fileSize) return (await this.recover(this.baseOffset)) === null;
    const timeIndex = timeBuf === null ? null : TimeIndex.load(this.baseOffset, timeBuf, next - 1);
    if (timeIndex === null) return (await this.recover(this.baseOffset)) === null;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.size = fileSize;
    this.visibleSize = fileSize;
    this.nextOffset = next;
    // Batches before the tail are summarised by the last time-index entry.
    const indexedMax = timeBuf!.length >= 12 ? readInt64(timeBuf!, timeBuf!.length - 12) : -1;
    this.maxTimestamp = Math.max(maxTs, indexedMax);
    this.firstTimestamp = fileSize === 0 ? null : ((await this.firstBatchTimestamp()) ?? firstTs);
    return true;
  }

  private async firstBatchTimestamp(): Promise<number | null> {
    const head = await this.readAt(0, 61);
    return head.length === 61 ? readInt64(head, 35) : null;
  }

  private resetState(): void {
    this.offsetIndex = new OffsetIndex(this.baseOffset);
    this.timeIndex = new TimeIndex(this.baseOffset);
    this.bytesSinceIndexEntry = 0;
    this.maxTimestamp = -1;
    this.firstTimestamp = null;
    this.nextOffset = this.baseOffset;
    this.size = 0;
    this.visibleSize = 0;
  }

  /** Writes the indexes beside the segment and (unless `sync` is false) syncs data and indexes. */
  async seal(sync = true): Promise<void> {
    const p = this.paths;
    if (sync) await this.fd.datasync();
    await Promise.all([
      writeSynced(p.index, this.offsetIndex.toBuffer(), sync),
      writeSynced(p.timeindex, this.timeIndex.toBuffer(), sync),
    ]);
    this.sealed = true;
  }

  acquire(): void {
    this.refs++;
  }

  release(): void {
    this.refs--;
    if (this.retired && this.refs === 0) void this.fd.close().catch(() => {});
  }

  /** The segment left the partition: close its file once no read holds it. */
  retire(): void {
    this.retired = true;
    if (this.refs === 0) void this.fd.close().catch(() => {});
  }
}
