/**
 * Consumer-group committed offsets, kept in memory and stored as keyed records in the compacted
 * topic `__consumer_offsets` (key: JSON [group, topic, partition]; value: JSON {offset, metadata};
 * a tombstone forgets the position). Loaded by reading that topic to its end at open.
 */
import type { CommittedOffset, LogRecord, TopicPartition } from '../log.js';
import type { Partition } from './partition.js';

export const GROUP_OFFSETS_TOPIC = '__consumer_offsets';

interface Stored {
  offset: number;
  metadata: string | null;
}

function keyOf(group: string, topic: string, partition: number): string {
  return JSON.stringify([group, topic, partition]);
}

export class GroupOffsets {
  /** group → "topic\0partition" → position */
  private readonly groups = new Map<string, Map<string, Stored & TopicPartition>>();

  private constructor(
    private readonly partition: Partition,
    private readonly now: () => number,
  ) {}

  static async load(partition: Partition, now: () => number): Promise<GroupOffsets> {
    const g = new GroupOffsets(partition, now);
    let offset = partition.earliestOffset();
    const end = partition.latestOffset();
    while (offset < end) {
      const { records, nextOffset } = await partition.read(offset, { maxBytes: 4 << 20 });
      for (const r of records) {
        if (r.key === null) continue;
        const [group, topic, p] = JSON.parse(r.key.toString('utf8')) as [string, string, number];
        if (r.value === null) g.forget(group, topic, p);
        else {
          const v = JSON.parse(r.value.toString('utf8')) as Stored;
          g.remember(group, { topic, partition: p, offset: v.offset, metadata: v.metadata ?? null });
        }
      }
      offset = nextOffset;
    }
    return g;
  }

  private remember(group: string, o: Stored & TopicPartition): void {
    let m = this.groups.get(group);
    if (!m) this.groups.set(group, (m = new Map()));
    m.set(`${o.topic}\0${o.partition}`, o);
  }

  private forget(group: string, topic: string, partition: number): void {
    const m = this.groups.get(group);
    if (!m) return;
    m.delete(`${topic}\0${partition}`);
    if (m.size === 0) this.groups.delete(group);
  }

  async commit(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const ts = this.now();
    const records: LogRecord[] = offsets.map((o) => ({
      key: Buffer.from(keyOf(group, o.topic, o.partition)),
      value: Buffer.from(JSON.stringify({ offset: o.offset, metadata: o.metadata ?? null })),
      timestamp: ts,
    }));
    await this.partition.append(records);
    for (const o of offsets) {
      this.remember(group, { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? null });
    }
  }

  fetch(group: string, partitions?: readonly TopicPartition[]): CommittedOffset[] {
    const m = this.groups.get(group);
    if (!m) return [];
    const all = [...m.values()];
    const picked = partitions ? all.filter((o) => partitions.some((p) => p.topic === o.topic && p.partition === o.partition)) : all;
    return picked
      .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata }))
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  async delete(group: string, partitions?: readonly TopicPartition[]): Promise<void> {
    const gone = partitions ? this.fetch(group, partitions) : this.fetch(group);
    if (gone.length === 0) return;
    const ts = this.now();
    await this.partition.append(
      gone.map((o) => ({ key: Buffer.from(keyOf(group, o.topic, o.partition)), value: null, timestamp: ts })),
    );
    for (const o of gone) this.forget(group, o.topic, o.partition);
  }

  /** Drops every group's positions for a deleted topic. */
  async forgetTopic(topic: string): Promise<void> {
    for (const group of [...this.groups.keys()]) {
      const tps = this.fetch(group).filter((o) => o.topic === topic);
      if (tps.length > 0) await this.delete(group, tps);
    }
  }

  list(): string[] {
    return [...this.groups.keys()].sort();
  }
}
