/**
 * A record writer turns the records of one file into its bytes (Confluent's `RecordWriter`), one
 * implementation per `format.class`: JSON lines, ByteArray, Parquet.
 *
 * Contract (the file writer that owns it calls it from one loop, never concurrently):
 * - `fits(record)` before each `append`: false when the record cannot go into this file (a Parquet
 *   schema that cannot be merged), so the file is cut before it. A pure function of the records.
 * - `append` is synchronous and never awaits; a record it cannot write throws `DataError` naming it.
 * - `recordBytes` counts what the appended records stand for, as a pure function of those records
 *   (`flush.size.bytes` rotates on it, and a replay must cut at the same record).
 * - Encoded bytes go to the `Output` given at creation, in file order; `heldBytes()` is what the
 *   writer keeps back (rows not encoded yet, a compression buffer); `release()` hands that over now,
 *   under memory pressure; `finish()` hands over the rest and ends the file.
 */
import type { SinkRecord } from '../../../src/sdk/index.js';

/** Receives a file's bytes in order; the chunk is the receiver's to keep. */
export type Output = (chunk: Uint8Array) => void;

export interface RecordWriter {
  fits(record: SinkRecord): boolean;
  append(record: SinkRecord): void;
  readonly recordBytes: number;
  heldBytes(): number;
  release(): void;
  finish(): void;
}

/** Creates the writer of one new file, writing to `out`. */
export type RecordWriterFactory = (out: Output) => RecordWriter;
