/**
 * Confluent's JsonFormat: each record value as JSON (what JsonConverter with `schemas.enable=false`
 * writes), one per line, `.json`, optionally gzip (`.json.gz`).
 */
import { type Converter, DataError } from '../../../src/sdk/index.js';
import { LineWriter } from './line-writer.js';
import type { Output } from './record-writer.js';

const NEWLINE = Buffer.from('\n');
const NULL = Buffer.from('null');

export class JsonLinesWriter extends LineWriter {
  constructor(json: Converter, out: Output, gzipLevel: number | null) {
    super(
      (r) => {
        try {
          return json.fromConnectData(r.topic, r.valueSchema, r.value) ?? NULL;
        } catch (err) {
          throw new DataError(`the value at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
        }
      },
      NEWLINE,
      out,
      gzipLevel,
    );
  }
}
