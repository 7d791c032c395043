/**
 * Confluent's ByteArrayFormat: each record value's bytes as they are, followed by
 * `format.bytearray.separator` (none by default), optionally gzip. Values must be bytes (from
 * `ByteArrayConverter`); a string value is written as its UTF-8 bytes.
 */
import { DataError, type SinkRecord } from '../../../src/sdk/index.js';
import { LineBuffer } from './gzip-members.js';
import type { Output, RecordWriter } from './record-writer.js';

export class ByteArrayWriter implements RecordWriter {
  recordBytes = 0;
  private readonly lines: LineBuffer;

  constructor(
    out: Output,
    gzipLevel: number | null,
    private readonly separator: Buffer,
  ) {
    this.lines = new LineBuffer(out, gzipLevel);
  }

  fits(): boolean {
    return true;
  }

  append(r: SinkRecord): void {
    const v = r.value;
    let bytes: Buffer;
    if (Buffer.isBuffer(v)) bytes = v;
    else if (v instanceof Uint8Array) bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    else if (typeof v === 'string') bytes = Buffer.from(v, 'utf8');
    else {
      throw new DataError(
        `the value at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} is not bytes (${v === null ? 'null' : typeof v}); ` +
          'the ByteArray format needs value.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
      );
    }
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
