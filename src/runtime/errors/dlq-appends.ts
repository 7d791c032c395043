/**
 * The replay's appends: records bound for any topic partitions, appended with one `Log.append` per
 * partition (split so that no append passes its topic's bound — APPEND_MAX_BYTES, or less under a
 * small max.message.bytes — unless one record does), all concurrently, each record told its offset
 * or its partition's error.
 */
import { isTributaryError } from '../../errors/codes.js';
import type { Log, LogRecord } from '../../log/log.js';
import { AppendSplitter, type AppendGroup } from '../append-splitter.js';
import { APPEND_MAX_BYTES, recordBytes, topicSizeLimitOf, type TopicSizeLimit } from '../record-bytes.js';
import { ensureTopic } from '../topic-creation.js';

export interface Placement {
  readonly topic: string;
  readonly partition: number;
  readonly record: LogRecord;
}

export type Placed = { readonly ok: true; readonly offset: number } | { readonly ok: false; readonly error: unknown };

/**
 * Appends every placement; resolves (never rejects) with one result per placement, in order.
 * `appendBytesOf` gives a topic's bound for one append (default APPEND_MAX_BYTES).
 */
export async function appendInGroups(log: Log, placements: readonly Placement[], appendBytesOf: (topic: string) => number = () => APPEND_MAX_BYTES): Promise<Placed[]> {
  const splitter = new AppendSplitter();
  // Per placement, its group and its index there (the offset's distance from the append's base).
  const groupOf: AppendGroup[] = [];
  const indexIn: number[] = [];
  for (const p of placements) {
    const g = splitter.add(p.topic, p.partition, p.record, recordBytes(p.record), appendBytesOf(p.topic));
    groupOf.push(g);
    indexIn.push(g.records.length - 1);
  }
  const { groups } = splitter;
  const settled = await Promise.allSettled(groups.map((g) => log.append(g.topic, g.partition, g.records)));
  const results = new Map(groups.map((g, i) => [g, settled[i]!]));
  return placements.map((_, i) => {
    const s = results.get(groupOf[i]!)!;
    return s.status === 'fulfilled' ? { ok: true, offset: s.value.baseOffset + indexIn[i]! } : { ok: false, error: s.reason };
  });
}

/**
 * Partition counts and size bounds of topics, looked up once per replay; `create` makes a missing
 * topic (one partition, as the worker does for a source) or, when false, answers null for it.
 */
export class TopicPartitions {
  private readonly counts = new Map<string, Promise<number | null>>();
  private readonly limits = new Map<string, TopicSizeLimit>();

  constructor(
    private readonly log: Log,
    private readonly create: boolean,
  ) {}

  of(topic: string): Promise<number | null> {
    let p = this.counts.get(topic);
    if (p === undefined) {
      p = this.lookup(topic);
      this.counts.set(topic, p);
    }
    return p;
  }

  /** The size bounds of a topic `of` answered a count for. */
  limitOf(topic: string): TopicSizeLimit {
    return this.limits.get(topic)!;
  }

  private async lookup(topic: string): Promise<number | null> {
    if (!(await ensureTopic(this.log, topic, this.create ? { partitions: 1 } : null))) return null;
    try {
      const count = (await this.log.describeTopic(topic)).partitions.length;
      this.limits.set(topic, await topicSizeLimitOf(this.log, topic));
      return count;
    } catch (err) {
      if (isTributaryError(err, 'UNKNOWN_TOPIC_OR_PARTITION')) return null;
      throw err;
    }
  }
}
