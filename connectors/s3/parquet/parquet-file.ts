/**
 * One Parquet file, written incrementally: rows are converted as they are appended, encoded as a row
 * group when enough are pending, and the bytes handed on at once, so a file of any size streams into
 * S3 multipart parts while the writer holds about one row group.
 *
 * Invariants: column chunks of a row group are listed in the order of the final schema's leaves, and
 * every row group has every leaf. Row groups written before a merge get their missing leaves at
 * `finish()`, as all-null chunks placed after the last row group (chunks are found by their offsets
 * in the footer, so a row group's chunks need not be adjacent).
 */
import type { RowGroup } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { ConfigError, ConnectError, DataError, Struct, type Schema } from '../../../src/sdk/index.js';
import { prunedColumn, SkeletonColumn, skeletonizer } from './parquet-backfill.js';
import { codecSettings, type ParquetCodec } from './parquet-codecs.js';
import { schemaFit, unionSchema, type SchemaFit } from './parquet-evolution.js';
import { flatten, leafKey, leafKeysOf, parquetLayout, type ParquetLayout } from './parquet-schema.js';
import { converterOf, within, type Convert, type SizeCounter } from './parquet-values.js';

export interface ParquetFileOptions {
  codec: ParquetCodec;
  /** Encode a row group once the pending rows' estimated size (see `pendingBytes`) reaches this. */
  rowGroupBytes: number;
}

/** Receives the file's bytes in order; each chunk is the receiver's to keep. */
export type ParquetSink = (chunk: Uint8Array) => void;

/** How the fields of one record schema land in the file's columns. */
interface RowPlan {
  readonly fields: NonNullable<Schema['fields']>;
  readonly converters: readonly Convert[];
  /** File column of each field. */
  readonly targets: readonly number[];
  /** File columns this schema lacks (optional, so null). */
  readonly missing: readonly number[];
  readonly scratch: unknown[];
}

interface WrittenGroup {
  readonly rowGroup: RowGroup;
  readonly rows: number;
  /** The leaves the group was written with. */
  readonly leafKeys: readonly string[];
  /** Skeletons of its struct-bearing columns, by column name (parquet-backfill.ts). */
  readonly skeletons: ReadonlyMap<string, SkeletonColumn>;
}

const utf8 = (v: unknown): unknown => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

const CREATED_BY = 'tributary (hyparquet-writer 0.17.0)';
const SLOT = 8;
const SHRINK_ABOVE = 4 << 20;

/**
 * The writer of one Parquet file whose bytes go to `sink` as they are produced.
 *
 * Contract (one caller, one thread of calls, nothing async):
 * - `accepts(schema)` before `append`: `same` (stored alike), `merge` (the file widens to take it),
 *   `incompatible` (cut the file first). A pure function of the schemas appended so far.
 * - `append(schema, value)` converts the row at once; a value that does not fit its column throws
 *   DataError naming the column and leaves the file as it was. It may encode a row group and call
 *   `sink` (when `pendingBytes()` reaches `rowGroupBytes`).
 * - `flushRowGroup()` encodes pending rows now (under memory pressure); `finish()` writes the rest
 *   and the footer; after it, or after any throw from `sink` or the encoder, the writer is done.
 *
 * @example
 * ```ts
 * const parts: Uint8Array[] = [];
 * const w = new ParquetFileWriter(schema, { codec: 'zstd', rowGroupBytes: 64 << 20 }, (c) => parts.push(c));
 * for (const r of records) if (w.accepts(r.valueSchema) !== 'incompatible') w.append(r.valueSchema, r.value);
 * w.finish(); // parts now hold the whole file
 * ```
 */
export class ParquetFileWriter {
  private schema: Schema;
  private layout: ParquetLayout;
  private fits = new WeakMap<Schema, SchemaFit>();
  private plans = new WeakMap<Schema, RowPlan>();
  private columns: unknown[][];
  private pending = 0;
  private pendingEstimate = 0;
  private total = 0;
  private appended = 0;
  private groups: WrittenGroup[] = [];
  private readonly size: SizeCounter = { bytes: 0 };
  private readonly bytes = new ByteWriter(1 << 16);
  private readonly writer: ParquetWriter;
  private state: 'open' | 'done' = 'open';

  /** Throws DataError for a schema Parquet cannot hold, ConfigError for bad options. */
  constructor(
    schema: Schema,
    private readonly options: ParquetFileOptions,
    private readonly sink: ParquetSink,
  ) {
    if (!(options.rowGroupBytes > 0)) throw new ConfigError(`rowGroupBytes must be positive, got ${options.rowGroupBytes}`);
    const { codec, compressors } = codecSettings(options.codec);
    this.schema = schema;
    this.layout = parquetLayout(schema);
    this.columns = this.layout.columns.map(() => []);
    this.writer = new ParquetWriter({ writer: this.bytes, schema: this.layout.elements, codec, compressors, createdBy: CREATED_BY });
  }

  /** The record schema the file holds so far: the first one, widened by each merge. */
  fileSchema(): Schema {
    return this.schema;
  }

  /** Whether records of `schema` can go into this file, and whether that widens it. */
  accepts(schema: Schema): SchemaFit {
    let fit = this.fits.get(schema);
    if (fit === undefined) {
      fit = schema.type === 'struct' ? schemaFit(this.schema, schema, true) : 'incompatible';
      if (fit === 'merge') {
        try {
          parquetLayout(schema);
        } catch {
          fit = 'incompatible';
        }
      }
      this.fits.set(schema, fit);
    }
    return fit;
  }

  /** Appends one record value (`schema` is the record's value schema). Throws DataError when it does not fit. */
  append(schema: Schema, value: Struct): void {
    this.ensureOpen();
    if (!(value instanceof Struct)) throw new DataError('a Parquet row must be a Struct');
    // The values are laid out by the Struct's own schema: `schema` itself, unless something rebuilt one but not the other.
    if (value.schema !== schema) return this.append(value.schema, value);
    const fit = this.accepts(schema);
    if (fit === 'incompatible') throw new DataError(`schema ${schema.name ?? '(unnamed)'} cannot be merged into this Parquet file`);
    if (fit === 'merge') this.merge(schema);
    const plan = this.planOf(schema);
    const { fields, converters, scratch } = plan;
    this.size.bytes = 0;
    for (let i = 0; i < fields.length; i++) {
      try {
        scratch[i] = converters[i]!(value.valueAt(fields[i]!.index), this.size);
      } catch (err) {
        throw within(fields[i]!.name, err);
      }
    }
    for (let i = 0; i < fields.length; i++) this.columns[plan.targets[i]!]!.push(scratch[i]);
    for (const j of plan.missing) this.columns[j]!.push(null);
    this.pending++;
    this.total++;
    const rowBytes = this.size.bytes + SLOT * plan.missing.length;
    this.pendingEstimate += rowBytes;
    this.appended += rowBytes;
    if (this.pendingEstimate >= this.options.rowGroupBytes) this.flushRowGroup();
  }

  /**
   * Memory this writer holds: the estimated heap of the rows not encoded yet (about 1.5–3× their
   * uncompressed Parquet size) plus encoded bytes not yet handed to the sink.
   */
  pendingBytes(): number {
    return this.pendingEstimate + this.bytes.index;
  }

  /**
   * The estimated size of every row appended so far (the sum of what each added to `pendingBytes`),
   * never reset: a pure function of the records appended, for size-based file rotation.
   */
  appendedBytes(): number {
    return this.appended;
  }

  /** Rows appended so far, encoded or not. */
  rows(): number {
    return this.total;
  }

  /** Encodes the pending rows as one row group and hands its bytes to the sink. No-op when none are pending. */
  flushRowGroup(): void {
    this.ensureOpen();
    if (this.pending === 0) return;
    const { columns: nodes, leafKeys } = this.layout;
    const fields = this.schema.fields!;
    const skeletons = new Map<string, SkeletonColumn>();
    fields.forEach((f, i) => {
      const skeletonize = skeletonizer(f.schema);
      if (skeletonize) skeletons.set(f.name, new SkeletonColumn(this.columns[i]!, skeletonize));
    });
    const columnData = nodes.map((n, i) => {
      const data = this.columns[i]!;
      if (n.element.logical_type?.type !== 'JSON') return { name: n.element.name, data };
      // JSON documents are rarely repeated: UTF-8 them here (Buffer.from is about twice as fast as
      // the encoder's TextEncoder), and skip min/max, whole documents that would bloat the footer.
      return { name: n.element.name, data: data.map(utf8), statistics: false };
    });
    this.guarded(() => this.writer.write({ columnData, rowGroupSize: this.pending }));
    this.groups.push({ rowGroup: this.writer.row_groups.at(-1)!, rows: this.pending, leafKeys, skeletons });
    this.columns = nodes.map(() => []);
    this.pending = 0;
    this.pendingEstimate = 0;
    this.drain();
  }

  /** Encodes what is pending, completes older row groups after merges, writes the footer; the writer is then done. */
  finish(): void {
    this.flushRowGroup();
    this.backfill();
    this.writer.schema = this.layout.footerElements;
    this.guarded(() => this.writer.finish());
    this.drain();
    this.state = 'done';
    this.groups = [];
  }

  private merge(next: Schema): void {
    const union = unionSchema(this.schema, next);
    if (union === this.schema) return;
    const before = this.layout.columns.length;
    this.layout = parquetLayout(union);
    this.schema = union;
    for (let j = before; j < this.layout.columns.length; j++) this.columns.push(new Array<unknown>(this.pending).fill(null));
    this.pendingEstimate += SLOT * this.pending * (this.layout.columns.length - before);
    this.writer.schema = this.layout.elements;
    this.fits = new WeakMap();
    this.plans = new WeakMap();
  }

  private planOf(schema: Schema): RowPlan {
    let plan = this.plans.get(schema);
    if (plan) return plan;
    const fields = schema.fields!;
    const fileFields = this.schema.fields!;
    const targets = fields.map((f) => fileFields.findIndex((g) => g.name === f.name));
    const missing = fileFields.map((_, j) => j).filter((j) => !targets.includes(j));
    plan = { fields, converters: fields.map((f) => converterOf(f.schema)), targets, missing, scratch: new Array(fields.length) };
    this.plans.set(schema, plan);
    return plan;
  }

  /** Adds to each row group written before a merge an all-null chunk for each leaf it lacks. */
  private backfill(): void {
    const { columns, leafKeys } = this.layout;
    const order = new Map(leafKeys.map((k, i) => [k, i]));
    for (const g of this.groups) {
      if (g.leafKeys === leafKeys) continue;
      const had = new Set(g.leafKeys);
      for (const column of columns) {
        const keys = leafKeysOf(column);
        const lacking = new Set(keys.filter((k) => !had.has(k)));
        if (lacking.size === 0) continue;
        const pruned = prunedColumn(column, lacking)!;
        const skeleton = g.skeletons.get(column.element.name);
        let data: unknown[];
        if (lacking.size === keys.length) data = new Array<unknown>(g.rows).fill(null);
        else if (skeleton) data = skeleton.rows();
        else throw new Error(`no skeleton kept for column ${column.element.name}`); // a bug: only struct-bearing columns grow leaves
        this.writer.schema = flatten([pruned]);
        this.guarded(() => this.writer.write({ columnData: [{ name: column.element.name, data }], rowGroupSize: g.rows }));
        const extra = this.writer.row_groups.pop()!;
        this.writer.num_rows -= extra.num_rows;
        g.rowGroup.columns.push(...extra.columns);
        g.rowGroup.total_byte_size += extra.total_byte_size;
        if (g.rowGroup.total_compressed_size !== undefined && extra.total_compressed_size !== undefined) {
          g.rowGroup.total_compressed_size += extra.total_compressed_size;
        }
        this.drain();
      }
      const at = (c: RowGroup['columns'][number]): number => order.get(leafKey(c.meta_data!.path_in_schema))!;
      g.rowGroup.columns.sort((a, b) => at(a) - at(b));
    }
    this.writer.schema = this.layout.elements;
  }

  /** Hands the encoded bytes to the sink (a copy: the chunk is the sink's to keep). */
  private drain(): void {
    const n = this.bytes.index;
    if (n === 0) return;
    const chunk = new Uint8Array(this.bytes.buffer.slice(0, n));
    this.bytes.index = 0;
    if (this.bytes.buffer.byteLength > SHRINK_ABOVE) {
      // Do not keep a row group's worth of buffer between row groups.
      this.bytes.buffer = new ArrayBuffer(1 << 16);
      this.bytes.view = new DataView(this.bytes.buffer);
    }
    this.guarded(() => this.sink(chunk));
  }

  /** Runs an encoder or sink step; if it throws, the file is broken and the writer done. */
  private guarded(step: () => unknown): void {
    try {
      const r = step();
      if (r instanceof Promise) throw new Error('hyparquet-writer went asynchronous'); // only with an async Writer.flush
    } catch (err) {
      this.state = 'done';
      throw err;
    }
  }

  private ensureOpen(): void {
    if (this.state !== 'open') throw new ConnectError('this Parquet file is finished (or failed) and takes no more rows');
  }
}
