/**
 * Streaming: pgoutput messages from the replication slot become change events in the record queue,
 * in commit order, and the slot is acknowledged only up to what the runtime reports durable.
 *
 * Positions: a change is (commit LSN of its transaction, index among the transaction's changes).
 * After a restart Postgres re-sends every transaction committed after the slot's confirmed flush
 * position; changes at or before the committed offset are skipped. The flush position sent to
 * Postgres is the end LSN of the last transaction whose every event is durable with its offset
 * committed, or, when nothing captured is in flight, the keepalive position (so an idle database does
 * not pin WAL).
 */
import type { OffsetMap, SourceRecord, TaskLogger } from '../../src/sdk/index.js';
import { alreadyEmitted, encodeOffset, type StreamOffset } from './cdc-offsets.js';
import type { EventBuilder, EventContext, EventTransaction } from './change-records.js';
import { lsnToNumber, type Lsn } from './lsn.js';
import type { ModelFactory } from './model-factory.js';
import type { PgoutputMessage, PgRelation } from './pgoutput-messages.js';
import { rowBytes, type RecordQueue } from './record-queue.js';
import type { TableModel } from './table-model.js';

/** What the streamer needs from a replication connection (ReplicationStream implements it). */
export interface ReplicationSource {
  start(): Promise<void>;
  readonly done: Promise<void>;
  pause(): void;
  resume(): void;
  setFlushed(lsn: Lsn): void;
  /** Sends a standby status update now. */
  sendStatus(): void;
  stop(): Promise<void>;
}

export interface StreamHandler {
  onMessage(msg: PgoutputMessage, walStart: Lsn, walEnd: Lsn): void;
  onKeepalive(walEnd: Lsn, replyRequested: boolean): void;
}

export interface StreamerOptions {
  /** Opens the replication connection from `startLsn`, delivering to `handler`. */
  readonly open: (startLsn: Lsn, handler: StreamHandler) => ReplicationSource;
  /** Where streaming starts: the slot's consistent point or the committed offset's restart point. */
  readonly startLsn: Lsn;
  /** The last position already handed to the runtime: changes at or before it are not emitted again. */
  readonly resume: StreamOffset | null;
  /** The last position the runtime committed (what acknowledgements may build on). */
  readonly committed: StreamOffset | null;
  readonly models: ModelFactory;
  readonly events: EventBuilder;
  readonly queue: RecordQueue;
  readonly partition: OffsetMap;
  readonly skipped: ReadonlySet<string>;
  readonly transactionMetadata: boolean;
  readonly logger: TaskLogger;
}

type Item = { msg: PgoutputMessage; walStart: Lsn } | { keepalive: Lsn };

interface OpenTx {
  readonly commitLsn: Lsn;
  readonly xid: number;
  readonly tsUs: number;
  index: number;
  begun: boolean;
  total: number;
  readonly counts: Map<string, number>;
}

/** Messages decoded but not processed yet, beyond which the socket is paused. */
const INBOX_LIMIT = 4096;
/** Records built before they are handed to the queue in one push. */
const BATCH = 512;

export class Streamer {
  private source: ReplicationSource | null = null;
  private inbox: Item[] = [];
  private head = 0;
  private paused = false;
  private wake: (() => void) | null = null;
  private stopped = false;
  private readonly models = new Map<number, TableModel | null>();
  private tx: OpenTx | null = null;
  private procLsn: Lsn;
  private lastCommitLsn: number | null = null;
  private skip: StreamOffset | null;
  /** The position of the last record this streamer queued (null: none yet; `o.resume` stands for it). */
  private emitted: { procLsn: Lsn; commitLsn: Lsn; events: number } | null = null;
  private committed: StreamOffset | null;
  private readonly pending: Array<{ commitLsn: Lsn; endLsn: Lsn; changes: number }> = [];
  private acked: Lsn;
  private loop: Promise<void> = Promise.resolve();
  /** Source bytes of the records built since the last push (only counted with a byte bound). */
  private batchBytes = 0;

  constructor(private readonly o: StreamerOptions) {
    this.procLsn = o.resume && o.resume.procLsn > o.startLsn ? o.resume.procLsn : o.startLsn;
    this.skip = o.resume;
    this.committed = o.committed;
    this.acked = o.startLsn;
  }

  /** Connects and starts streaming; rejects with Postgres' error if START_REPLICATION fails. */
  async start(): Promise<void> {
    const source = this.o.open(this.o.startLsn, {
      onMessage: (msg, walStart) => this.enqueue({ msg, walStart }),
      onKeepalive: (walEnd) => this.enqueue({ keepalive: walEnd }),
    });
    this.source = source;
    await source.start();
    this.loop = this.run();
  }

  /** Settles when streaming ends: rejects with the connection's or the processing's error. */
  get done(): Promise<void> {
    return Promise.all([this.source!.done, this.loop]).then(() => undefined);
  }

  /** The last position handed to the queue: where a reconnect resumes without emitting twice. */
  resumePoint(): StreamOffset | null {
    const e = this.emitted;
    if (!e) return this.o.resume;
    const tx = this.tx && this.tx.commitLsn === e.commitLsn ? this.tx : null;
    const txOrder = tx && this.o.transactionMetadata ? { total: tx.total, collections: Object.fromEntries(tx.counts) } : undefined;
    return { kind: 'stream', ...e, txId: tx?.xid ?? null, tsUs: tx?.tsUs ?? null, txOrder };
  }

  /**
   * Queues a heartbeat carrying the current restart point, so offsets (and with them the slot) move
   * on when nothing captured changes. Skipped inside a transaction and when the queue is full.
   */
  heartbeat(): void {
    if (this.tx || this.o.queue.full) return;
    const out: SourceRecord[] = [];
    this.o.events.heartbeat(this.o.partition, this.offset(this.procLsn, 0n, 0), out);
    this.o.queue.push(out);
    this.markEmitted(0n, 0);
  }

  /** The runtime made everything up to `committed` durable: acknowledge what it covers. */
  commit(committed: StreamOffset): void {
    this.committed = committed;
    let ack = committed.procLsn;
    while (this.pending.length) {
      const p = this.pending[0]!;
      const done = p.endLsn <= committed.procLsn || p.commitLsn < committed.commitLsn || (p.commitLsn === committed.commitLsn && p.changes <= committed.events);
      if (!done) break;
      if (p.endLsn > ack) ack = p.endLsn;
      this.pending.shift();
    }
    if (this.idle() && this.procLsn > ack) ack = this.procLsn;
    this.ack(ack);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.source?.stop();
    await this.loop.catch(() => {});
  }

  private enqueue(item: Item): void {
    this.inbox.push(item);
    if (!this.paused && this.inbox.length - this.head >= INBOX_LIMIT) {
      this.paused = true;
      this.source!.pause();
    }
    this.wake?.();
  }

  private async run(): Promise<void> {
    const out: SourceRecord[] = [];
    while (!this.stopped) {
      if (this.head === this.inbox.length) {
        this.inbox = [];
        this.head = 0;
        if (this.paused) {
          this.paused = false;
          this.source!.resume();
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      while (this.head < this.inbox.length && out.length < BATCH) {
        const item = this.inbox[this.head++]!;
        if ('keepalive' in item) {
          this.keepalive(item.keepalive);
        } else if (item.msg.tag === 'relation') {
          this.flush(out);
          await this.relation(item.msg);
        } else {
          this.handle(item.msg, item.walStart, out);
        }
      }
      this.flush(out);
      if (this.o.queue.full) {
        await this.o.queue.room();
      }
      if (this.paused && this.inbox.length - this.head < INBOX_LIMIT / 2) {
        this.paused = false;
        this.source!.resume();
      }
    }
  }

  private flush(out: SourceRecord[]): void {
    if (!out.length) return;
    this.o.queue.push(out, this.batchBytes);
    this.batchBytes = 0;
    out.length = 0;
  }

  private async relation(rel: PgRelation): Promise<void> {
    const previous = this.models.get(rel.relationOid) ?? null;
    const model = await this.o.models.fromRelation(rel, previous);
    if (model && previous && model !== previous) this.o.logger.info(`table ${model.id} changed: records from now on carry its new schema`);
    this.models.set(rel.relationOid, model);
  }

  private handle(msg: PgoutputMessage, walStart: Lsn, out: SourceRecord[]): void {
    switch (msg.tag) {
      case 'begin':
        this.tx = { commitLsn: msg.finalLsn, xid: msg.xid, tsUs: Number(msg.commitTimeUs), index: 0, begun: false, total: 0, counts: new Map() };
        if (this.skip && this.skip.commitLsn === msg.finalLsn && this.skip.events > 0) {
          // Resuming inside this transaction: BEGIN went out before, and its numbering continues.
          this.tx.begun = true;
          this.tx.total = this.skip.txOrder?.total ?? 0;
          for (const [k, n] of Object.entries(this.skip.txOrder?.collections ?? {})) this.tx.counts.set(k, n);
        }
        return;
      case 'commit':
        this.endTransaction(msg.commitLsn, msg.endLsn, out);
        return;
      case 'insert':
      case 'update':
      case 'delete':
        this.change(msg, walStart, out);
        return;
      case 'truncate':
        for (const oid of msg.relationOids) this.change({ ...msg, relationOid: oid }, walStart, out);
        return;
      default:
        return; // origin, type and logical messages carry no row changes
    }
  }

  private change(
    msg: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }> | (Extract<PgoutputMessage, { tag: 'truncate' }> & { relationOid: number }),
    walStart: Lsn,
    out: SourceRecord[],
  ): void {
    const tx = this.tx;
    if (!tx) throw new Error(`pgoutput ${msg.tag} outside a transaction`);
    const index = tx.index++;
    if (alreadyEmitted(this.skip, tx.commitLsn, index)) return;
    const model = this.models.get(msg.relationOid);
    if (!model) {
      if (model === undefined) throw new Error(`pgoutput ${msg.tag} for relation ${msg.relationOid} before its Relation message`);
      return;
    }
    const op = msg.tag === 'insert' ? 'c' : msg.tag === 'update' ? 'u' : msg.tag === 'delete' ? 'd' : 't';
    if (this.o.skipped.has(op)) return;
    const metadata = this.o.transactionMetadata;
    // Only events of several records (delete + tombstone, key change) and BEGIN use it.
    const offsetBefore = msg.tag === 'insert' && !metadata ? null : this.offset(this.procLsn, tx.commitLsn, index, metadata);
    let transaction: EventTransaction | null = null;
    if (metadata) {
      const id = `${tx.xid}:${lsnToNumber(tx.commitLsn)}`;
      if (!tx.begun) {
        tx.begun = true;
        this.o.events.transaction(id, Math.floor(tx.tsUs / 1000), null, this.o.partition, offsetBefore!, out);
      }
      const n = (tx.counts.get(model.id) ?? 0) + 1;
      tx.counts.set(model.id, n);
      transaction = { id, totalOrder: ++tx.total, collectionOrder: n };
    }
    const offset = this.offset(this.procLsn, tx.commitLsn, index + 1, metadata);
    const ctx: EventContext = {
      partition: this.o.partition,
      offset,
      offsetBefore: offsetBefore ?? offset,
      transaction,
      source: { tsUs: tx.tsUs, snapshot: 'false', txId: tx.xid, lsn: lsnToNumber(walStart), lastCommitLsn: this.lastCommitLsn },
    };
    if (this.o.queue.maxBytes > 0 && msg.tag !== 'truncate') {
      this.batchBytes += rowBytes(msg.tag === 'delete' ? (msg.keyTuple ?? msg.oldTuple ?? []) : msg.newTuple);
    }
    const ev = this.o.events;
    switch (msg.tag) {
      case 'insert':
        ev.create(model, model.row(msg.newTuple), model.key(msg.newTuple), ctx, out);
        break;
      case 'update': {
        const old = msg.keyTuple ?? msg.oldTuple;
        const after = model.row(msg.newTuple);
        const newKey = model.key(msg.newTuple);
        if (old && model.keySchema && model.keyDiffers(old, msg.newTuple)) {
          ev.keyChange(model, model.row(old), after, model.key(old)!, newKey!, ctx, out);
        } else {
          ev.update(model, msg.oldTuple ? model.row(msg.oldTuple) : null, after, newKey, ctx, out);
        }
        break;
      }
      case 'delete': {
        const old = msg.keyTuple ?? msg.oldTuple;
        if (!old) return;
        ev.delete(model, model.row(old), model.key(old), ctx, out);
        break;
      }
      case 'truncate':
        ev.truncate(model, ctx, out);
        break;
    }
    this.markEmitted(tx.commitLsn, index + 1);
  }

  private endTransaction(commitLsn: Lsn, endLsn: Lsn, out: SourceRecord[]): void {
    const tx = this.tx;
    this.tx = null;
    this.lastCommitLsn = lsnToNumber(commitLsn);
    if (endLsn > this.procLsn) this.procLsn = endLsn;
    if (!tx) return;
    if (tx.begun && this.o.transactionMetadata && !alreadyEmitted(this.skip, commitLsn, tx.index)) {
      const offset = this.offset(this.procLsn, 0n, 0);
      this.o.events.transaction(`${tx.xid}:${lsnToNumber(tx.commitLsn)}`, Math.floor(tx.tsUs / 1000), tx.counts, this.o.partition, offset, out);
      this.markEmitted(0n, 0);
    }
    this.pending.push({ commitLsn, endLsn, changes: tx.index });
    if (this.idle()) this.ack(this.procLsn);
  }

  private keepalive(walEnd: Lsn): void {
    if (this.tx || walEnd <= this.procLsn) return;
    this.procLsn = walEnd;
    if (this.idle()) this.ack(walEnd);
  }

  /** Nothing captured in flight: every record emitted is committed and no transaction is open. */
  private idle(): boolean {
    if (this.tx || this.o.queue.size > 0) return false;
    const e = this.emitted ?? this.o.resume;
    const c = this.committed;
    if (!e) return true;
    return c !== null && c.procLsn === e.procLsn && c.commitLsn === e.commitLsn && c.events === e.events;
  }

  private markEmitted(commitLsn: Lsn, events: number): void {
    if (!this.emitted) this.emitted = { procLsn: this.procLsn, commitLsn, events };
    else {
      this.emitted.procLsn = this.procLsn;
      this.emitted.commitLsn = commitLsn;
      this.emitted.events = events;
    }
  }

  private ack(lsn: Lsn): void {
    if (lsn <= this.acked) return;
    this.acked = lsn;
    this.source?.setFlushed(lsn);
    this.source?.sendStatus();
  }

  private offset(procLsn: Lsn, commitLsn: Lsn, events: number, withOrder = false): OffsetMap {
    const tx = this.tx;
    const txOrder = withOrder && tx ? { total: tx.total, collections: Object.fromEntries(tx.counts) } : undefined;
    return encodeOffset({ kind: 'stream', procLsn, commitLsn, events, txId: tx?.xid ?? null, tsUs: tx?.tsUs ?? null, txOrder });
  }
}
