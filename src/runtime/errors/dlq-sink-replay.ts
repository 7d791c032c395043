/**
 * Replaying a sink connector's dead-lettered records: each goes back, bytes unchanged and without
 * the queue's context headers, to the topic partition it was consumed from, and the sink task
 * consumes it as any record. Then the replay waits (up to `timeoutMs`) for the connector's group to
 * commit past what it appended, and reads the queue from its pre-replay end for records dead-lettered
 * again from the new coordinates: those `failed`, the committed rest `succeeded`, the others `pending`.
 *
 * Where a record goes: its origin (context topic and partition) when the connector still consumes
 * that topic and the partition exists; a record without an origin goes to the connector's topic when
 * `topics` names exactly one (partition by murmur2 of the key, 0 for a null key). Anything else is
 * unroutable: `skipped`, and the replay stops there.
 *
 * Appending back to a topic means every other consumer of that topic reads the record again too.
 */
import type { TopicPartition } from '../../log/log.js';
import { partitionForKey } from '../../log/partitioner.js';
import { listSetting, sinkGroup } from '../connector-config.js';
import { sleep } from '../retry.js';
import { isDeadLetterHeader } from './dead-letter-format.js';
import { appendInGroups, TopicPartitions, type Placement } from './dlq-appends.js';
import type { BatchResult, DlqReplayDeps, Outcome, ReplayStrategy } from './dlq-replay.js';
import { belongsTo, DLQ_PARTITION, scanDlq, type DlqEntry } from './dlq-scan.js';

/** How often the sink's committed offsets are looked at while waiting. */
const COMMIT_POLL_MS = 100;

export interface SinkReplayDeps extends DlqReplayDeps {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
  readonly dlqTopic: string;
  readonly timeoutMs: number;
}

interface Appended extends TopicPartition {
  readonly offset: number;
  readonly outcome: Outcome;
}

type Route = { readonly topic: string; readonly partition: number } | { readonly reason: string };

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class SinkReplay implements ReplayStrategy {
  private readonly topics: readonly string[];
  private readonly regex: RegExp | null;
  private readonly partitions: TopicPartitions;
  private readonly appended: Appended[] = [];

  constructor(private readonly deps: SinkReplayDeps) {
    this.topics = listSetting(deps.config, 'topics');
    const regex = (deps.config['topics.regex'] ?? '').trim();
    this.regex = regex ? new RegExp(`^(?:${regex})$`) : null;
    this.partitions = new TopicPartitions(deps.log, false);
  }

  async batch(entries: readonly DlqEntry[]): Promise<BatchResult> {
    // Partition counts of every topic the batch may go to, looked up once, before routing.
    const wanted = new Set<string>(this.topics.length === 1 ? [this.topics[0]!] : []);
    for (const e of entries) if (e.context?.topic) wanted.add(e.context.topic);
    const counts = new Map<string, number | null>();
    await Promise.all([...wanted].map(async (t) => counts.set(t, await this.partitions.of(t))));

    const outcomes: Outcome[] = [];
    const placements: Placement[] = [];
    let blockedAt: number | null = null;
    for (const e of entries) {
      const route = this.route(e, counts);
      const r = e.record;
      if ('reason' in route) {
        outcomes.push({ dlq_offset: r.offset, status: 'skipped', reason: route.reason });
        blockedAt = r.offset;
        break;
      }
      outcomes.push({ dlq_offset: r.offset, status: 'pending', topic: route.topic, partition: route.partition });
      placements.push({
        topic: route.topic,
        partition: route.partition,
        record: { key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers.filter((h) => !isDeadLetterHeader(h.key)) },
      });
    }
    const placed = await appendInGroups(this.deps.log, placements, (t) => this.partitions.limitOf(t).append);
    placed.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (p.ok) {
        outcome.offset = p.offset;
        this.appended.push({ topic: outcome.topic!, partition: outcome.partition!, offset: p.offset, outcome });
        return;
      }
      outcomes[i] = { dlq_offset: outcome.dlq_offset, status: 'skipped', reason: `append to ${outcome.topic}-${outcome.partition} failed: ${(p.error as Error).message}` };
      blockedAt = Math.min(blockedAt ?? outcome.dlq_offset, outcome.dlq_offset);
    });
    return { outcomes, blockedAt };
  }

  private route(e: DlqEntry, counts: ReadonlyMap<string, number | null>): Route {
    const { name } = this.deps;
    const ctx = e.context;
    if (ctx !== null && ctx.topic !== null && ctx.partition !== null) {
      if (!this.consumes(ctx.topic)) return { reason: `connector ${name} no longer consumes topic ${ctx.topic}, where the record came from` };
      const n = counts.get(ctx.topic) ?? null;
      if (n === null) return { reason: `topic ${ctx.topic}, where the record came from, no longer exists` };
      if (ctx.partition >= n) return { reason: `topic ${ctx.topic} has no partition ${ctx.partition} (where the record came from) any more` };
      return { topic: ctx.topic, partition: ctx.partition };
    }
    if (this.topics.length !== 1 || this.regex !== null) {
      return { reason: `the record names no origin topic and connector ${name} consumes ${this.regex ? 'topics.regex' : `${this.topics.length} topics`}, so where it goes is not known; give the connector exactly one topic in 'topics' to replay it` };
    }
    const topic = this.topics[0]!;
    const n = counts.get(topic) ?? null;
    if (n === null) return { reason: `topic ${topic} does not exist` };
    return { topic, partition: e.record.key === null ? 0 : partitionForKey(e.record.key, n) };
  }

  private consumes(topic: string): boolean {
    return this.topics.includes(topic) || (this.regex !== null && this.regex.test(topic));
  }

  async finish(dlqEnd: number): Promise<void> {
    if (this.appended.length === 0) return;
    const committed = await this.waitForCommits();
    await this.findFailures(dlqEnd);
    for (const a of this.appended) {
      if (a.outcome.status === 'pending' && (committed.get(tpKey(a.topic, a.partition)) ?? -1) > a.offset) a.outcome.status = 'succeeded';
    }
  }

  close(): void {}

  /** The group's committed offsets once they pass every appended record, or when the time is up. */
  private async waitForCommits(): Promise<Map<string, number>> {
    const { log, clock, config, name, timeoutMs } = this.deps;
    const need = new Map<string, TopicPartition & { offset: number }>();
    for (const a of this.appended) {
      const k = tpKey(a.topic, a.partition);
      if ((need.get(k)?.offset ?? -1) < a.offset + 1) need.set(k, { topic: a.topic, partition: a.partition, offset: a.offset + 1 });
    }
    const group = sinkGroup(name, config);
    const deadline = clock.now() + timeoutMs;
    // Bounded by attempts as well as by the clock, so an injected clock that stands still cannot hang it.
    for (let attempt = Math.ceil(timeoutMs / COMMIT_POLL_MS); ; attempt--) {
      this.deps.requestCommit?.(name);
      const got = new Map((await log.fetchOffsets(group, [...need.values()])).map((c) => [tpKey(c.topic, c.partition), c.offset]));
      const done = [...need].every(([k, n]) => (got.get(k) ?? -1) >= n.offset);
      const left = deadline - clock.now();
      if (done || attempt <= 0 || left <= 0) return got;
      await sleep(Math.min(COMMIT_POLL_MS, left));
    }
  }

  /** Marks `failed` the appended records the sink dead-lettered again (by their new coordinates). */
  private async findFailures(dlqEnd: number): Promise<void> {
    const { log, name, dlqTopic } = this.deps;
    const byCoordinates = new Map<string, Appended>();
    for (const a of this.appended) byCoordinates.set(`${tpKey(a.topic, a.partition)}\u0000${a.offset}`, a);
    const end = await log.latestOffset(dlqTopic, DLQ_PARTITION);
    for await (const chunk of scanDlq(log, dlqTopic, dlqEnd, end)) {
      for (const e of chunk.entries) {
        const c = e.context;
        if (c === null || c.topic === null || c.partition === null || c.offset === null || !belongsTo(c, name)) continue;
        const a = byCoordinates.get(`${tpKey(c.topic, c.partition)}\u0000${c.offset}`);
        if (a === undefined) continue;
        a.outcome.status = 'failed';
        a.outcome.new_dlq_offset = e.record.offset;
        a.outcome.error = { stage: c.stage, class_name: c.className, exception_class: c.exceptionClass, message: c.message };
      }
    }
  }
}
