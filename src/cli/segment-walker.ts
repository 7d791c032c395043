/**
 * Walks the batches of one segment file read-only (opened `r`, never locked, never repaired), for
 * `dump-log`. Unlike recovery it does not stop at the first bad batch while the batch lengths still
 * lead somewhere: a CRC mismatch is reported and the walk goes on. It stops only where the bytes no
 * longer frame a batch (a torn or nonsensical length), reporting that tail.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  HEADER_SIZE,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  batchCrcValid,
  readBatchHeader,
  type BatchHeader,
} from '../log/codec/record-batch.js';
import { invalidBatchReason } from '../log/embedded/segment.js';

const CHUNK = 1 << 20;

export interface WalkedBatch {
  readonly kind: 'batch';
  readonly position: number;
  readonly size: number;
  readonly header: BatchHeader;
  readonly crcValid: boolean;
  /** Why recovery would cut the log here (CRC, magic, offsets), or null when the batch is valid. */
  readonly problem: string | null;
  /** The batch's bytes (a view valid until the next step of the walk). */
  readonly bytes: Buffer;
}

export interface WalkedTail {
  readonly kind: 'tail';
  readonly position: number;
  /** Bytes from `position` to the end of the file. */
  readonly bytes: number;
  readonly problem: string;
  /** The header, when at least a whole header is present. */
  readonly header: BatchHeader | null;
}

/** Reads a file through a window of about CHUNK bytes. */
class WindowReader {
  private buf = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly fd: FileHandle,
    readonly fileSize: number,
  ) {}

  async get(position: number, length: number): Promise<Buffer> {
    const want = Math.min(length, this.fileSize - position);
    if (position < this.start || position + want > this.start + this.buf.length) {
      const len = Math.min(Math.max(want, CHUNK), this.fileSize - position);
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await this.fd.read(buf, got, len - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      this.buf = buf.subarray(0, got);
      this.start = position;
    }
    const at = position - this.start;
    return this.buf.subarray(at, Math.min(at + want, this.buf.length));
  }
}

/** Yields every batch of the segment at `path`, then a tail entry when the file does not end cleanly. */
export async function* walkSegment(path: string, baseOffset: number): AsyncGenerator<WalkedBatch | WalkedTail> {
  const fd = await open(path, 'r');
  try {
    const reader = new WindowReader(fd, (await fd.stat()).size);
    let position = 0;
    let expect = baseOffset;
    while (position < reader.fileSize) {
      const avail = reader.fileSize - position;
      const head = await reader.get(position, HEADER_SIZE);
      const header = head.length >= HEADER_SIZE ? readBatchHeader(head, 0) : null;
      const tail = (problem: string): WalkedTail => ({ kind: 'tail', position, bytes: avail, problem, header });
      if (head.length < LOG_OVERHEAD) {
        yield tail(`torn batch header (${avail} bytes left)`);
        return;
      }
      const batchLength = head.readInt32BE(8);
      if (batchLength < MIN_BATCH_LENGTH) {
        yield tail(`batch length ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`);
        return;
      }
      const size = batchLength + LOG_OVERHEAD;
      if (size > avail) {
        yield tail(`torn batch (${size} bytes declared, ${avail} present)`);
        return;
      }
      const bytes = await reader.get(position, size);
      if (bytes.length < size) {
        // The file shrank under us (it is in use).
        yield tail(`torn batch (${size} bytes declared, ${bytes.length} readable)`);
        return;
      }
      const h = readBatchHeader(bytes, 0);
      yield {
        kind: 'batch',
        position,
        size,
        header: h,
        crcValid: batchCrcValid(bytes, 0, size),
        problem: invalidBatchReason(bytes, 0, size, expect),
        bytes,
      };
      if (h.lastOffsetDelta >= 0) expect = Math.max(expect, h.baseOffset + h.lastOffsetDelta + 1);
      position += size;
    }
  } finally {
    await fd.close();
  }
}
