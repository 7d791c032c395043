/**
 * One partition of the embedded log: an ordered list of segments, the append path with group
 * commit, reads bounded by what is durable, retention, and recovery on open.
 *
 * Append ordering: every append is queued on `chain` at call time, so offsets follow call order even
 * when encoding (gzip) takes longer for some batches. Assignment is synchronous once a batch is
 * encoded; the write is issued at once and the ack waits for the next group sync.
 */
import { unlink } from 'node:fs/promises';
import { TributaryError } from '../../errors/codes.js';
import type { Clock } from '../../util/clock.js';
import {
  LOG_OVERHEAD,
  MAGIC,
  batchCrcValid,
  decodeBatchInto,
  encodeBatch,
  parseRecords,
  readBatchHeader,
  recordsRegion,
  setBaseOffset,
} from '../codec/record-batch.js';
import { readInt64 } from '../codec/varint.js';
import type { AppendResult, LogRecord, ReadOptions, ReadResult, StoredRecord, TopicConfig } from '../log.js';
import { fsyncDir, writeFully } from './files.js';
import { GroupCommit } from './group-commit.js';
import { loadSegments, writeRecoveryPoint } from './partition-recovery.js';
import { Segment } from './segment.js';
import { findTimestampInSegment, readFromSegment, type RawRead } from './segment-read.js';
import { hasRetention, isCompacted } from './topic-config.js';

export type { RawRead } from './segment-read.js';
export type FlushMode = 'fsync' | 'none';

export interface PartitionOptions {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly config: () => TopicConfig;
  readonly clock: Clock;
  readonly flush: FlushMode;
  /** Whether the previous process closed the log cleanly (indexes and checkpoints can be trusted). */
  readonly cleanShutdown: boolean;
  /** Told about anything recovery repaired. */
  readonly onRecovery?: (message: string) => void;
}

const noop = (): void => {};

export class Partition {
  segments: Segment[] = [];
  private nextOffset = 0;
  private hw = 0;
  private readonly commits: GroupCommit;
  private chain: Promise<unknown> = Promise.resolve();
  /** Serialises sealing, retention and compaction swaps. */
  private maintenance: Promise<unknown> = Promise.resolve();
  private readonly dataWaiters = new Set<() => void>();
  private failure: TributaryError | null = null;
  private closed = false;
  /** close() has begun: appends are refused from now on. */
  private closing = false;
  private activeSince: number;

  private constructor(readonly opts: PartitionOptions) {
    this.activeSince = opts.clock.now();
    this.commits = new GroupCommit(
      opts.flush === 'fsync',
      (end) => {
        this.hw = end;
        this.wakeWaiters();
      },
      (err) => this.fail(err),
    );
  }

  /** Whether data and metadata are fsync'ed (flush mode `fsync`). */
  get sync(): boolean {
    return this.opts.flush === 'fsync';
  }

  get dir(): string {
    return this.opts.dir;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  static async open(opts: PartitionOptions): Promise<Partition> {
    const p = new Partition(opts);
    await p.load();
    return p;
  }

  private async load(): Promise<void> {
    this.segments = await loadSegments({ ...this.opts, sync: this.sync });
    this.nextOffset = this.active.nextOffset;
    this.hw = this.nextOffset;
    this.activeSince = this.active.firstTimestamp ?? this.opts.clock.now();
    await this.writeRecoveryPoint(this.active.baseOffset);
  }

  /** Whether a write or sync failed; the partition then refuses appends until reopened. */
  get failed(): boolean {
    return this.failure !== null;
  }

  earliestOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  latestOffset(): number {
    return this.hw;
  }

  sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  private check(): void {
    if (this.closed || this.closing) throw new TributaryError('LOG_CLOSED', `partition ${this.opts.topic}-${this.opts.partition} is closed`);
    if (this.failure) throw this.failure;
  }

  /** Encodes and appends records; resolves once durable. */
  async append(records: readonly LogRecord[]): Promise<AppendResult> {
    this.check();
    if (records.length === 0) throw new TributaryError('INVALID_RECORD', 'cannot append an empty batch');
    const cfg = this.opts.config();
    if (isCompacted(cfg)) {
      for (const r of records) {
        if (r.key === null) {
          throw new TributaryError('INVALID_RECORD', `topic ${this.opts.topic} is compacted: every record needs a key`);
        }
      }
    }
    return this.enqueue(encodeBatch(records, { compression: cfg['compression.type'], now: this.opts.clock.now() }));
  }

  /**
   * Appends a batch encoded by a client (the broker's produce path): validated like Kafka does
   * (magic, CRC, record count, keys on compacted topics), then stored as is with offsets assigned.
   */
  async appendBatch(batch: Buffer): Promise<AppendResult> {
    this.check();
    const what = `batch for ${this.opts.topic}-${this.opts.partition}`;
    if (batch.length < 61 || batch.readInt32BE(8) + LOG_OVERHEAD !== batch.length) {
      throw new TributaryError('CORRUPT_MESSAGE', `${what}: length field does not match its size`);
    }
    if (batch.readInt8(16) !== MAGIC) throw new TributaryError('CORRUPT_MESSAGE', `${what}: magic is not 2`);
    if (!batchCrcValid(batch, 0, batch.length)) throw new TributaryError('CORRUPT_MESSAGE', `${what}: CRC-32C mismatch`);
    const h = readBatchHeader(batch, 0);
    if (h.recordsCount < 1 || h.lastOffsetDelta + 1 !== h.recordsCount) {
      throw new TributaryError('INVALID_RECORD', `${what}: ${h.recordsCount} records but last offset delta ${h.lastOffsetDelta}`);
    }
    const records = parseRecords(recordsRegion(batch, 0, batch.length, h.attributes), h.recordsCount);
    // Offsets are assigned from the batch's base: record i must carry offset delta i.
    const skewed = records.findIndex((r, i) => r.offsetDelta !== i);
    if (skewed >= 0) {
      throw new TributaryError('INVALID_RECORD', `${what}: record ${skewed} has offset delta ${records[skewed]!.offsetDelta}`);
    }
    if (isCompacted(this.opts.config()) && records.some((r) => r.key === null)) {
      throw new TributaryError('INVALID_RECORD', `topic ${this.opts.topic} is compacted: every record needs a key`);
    }
    return this.enqueue(Promise.resolve(Buffer.from(batch)));
  }

  private enqueue(encoded: Promise<Buffer>): Promise<AppendResult> {
    const assigned = this.chain.then(() => encoded).then((buf) => this.assign(buf));
    // The chain waits for assignment only, not durability: later appends are written meanwhile and
    // share the next group sync.
    this.chain = assigned.then(noop, noop);
    return assigned.then((a) => a.durable);
  }

  /**
   * Assigns offsets and issues the write. The durability promise is wrapped: an async function
   * returning a bare promise would adopt it, and the chain would then wait for every sync.
   */
  private async assign(buf: Buffer): Promise<{ readonly durable: Promise<AppendResult> }> {
    this.check();
    const cfg = this.opts.config();
    if (buf.length > cfg['max.message.bytes']) {
      throw new TributaryError(
        'MESSAGE_TOO_LARGE',
        `batch of ${buf.length} bytes is larger than max.message.bytes=${cfg['max.message.bytes']} of topic ${this.opts.topic}`,
      );
    }
    const lastOffsetDelta = buf.readInt32BE(23);
    const maxTimestamp = readInt64(buf, 35);
    let seg = this.active;
    const now = this.opts.clock.now();
    if (
      seg.size > 0 &&
      (seg.size + buf.length > cfg['segment.bytes'] ||
        now - this.activeSince >= cfg['segment.ms'] ||
        !seg.fitsOffset(this.nextOffset + lastOffsetDelta))
    ) {
      seg = await this.roll();
    }
    // segment.ms counts from a segment's first batch, not from when the (empty) segment was opened.
    if (seg.size === 0) this.activeSince = now;
    const baseOffset = this.nextOffset;
    setBaseOffset(buf, 0, baseOffset);
    buf.writeInt32BE(0, 12); // partitionLeaderEpoch: one node, epoch 0 (outside the CRC)
    const position = seg.size;
    const lastOffset = baseOffset + lastOffsetDelta;
    seg.noteBatch(position, buf.length, baseOffset, lastOffset, maxTimestamp);
    this.nextOffset = lastOffset + 1;
    const durable = this.commits.add(seg, seg.size, { baseOffset, lastOffset }, writeFully(seg.fd, buf, position));
    return { durable };
  }

  private async roll(): Promise<Segment> {
    const old = this.active;
    const seg = await Segment.create(this.opts.dir, this.nextOffset);
    await fsyncDir(this.opts.dir, this.sync);
    this.segments.push(seg);
    this.activeSince = this.opts.clock.now();
    const lastOnOld = this.commits.lastQueuedEnd;
    const writesDone = lastOnOld !== null ? this.visibleUpTo(lastOnOld) : Promise.resolve();
    // Seal the old segment once its last bytes are visible; then the recovery point may pass it.
    this.maintenance = this.maintenance
      .then(() => writesDone)
      .then(async () => {
        if (this.failure) return;
        await old.seal(this.sync);
        await this.writeRecoveryPoint(seg.baseOffset);
      })
      .catch((err: unknown) => this.fail(err));
    return seg;
  }

  /** Resolves once everything below `offset` is visible, or the partition failed or closed. */
  private visibleUpTo(offset: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.hw >= offset || this.failure || this.closed) {
          this.dataWaiters.delete(check);
          resolve();
        }
      };
      this.dataWaiters.add(check);
      check();
    });
  }

  private wakeWaiters(): void {
    for (const w of [...this.dataWaiters]) w();
  }

  /** A write or sync failed: refuse appends until reopened (recovery then repairs the tail). */
  private fail(err: unknown): TributaryError {
    this.failure ??= new TributaryError(
      'STORAGE_ERROR',
      `partition ${this.opts.topic}-${this.opts.partition} failed to write: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
    this.wakeWaiters();
    return this.failure;
  }

  /** Resolves when data beyond `offset` is visible, the timeout passes or the signal aborts. */
  private waitForData(offset: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.hw > offset || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.dataWaiters.delete(check);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const check = (): void => {
        if (this.hw > offset || this.failure || this.closed) done();
      };
      const timer = setTimeout(done, Math.min(timeoutMs, 2 ** 31 - 1)); // setTimeout's ceiling
      this.dataWaiters.add(check);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private checkRange(offset: number): void {
    const start = this.earliestOffset();
    if (!Number.isSafeInteger(offset) || offset < start || offset > this.hw) {
      throw new TributaryError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is out of range for ${this.opts.topic}-${this.opts.partition} (earliest ${start}, latest ${this.hw})`,
      );
    }
  }

  /** Whole stored batches from the one holding `offset`, up to `maxBytes` (at least one batch). */
  async readRaw(offset: number, options: ReadOptions = {}): Promise<RawRead> {
    this.checkOpenForRead();
    this.checkRange(offset);
    if (offset === this.hw) await this.waitForData(offset, options.maxWaitMs ?? 0, options.signal);
    // The answer covers at most what was visible now: bytes made visible while this read is on disk
    // are not in it, so its nextOffset must not pass them (visibleSize is set before hw moves).
    const hw = this.hw;
    const maxBytes = Math.max(1, options.maxBytes ?? 1 << 20);
    const segs = this.segments.slice(this.segmentIndexFor(offset));
    for (const s of segs) s.acquire();
    try {
      for (const seg of segs) {
        const got = await readFromSegment(seg, offset, maxBytes);
        if (got) return got;
      }
    } finally {
      for (const s of segs) s.release();
    }
    return { bytes: Buffer.alloc(0), nextOffset: Math.max(offset, hw) };
  }

  async read(offset: number, options: ReadOptions = {}): Promise<ReadResult> {
    const raw = await this.readRaw(offset, options);
    const records: StoredRecord[] = [];
    let pos = 0;
    while (pos < raw.bytes.length) {
      const h = readBatchHeader(raw.bytes, pos);
      decodeBatchInto(raw.bytes, pos, h, records, offset);
      pos += h.batchLength + LOG_OVERHEAD;
    }
    return { records, nextOffset: raw.nextOffset, highWatermark: this.hw, logStartOffset: this.earliestOffset() };
  }

  private checkOpenForRead(): void {
    if (this.closed) throw new TributaryError('LOG_CLOSED', `partition ${this.opts.topic}-${this.opts.partition} is closed`);
  }

  async offsetForTimestamp(timestamp: number): Promise<number | null> {
    this.checkOpenForRead();
    // Held from the start: retention or a compaction swap may retire segments meanwhile.
    const segs = [...this.segments];
    for (const s of segs) s.acquire();
    try {
      for (const seg of segs) {
        if (seg.maxTimestamp < timestamp || seg.visibleSize === 0) continue;
        const hit = await findTimestampInSegment(seg, timestamp);
        if (hit !== null) return hit;
      }
    } finally {
      for (const s of segs) s.release();
    }
    return null;
  }

  /** Deletes closed segments past `retention.ms` / `retention.bytes`. Returns how many went. */
  applyRetention(): Promise<number> {
    const run = this.maintenance.then(async () => {
      const cfg = this.opts.config();
      if (!hasRetention(cfg) || this.closed) return 0;
      const now = this.opts.clock.now();
      let total = this.sizeBytes();
      let n = 0;
      for (const seg of this.segments.slice(0, -1)) {
        // A just-rolled segment may still be receiving its last writes.
        if (!seg.sealed) break;
        const byTime = cfg['retention.ms'] >= 0 && seg.maxTimestamp >= 0 && now - seg.maxTimestamp > cfg['retention.ms'];
        const bySize = cfg['retention.bytes'] >= 0 && total - seg.size >= cfg['retention.bytes'];
        if (!byTime && !bySize) break;
        total -= seg.size;
        n++;
      }
      if (n > 0) await this.removeSegments(this.segments.slice(0, n));
      return n;
    });
    this.maintenance = run.catch(noop);
    return run;
  }

  private async removeSegments(gone: Segment[]): Promise<void> {
    this.segments = this.segments.filter((s) => !gone.includes(s));
    for (const seg of gone) {
      seg.retire();
      const p = seg.paths;
      // The .log goes first: an index left behind by a crash is removed on open.
      await unlink(p.log);
      await Promise.all([unlink(p.index).catch(noop), unlink(p.timeindex).catch(noop)]);
    }
    await fsyncDir(this.opts.dir, this.sync);
  }

  /** Runs `fn` with the maintenance lock held (compaction uses it for its swap). */
  withMaintenance<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(fn);
    this.maintenance = run.catch(noop);
    return run;
  }

  /** Replaces `old` (consecutive closed segments) by `fresh` — used by the cleaner after its swap. */
  replaceSegments(old: Segment[], fresh: Segment[]): void {
    const first = this.segments.indexOf(old[0]!);
    this.segments.splice(first, old.length, ...fresh);
    for (const s of old) s.retire();
  }

  private async writeRecoveryPoint(offset: number): Promise<void> {
    await writeRecoveryPoint(this.opts.dir, offset, this.sync);
  }

  /** Waits for queued appends, seals the active segment and records a clean recovery point. */
  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    await this.chain;
    await this.visibleUpTo(this.nextOffset);
    await this.maintenance;
    this.closed = true;
    this.wakeWaiters();
    if (!this.failure) {
      await this.active.seal(this.sync);
      await this.writeRecoveryPoint(this.nextOffset);
    }
    for (const s of this.segments) s.retire();
  }
}
