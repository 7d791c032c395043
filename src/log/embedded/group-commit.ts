/**
 * Group commit for one partition: the queue of issued writes, in offset order, and the syncs that
 * make them durable. A write is acknowledged (and becomes visible to readers) only once it and every
 * write before it completed and, in flush mode `fsync`, an fdatasync that started after they
 * completed has finished. One sync covers every write completed before it started, so concurrent
 * appends share syncs.
 */
import type { AppendResult } from '../log.js';
import type { Segment } from './segment.js';

interface PendingWrite {
  readonly seg: Segment;
  readonly endPos: number;
  readonly endOffset: number;
  readonly result: AppendResult;
  written: boolean;
  resolve(r: AppendResult): void;
  reject(err: unknown): void;
}

export class GroupCommit {
  private readonly pending: PendingWrite[] = [];
  private head = 0;
  /** Entries from `head` whose writes all completed (contiguously). */
  private written = 0;
  private readonly dirty = new Set<Segment>();
  private syncing = false;
  private syncWanted = false;
  private failed = false;

  /**
   * @param sync fdatasync before acknowledging (flush mode `fsync`)
   * @param onVisible called with the new visible end offset after entries became visible
   * @param onError called once when a write or sync fails; every queued write is then rejected
   */
  constructor(
    private readonly sync: boolean,
    private readonly onVisible: (endOffset: number) => void,
    private readonly onError: (err: unknown) => unknown,
  ) {}

  /** End offset of the last queued write, or null when none is in flight. */
  get lastQueuedEnd(): number | null {
    return this.pending.length > this.head ? this.pending[this.pending.length - 1]!.endOffset : null;
  }

  /**
   * Queues a write already placed at `seg` bytes up to `endPos` (offsets up to `result.lastOffset`)
   * and being performed by `write`; resolves once it is acknowledged.
   */
  add(seg: Segment, endPos: number, result: AppendResult, write: Promise<unknown>): Promise<AppendResult> {
    let entry!: PendingWrite;
    const acked = new Promise<AppendResult>((resolve, reject) => {
      entry = { seg, endPos, endOffset: result.lastOffset + 1, result, written: false, resolve, reject };
    });
    this.pending.push(entry);
    write.then(
      () => {
        entry.written = true;
        this.onWritten();
      },
      (err: unknown) => this.fail(err),
    );
    return acked;
  }

  private onWritten(): void {
    while (this.head + this.written < this.pending.length) {
      const e = this.pending[this.head + this.written]!;
      if (!e.written) break;
      this.written++;
      this.dirty.add(e.seg);
    }
    if (!this.sync) this.makeVisible(this.written);
    else {
      this.syncWanted = true;
      if (!this.syncing) {
        this.syncing = true;
        void this.runSyncs();
      }
    }
  }

  private async runSyncs(): Promise<void> {
    while (this.syncWanted && !this.failed) {
      this.syncWanted = false;
      const count = this.written;
      const segs = [...this.dirty];
      this.dirty.clear();
      try {
        await Promise.all(segs.map((s) => s.fd.datasync()));
      } catch (err) {
        this.fail(err);
        break;
      }
      this.makeVisible(count);
    }
    this.syncing = false;
  }

  /** Makes the first `count` written entries visible and acknowledges them. */
  private makeVisible(count: number): void {
    if (count === 0 || this.failed) return;
    let end = 0;
    for (let i = 0; i < count; i++) {
      const e = this.pending[this.head + i]!;
      e.seg.visibleSize = e.endPos;
      end = e.endOffset;
      e.resolve(e.result);
    }
    this.head += count;
    this.written -= count;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    this.onVisible(end);
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const reason = this.onError(err);
    for (let i = this.head; i < this.pending.length; i++) this.pending[i]!.reject(reason);
    this.pending.length = 0;
    this.head = 0;
    this.written = 0;
  }
}
