/**
 * Cuts records bound for the log into appends, as the source task runner, the dead letter queue
 * and its replay append: one group per topic partition, records in the order added, and a new group
 * for a partition whenever the next record would take its open one past the byte bound (a record
 * bigger than the bound goes alone). The log keeps call order per partition, so appending the
 * groups in `groups` order keeps each partition's records in order.
 */
import type { LogRecord } from '../log/log.js';

/** Records bound for one append: one topic partition, at most the bound (estimated) unless a single record. */
export interface AppendGroup {
  readonly topic: string;
  readonly partition: number;
  readonly records: LogRecord[];
  /** The records' estimated size (`recordBytes`). */
  bytes: number;
}

export class AppendSplitter {
  /** Every group, in the order opened. */
  readonly groups: AppendGroup[] = [];
  /** Per topic partition, the group records are added to. */
  private readonly open = new Map<string, AppendGroup>();
  private last: AppendGroup | null = null;

  /** Adds a record of estimated `size` bytes to its partition's group, keeping groups within `limit` bytes; returns the group. */
  add(topic: string, partition: number, record: LogRecord, size: number, limit: number): AppendGroup {
    let g = this.last;
    // Consecutive records usually share topic and partition: skip the map lookup for them.
    let key: string | null = null;
    if (g === null || g.partition !== partition || g.topic !== topic) g = this.open.get((key = `${topic}\u0000${partition}`)) ?? null;
    // An open group holds a record at least, so a record bigger than `limit` still goes alone.
    if (g === null || g.bytes + size > limit) {
      g = { topic, partition, records: [], bytes: 0 };
      this.open.set(key ?? `${topic}\u0000${partition}`, g);
      this.groups.push(g);
    }
    g.records.push(record);
    g.bytes += size;
    this.last = g;
    return g;
  }
}
