/**
 * The snapshot: every captured table read as `r` events, in primary-key chunks, tables in parallel up
 * to `snapshot.max.threads`, all readers inside one exported snapshot (the slot's consistent point) so
 * the stream continues exactly where the snapshot ends.
 *
 * Each record's offset records how far the snapshot got: per table, the key of the last row of the
 * last chunk completely queued. A restart continues after it, with a fresh snapshot (the exported one
 * died with its connection): rows changed meanwhile are read in their newer state, and the stream,
 * which starts at the slot's consistent point, replays those changes too, so the log still replays to
 * the table's state. Tables without a primary key are read in one pass and restart from their start.
 */
import type pg from 'pg';
import type { OffsetMap, SourceRecord, TaskLogger } from '../../src/sdk/index.js';
import { encodeOffset, type TableProgress } from './cdc-offsets.js';
import type { EventBuilder, EventContext } from './change-records.js';
import type { SnapshotMarker } from './debezium-schemas.js';
import { lsnToNumber, type Lsn } from './lsn.js';
import { queryOf, quoteIdent, quoteLiteral, quoteTable, type CatalogTable, type Query } from './pg-catalog.js';
import { rowBytes, type RecordQueue } from './record-queue.js';
import type { TableModel } from './table-model.js';

export interface SnapshotTable {
  readonly table: CatalogTable;
  readonly estimatedRows: number;
  /** Where a previous run stopped, if it did. */
  readonly progress: TableProgress | undefined;
}

export interface SnapshotterOptions {
  readonly tables: readonly SnapshotTable[];
  readonly consistentLsn: Lsn;
  /** The exported snapshot every reader imports, or null to take a fresh one (resumed snapshot). */
  readonly snapshotName: string | null;
  /** Opens a reader connection (values as raw text). */
  readonly connect: () => Promise<pg.Client>;
  /** Called once every reader has imported the exported snapshot (the exporting session may end). */
  readonly imported: () => Promise<void>;
  /**
   * A table's model and keyset-scan columns (primary key; empty = one pass without chunks), read
   * through `query`, which sees the catalog as of the snapshot.
   */
  readonly describe: (table: CatalogTable, query: Query) => Promise<{ model: TableModel; scanKey: string[] }>;
  readonly events: EventBuilder;
  readonly queue: RecordQueue;
  readonly partition: OffsetMap;
  readonly maxThreads: number;
  /** Rows per keyset chunk (a resumable unit). */
  readonly chunkSize: number;
  /** Rows per FETCH of a table read in one pass (no primary key). */
  readonly fetchSize: number;
  readonly logger: TaskLogger;
  readonly nowUs: () => number;
}

export interface SnapshotProgress {
  readonly tablesTotal: number;
  readonly tablesDone: number;
  readonly rowsDone: number;
  readonly rowsEstimated: number;
  readonly currentTables: string[];
}

interface Held {
  model: TableModel;
  tuple: Array<string | null>;
  state: Readonly<Record<string, TableProgress>>;
  firstInTable: boolean;
}

export class Snapshotter {
  private readonly state: Record<string, TableProgress> = {};
  private rowsDone = 0;
  private readonly running = new Set<string>();
  private remaining: number;
  private first: boolean;
  private txId: number | null = null;
  private lastContext: { state: Readonly<Record<string, TableProgress>>; marker: SnapshotMarker; nowUs: number; ctx: EventContext } | null = null;

  constructor(private readonly o: SnapshotterOptions) {
    for (const t of o.tables) this.state[tableId(t.table)] = t.progress ?? { after: null };
    this.remaining = o.tables.filter((t) => t.progress !== 'done').length;
    this.first = o.tables.every((t) => t.progress === undefined);
  }

  progress(): SnapshotProgress {
    return {
      tablesTotal: this.o.tables.length,
      tablesDone: Object.values(this.state).filter((p) => p === 'done').length,
      rowsDone: this.rowsDone,
      rowsEstimated: this.o.tables.reduce((n, t) => n + t.estimatedRows, 0),
      currentTables: [...this.running],
    };
  }

  /** Where a resumed snapshot continues: what every record queued so far covers. */
  resumeOffset(): { kind: 'snapshot'; consistentLsn: Lsn; tables: Record<string, TableProgress> } {
    return { kind: 'snapshot', consistentLsn: this.o.consistentLsn, tables: { ...this.state } };
  }

  /** Reads every table not done yet; resolves once all their records are queued. */
  async run(signal: AbortSignal): Promise<void> {
    const work = this.o.tables.filter((t) => t.progress !== 'done');
    const readers: pg.Client[] = [];
    try {
      const n = Math.max(1, Math.min(this.o.maxThreads, work.length));
      for (let i = 0; i < n; i++) {
        const c = await this.o.connect();
        readers.push(c);
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        if (this.o.snapshotName) await c.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(this.o.snapshotName)}`);
      }
      const [tx] = (await readers[0]!.query('SELECT txid_snapshot_xmin(txid_current_snapshot())::text AS x')).rows as Array<{ x: string }>;
      this.txId = tx ? Number(tx.x) : null;
      await this.o.imported();
      // DDL on a table not read yet would break its read (statements resolve names against the
      // current catalog): hold ACCESS SHARE on all of them until the snapshot ends, so DDL waits
      // (writes do not), and take their columns from the catalog as of the snapshot.
      const first = readers[0]!;
      if (work.length) await first.query(`LOCK TABLE ${work.map((t) => quoteTable(t.table.schema, t.table.table)).join(', ')} IN ACCESS SHARE MODE`);
      const described: Array<SnapshotTable & { model: TableModel; scanKey: string[] }> = [];
      for (const t of work) described.push({ ...t, ...(await this.o.describe(t.table, queryOf(first))) });
      let next = 0;
      await Promise.all(
        readers.map(async (c) => {
          while (next < described.length && !signal.aborted) {
            const t = described[next++]!;
            await this.table(c, t, signal);
          }
        }),
      );
      await Promise.all(readers.map((c) => c.query('COMMIT')));
    } finally {
      await Promise.all(readers.map((c) => c.end().catch(() => {})));
    }
  }

  private async table(c: pg.Client, t: SnapshotTable & { model: TableModel; scanKey: string[] }, signal: AbortSignal): Promise<void> {
    const id = t.model.id;
    this.running.add(id);
    const start = Date.now();
    this.o.logger.info(`snapshot of ${id} started (about ${t.estimatedRows} rows)`);
    const cols = t.model.columnNames.map(quoteIdent).join(', ');
    const from = quoteTable(t.model.spec.schema, t.model.spec.table);
    const keyPos = t.scanKey.map((k) => t.model.columnNames.indexOf(k));
    const keyList = t.scanKey.map(quoteIdent).join(', ');
    let after = t.progress && t.progress !== 'done' ? t.progress.after : null;
    let held: Held | null = null;
    let firstInTable = true;
    let rows = 0;
    if (!t.scanKey.length) {
      await c.query(`DECLARE tributary_scan NO SCROLL CURSOR FOR SELECT ${cols} FROM ${from}`);
    }
    type Rows = Array<Array<string | null>>;
    const fetch = async (from_: readonly string[] | null): Promise<Rows> => {
      if (!t.scanKey.length) return (await c.query({ text: `FETCH ${this.o.fetchSize} FROM tributary_scan`, rowMode: 'array' })).rows as Rows;
      const where = from_ ? ` WHERE (${keyList}) > (${from_.map((_, i) => `$${i + 1}`).join(', ')})` : '';
      const res = await c.query({ text: `SELECT ${cols} FROM ${from}${where} ORDER BY ${keyList} LIMIT ${this.o.chunkSize}`, values: from_ ? [...from_] : [], rowMode: 'array' });
      return res.rows as Rows;
    };
    // The next chunk is asked for as soon as its start is known, so Postgres reads it while this
    // one is converted (two chunks in memory at most).
    let pending: Promise<Rows> | null = fetch(after);
    for (;;) {
      if (signal.aborted) {
        await pending?.catch(() => {});
        return;
      }
      const chunk = await pending!;
      pending = null;
      const full = chunk.length === (t.scanKey.length ? this.o.chunkSize : this.o.fetchSize);
      if (full) {
        const last = chunk[chunk.length - 1]!;
        pending = fetch(t.scanKey.length ? keyPos.map((p) => last[p]!) : null);
        pending.catch(() => {}); // awaited on the next turn; a failure surfaces there
      }
      const out: SourceRecord[] = [];
      const now = this.o.nowUs();
      if (held && chunk.length) this.emit(held, this.marker(false), now, out);
      if (chunk.length) {
        const before = { ...this.state };
        for (let i = 0; i < chunk.length - 1; i++) {
          this.emit({ model: t.model, tuple: chunk[i]!, state: before, firstInTable }, null, now, out);
          firstInTable = false;
        }
        const last = chunk[chunk.length - 1]!;
        if (t.scanKey.length) {
          after = keyPos.map((p) => last[p]!);
          this.state[id] = { after };
        }
        held = { model: t.model, tuple: last, state: { ...this.state }, firstInTable };
        firstInTable = false;
        rows += chunk.length;
        this.rowsDone += chunk.length;
      }
      if (!full) {
        this.state[id] = 'done';
        this.remaining--;
        if (held) {
          held.state = { ...this.state };
          this.emit(held, this.marker(true), now, out);
        }
        this.o.queue.push(out, this.bytesOf(chunk));
        break;
      }
      this.o.queue.push(out, this.bytesOf(chunk));
      await this.o.queue.room(signal);
    }
    if (!t.scanKey.length) await c.query('CLOSE tributary_scan');
    this.running.delete(id);
    this.o.logger.info(`snapshot of ${id} done: ${rows} rows in ${Date.now() - start} ms; ${this.remaining} table(s) to go`);
  }

  private bytesOf(rows: ReadonlyArray<ReadonlyArray<unknown>>): number {
    if (!this.o.queue.maxBytes) return 0;
    let n = 0;
    for (const r of rows) n += rowBytes(r);
    return n;
  }

  private marker(lastInTable: boolean): SnapshotMarker | null {
    if (lastInTable && this.remaining === 0) return 'last';
    if (lastInTable) return 'last_in_data_collection';
    return null;
  }

  private emit(h: Held, lastMarker: SnapshotMarker | null, nowUs: number, out: SourceRecord[]): void {
    let marker: SnapshotMarker = lastMarker ?? 'true';
    if (this.first) {
      marker = 'first';
      this.first = false;
    } else if (!lastMarker && h.firstInTable) {
      marker = 'first_in_data_collection';
    }
    this.o.events.read(h.model, h.model.row(h.tuple), h.model.key(h.tuple), this.context(h.state, marker, lastMarker === 'last', nowUs), out);
  }

  /** One context per (progress state, marker, read time): rows of a chunk share offset and source block. */
  private context(state: Readonly<Record<string, TableProgress>>, marker: SnapshotMarker, done: boolean, nowUs: number): EventContext {
    const c = this.lastContext;
    if (c && c.state === state && c.marker === marker && c.nowUs === nowUs && !done) return c.ctx;
    const offset = done
      ? encodeOffset({ kind: 'stream', procLsn: this.o.consistentLsn, commitLsn: 0n, events: 0, txId: null, tsUs: null })
      : encodeOffset({ kind: 'snapshot', consistentLsn: this.o.consistentLsn, tables: state });
    const ctx: EventContext = {
      partition: this.o.partition,
      offset,
      offsetBefore: offset,
      transaction: null,
      nowUs,
      source: { tsUs: nowUs, snapshot: marker, txId: this.txId, lsn: lsnToNumber(this.o.consistentLsn), lastCommitLsn: null },
    };
    this.lastContext = { state, marker, nowUs, ctx };
    return ctx;
  }
}

function tableId(t: CatalogTable): string {
  return `${t.schema}.${t.table}`;
}
