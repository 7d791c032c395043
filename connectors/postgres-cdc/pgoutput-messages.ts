/**
 * The messages of PostgreSQL's `pgoutput` logical decoding plugin, protocol version 1 (PG 10+; no
 * streaming of in-progress transactions, no two-phase), as decoded by `decodePgoutput`.
 *
 * Order on the wire, per transaction and only after it committed:
 * `begin`, then for each change an optional `relation` (and `type`) describing the table first, then
 * `insert` / `update` / `delete` / `truncate` / transactional `message`s, then `commit`.
 * Non-transactional `message`s arrive on their own, outside any begin/commit pair.
 *
 * Values are raw: text columns are the server's output-function text (so `timestamptz` keeps its
 * microseconds, `numeric` its exact digits), in the session formats of `pg-session.ts`. Buffers in
 * decoded messages are copies and never alias the buffer that was decoded.
 *
 * @example
 * ```ts
 * const msg = decodePgoutput(payload);
 * if (msg.tag === 'insert') for (const v of msg.newTuple) if (v === UNCHANGED_TOAST) ...;
 * ```
 */
import type { Lsn } from './lsn.js';

/**
 * Stands for a TOASTed column whose value did not change in an UPDATE (kind `u`): Postgres does not
 * send it. With REPLICA IDENTITY FULL the old tuple carries the value; otherwise it is unknown here.
 */
export const UNCHANGED_TOAST: unique symbol = Symbol('pgoutput.unchangedToast');

/** One column of a tuple: `t` text → string (UTF-8), `b` binary → Buffer, `n` → null, `u` → UNCHANGED_TOAST. */
export type TupleValue = string | Buffer | null | typeof UNCHANGED_TOAST;

/** Column values in the order of the relation's columns (dropped and generated columns are absent). */
export type TupleData = TupleValue[];

/** Start of a committed transaction. */
export interface PgBegin {
  tag: 'begin';
  /** LSN of the commit record; equals the `commitLsn` of the matching {@link PgCommit}. */
  finalLsn: Lsn;
  /** Commit time in microseconds since the UNIX epoch (converted exactly from Postgres' 2000-01-01 epoch). */
  commitTimeUs: bigint;
  xid: number;
}

/** End of a transaction. */
export interface PgCommit {
  tag: 'commit';
  /** Unused by Postgres so far (always 0). */
  flags: number;
  /** LSN of the commit record. */
  commitLsn: Lsn;
  /**
   * End of the commit record. Reporting this as flushed acknowledges the whole transaction: on
   * restart Postgres skips transactions whose commit record starts before the confirmed flush LSN.
   */
  endLsn: Lsn;
  /** Microseconds since the UNIX epoch. */
  commitTimeUs: bigint;
}

/** The replication origin the transaction came from (only for transactions replayed from elsewhere). */
export interface PgOrigin {
  tag: 'origin';
  /** The commit LSN on the origin server. */
  lsn: Lsn;
  name: string;
}

/** One column of a {@link PgRelation}. */
export interface PgRelationColumn {
  /** Raw flags; bit 1 marks a replica-identity (key) column. */
  flags: number;
  /** `flags & 1`: part of the replica identity (all columns under REPLICA IDENTITY FULL). */
  isKey: boolean;
  name: string;
  typeOid: number;
  /** Type modifier (`atttypmod`), -1 when none. */
  typeMod: number;
}

/**
 * Describes a table. Sent before the first change to it on each connection and again after its
 * definition changed; tuples of later changes follow its column order. Carries no primary key,
 * nullability or defaults.
 */
export interface PgRelation {
  tag: 'relation';
  relationOid: number;
  /** Schema name (`pg_catalog` when Postgres sent the empty string that stands for it). */
  namespace: string;
  name: string;
  /** d = default (primary key), n = nothing, f = full, i = index. */
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
  columns: PgRelationColumn[];
}

/** Describes a non-built-in type used by a column (sent before the relation that uses it). */
export interface PgTypeMessage {
  tag: 'type';
  typeOid: number;
  /** Schema name (`pg_catalog` for the empty string). */
  namespace: string;
  name: string;
}

export interface PgInsert {
  tag: 'insert';
  relationOid: number;
  newTuple: TupleData;
}

/**
 * An updated row. `keyTuple` (`K`) holds the old key when the replica-identity key changed (other
 * columns null); `oldTuple` (`O`) the whole old row under REPLICA IDENTITY FULL; both null otherwise.
 */
export interface PgUpdate {
  tag: 'update';
  relationOid: number;
  keyTuple: TupleData | null;
  oldTuple: TupleData | null;
  newTuple: TupleData;
}

/** A deleted row: exactly one of `keyTuple` (`K`, key columns only) or `oldTuple` (`O`, FULL) is set. */
export interface PgDelete {
  tag: 'delete';
  relationOid: number;
  keyTuple: TupleData | null;
  oldTuple: TupleData | null;
}

/** TRUNCATE of one or more tables (PG 11+). */
export interface PgTruncate {
  tag: 'truncate';
  cascade: boolean;
  restartIdentity: boolean;
  relationOids: number[];
}

/** A `pg_logical_emit_message` (PG 14+, with the `messages` option). */
export interface PgLogicalMessage {
  tag: 'message';
  /** True: part of the surrounding transaction; false: sent immediately, outside any transaction. */
  transactional: boolean;
  /** LSN of the message record. */
  lsn: Lsn;
  prefix: string;
  content: Buffer;
}

export type PgoutputMessage =
  | PgBegin
  | PgCommit
  | PgOrigin
  | PgRelation
  | PgTypeMessage
  | PgInsert
  | PgUpdate
  | PgDelete
  | PgTruncate
  | PgLogicalMessage;
