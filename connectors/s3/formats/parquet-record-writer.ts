/**
 * Confluent's ParquetFormat: each record value as a row of a Parquet file whose schema comes from
 * the records' Connect schemas (`parquet/`), `.<codec>.parquet`. Values need a struct schema (with
 * JsonConverter: `value.converter.schemas.enable=true`). A schema that only adds optional columns
 * continues the same file with the merged schema; any other change cuts the file (`fits` is false).
 */
import { DataError, Struct, type Schema, type SinkRecord } from '../../../src/sdk/index.js';
import { ParquetFileWriter, type ParquetFileOptions } from '../parquet/parquet-file.js';
import type { S3SinkSettings } from '../s3-config.js';
import type { Output, RecordWriter, RecordWriterFactory } from './record-writer.js';

const where = (r: SinkRecord): string => `${r.topic}-${r.kafkaPartition} offset ${r.kafkaOffset}`;

function schemaOf(r: SinkRecord): Schema {
  const s = r.valueSchema;
  if (s === null || s.type !== 'struct' || !(r.value instanceof Struct)) {
    throw new DataError(
      `the record at ${where(r)} has no struct schema, which the Parquet format needs ` +
        '(with JsonConverter set value.converter.schemas.enable=true; schemaless records can be written with the JSON format)',
    );
  }
  return s;
}

export class ParquetRecordWriter implements RecordWriter {
  private file: ParquetFileWriter | null = null;

  constructor(
    private readonly options: ParquetFileOptions,
    private readonly out: Output,
  ) {}

  fits(r: SinkRecord): boolean {
    return this.file === null || this.file.accepts(schemaOf(r)) !== 'incompatible';
  }

  append(r: SinkRecord): void {
    const schema = schemaOf(r);
    try {
      this.file ??= new ParquetFileWriter(schema, this.options, this.out);
      this.file.append(schema, r.value as Struct);
    } catch (err) {
      if (err instanceof DataError) throw new DataError(`the record at ${where(r)} cannot be written to Parquet: ${err.message}`, { cause: err });
      throw err;
    }
  }

  get recordBytes(): number {
    return this.file?.appendedBytes() ?? 0;
  }

  heldBytes(): number {
    return this.file?.pendingBytes() ?? 0;
  }

  release(): void {
    this.file?.flushRowGroup();
  }

  finish(): void {
    this.file?.finish();
  }
}

/** The Parquet writer factory for a sink's settings (`parquet.codec`, `parquet.row.group.bytes`). */
export const ParquetRecordWriters = {
  factory(s: S3SinkSettings): RecordWriterFactory {
    const options: ParquetFileOptions = { codec: s.parquetCodec, rowGroupBytes: s.parquetRowGroupBytes };
    return (out) => new ParquetRecordWriter(options, out);
  },
};
