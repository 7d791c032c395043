/**
 * Confluent's JsonFormat: each record value as JSON (what JsonConverter with `schemas.enable=false`
 * writes), one per line, `.json`, optionally gzip (`.json.gz`).
 */
import { type Converter, DataError, type SinkRecord } from '../../../src/sdk/index.js';
import { LineBuffer } from './gzip-members.js';
import type { Output, RecordWriter } from './record-writer.js';

const NEWLINE = Buffer.from('\n');

export class JsonLinesWriter implements RecordWriter {
  recordBytes = 0;
  private readonly lines: LineBuffer;

  constructor(
    private readonly json: Converter,
    out: Output,
    gzipLevel: number | null,
  ) {
    this.lines = new LineBuffer(out, gzipLevel);
  }

  fits(): boolean {
    return true;
  }

  append(r: SinkRecord): void {
    let bytes: Buffer | null;
    try {
      bytes = this.json.fromConnectData(r.topic, r.valueSchema, r.value);
    } catch (err) {
      throw new DataError(`the value at ${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
    }
    const line = bytes ?? Buffer.from('null');
    this.lines.push(line);
    this.lines.push(NEWLINE);
    this.recordBytes += line.length + 1;
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
