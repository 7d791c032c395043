/**
 * Which topic partitions a sink task reads. The tasks of a connector split the sorted list of
 * partitions of the subscribed topics round-robin by task number, so every partition has exactly
 * one reader without a coordinator. Refreshed every few seconds: new topics matching
 * `topics.regex`, topics that did not exist yet, and added partitions are picked up.
 */
import type { Log } from '../log/log.js';
import type { TopicPartitionRef } from '../sdk/records.js';

/** How often the topic list is checked; sooner while a subscribed topic is still missing. */
const REFRESH_MS = 5_000;
const REFRESH_WAITING_MS = 250;

export interface AssignmentChange {
  readonly added: TopicPartitionRef[];
  readonly removed: TopicPartitionRef[];
}

export class SinkAssignment {
  private assigned: TopicPartitionRef[] = [];
  private refreshedAt = -Infinity;
  private waiting = true;

  constructor(
    private readonly log: Log,
    private readonly topics: readonly string[],
    private readonly regex: RegExp | null,
    private readonly taskId: number,
    private readonly taskCount: number,
  ) {}

  current(): readonly TopicPartitionRef[] {
    return this.assigned;
  }

  /** Recomputes when due (or forced); null when nothing changed. */
  async refresh(now: number, force = false): Promise<AssignmentChange | null> {
    if (!force && now - this.refreshedAt < (this.waiting ? REFRESH_WAITING_MS : REFRESH_MS)) return null;
    this.refreshedAt = now;
    const existing = await this.log.listTopics();
    const names = this.regex
      ? existing.filter((t) => !t.startsWith('__') && this.regex!.test(t))
      : this.topics.filter((t) => existing.includes(t));
    this.waiting = this.regex ? names.length === 0 : names.length < this.topics.length;
    const all: TopicPartitionRef[] = [];
    for (const topic of [...new Set(names)].sort()) {
      const d = await this.log.describeTopic(topic);
      for (const p of d.partitions) all.push({ topic, partition: p.partition });
    }
    const next = all.filter((_, i) => i % this.taskCount === this.taskId);
    const key = (t: TopicPartitionRef): string => `${t.topic}\u0000${t.partition}`;
    const before = new Set(this.assigned.map(key));
    const after = new Set(next.map(key));
    const added = next.filter((t) => !before.has(key(t)));
    const removed = this.assigned.filter((t) => !after.has(key(t)));
    this.assigned = next;
    return added.length || removed.length ? { added, removed } : null;
  }
}
