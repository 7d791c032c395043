/**
 * Confluent's ByteArrayFormat: each record value's bytes as they are, followed by
 * `format.bytearray.separator` (none by default), optionally gzip. Values must be bytes (from
 * `ByteArrayConverter`); a string value is written as its UTF-8 bytes.
 */
import { DataError, type SinkRecord } from '../../../src/sdk/index.js';
import { LineWriter } from './line-writer.js';
import type { Output } from './record-writer.js';

function valueBytes(r: SinkRecord): Buffer {
  const v = r.value;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new DataError(
    `the value at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} is not bytes (${v === null ? 'null' : typeof v}); ` +
      'the ByteArray format needs value.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
  );
}

export class ByteArrayWriter extends LineWriter {
  constructor(out: Output, gzipLevel: number | null, separator: Buffer) {
    super(valueBytes, separator, out, gzipLevel);
  }
}
