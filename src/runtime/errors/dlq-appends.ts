/**
 * The replay's appends: records bound for any topic partitions, appended with one `Log.append` per
 * partition (split so that no append passes `APPEND_MAX_BYTES` unless one record does), all
 * concurrently, each record told its offset or its partition's error.
 */
import { isTributaryError } from '../../errors/codes.js';
import type { Log, LogRecord } from '../../log/log.js';
import { APPEND_MAX_BYTES, recordBytes } from '../record-bytes.js';

export interface Placement {
  readonly topic: string;
  readonly partition: number;
  readonly record: LogRecord;
}

export type Placed = { readonly ok: true; readonly offset: number } | { readonly ok: false; readonly error: unknown };

interface Group {
  readonly topic: string;
  readonly partition: number;
  readonly items: number[];
  readonly records: LogRecord[];
  bytes: number;
}

/** Appends every placement; resolves (never rejects) with one result per placement, in order. */
export async function appendInGroups(log: Log, placements: readonly Placement[]): Promise<Placed[]> {
  const open = new Map<string, Group>();
  const groups: Group[] = [];
  placements.forEach((p, i) => {
    const key = `${p.topic}\u0000${p.partition}`;
    const size = recordBytes(p.record);
    let g = open.get(key);
    if (g === undefined || g.bytes + size > APPEND_MAX_BYTES) {
      g = { topic: p.topic, partition: p.partition, items: [], records: [], bytes: 0 };
      open.set(key, g);
      groups.push(g);
    }
    g.items.push(i);
    g.records.push(p.record);
    g.bytes += size;
  });
  const settled = await Promise.allSettled(groups.map((g) => log.append(g.topic, g.partition, g.records)));
  const out: Placed[] = new Array<Placed>(placements.length);
  groups.forEach((g, gi) => {
    const s = settled[gi]!;
    g.items.forEach((item, j) => {
      out[item] = s.status === 'fulfilled' ? { ok: true, offset: s.value.baseOffset + j } : { ok: false, error: s.reason };
    });
  });
  return out;
}

/**
 * Partition counts of topics, looked up once per replay; `create` makes a missing topic (one
 * partition, as the worker does for a source) or, when false, answers null for it.
 */
export class TopicPartitions {
  private readonly counts = new Map<string, Promise<number | null>>();

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

  private async lookup(topic: string): Promise<number | null> {
    if (!(await this.log.listTopics()).includes(topic)) {
      if (!this.create) return null;
      await this.log.createTopic(topic, { partitions: 1 }).catch((err: unknown) => {
        if (!isTributaryError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
      });
    }
    try {
      return (await this.log.describeTopic(topic)).partitions.length;
    } catch (err) {
      if (isTributaryError(err, 'UNKNOWN_TOPIC_OR_PARTITION')) return null;
      throw err;
    }
  }
}
