/**
 * The writer of line formats (JsonFormat, ByteArrayFormat): each record value encoded to bytes,
 * followed by a separator, buffered and optionally gzipped in members (`gzip-members.ts`).
 */
import type { SinkRecord } from '../../../src/sdk/index.js';
import { LineBuffer } from './gzip-members.js';
import type { Output, RecordWriter } from './record-writer.js';

export class LineWriter implements RecordWriter {
  recordBytes = 0;
  private readonly lines: LineBuffer;

  constructor(
    /** The record's bytes (without separator); throws DataError naming the record. */
    private readonly encode: (r: SinkRecord) => Buffer,
    private readonly separator: Buffer,
    out: Output,
    gzipLevel: number | null,
  ) {
    this.lines = new LineBuffer(out, gzipLevel);
  }

  fits(): boolean {
    return true;
  }

  append(r: SinkRecord): void {
    const bytes = this.encode(r);
    this.lines.push(bytes);
    if (this.separator.length > 0) this.lines.push(this.separator);
    this.recordBytes += bytes.length + this.separator.length;
  }

  heldBytes(): number {
    return this.lines.heldBytes();
  }

  release(): void {
    this.lines.release();
  }

  finish(): void {
    this.lines.release();
  }
}
