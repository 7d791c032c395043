/**
 * The S3 sink task: one `PartitionWriter` per assigned topic partition, one memory budget for all
 * of them, and offsets that move only past complete objects.
 *
 * - `open`: reads each partition's cut journal and aborts the multipart uploads a crashed run left
 *   behind for it. When the store fails retriably there, this is done again before the next `put`
 *   or `preCommit` (an error from `open` would fail the task).
 * - `put`: appends each record synchronously, checks the memory budget every `BUDGET_CHECK_EVERY`
 *   records, then does the uploads that became due. A failed upload throws `RetriableError`; the
 *   runtime redelivers the same batch, whose records the writers have already taken and skip.
 *   Over the budget, `relieve` sends parts, then cuts the partitions holding the most, then spills
 *   the open files of partitions in their replay region (which must not be cut) to local disk.
 * - `preCommit`: makes the timed cuts that are due (idle partitions, the schedule), completes them,
 *   and returns per partition the first offset not yet in a complete object. A timer asks the
 *   runtime for a commit when the next timed cut falls due, or after `retry.backoff.ms` when a
 *   cut's upload failed.
 * - `close`/`stop`: abandons files not complete (they are rewritten from the committed offset) and
 *   deletes their spill files; `stop` removes the task's spill directory.
 */
import { tmpdir } from 'node:os';
import { ConnectError, isRetriable, type SinkRecord, type SinkTask, type SinkTaskContext, type TopicPartitionOffset, type TopicPartitionRef } from '../../src/sdk/index.js';
import { CutJournal } from './cut-journal.js';
import { S3_CONNECTOR_VERSION } from './version.js';
import { PartitionWriter, RefusedRecordError, settleAll } from './partition-writer.js';
import type { SinkPlan } from './sink-plan.js';
import { LocalSpillFiles, type SpillFiles } from './spill-files.js';

/** How many records `put` appends between two looks at the memory budget. */
const BUDGET_CHECK_EVERY = 512;
/** Partitions uploaded at once. */
const IO_CONCURRENCY = 8;

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface S3SinkTaskOptions {
  /** Builds the task's plan (settings, store, formats) from its config. */
  plan(props: Readonly<Record<string, string>>, context: SinkTaskContext): SinkPlan | Promise<SinkPlan>;
  /** The task's spill files in `dir` (`s3.spill.dir`); default `LocalSpillFiles` (tests wrap it). */
  spillFiles?(dir: string): SpillFiles & { close(): Promise<void> };
}

export class S3SinkTask implements SinkTask {
  private plan!: SinkPlan;
  private context!: SinkTaskContext;
  private readonly writers = new Map<string, { tp: TopicPartitionRef; writer: PartitionWriter; journal: CutJournal }>();
  /** The offsets the previous preCommit returned: committed by the runtime before it calls again. */
  private committed = new Map<string, number>();
  private wake: NodeJS.Timeout | undefined;
  /** Partitions opened whose journal is not loaded yet. */
  private readonly unopened = new Set<string>();
  private spill: (SpillFiles & { close(): Promise<void> }) | undefined;

  constructor(private readonly options: S3SinkTaskOptions) {}

  version(): string {
    return S3_CONNECTOR_VERSION;
  }

  async start(props: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    this.plan = await this.options.plan(props, context);
    const dir = this.plan.spillDir ?? tmpdir();
    this.spill = this.options.spillFiles?.(dir) ?? new LocalSpillFiles(dir);
    for (const warning of this.plan.warnings) context.logger.warn(warning);
  }

  /**
   * Creates the partitions' writers, loads their cut journals and aborts their abandoned uploads.
   * A retriable store failure here does not fail the task: the same work is done again before the
   * next `put` or `preCommit`, where a failure is retried.
   */
  async open(partitions: readonly TopicPartitionRef[]): Promise<void> {
    for (const tp of partitions) {
      const k = tpKey(tp.topic, tp.partition);
      if (this.writers.has(k)) continue;
      const journal = new CutJournal(this.plan.store, this.plan.journalKey(tp.topic, tp.partition));
      const writer = new PartitionWriter({ ...this.plan.partitionDeps, store: this.plan.store, journal, spill: this.spill });
      this.writers.set(k, { tp, writer, journal });
      this.unopened.add(k);
    }
    try {
      await this.ensureOpened();
    } catch (err) {
      if (!isRetriable(err)) throw err;
      this.context.logger.warn(`opening partitions: ${(err as Error).message}; tried again before the next write`);
    }
  }

  /** Loads the journals of newly opened partitions and aborts their abandoned uploads. */
  private async ensureOpened(): Promise<void> {
    if (this.unopened.size === 0) return;
    const keys = new Set(this.unopened);
    await inBatches([...keys].map((k) => this.writers.get(k)).filter((w) => w !== undefined), IO_CONCURRENCY, (w) => w.journal.load());
    await this.abortAbandoned(keys);
    for (const k of keys) this.unopened.delete(k);
  }

  /** Aborts multipart uploads of these partitions that no running writer owns (a crash left them). */
  private async abortAbandoned(partitions: ReadonlySet<string>): Promise<void> {
    if (partitions.size === 0) return;
    const uploads = await this.plan.store.listUploads(this.plan.uploadPrefix);
    if (uploads === null) {
      this.context.logger.warn(
        `the store cannot list multipart uploads; uploads abandoned by a crash under ${this.plan.uploadPrefix} are left to the bucket's lifecycle rule (AbortIncompleteMultipartUpload)`,
      );
      return;
    }
    const mine = uploads.filter((u) => {
      const at = this.plan.partitionOfKey(u.key);
      return at !== null && partitions.has(tpKey(at.topic, at.partition));
    });
    await inBatches(mine, IO_CONCURRENCY, (u) => this.plan.store.abortUpload(u.key, u.uploadId));
    if (mine.length > 0) this.context.logger.info(`aborted ${mine.length} multipart upload(s) left behind by an earlier run`);
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    await this.ensureOpened();
    const budget = this.plan.memoryBudget;
    let w: PartitionWriter | undefined;
    let wTopic = '';
    let wPartition = -1;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      // Records come in runs of one partition: look the writer up once per run.
      if (r.originalKafkaPartition !== wPartition || r.originalTopic !== wTopic) {
        wTopic = r.originalTopic;
        wPartition = r.originalKafkaPartition;
        w = this.writers.get(tpKey(wTopic, wPartition))?.writer;
        if (w === undefined) throw new ConnectError(`a record of ${wTopic}-${wPartition}, which is not assigned to this task`);
      }
      try {
        w!.accept(r);
      } catch (err) {
        // Throws when the connector does not tolerate errors (errors.tolerance=none).
        if (!(err instanceof RefusedRecordError)) throw err;
        void this.context.errantRecordReporter.report(r, err).catch(() => {});
      }
      if (i % BUDGET_CHECK_EVERY === BUDGET_CHECK_EVERY - 1 && this.heldBytes() > budget) await this.relieve();
    }
    await this.io();
    if (this.heldBytes() > budget) await this.relieve();
    this.armWake();
  }

  private heldBytes(): number {
    let n = 0;
    for (const { writer } of this.writers.values()) n += writer.heldBytes();
    return n;
  }

  /**
   * Brings memory under the budget: first by sending parts of the largest open files (no cut), then
   * by cutting the partitions holding the most (journaled cuts), largest first, then — partitions
   * in their replay region cannot be cut — by spilling their largest open files to local disk.
   */
  private async relieve(): Promise<void> {
    const budget = this.plan.memoryBudget;
    let held = this.heldBytes();
    const byHeld = (): PartitionWriter[] => [...this.writers.values()].map((x) => x.writer).sort((a, b) => b.heldBytes() - a.heldBytes());
    for (const w of byHeld()) {
      if (held <= budget) return;
      held -= await w.sendParts(held - budget);
    }
    for (const w of byHeld()) {
      if (held <= budget) return;
      if (w.replaying()) continue;
      const before = w.heldBytes();
      w.forceCut();
      await w.io();
      held -= before - w.heldBytes();
    }
    for (const w of byHeld()) {
      if (held <= budget) return;
      if (w.replaying()) held -= await w.spill(held - budget);
    }
  }

  private async io(): Promise<void> {
    await inBatches([...this.writers.values()], IO_CONCURRENCY, (x) => x.writer.io());
  }

  async preCommit(offsets: readonly TopicPartitionOffset[]): Promise<readonly TopicPartitionOffset[]> {
    try {
      await this.ensureOpened();
      return await this.cutAndCommit(offsets);
    } finally {
      this.armWake();
    }
  }

  private async cutAndCommit(offsets: readonly TopicPartitionOffset[]): Promise<readonly TopicPartitionOffset[]> {
    const now = this.plan.now();
    for (const { writer } of this.writers.values()) if (writer.timedCutDue(now)) writer.forceCut();
    // The offsets returned last time are committed by now: journal entries below them are dead.
    for (const [k, { journal }] of this.writers) {
      const c = this.committed.get(k);
      if (c !== undefined) journal.prune(c);
    }
    await this.io();
    const out: TopicPartitionOffset[] = [];
    for (const o of offsets) {
      const x = this.writers.get(tpKey(o.topic, o.partition));
      const at = x?.writer.commitOffset() ?? null;
      const offset = at === null ? o.offset : Math.min(at, o.offset);
      out.push({ topic: o.topic, partition: o.partition, offset });
      this.committed.set(tpKey(o.topic, o.partition), offset);
    }
    return out;
  }

  /** Asks the runtime for a commit when the next timed cut falls due, so an idle partition is flushed on time. */
  private armWake(): void {
    clearTimeout(this.wake);
    let next = Infinity;
    for (const { writer } of this.writers.values()) {
      next = Math.min(next, writer.nextTimedCut() ?? Infinity);
      // A cut whose upload failed outside put is tried again after the backoff, not at the next flush interval.
      if (writer.hasPendingIo()) next = Math.min(next, this.plan.now() + this.plan.redeliveryBackoffMs);
    }
    if (!Number.isFinite(next)) return;
    this.wake = setTimeout(() => this.context.requestCommit(), Math.max(0, next - this.plan.now()));
    this.wake.unref();
  }

  async close(partitions: readonly TopicPartitionRef[]): Promise<void> {
    const gone = partitions.map((tp) => tpKey(tp.topic, tp.partition)).filter((k) => this.writers.has(k));
    const writers = gone.map((k) => this.writers.get(k)!.writer);
    for (const k of gone) {
      this.writers.delete(k);
      this.committed.delete(k);
      this.unopened.delete(k);
    }
    await settleAll(writers.map((w) => w.abort()));
  }

  async stop(): Promise<void> {
    clearTimeout(this.wake);
    try {
      await this.close([...this.writers.values()].map((x) => x.tp));
    } finally {
      this.plan?.close();
      await this.spill?.close().catch((err: unknown) => this.context.logger.warn(`removing the spill directory: ${(err as Error).message}`));
    }
  }
}

/** Runs `fn` over `items`, at most `n` at a time; waits for all, then throws the first failure. */
async function inBatches<T>(items: readonly T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await settleAll(items.slice(i, i + n).map(fn));
}
