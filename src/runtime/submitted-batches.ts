/**
 * Tracks a source task's polled batches until the log has made them durable, and yields the
 * offsets that are safe to commit (Kafka Connect's SubmittedRecords, per batch instead of per
 * record): an offset is committable only once its record and every record polled before it are
 * durable. Records a transformation dropped count as done once the records before them are.
 */
import type { OffsetMap } from '../sdk/records.js';

export interface SourceOffset {
  readonly partition: OffsetMap;
  readonly offset: OffsetMap;
}

export class SubmittedBatch {
  /** Appends still in flight. */
  pending = 0;
  constructor(
    /** Newest offset per source partition in this batch (by partition JSON). */
    readonly offsets: Map<string, SourceOffset>,
    readonly bytes: number,
  ) {}
}

export class SubmittedBatches {
  private readonly queue: SubmittedBatch[] = [];
  /** Newest durable offset per source partition not yet committed. */
  private committable = new Map<string, SourceOffset>();
  private inflightBytes = 0;
  private drainWaiters: Array<() => void> = [];
  /** An append failed: its batch never completes, so waits must not wait for it. */
  private failed = false;

  /** Starts tracking a batch whose records go out in `appends` log appends. */
  submit(offsets: Map<string, SourceOffset>, bytes: number, appends: number): SubmittedBatch {
    const b = new SubmittedBatch(offsets, bytes);
    b.pending = appends;
    this.inflightBytes += bytes;
    this.queue.push(b);
    this.advance();
    return b;
  }

  /** One of the batch's appends is durable. */
  acked(b: SubmittedBatch): void {
    b.pending--;
    this.advance();
  }

  /** An append failed: every wait ends now (the caller checks why), and later waits do not block. */
  fail(): void {
    this.failed = true;
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  /** Resolves when in-flight bytes drop to `limit` or below, or an append failed. */
  waitBelow(limit: number): Promise<void> {
    if (this.inflightBytes <= limit || this.failed) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.inflightBytes <= limit || this.failed) resolve();
        else this.drainWaiters.push(check);
      };
      this.drainWaiters.push(check);
    });
  }

  /** Takes the offsets that became committable since the last call. */
  takeCommittable(): SourceOffset[] {
    const out = [...this.committable.values()];
    this.committable = new Map();
    return out;
  }

  /** Puts back offsets whose commit failed (newer ones already taken win). */
  restore(offsets: readonly SourceOffset[]): void {
    for (const o of offsets) {
      const k = JSON.stringify(o.partition);
      if (!this.committable.has(k)) this.committable.set(k, o);
    }
  }

  private advance(): void {
    let released = false;
    while (this.queue.length > 0 && this.queue[0]!.pending === 0) {
      const b = this.queue.shift()!;
      for (const [k, o] of b.offsets) this.committable.set(k, o);
      this.inflightBytes -= b.bytes;
      released = true;
    }
    if (released && this.drainWaiters.length > 0) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      for (const f of w) f();
    }
  }
}
