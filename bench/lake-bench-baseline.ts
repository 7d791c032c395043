/**
 * The baseline of `npm run bench:lake`: the same rows written with hyparquet-writer alone, straight
 * to a local file.
 *
 * Not timed: the rows are built as the sink would see them (the same `c` events, flattened as with
 * `cdc.flatten=true`, with topic, partition 0 and offsets 0..n-1) and laid out as the column arrays
 * hyparquet-writer takes (bigints for INT64 and unscaled DECIMAL, µs for TIMESTAMP, JS strings);
 * row groups are cut where the sink's `ParquetFileWriter` would cut them (its size estimate reaching
 * `parquet.row.group.bytes`).
 * Timed: `new ParquetWriter` on the library's `fileWriter`, one `write` of all columns with those
 * row-group sizes (the library encodes strings to UTF-8, builds pages, dictionaries, statistics and
 * compresses with zstd-napi at its default level 3, as the sink does), the footer schema, `finish`.
 * Same schema elements as the sink (`parquetLayout`), same per-column choices (no statistics on the
 * JSON column). No fsync: s3rver does not sync the objects either.
 */
import { statSync } from 'node:fs';
import { ParquetWriter, fileWriter, type ColumnSource } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { compress as zstdCompress } from 'zstd-napi';
import { flattenRecord, flattenedSchema } from '../connectors/s3/cdc-flatten.js';
import { parquetLayout } from '../connectors/s3/parquet/parquet-schema.js';
import { converterOf, type SizeCounter } from '../connectors/s3/parquet/parquet-values.js';
import { Struct, type SinkRecord } from '../src/sdk/index.js';
import { BenchEvents } from './lake-bench-data.js';

export interface BaselineData {
  readonly rows: number;
  readonly columnData: ColumnSource[];
  readonly rowGroupSizes: number[];
  readonly elements: SchemaElement[];
  readonly footerElements: SchemaElement[];
}

/** The flattened rows as hyparquet-writer's column arrays, and the sink's row-group cuts over one file. */
export function baselineData(rows: number, topic: string, rowGroupBytes: number, chunk = 5000): BaselineData {
  const events = new BenchEvents(rows);
  const schema = flattenedSchema(events.model.envelope);
  const layout = parquetLayout(schema);
  const fields = schema.fields!;
  const converters = fields.map((f) => converterOf(f.schema));
  const columns: unknown[][] = fields.map(() => new Array<unknown>(rows));
  const rowGroupSizes: number[] = [];
  const size: SizeCounter = { bytes: 0 };
  let pending = 0;
  let pendingBytes = 0;
  let at = 0;
  for (let from = 1; from <= rows; from += chunk) {
    for (const r of events.events(from, Math.min(rows, from + chunk - 1))) {
      const sink: SinkRecord = {
        ...r,
        kafkaPartition: 0,
        kafkaOffset: at,
        timestampType: 'CreateTime',
        originalTopic: topic,
        originalKafkaPartition: 0,
        originalKafkaOffset: at,
        topic,
      };
      const flat = flattenRecord(sink)!;
      const value = flat.value as Struct;
      size.bytes = 0;
      for (let i = 0; i < fields.length; i++) columns[i]![at] = converters[i]!(value.valueAt(i), size);
      at++;
      pending++;
      pendingBytes += size.bytes;
      if (pendingBytes >= rowGroupBytes) {
        rowGroupSizes.push(pending);
        pending = 0;
        pendingBytes = 0;
      }
    }
  }
  if (pending > 0) rowGroupSizes.push(pending);
  const columnData: ColumnSource[] = layout.columns.map((c, i) => ({
    name: c.element.name,
    data: columns[i]!,
    ...(c.element.logical_type?.type === 'JSON' ? { statistics: false } : {}),
  }));
  return { rows, columnData, rowGroupSizes, elements: layout.elements, footerElements: layout.footerElements };
}

export interface BaselineRun {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly bytes: number;
}

/** The timed write (see the file comment). */
export function writeBaseline(path: string, data: BaselineData): BaselineRun {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: data.elements,
    codec: 'ZSTD',
    compressors: { ZSTD: (input) => zstdCompress(input) },
    createdBy: 'hyparquet-writer 0.17.0 (bench:lake baseline)',
  });
  const w = writer.write({ columnData: data.columnData, rowGroupSize: data.rowGroupSizes });
  if (w instanceof Promise) throw new Error('hyparquet-writer went asynchronous');
  writer.schema = data.footerElements;
  const f = writer.finish();
  if (f instanceof Promise) throw new Error('hyparquet-writer went asynchronous');
  const seconds = (performance.now() - t0) / 1000;
  const u = process.cpuUsage(c0);
  return { seconds, cpuSeconds: (u.user + u.system) / 1e6, bytes: statSync(path).size };
}
