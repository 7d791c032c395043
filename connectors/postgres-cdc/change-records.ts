/**
 * Debezium change events as source records: one per row change (`c`, `u`, `d`, `r`, `t`), the
 * tombstone after a delete, the delete + create pair of a key change (with the `__debezium.newkey` /
 * `__debezium.oldkey` headers), heartbeats and transaction BEGIN/END records.
 */
import { Struct, type ConnectHeader, type OffsetMap, type SourceRecord } from '../../src/sdk/index.js';
import {
  EVENT_COUNT_SCHEMA,
  HEARTBEAT_KEY_SCHEMA,
  HEARTBEAT_VALUE_SCHEMA,
  SOURCE_SCHEMA,
  TRANSACTION_BLOCK_SCHEMA,
  TRANSACTION_KEY_SCHEMA,
  TRANSACTION_VALUE_SCHEMA,
  type SnapshotMarker,
} from './debezium-schemas.js';
import type { TableModel } from './table-model.js';

/** Where an event happened, for its `source` block. */
export interface EventSource {
  /** Commit time (streaming) or read time (snapshot), µs since the epoch. */
  readonly tsUs: number;
  readonly snapshot: SnapshotMarker;
  readonly txId: number | null;
  /** The change's own LSN (snapshot: the consistent point). */
  readonly lsn: number | null;
  /** The previous transaction's commit LSN (first element of `sequence`). */
  readonly lastCommitLsn: number | null;
}

/** The envelope's `transaction` block, when transaction metadata is enabled. */
export interface EventTransaction {
  readonly id: string;
  readonly totalOrder: number;
  readonly collectionOrder: number;
}

export interface EventContext {
  readonly partition: OffsetMap;
  /** Offset carried by the last record of the event; earlier records carry `offsetBefore`. */
  readonly offset: OffsetMap;
  readonly offsetBefore: OffsetMap;
  readonly source: EventSource;
  readonly transaction: EventTransaction | null;
  /** The processing time for the envelope's ts_*, when the caller fixes it for a batch (µs). */
  readonly nowUs?: number;
}

export interface EventBuilderOptions {
  readonly serverName: string;
  readonly database: string;
  readonly version: string;
  readonly tombstonesOnDelete: boolean;
  readonly heartbeatTopic: string;
  readonly transactionTopic: string;
  /** The processing clock, µs since the epoch (envelope ts_ms/ts_us/ts_ns). */
  readonly nowUs: () => number;
}

export class EventBuilder {
  /** The last source block built, reused while events share their EventSource (a snapshot chunk). */
  private lastSource: { model: TableModel; input: EventSource; struct: Struct } | null = null;
  private lastNow: { us: number; ns: bigint } = { us: -1, ns: 0n };

  constructor(private readonly o: EventBuilderOptions) {}

  /** A snapshot read (`r`) of one row. */
  read(model: TableModel, row: Struct, key: Struct | null, ctx: EventContext, out: SourceRecord[]): void {
    out.push(this.record(model, key, this.envelope(model, null, row, 'r', ctx), ctx.offset, ctx, []));
  }

  create(model: TableModel, after: Struct, key: Struct | null, ctx: EventContext, out: SourceRecord[]): void {
    out.push(this.record(model, key, this.envelope(model, null, after, 'c', ctx), ctx.offset, ctx, []));
  }

  update(model: TableModel, before: Struct | null, after: Struct, key: Struct | null, ctx: EventContext, out: SourceRecord[]): void {
    out.push(this.record(model, key, this.envelope(model, before, after, 'u', ctx), ctx.offset, ctx, []));
  }

  /** A delete and, unless disabled, its tombstone. */
  delete(model: TableModel, before: Struct, key: Struct | null, ctx: EventContext, out: SourceRecord[], headers: ConnectHeader[] = []): void {
    const tombstone = this.o.tombstonesOnDelete && key !== null;
    out.push(this.record(model, key, this.envelope(model, before, null, 'd', ctx), tombstone ? ctx.offsetBefore : ctx.offset, ctx, headers));
    if (tombstone) out.push(this.record(model, key, null, ctx.offset, ctx, headers, true));
  }

  /** A primary-key change: delete (+ tombstone) of the old key, then create of the new one. */
  keyChange(model: TableModel, before: Struct, after: Struct, oldKey: Struct, newKey: Struct, ctx: EventContext, out: SourceRecord[]): void {
    const mid = { ...ctx, offset: ctx.offsetBefore };
    this.delete(model, before, oldKey, mid, out, [{ key: '__debezium.newkey', schema: model.keySchema, value: newKey }]);
    out.push(
      this.record(model, newKey, this.envelope(model, null, after, 'c', ctx), ctx.offset, ctx, [
        { key: '__debezium.oldkey', schema: model.keySchema, value: oldKey },
      ]),
    );
  }

  /** A truncate (`t`): null key, no row images. */
  truncate(model: TableModel, ctx: EventContext, out: SourceRecord[]): void {
    out.push(this.record(model, null, this.envelope(model, null, null, 't', ctx), ctx.offset, ctx, [], false, true));
  }

  heartbeat(partition: OffsetMap, offset: OffsetMap, out: SourceRecord[]): void {
    const nowMs = Math.floor(this.o.nowUs() / 1000);
    out.push({
      topic: this.o.heartbeatTopic,
      kafkaPartition: null,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: Struct.fromValues(HEARTBEAT_KEY_SCHEMA, [this.o.serverName]),
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: Struct.fromValues(HEARTBEAT_VALUE_SCHEMA, [nowMs]),
      timestamp: null,
      headers: [],
      sourcePartition: partition,
      sourceOffset: offset,
    });
  }

  /** A transaction BEGIN (`counts` null) or END record on `<prefix>.transaction`. */
  transaction(id: string, tsMs: number, counts: ReadonlyMap<string, number> | null, partition: OffsetMap, offset: OffsetMap, out: SourceRecord[]): void {
    let total: number | null = null;
    let collections: Struct[] | null = null;
    if (counts) {
      total = 0;
      collections = [];
      for (const [name, n] of counts) {
        total += n;
        collections.push(Struct.fromValues(EVENT_COUNT_SCHEMA, [name, n]));
      }
    }
    out.push({
      topic: this.o.transactionTopic,
      kafkaPartition: null,
      keySchema: TRANSACTION_KEY_SCHEMA,
      key: Struct.fromValues(TRANSACTION_KEY_SCHEMA, [id]),
      valueSchema: TRANSACTION_VALUE_SCHEMA,
      value: Struct.fromValues(TRANSACTION_VALUE_SCHEMA, [counts ? 'END' : 'BEGIN', id, total, collections, tsMs]),
      timestamp: null,
      headers: [],
      sourcePartition: partition,
      sourceOffset: offset,
    });
  }

  private envelope(model: TableModel, before: Struct | null, after: Struct | null, op: string, ctx: EventContext): Struct {
    const now = ctx.nowUs ?? this.o.nowUs();
    if (now !== this.lastNow.us) this.lastNow = { us: now, ns: BigInt(now) * 1000n };
    const tx = ctx.transaction
      ? Struct.fromValues(TRANSACTION_BLOCK_SCHEMA, [ctx.transaction.id, ctx.transaction.totalOrder, ctx.transaction.collectionOrder])
      : null;
    return Struct.fromValues(model.envelope, [before, after, this.source(model, ctx.source), tx, op, Math.floor(now / 1000), now, this.lastNow.ns]);
  }

  private source(model: TableModel, s: EventSource): Struct {
    const last = this.lastSource;
    if (last && last.input === s && last.model === model) return last.struct;
    const struct = this.buildSource(model, s);
    this.lastSource = { model, input: s, struct };
    return struct;
  }

  private buildSource(model: TableModel, s: EventSource): Struct {
    const sequence = `[${s.lastCommitLsn === null ? 'null' : `"${s.lastCommitLsn}"`},${s.lsn === null ? 'null' : `"${s.lsn}"`}]`;
    return Struct.fromValues(SOURCE_SCHEMA, [
      this.o.version,
      'postgresql',
      this.o.serverName,
      Math.floor(s.tsUs / 1000),
      s.snapshot,
      this.o.database,
      sequence,
      s.tsUs,
      BigInt(s.tsUs) * 1000n,
      model.spec.schema,
      model.spec.table,
      s.txId,
      s.lsn,
      null,
      null,
      null,
    ]);
  }

  private record(
    model: TableModel,
    key: Struct | null,
    value: Struct | null,
    offset: OffsetMap,
    ctx: EventContext,
    headers: ConnectHeader[],
    tombstone = false,
    nullKey = false,
  ): SourceRecord {
    return {
      topic: model.topic,
      kafkaPartition: null,
      keySchema: nullKey ? null : model.keySchema,
      key: nullKey ? null : key,
      valueSchema: tombstone ? null : model.envelope,
      value,
      timestamp: null,
      headers,
      sourcePartition: ctx.partition,
      sourceOffset: offset,
    };
  }
}
