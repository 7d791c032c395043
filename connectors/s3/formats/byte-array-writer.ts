/**
 * Confluent's ByteArrayFormat: each record value's bytes as they are, followed by
 * `format.bytearray.separator` (a newline by default, as in Confluent), optionally gzip. Values must be bytes (from
 * `ByteArrayConverter`); a string value is written as its UTF-8 bytes. Key files use it on the key
 * view (`record-views.ts`, `part` 'key'), whose value is the key.
 */
import { DataError, type SinkRecord } from '../../../src/sdk/index.js';
import { LineWriter } from './line-writer.js';
import type { Output } from './record-writer.js';

const bytesOf = (part: 'value' | 'key') => (r: SinkRecord): Buffer => {
  const v = r.value;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new DataError(
    `the ${part} at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} is not bytes (${v === null ? 'null' : typeof v}); ` +
      `the ByteArray format needs ${part}.converter=org.apache.kafka.connect.converters.ByteArrayConverter`,
  );
};

export class ByteArrayWriter extends LineWriter {
  constructor(out: Output, gzipLevel: number | null, separator: Buffer, part: 'value' | 'key' = 'value') {
    super(bytesOf(part), separator, out, gzipLevel);
  }
}
