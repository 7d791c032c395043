/**
 * The connector's source partition and offsets, as stored in the offsets topic (plain JSON).
 *
 * Partition: `{"server": <topic.prefix>}` (Debezium's).
 *
 * Streaming offset: a change's position is (commit LSN of its transaction, index in it). Only commit
 * LSNs are ordered across transactions, so the offset names the transaction being emitted and how many
 * of its changes are done, plus the point to restart streaming from:
 * - `lsn_proc`: end LSN of the last transaction completely emitted (START_REPLICATION from here);
 * - `lsn_commit`, `lsn_events_processed`: the transaction in progress and its changes emitted;
 * - `txId`, `ts_usec`: informational;
 * - with transaction metadata, `transaction_total_order` and `transaction_data_collection_order`
 *   (per table), so a transaction resumed after a restart continues its event numbering.
 *
 * Snapshot offset (while the initial snapshot runs): `snapshot: true`, the slot's consistent point as
 * `lsn_proc`, and per table either `"done"` or the key (as Postgres prints it) of the last row of the
 * last chunk completely emitted, so a restart continues after that chunk.
 */
import { lsnFromNumber, lsnToNumber, type Lsn } from './lsn.js';
import type { OffsetMap } from '../../src/sdk/index.js';

export type TableProgress = 'done' | { readonly after: readonly string[] | null };

export interface StreamOffset {
  readonly kind: 'stream';
  readonly procLsn: Lsn;
  readonly commitLsn: Lsn;
  readonly events: number;
  readonly txId: number | null;
  readonly tsUs: number | null;
  /** Transaction metadata numbering so far (when enabled). */
  readonly txOrder?: { readonly total: number; readonly collections: Readonly<Record<string, number>> };
}

export interface SnapshotOffset {
  readonly kind: 'snapshot';
  readonly consistentLsn: Lsn;
  readonly tables: Readonly<Record<string, TableProgress>>;
}

export type CdcOffset = StreamOffset | SnapshotOffset;

export function sourcePartition(topicPrefix: string): OffsetMap {
  return { server: topicPrefix };
}

export function encodeOffset(o: CdcOffset): OffsetMap {
  if (o.kind === 'snapshot') {
    return { snapshot: true, snapshot_completed: false, lsn_proc: lsnToNumber(o.consistentLsn), snapshot_tables: o.tables };
  }
  const m: Record<string, unknown> = {
    lsn_proc: lsnToNumber(o.procLsn),
    lsn_commit: lsnToNumber(o.commitLsn),
    lsn_events_processed: o.events,
    txId: o.txId,
    ts_usec: o.tsUs,
  };
  if (o.txOrder) {
    m.transaction_total_order = o.txOrder.total;
    m.transaction_data_collection_order = o.txOrder.collections;
  }
  return m;
}

/** Reads a stored offset; null for none. Throws on a shape it cannot use (named in the message). */
export function decodeOffset(m: OffsetMap | null): CdcOffset | null {
  if (!m) return null;
  const num = (key: string): number => {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`stored offset has no valid ${key}: ${JSON.stringify(m)}`);
    return v;
  };
  if (m.snapshot === true && m.snapshot_completed !== true) {
    const tables = m.snapshot_tables;
    if (!tables || typeof tables !== 'object') throw new Error(`stored snapshot offset has no snapshot_tables: ${JSON.stringify(m)}`);
    return { kind: 'snapshot', consistentLsn: lsnFromNumber(num('lsn_proc')), tables: tables as Record<string, TableProgress> };
  }
  return {
    kind: 'stream',
    procLsn: lsnFromNumber(num('lsn_proc')),
    commitLsn: lsnFromNumber(typeof m.lsn_commit === 'number' ? num('lsn_commit') : 0),
    events: typeof m.lsn_events_processed === 'number' ? num('lsn_events_processed') : 0,
    txId: typeof m.txId === 'number' ? m.txId : null,
    tsUs: typeof m.ts_usec === 'number' ? m.ts_usec : null,
    ...(typeof m.transaction_total_order === 'number' && m.transaction_data_collection_order && typeof m.transaction_data_collection_order === 'object'
      ? { txOrder: { total: m.transaction_total_order, collections: m.transaction_data_collection_order as Record<string, number> } }
      : {}),
  };
}

/**
 * Whether a change at (commitLsn, index) was already emitted according to a committed offset (it is
 * skipped when Postgres re-sends its transaction after a restart).
 */
export function alreadyEmitted(o: StreamOffset | null, commitLsn: Lsn, index: number): boolean {
  if (!o) return false;
  if (commitLsn < o.procLsn) return true;
  if (commitLsn < o.commitLsn) return true;
  return commitLsn === o.commitLsn && index < o.events;
}
