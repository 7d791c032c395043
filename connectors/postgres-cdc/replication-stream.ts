/**
 * A logical replication stream from one slot with the `pgoutput` plugin (protocol version 1), over
 * a node-postgres replication connection. It reads XLogData and keepalives, decodes each payload
 * and hands it to a {@link ReplicationHandler}, and reports the flushed position only as its owner
 * sets it (never the received one). Backpressure is at the socket: `pause()` stops reading.
 *
 * @example
 * ```ts
 * const stream = new ReplicationStream({ connection, slot: 'tributary', publications: ['pub'],
 *   startLsn: 0n, messages: true, statusIntervalMs: 10_000 }, {
 *   onMessage(msg) { if (msg.tag === 'commit') pending.push(msg.endLsn); ... },
 *   onKeepalive() {},
 * });
 * await stream.start();
 * // later, once everything up to a COMMIT is durable downstream:
 * stream.setFlushed(commit.endLsn);
 * await stream.stop();
 * ```
 */
import pg from 'pg';
import { DataError } from '../../src/sdk/index.js';
import { formatLsn, type Lsn } from './lsn.js';
import { decodePgoutput } from './pgoutput-decoder.js';
import type { PgoutputMessage } from './pgoutput-messages.js';
import { quoteIdent, quoteLiteral } from './pg-catalog.js';
import { clientConfig, type ConnectionSettings } from './pg-connections.js';

export interface ReplicationStreamOptions {
  connection: ConnectionSettings;
  slot: string;
  /** pgoutput `publication_names`; at least one. */
  publications: readonly string[];
  /** Where to start; Postgres starts at the slot's confirmed_flush_lsn when that is later (0n: from the slot). */
  startLsn: Lsn;
  /** Ask for `pg_logical_emit_message` messages (PG 14+). When false the option is not sent at all. */
  messages: boolean;
  /**
   * Send a standby status update at least this often (status.update.interval.ms). Keep it below the
   * server's `wal_sender_timeout`: while paused, these updates are what keeps the connection alive.
   */
  statusIntervalMs: number;
  /** Injected timers for tests; default globalThis setInterval/clearInterval. */
  timers?: { setInterval(fn: () => void, ms: number): unknown; clearInterval(h: unknown): void };
}

/** Receives the stream's content, synchronously and in stream order. */
export interface ReplicationHandler {
  /**
   * Each XLogData payload, decoded, in stream order. Synchronous; must not throw except to end the
   * stream (the error then rejects `done`). `walStart`/`walEnd` are the XLogData header positions,
   * both the same: BEGIN carries the LSN of the transaction's first WAL record, each change its
   * own record's LSN, COMMIT the transaction's end LSN (= `PgCommit.endLsn`); RELATION and TYPE,
   * written ahead of a change, carry 0.
   */
  onMessage(msg: PgoutputMessage, walStart: Lsn, walEnd: Lsn): void;
  /**
   * Each primary keepalive ('k'). replyRequested=true: the stream answers by itself right after this
   * returns, so the handler may first move the flushed position.
   */
  onKeepalive(walEnd: Lsn, replyRequested: boolean): void;
}

/** node-postgres' internal Connection, as far as used here (pg 8.x; absent from @types/pg). */
interface WireConnection {
  readonly stream: { pause(): unknown; resume(): unknown; destroy(): unknown };
  on(event: 'replicationStart' | 'copyDone', fn: () => void): unknown;
  once(event: 'end', fn: () => void): unknown;
  on(event: 'copyData', fn: (msg: { chunk: Buffer }) => void): unknown;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

type State = 'idle' | 'connecting' | 'starting' | 'streaming' | 'stopping' | 'closed';

/** Microseconds between the UNIX epoch and Postgres' epoch, 2000-01-01T00:00:00Z. */
const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;
/** How long stop() waits for Postgres to end COPY politely before it drops the connection. */
const STOP_GRACE_MS = 10_000;
const XLOG_DATA = 0x77; // w
const KEEPALIVE = 0x6b; // k
const XLOG_DATA_HEADER = 25;
const KEEPALIVE_LENGTH = 18;

export class ReplicationStream {
  /** Settles when streaming ends: resolves after stop(), rejects on a connection or protocol error. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  private readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  private state: State = 'idle';
  private stopRequested = false;
  private client: pg.Client | null = null;
  private socketClosed = false;
  private con: WireConnection | null = null;
  private startPromise: Promise<void> | null = null;
  private rejectStart: ((err: unknown) => void) | null = null;
  private statusTimer: unknown = null;
  private graceTimer: unknown = null;
  private readonly timers: NonNullable<ReplicationStreamOptions['timers']>;

  private paused = false;
  private draining = false;
  /** CopyData chunks parsed after pause() from the socket read already in progress; bounded by one read. */
  private queue: Buffer[] = [];
  private queueHead = 0;

  private flushedLsn: Lsn;
  private receivedLsn: Lsn = 0n;

  constructor(
    private readonly opts: ReplicationStreamOptions,
    private readonly handler: ReplicationHandler,
  ) {
    if (opts.publications.length === 0) throw new Error('ReplicationStream needs at least one publication');
    if (!(opts.statusIntervalMs > 0)) {
      throw new Error(`statusIntervalMs must be positive, got ${opts.statusIntervalMs}`);
    }
    this.flushedLsn = opts.startLsn;
    this.timers = opts.timers ?? {
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
    };
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => {}); // owners may never await done; its rejection is not "unhandled"
    this.closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  }

  /** The LSN reported as flushed and applied; initially startLsn, never moves backwards. */
  get flushed(): Lsn {
    return this.flushedLsn;
  }

  /** The highest walEnd received so far (XLogData or keepalive), in delivery order. */
  get received(): Lsn {
    return this.receivedLsn;
  }

  /** The START_REPLICATION command this stream sends. */
  get command(): string {
    const { slot, publications, startLsn, messages } = this.opts;
    const names = publications.map(quoteIdent).join(',');
    const options = [`proto_version '1'`, `publication_names ${quoteLiteral(names)}`];
    if (messages) options.push(`messages 'true'`);
    return `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${formatLsn(startLsn)} (${options.join(', ')})`;
  }

  /**
   * Connects and starts streaming; resolves once Postgres accepted START_REPLICATION (CopyBoth
   * began); rejects with the server error (its SQLSTATE `code` kept, e.g. 55006 when the slot is
   * active elsewhere), or when stop() came first. Calling it again returns the same promise.
   */
  start(): Promise<void> {
    this.startPromise ??= this.connectAndStart();
    return this.startPromise;
  }

  /** Socket-level backpressure: stops reading from the socket; no onMessage/onKeepalive until resume(). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.state === 'streaming') this.con?.stream.pause();
  }

  /** Delivers what was parsed before the pause took hold, then reads from the socket again. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.draining) return; // an outer resume() is delivering the queue
    this.draining = true;
    try {
      while (!this.paused && this.state === 'streaming' && this.queueHead < this.queue.length) {
        this.dispatch(this.queue[this.queueHead++]!);
      }
    } finally {
      this.draining = false;
    }
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
    if (!this.paused && this.state === 'streaming') this.con?.stream.resume();
  }

  /** Moves the LSN reported as flushed and applied; smaller values than the current one are ignored. */
  setFlushed(lsn: Lsn): void {
    if (lsn > this.flushedLsn) this.flushedLsn = lsn;
  }

  /**
   * Sends a standby status update now: write = max(received, flushed), flush = apply = flushed,
   * client clock in µs since 2000-01-01. A no-op unless streaming (before start, after stop()).
   */
  sendStatus(replyRequested = false): void {
    if (this.state !== 'streaming' || this.con === null) return;
    const msg = Buffer.allocUnsafe(34);
    msg[0] = 0x72; // r
    const write = this.receivedLsn > this.flushedLsn ? this.receivedLsn : this.flushedLsn;
    msg.writeBigUInt64BE(write, 1);
    msg.writeBigUInt64BE(this.flushedLsn, 9);
    msg.writeBigUInt64BE(this.flushedLsn, 17);
    msg.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_OFFSET_US, 25);
    msg[33] = replyRequested ? 1 : 0;
    this.con.sendCopyFromChunk(msg);
  }

  /**
   * Ends streaming politely (CopyDone, then close the connection); resolves when closed. Safe to
   * call twice or before start() finished (start() then rejects). Messages not yet delivered are
   * dropped; no status update is sent after CopyDone, so call sendStatus() first to report a final
   * flush position.
   */
  stop(): Promise<void> {
    if (this.stopRequested) return this.closed;
    this.stopRequested = true;
    if (this.state !== 'streaming') {
      this.settle(undefined);
      return this.closed;
    }
    this.state = 'stopping';
    this.clearTimers();
    this.queue = [];
    this.queueHead = 0;
    const con = this.con!;
    if (this.paused) con.stream.resume(); // the server's CopyDone and CommandComplete must be read
    con.endCopyFrom();
    this.graceTimer = this.timers.setInterval(() => this.settle(undefined), STOP_GRACE_MS);
    return this.closed;
  }

  private connectAndStart(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(stoppedError());
    this.state = 'connecting';
    const c = this.opts.connection;
    const config = clientConfig(c, { keepAlive: true, replication: 'database' } as Partial<pg.ClientConfig>);
    const client = new pg.Client(config as pg.ClientConfig);
    this.client = client;
    client.on('error', (err) => this.fail(err));
    client.on('end', () => this.fail(new Error('replication connection closed unexpectedly')));
    (client.connection as unknown as WireConnection).once('end', () => (this.socketClosed = true));
    // Settled by settle() too: node-postgres never settles connect() once end() was called on it.
    return new Promise<void>((resolve, reject) => {
      this.rejectStart = reject;
      client.connect().then(
        () => this.startReplication(client, resolve),
        (err: unknown) => this.fail(err),
      );
    });
  }

  private startReplication(client: pg.Client, resolve: () => void): void {
    if (this.state !== 'connecting') return; // stop() or a failure came first
    this.state = 'starting';
    const con = client.connection as unknown as WireConnection;
    this.con = con;
    con.on('replicationStart', () => {
      if (this.state !== 'starting') return;
      this.state = 'streaming';
      this.rejectStart = null;
      if (this.paused) con.stream.pause();
      this.statusTimer = this.timers.setInterval(() => this.sendStatus(false), this.opts.statusIntervalMs);
      resolve();
    });
    con.on('copyData', (msg) => this.onCopyData(msg.chunk));
    con.on('copyDone', () => this.onServerCopyDone());
    client.query(this.command, (err: Error | undefined) => this.onCommandEnd(err));
  }

  private onCopyData(chunk: Buffer): void {
    if (this.state !== 'streaming') return; // after CopyDone or a failure: discard
    // The chunk aliases node-postgres' parse buffer, which is rewritten only on the next socket
    // read; queued chunks are delivered before the socket is resumed.
    if (this.paused || this.queueHead < this.queue.length) this.queue.push(chunk);
    else this.dispatch(chunk);
  }

  private dispatch(chunk: Buffer): void {
    try {
      const type = chunk[0];
      if (type === XLOG_DATA) {
        if (chunk.length < XLOG_DATA_HEADER) throw new DataError(`XLogData message truncated (${chunk.length} bytes)`);
        const walStart = chunk.readBigUInt64BE(1);
        const walEnd = chunk.readBigUInt64BE(9);
        const msg = decodePgoutput(chunk.subarray(XLOG_DATA_HEADER));
        if (walEnd > this.receivedLsn) this.receivedLsn = walEnd;
        this.handler.onMessage(msg, walStart, walEnd);
      } else if (type === KEEPALIVE) {
        if (chunk.length < KEEPALIVE_LENGTH) throw new DataError(`keepalive message truncated (${chunk.length} bytes)`);
        const walEnd = chunk.readBigUInt64BE(1);
        const replyRequested = chunk[17] === 1;
        if (walEnd > this.receivedLsn) this.receivedLsn = walEnd;
        this.handler.onKeepalive(walEnd, replyRequested);
        if (replyRequested) this.sendStatus(false);
      } else {
        throw new DataError(`unknown replication message type 0x${(type ?? 0).toString(16)}`);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** Postgres ended COPY by itself (logical walsenders do so only on shutdown paths): answer, then end. */
  private onServerCopyDone(): void {
    if (this.state !== 'streaming') return;
    this.state = 'stopping';
    this.clearTimers();
    this.con?.endCopyFrom();
  }

  private onCommandEnd(err: Error | undefined): void {
    if (err) this.fail(err);
    else if (this.stopRequested) this.settle(undefined);
    else this.fail(new Error('Postgres ended the replication stream'));
  }

  private fail(err: unknown): void {
    this.settle(this.stopRequested ? undefined : err, err);
  }

  /** Ends the stream once: closes the connection, then settles `done` (and a pending start()). */
  private settle(outcome: unknown, startError: unknown = outcome): void {
    if (this.state === 'closed') return;
    const wasConnecting = this.state === 'connecting';
    this.state = 'closed';
    this.clearTimers();
    this.queue = [];
    this.queueHead = 0;
    if (this.rejectStart !== null) {
      this.rejectStart(startError ?? stoppedError());
      this.rejectStart = null;
    }
    void this.closeClient(wasConnecting).then(() => {
      if (outcome === undefined) this.resolveDone();
      else this.rejectDone(outcome);
      this.resolveClosed();
    });
  }

  private closeClient(connecting: boolean): Promise<void> {
    const client = this.client;
    if (client === null) return Promise.resolve();
    if (!connecting) return client.end().catch(() => {});
    // Not connected yet: end() would wait for a startup that may never finish.
    if (this.socketClosed) return Promise.resolve();
    const con = client.connection as unknown as WireConnection;
    return new Promise<void>((resolve) => {
      con.once('end', resolve);
      con.stream.destroy();
    });
  }

  private clearTimers(): void {
    if (this.statusTimer !== null) this.timers.clearInterval(this.statusTimer);
    if (this.graceTimer !== null) this.timers.clearInterval(this.graceTimer);
    this.statusTimer = null;
    this.graceTimer = null;
  }
}

function stoppedError(): Error {
  return new Error('replication stream stopped before streaming began');
}
