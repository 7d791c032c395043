/**
 * The embedded log: topics of partitions stored as Kafka RecordBatch v2 segments in one data
 * directory. Consumer-group offsets live in its own compacted topic `__consumer_offsets`.
 */
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TributaryError } from '../../errors/codes.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type {
  AppendResult,
  CommittedOffset,
  CreateTopicOptions,
  Log,
  LogRecord,
  ReadOptions,
  ReadResult,
  TopicDescription,
  TopicPartition,
} from '../log.js';
import { compactPartition, type CompactionResult } from './cleaner.js';
import { CleanerThread } from './cleaner-thread.js';
import {
  emptyTrash,
  lockDataDir,
  prepareDataDir,
  readTopicMeta,
  takeCleanShutdownMarker,
  topicsDir,
  trashDir,
  writeCleanShutdownMarker,
  type TopicMeta,
} from './data-dir.js';
import { fsyncDir, writeFileAtomic } from './files.js';
import { Partition, type FlushMode, type RawRead } from './partition.js';
import { MAX_PARTITIONS, isCompacted, parseTopicOverrides, resolveTopicConfig, validateTopicName } from './topic-config.js';
import { GroupOffsets, GROUP_OFFSETS_TOPIC } from './group-offsets.js';
import type { TopicConfig } from '../log.js';

export interface EmbeddedLogOptions {
  readonly dataDir: string;
  /** `fsync` (default): acknowledge after fdatasync. `none`: after the write reaches the page cache. */
  readonly flush?: FlushMode;
  /** Create the directory when missing or empty (default true). */
  readonly create?: boolean;
  readonly clock?: Clock;
  /** How often retention runs (Kafka's log.retention.check.interval.ms, 5 minutes); 0 = never by itself. */
  readonly retentionCheckIntervalMs?: number;
  /** How often the cleaner looks for dirty compacted partitions (log.cleaner.backoff.ms, 15 s); 0 = never. */
  readonly cleanerIntervalMs?: number;
  /** Run compaction's copying on a worker thread (default true); false runs it on the event loop. */
  readonly cleanerThread?: boolean;
  /** Share of a compacted partition's closed bytes that must be dirty before it is cleaned (0.5). */
  readonly minCleanableDirtyRatio?: number;
  /** Told what recovery repaired. */
  readonly onRecovery?: (message: string) => void;
  /** Told about background failures (a cleaner or retention error). */
  readonly onError?: (err: unknown) => void;
}

interface Topic {
  readonly meta: TopicMeta;
  config: TopicConfig;
  readonly partitions: Partition[];
  /** Per partition: offset below which the last cleaning left only clean data. */
  readonly cleanedUpTo: number[];
}

export class EmbeddedLog implements Log {
  private readonly topics = new Map<string, Topic>();
  private readonly clock: Clock;
  private groups!: GroupOffsets;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  private background: Promise<unknown> = Promise.resolve();
  private unlock: () => Promise<void> = async () => {};
  private readonly cleaner = new CleanerThread();
  /** Names of topics whose creation is under way, so a concurrent creation of the same name fails cleanly. */
  private readonly creating = new Set<string>();

  private constructor(private readonly opts: EmbeddedLogOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  static async open(opts: EmbeddedLogOptions): Promise<EmbeddedLog> {
    const log = new EmbeddedLog(opts);
    await prepareDataDir(opts.dataDir, opts.create ?? true);
    log.unlock = await lockDataDir(opts.dataDir);
    try {
      await log.load();
    } catch (err) {
      await log.unlock();
      throw err;
    }
    return log;
  }

  private get flush(): FlushMode {
    return this.opts.flush ?? 'fsync';
  }

  private async load(): Promise<void> {
    const { dataDir } = this.opts;
    const clean = await takeCleanShutdownMarker(dataDir);
    await emptyTrash(dataDir);
    for (const name of await readdir(topicsDir(dataDir))) {
      const dir = join(topicsDir(dataDir), name);
      const meta = await readTopicMeta(dir);
      await this.openTopic(dir, meta, clean);
    }
    if (!this.topics.has(GROUP_OFFSETS_TOPIC)) {
      await this.createTopic(GROUP_OFFSETS_TOPIC, { partitions: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': 64 << 20 } });
    }
    this.groups = await GroupOffsets.load(this.topics.get(GROUP_OFFSETS_TOPIC)!.partitions[0]!, () => this.clock.now());
    this.startTimers();
  }

  private async openTopic(dir: string, meta: TopicMeta, cleanShutdown: boolean): Promise<Topic> {
    const topic: Topic = {
      meta,
      config: resolveTopicConfig(parseTopicOverrides(meta.configs)),
      partitions: [],
      cleanedUpTo: new Array<number>(meta.partitions).fill(0),
    };
    for (let i = 0; i < meta.partitions; i++) {
      const pdir = join(dir, String(i));
      await mkdir(pdir, { recursive: true });
      topic.partitions.push(
        await Partition.open({
          dir: pdir,
          topic: meta.name,
          partition: i,
          config: () => topic.config,
          clock: this.clock,
          flush: this.flush,
          cleanShutdown,
          onRecovery: this.opts.onRecovery,
        }),
      );
    }
    this.topics.set(meta.name, topic);
    return topic;
  }

  private startTimers(): void {
    const every = (ms: number | undefined, fallback: number, fn: () => Promise<unknown>): void => {
      const interval = ms ?? fallback;
      if (interval <= 0) return;
      const t = setInterval(() => {
        this.background = this.background.then(fn).catch((err: unknown) => this.opts.onError?.(err));
      }, interval);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.retentionCheckIntervalMs, 300_000, () => this.applyRetention());
    every(this.opts.cleanerIntervalMs, 15_000, () => this.cleanDirty());
  }

  private check(): void {
    if (this.closed) throw new TributaryError('LOG_CLOSED', 'the log is closed');
  }

  private topic(name: string): Topic {
    this.check();
    const t = this.topics.get(name);
    if (!t) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic '${name}'`);
    return t;
  }

  /** The partition object (for the broker face and tools); fails on unknown topic or partition. */
  partition(topic: string, partition: number): Partition {
    const t = this.topic(topic);
    const p = Number.isInteger(partition) ? t.partitions[partition] : undefined;
    if (!p) {
      throw new TributaryError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `topic '${topic}' has no partition ${partition} (it has ${t.partitions.length}: 0 to ${t.partitions.length - 1})`,
      );
    }
    return p;
  }

  async createTopic(name: string, options: CreateTopicOptions = {}): Promise<void> {
    this.check();
    validateTopicName(name);
    const partitions = options.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new TributaryError('INVALID_PARTITIONS', `invalid partition count ${String(partitions)}: expected 1 to ${MAX_PARTITIONS}`);
    }
    const overrides = parseTopicOverrides(options.configs ?? {});
    if (this.topics.has(name) || this.creating.has(name)) {
      throw new TributaryError('TOPIC_ALREADY_EXISTS', `topic '${name}' already exists`);
    }
    this.creating.add(name);
    try {
      const meta: TopicMeta = { name, partitions, configs: { ...overrides }, createdAt: this.clock.now() };
      // Built in the trash directory (emptied at every open), then renamed in: a crash never leaves
      // a half-created topic, and no topic name can collide with a staging name.
      const staging = join(trashDir(this.opts.dataDir), `creating-${randomUUID()}`);
      await mkdir(staging, { recursive: true });
      for (let i = 0; i < partitions; i++) await mkdir(join(staging, String(i)), { recursive: true });
      await writeFileAtomic(join(staging, 'topic.json'), JSON.stringify(meta, null, 2) + '\n', this.flush === 'fsync');
      const dir = join(topicsDir(this.opts.dataDir), name);
      await rename(staging, dir);
      await fsyncDir(topicsDir(this.opts.dataDir), this.flush === 'fsync');
      await this.openTopic(dir, meta, false);
    } finally {
      this.creating.delete(name);
    }
  }

  async deleteTopic(name: string): Promise<void> {
    const t = this.topic(name);
    if (name === GROUP_OFFSETS_TOPIC) throw new TributaryError('INVALID_TOPIC', `topic '${name}' is internal and cannot be deleted`);
    this.topics.delete(name);
    await Promise.all(t.partitions.map((p) => p.close()));
    await rename(join(topicsDir(this.opts.dataDir), name), join(trashDir(this.opts.dataDir), randomUUID()));
    await fsyncDir(topicsDir(this.opts.dataDir), this.flush === 'fsync');
    await emptyTrash(this.opts.dataDir);
    await this.groups.forgetTopic(name);
  }

  async listTopics(): Promise<string[]> {
    this.check();
    return [...this.topics.keys()].sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const t = this.topic(name);
    return {
      name,
      configs: t.config,
      partitions: t.partitions.map((p, i) => ({
        partition: i,
        earliestOffset: p.earliestOffset(),
        latestOffset: p.latestOffset(),
        sizeBytes: p.sizeBytes(),
        segments: p.segments.length,
      })),
    };
  }

  append(topic: string, partition: number, records: readonly LogRecord[]): Promise<AppendResult> {
    try {
      return this.partition(topic, partition).append(records);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async read(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<ReadResult> {
    return this.partition(topic, partition).read(offset, options);
  }

  /** Stored batch bytes, for the broker's fetch path and `dump-log`. */
  async readRaw(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<RawRead> {
    return this.partition(topic, partition).readRaw(offset, options);
  }

  async earliestOffset(topic: string, partition: number): Promise<number> {
    return this.partition(topic, partition).earliestOffset();
  }

  async latestOffset(topic: string, partition: number): Promise<number> {
    return this.partition(topic, partition).latestOffset();
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null> {
    return this.partition(topic, partition).offsetForTimestamp(timestamp);
  }

  async commitOffsets(group: string, offsets: readonly CommittedOffset[]): Promise<void> {
    this.check();
    for (const o of offsets) {
      this.partition(o.topic, o.partition);
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new TributaryError('INVALID_ARGUMENT', `invalid offset ${String(o.offset)} for ${o.topic}-${o.partition}`);
      }
    }
    await this.groups.commit(group, offsets);
  }

  async fetchOffsets(group: string, partitions?: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    this.check();
    return this.groups.fetch(group, partitions);
  }

  async deleteOffsets(group: string, partitions?: readonly TopicPartition[]): Promise<void> {
    this.check();
    await this.groups.delete(group, partitions);
  }

  async listGroups(): Promise<string[]> {
    this.check();
    return this.groups.list();
  }

  /** Runs retention on every partition now. Returns how many segments were deleted. */
  async applyRetention(): Promise<number> {
    let n = 0;
    for (const t of [...this.topics.values()]) for (const p of t.partitions) n += await p.applyRetention();
    return n;
  }

  /** Compacts every partition of a compacted topic now, whatever its dirty ratio. */
  async compactTopic(name: string): Promise<CompactionResult[]> {
    const t = this.topic(name);
    if (!isCompacted(t.config)) {
      throw new TributaryError('INVALID_CONFIG', `topic '${name}' has cleanup.policy=${t.config['cleanup.policy']}: nothing to compact`);
    }
    const results: CompactionResult[] = [];
    for (let i = 0; i < t.partitions.length; i++) results.push(await this.compact(t, i));
    return results;
  }

  private async compact(t: Topic, i: number): Promise<CompactionResult> {
    const p = t.partitions[i]!;
    const before = p.segments.slice(0, -1);
    const result = await compactPartition(p, {
      now: this.clock.now(),
      runJob: this.opts.cleanerThread === false ? undefined : (job) => this.cleaner.run(job),
    });
    if (result.segmentsCleaned > 0) t.cleanedUpTo[i] = before[result.segmentsCleaned - 1]?.nextOffset ?? t.cleanedUpTo[i]!;
    return result;
  }

  /** The background cleaner: compacts partitions whose dirty share of closed bytes passed the ratio. */
  private async cleanDirty(): Promise<void> {
    const ratio = this.opts.minCleanableDirtyRatio ?? 0.5;
    for (const t of [...this.topics.values()]) {
      if (!isCompacted(t.config) || this.closed) continue;
      for (let i = 0; i < t.partitions.length; i++) {
        const closedSegs = t.partitions[i]!.segments.slice(0, -1);
        const total = closedSegs.reduce((n, s) => n + s.size, 0);
        const dirty = closedSegs.filter((s) => s.baseOffset >= t.cleanedUpTo[i]!).reduce((n, s) => n + s.size, 0);
        if (total > 0 && dirty / total >= ratio) await this.compact(t, i);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    await this.background.catch(() => {});
    const all = [...this.topics.values()].flatMap((t) => t.partitions);
    await Promise.all(all.map((p) => p.close()));
    this.closed = true;
    await this.cleaner.close();
    // A partition that failed to write may hold a torn tail: leave the next open to recover it.
    if (!all.some((p) => p.failed)) await writeCleanShutdownMarker(this.opts.dataDir);
    await this.unlock();
  }
}
