/**
 * Confluent's JsonFormat: each record value as JSON (what JsonConverter with `schemas.enable=false`
 * writes), one per line, `.json`, optionally gzip (`.json.gz`). Key and header files use it on a
 * record view (`record-views.ts`); `part` names what the lines hold in error messages.
 */
import { type Converter, DataError } from '../../../src/sdk/index.js';
import { LineWriter } from './line-writer.js';
import type { Output } from './record-writer.js';

const NEWLINE = Buffer.from('\n');
const NULL = Buffer.from('null');

export class JsonLinesWriter extends LineWriter {
  constructor(json: Converter, out: Output, gzipLevel: number | null, part: 'value' | 'key' | 'headers' = 'value') {
    super(
      (r) => {
        try {
          return json.fromConnectData(r.topic, r.valueSchema, r.value) ?? NULL;
        } catch (err) {
          throw new DataError(`the ${part} at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
        }
      },
      NEWLINE,
      out,
      gzipLevel,
    );
  }
}
