/**
 * The bounded hand-over between the capture side (snapshot readers, the replication stream) and the
 * runtime's `poll`. Producers add a batch at once and then wait for room; the queue holds at most
 * `capacity` records (and, when `maxBytes` > 0, about that many bytes of source data, as Debezium's
 * `max.queue.size.in.bytes`) plus the last batch added over the line.
 */
import { ConnectError, type SourceRecord } from '../../src/sdk/index.js';

export class RecordQueue {
  private items: SourceRecord[] = [];
  /** Estimated bytes per item (parallel to `items`), kept only with a byte bound. */
  private sizes: number[] = [];
  private bytes = 0;
  private head = 0;
  private failure: Error | null = null;
  private readers: Array<() => void> = [];
  private writers: Array<() => void> = [];

  constructor(
    readonly capacity: number,
    readonly maxBytes = 0,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.capacity || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  /**
   * Adds records without waiting (the caller waits for `room()` before adding more); `bytes` is the
   * size of the source data they came from (spread evenly over them), counted against `maxBytes`.
   */
  push(records: readonly SourceRecord[], bytes = 0): void {
    if (!records.length) return;
    for (const r of records) this.items.push(r);
    if (this.maxBytes > 0) {
      const each = bytes / records.length;
      for (let i = 0; i < records.length; i++) this.sizes.push(each);
      this.bytes += bytes;
    }
    this.wake(this.readers);
  }

  /** Resolves once the queue is below capacity (or the queue failed: the error is thrown). */
  async room(signal?: AbortSignal): Promise<void> {
    while (this.full && !this.failure && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.writers.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Up to `max` records; waits up to `waitMs` for the first one. Throws the capture side's failure
   * once the records before it were taken.
   */
  async take(max: number, waitMs: number, signal: AbortSignal): Promise<SourceRecord[]> {
    if (!this.size && !this.failure && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        this.readers.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    if (!this.size && this.failure) throw this.failure;
    const n = Math.min(max, this.size);
    const out = this.items.slice(this.head, this.head + n);
    if (this.maxBytes > 0) {
      for (let i = this.head; i < this.head + n; i++) this.bytes -= this.sizes[i]!;
      if (this.bytes < 1e-6) this.bytes = 0;
    }
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      if (this.maxBytes > 0) this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    if (n) this.wake(this.writers);
    return out;
  }

  /** Ends the queue with an error: `take` throws it after the remaining records, `room` at once. */
  fail(err: unknown): void {
    if (this.failure) return;
    this.failure = err instanceof Error ? err : new ConnectError(String(err));
    this.wake(this.readers);
    this.wake(this.writers);
  }

  get failed(): Error | null {
    return this.failure;
  }

  private wake(list: Array<() => void>): void {
    const waiting = list.splice(0);
    for (const w of waiting) w();
  }
}

/** The size of a row's text values (a tuple or a snapshot row), for the queue's byte bound. */
export function rowBytes(values: ReadonlyArray<unknown>): number {
  let n = 0;
  for (const v of values) {
    if (typeof v === 'string') n += v.length;
    else if (Buffer.isBuffer(v)) n += v.length;
  }
  return n;
}
