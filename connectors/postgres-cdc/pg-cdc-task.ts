/**
 * The Postgres CDC source task. `start` only reads the config; the first `poll`s set capture up
 * (checks, publication, slot), then run the snapshot when one is due and stream from the slot,
 * filling a bounded queue that `poll` drains. `commit` acknowledges the slot from durable offsets.
 *
 * Connection failures surface as RetriableError from `poll` (the runtime backs off and polls again,
 * which reconnects and resumes from the last event handed over) until `errors.max.retries` attempts
 * in a row failed; then the task fails with the last error.
 */
import type pg from 'pg';
import {
  ConnectError,
  RetriableError,
  isRetriable,
  type OffsetMap,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '../../src/sdk/index.js';
import { decodeOffset, encodeOffset, sourcePartition, type CdcOffset, type StreamOffset } from './cdc-offsets.js';
import { EventBuilder } from './change-records.js';
import { type Lsn } from './lsn.js';
import { ModelFactory } from './model-factory.js';
import { estimatedRows, listTables, queryOf } from './pg-catalog.js';
import { parsePgCdcSettings, type PgCdcSettings } from './pg-cdc-config.js';
import { connect, isConnectionLoss, type ConnectionSettings } from './pg-connections.js';
import { checkSelect, checkServer, ensurePublication } from './pg-setup.js';
import { createSlot, dropSlot, usableSlot, type CreatedSlot } from './pg-slot.js';
import { PgTypeCatalog } from './pg-type-info.js';
import { RecordQueue } from './record-queue.js';
import { ReplicationStream } from './replication-stream.js';
import { Snapshotter, type SnapshotProgress, type SnapshotTable } from './snapshotter.js';
import { Streamer } from './streamer.js';
import { PG_CDC_VERSION } from './version.js';

/** How often the snapshot's progress is reported to the task status (logged every 10th time). */
const PROGRESS_INTERVAL_MS = 1000;

export interface PgCdcTaskOptions {
  /** µs since the epoch; injected by tests. */
  readonly nowUs?: () => number;
}

/** What capture resumes from when it (re)connects. */
interface ResumePoint {
  /** The last stream position handed to the runtime (or committed, after a restart). */
  stream: StreamOffset | null;
  /** The snapshot still to finish, if one was interrupted. */
  snapshot: Extract<CdcOffset, { kind: 'snapshot' }> | null;
  /** Whether this run already decided about (and finished) the snapshot. */
  snapshotSettled: boolean;
}

export class PostgresCdcSourceTask implements SourceTask {
  private settings!: PgCdcSettings;
  private context!: SourceTaskContext;
  private partition!: OffsetMap;
  private queue!: RecordQueue;
  private events!: EventBuilder;
  private connection!: ConnectionSettings;
  private admin: pg.Client | null = null;
  private streamer: Streamer | null = null;
  private snapshotter: Snapshotter | null = null;
  private capture: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private failures = 0;
  private resume: ResumePoint | null = null;
  /** The newest stream offset the runtime committed: acknowledgements build only on it. */
  private committedStream: StreamOffset | null = null;
  /** Resolves when a "snapshot due" offset (recordSnapshotIntent) has been committed. */
  private intentCommitted: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private readonly nowUs: () => number;

  constructor(options: PgCdcTaskOptions = {}) {
    this.nowUs = options.nowUs ?? (() => Math.floor((performance.timeOrigin + performance.now()) * 1000));
  }

  version(): string {
    return PG_CDC_VERSION;
  }

  start(props: Readonly<Record<string, string>>, context: SourceTaskContext): void {
    this.settings = parsePgCdcSettings(props);
    this.context = context;
    const s = this.settings;
    this.partition = sourcePartition(s.topicPrefix);
    this.queue = new RecordQueue(s.maxQueueSize, s.maxQueueBytes);
    this.connection = s.connection;
    this.events = new EventBuilder({
      serverName: s.topicPrefix,
      database: s.connection.database,
      version: PG_CDC_VERSION,
      tombstonesOnDelete: s.tombstonesOnDelete,
      heartbeatTopic: s.heartbeat.topic,
      transactionTopic: s.transactionMetadata.topic,
      nowUs: this.nowUs,
    });
  }

  async poll(signal: AbortSignal): Promise<readonly SourceRecord[]> {
    if (!this.capture && !this.queue.failed) {
      try {
        await this.begin();
        this.failures = 0;
      } catch (err) {
        await this.teardown();
        throw this.classify(err);
      }
    }
    try {
      return await this.queue.take(this.settings.maxBatchSize, this.settings.pollIntervalMs, signal);
    } catch (err) {
      // Capture ended with an error; a lost connection is retried from where it got to.
      const e = this.classify(err);
      await this.teardown();
      if (isRetriable(e)) this.queue = new RecordQueue(this.settings.maxQueueSize, this.settings.maxQueueBytes);
      throw e;
    }
  }

  commit(committed: ReadonlyArray<{ partition: OffsetMap; offset: OffsetMap }>): void {
    for (const c of committed) {
      if (c.partition.server !== this.settings.topicPrefix) continue;
      const o = decodeOffset(c.offset);
      if (o?.kind === 'snapshot') this.intentCommitted?.();
      if (o?.kind !== 'stream') continue;
      this.committedStream = o;
      this.streamer?.commit(o);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.teardown();
    if (this.settings?.slot.dropOnStop) {
      const admin = await connect(this.connection).catch(() => null);
      if (admin) {
        await dropSlot(queryOf(admin), this.settings.slot.name).catch((err: Error) => this.context.logger.warn(`could not drop slot: ${err.message}`));
        await admin.end().catch(() => {});
      }
    }
  }

  /** RetriableError while attempts remain, else a ConnectError with the same message. */
  private classify(err: unknown): Error {
    if (!isRetriable(err) && !isConnectionLoss(err)) return err instanceof Error ? err : new ConnectError(String(err));
    this.failures++;
    const message = (err as Error).message;
    const max = this.settings.maxRetries;
    if (max >= 0 && this.failures > max) return new ConnectError(`${message} (gave up after ${max} retries; errors.max.retries)`, { cause: err });
    return err instanceof RetriableError ? err : new RetriableError(message, { cause: err });
  }

  private async begin(): Promise<void> {
    const s = this.settings;
    const log = this.context.logger;
    if (!this.resume) {
      const stored = decodeOffset(await this.context.offsetStorageReader.offset(this.partition));
      this.committedStream = stored?.kind === 'stream' ? stored : null;
      this.resume = {
        stream: stored?.kind === 'stream' ? stored : null,
        snapshot: stored?.kind === 'snapshot' ? stored : null,
        snapshotSettled: false,
      };
    }
    const r = this.resume;
    // sslmode prefer/allow: once one kind of connection worked, every later connection uses it.
    this.admin = await connect(this.connection, { onFallback: (ssl) => (this.connection = { ...this.connection, ssl, sslFallback: undefined }) });
    if (this.connection.sslFallback !== undefined) this.connection = { ...this.connection, sslFallback: undefined };
    const query = queryOf(this.admin);
    const facts = await checkServer(query);
    const tables = s.filters.selectTables(await listTables(query));
    if (!tables.length) log.warn(`no table matches the include/exclude lists; streaming anyway (new tables are picked up when published)`);
    await checkSelect(query, facts.user, tables);
    const types = new PgTypeCatalog((sql, params) => query(sql, params));
    const models = new ModelFactory(query, types, s);

    const mode = s.snapshot.mode;
    const snapshotWanted = !r.snapshotSettled && (r.snapshot !== null || (r.stream === null ? mode !== 'no_data' : mode === 'always'));
    if (mode !== 'initial_only') await ensurePublication(query, s.publication.name, s.publication.autocreate, tables, !s.skipped.has('t'));

    let slot = mode === 'initial_only' ? null : await usableSlot(query, s.slot.name, s.connection.database).catch((err: Error) => {
      throw /is active for PID/.test(err.message) ? new RetriableError(err.message) : err;
    });
    let created: CreatedSlot | null = null;
    let freshSnapshot = false;
    if (mode !== 'initial_only') {
      if (slot && r.stream === null && r.snapshot === null && snapshotWanted) {
        log.warn(`replication slot ${s.slot.name} exists but this connector has no offsets: recreating it so the snapshot joins the stream exactly`);
        await dropSlot(query, s.slot.name);
        slot = null;
      }
      if (slot?.walStatus === 'lost') {
        if (mode !== 'when_needed') {
          throw new ConnectError(`replication slot ${s.slot.name} lost WAL it needed (wal_status=lost, max_slot_wal_keep_size): changes were lost. Set snapshot.mode=when_needed to re-snapshot, or drop the slot and reset the connector's offsets`);
        }
        await dropSlot(query, s.slot.name);
        slot = null;
      }
      if (!slot) {
        if (r.stream && mode !== 'when_needed' && mode !== 'always') {
          throw new ConnectError(
            `replication slot ${s.slot.name} does not exist, but the connector has offsets (it streamed before): changes since then may be lost. ` +
              `Set snapshot.mode=when_needed to take a new snapshot, or delete the connector's offsets (DELETE /connectors/{name}/offsets) to start over`,
          );
        }
        const exportIt = snapshotWanted || r.stream !== null;
        if (r.stream !== null) {
          // Streaming offsets stored, slot gone, a new snapshot due: record that first, or a crash
          // after the slot is made would leave offsets that look like a normal restart from it.
          this.recordSnapshotIntent(r);
          return;
        }
        created = await createSlot(this.connection, s.slot.name, exportIt);
        log.info(`created replication slot ${s.slot.name} at ${created.consistentLsn}`);
        if (exportIt) {
          freshSnapshot = true;
          r.snapshot = null;
          r.stream = null;
        }
      }
    }

    const partition = this.partition;
    const runSnapshot = freshSnapshot || snapshotWanted;
    // A snapshot recorded as due before its slot existed has no consistent point (0): the slot's then.
    const consistentLsn: Lsn = created?.consistentLsn ?? (r.snapshot?.consistentLsn || null) ?? r.stream?.procLsn ?? slot?.confirmedFlush ?? 0n;
    if (runSnapshot) {
      const progress = freshSnapshot ? {} : (r.snapshot?.tables ?? {});
      const list: SnapshotTable[] = [];
      for (const t of tables) list.push({ table: t, estimatedRows: await estimatedRows(query, t.oid), progress: progress[`${t.schema}.${t.table}`] });
      this.snapshotter = new Snapshotter({
        tables: list,
        consistentLsn,
        snapshotName: created?.snapshotName ?? null,
        connect: () => connect(this.connection, { rawText: true }),
        imported: async () => created?.release(),
        describe: (t, q) => models.fromCatalog(t, q),
        events: this.events,
        queue: this.queue,
        partition,
        maxThreads: s.snapshot.maxThreads,
        chunkSize: s.snapshot.chunkSize,
        fetchSize: s.snapshot.fetchSize,
        logger: log,
        nowUs: this.nowUs,
      });
    } else {
      await created?.release();
    }

    const snapshotter = this.snapshotter;
    const streamFrom = (): Streamer =>
      new Streamer({
        open: (startLsn, handler) =>
          new ReplicationStream(
            {
              connection: this.connection,
              slot: s.slot.name,
              publications: [s.publication.name],
              startLsn,
              messages: false,
              statusIntervalMs: s.statusIntervalMs,
            },
            handler,
          ),
        // Reported as flushed at once, so never beyond what is committed (or the slot already confirmed).
        startLsn: this.committedStream?.procLsn ?? slot?.confirmedFlush ?? consistentLsn,
        resume: r.stream,
        committed: this.committedStream,
        models,
        events: this.events,
        queue: this.queue,
        partition,
        skipped: s.skipped,
        transactionMetadata: s.transactionMetadata.enabled,
        logger: log,
      });

    this.startTimers();
    this.capture = (async () => {
      if (snapshotter) {
        await snapshotter.run(this.abort.signal).finally(() => created?.release());
        if (this.abort.signal.aborted) return;
        r.snapshot = null;
        const p = snapshotter.progress();
        this.reportSnapshot(p, true);
        log.info(`snapshot complete: ${p.tablesDone} table(s), ${p.rowsDone} rows`);
        this.snapshotter = null;
      }
      r.snapshotSettled = true;
      if (mode === 'initial_only') {
        log.info('snapshot.mode=initial_only: snapshot done, not streaming');
        return;
      }
      const streamer = streamFrom();
      this.streamer = streamer;
      await streamer.start();
      log.info(`streaming from slot ${s.slot.name}`);
      await streamer.done;
    })();
    this.capture.then(
      () => undefined,
      (err: unknown) => {
        if (this.snapshotter) r.snapshot = this.snapshotter.resumeOffset();
        if (this.streamer) r.stream = this.streamer.resumePoint();
        this.queue.fail(err);
      },
    );
  }

  /**
   * Queues a record whose offset says "a snapshot is due" (no table done, no consistent point yet)
   * and sets capture up again once that offset is committed; until then `poll` only delivers it.
   */
  private recordSnapshotIntent(r: ResumePoint): void {
    const offset = encodeOffset({ kind: 'snapshot', consistentLsn: 0n, tables: {} });
    const out: SourceRecord[] = [];
    this.events.heartbeat(this.partition, offset, out);
    this.queue.push(out);
    this.context.logger.info(`replication slot ${this.settings.slot.name} is gone and snapshot.mode=${this.settings.snapshot.mode}: recording that a snapshot is due before recreating it`);
    this.capture = new Promise<void>((resolve) => {
      this.intentCommitted = resolve;
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    }).then(async () => {
      r.stream = null;
      r.snapshot = { kind: 'snapshot', consistentLsn: 0n, tables: {} };
      await this.admin?.end().catch(() => {});
      this.admin = null;
      this.capture = null;
    });
  }

  private startTimers(): void {
    const s = this.settings;
    if (s.heartbeat.intervalMs > 0 && !this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => {
        this.streamer?.heartbeat();
        if (s.heartbeat.actionQuery && this.admin) {
          this.admin.query(s.heartbeat.actionQuery).catch((err: Error) => this.context.logger.warn(`heartbeat.action.query failed: ${err.message}`));
        }
      }, s.heartbeat.intervalMs);
      this.heartbeatTimer.unref();
    }
    if (!this.progressTimer) {
      let ticks = 0;
      this.progressTimer = setInterval(() => {
        const p = this.snapshotter?.progress();
        if (!p) return;
        this.reportSnapshot(p, false);
        if (++ticks % 10 === 0) {
          this.context.logger.info(`snapshot: ${p.tablesDone}/${p.tablesTotal} tables, ${p.rowsDone}/${p.rowsEstimated} rows (estimated); reading ${p.currentTables.join(', ')}`);
        }
      }, PROGRESS_INTERVAL_MS);
      this.progressTimer.unref();
    }
  }

  /** The snapshot's progress in the task status (`GET /connectors/{c}/status`, tasks[].progress). */
  private reportSnapshot(p: SnapshotProgress, completed: boolean): void {
    this.context.reportProgress?.({
      snapshot: {
        completed,
        tables_total: p.tablesTotal,
        tables_done: p.tablesDone,
        rows_done: p.rowsDone,
        rows_estimated: p.rowsEstimated,
        reading: p.currentTables,
      },
    });
  }

  private async teardown(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.heartbeatTimer = this.progressTimer = null;
    const streamer = this.streamer;
    this.streamer = null;
    await streamer?.stop().catch(() => {});
    await this.capture?.catch(() => {});
    this.capture = null;
    this.snapshotter = null;
    await this.admin?.end().catch(() => {});
    this.admin = null;
  }
}
