/**
 * Log compaction (`cleanup.policy=compact`): keep the newest record per key.
 *
 * Only sealed closed segments are cleaned (never the active one, so appends never wait on the
 * cleaner), and only those whose newest record is older than `min.compaction.lag.ms`. The copy runs
 * as a job (cleaner-job.ts), by default on the cleaner thread; then the cleaned segments are swapped
 * in crash-safely (cleaner-swap.ts) under the partition's maintenance lock.
 * Offsets and their order never change. A batch keeps its base offset and the offset deltas of the
 * records it keeps; its lastOffsetDelta shrinks to its last kept record; empty batches are dropped
 * (kafkajs stalls on them, see reference/kafka-protocol-log.md §1.3).
 */
import type { Partition } from './partition.js';
import { Segment } from './segment.js';
import { commitSwap } from './cleaner-swap.js';
import { runCleanJob, type CleanJob, type CleanOutcome } from './cleaner-job.js';
import { isCompacted } from './topic-config.js';

export interface CompactionOptions {
  readonly now: number;
  /** Stop adding segments to one pass once the key map holds this many keys. */
  readonly maxKeys?: number;
  /** Runs the cleaning job (the cleaner thread); inline when absent. */
  readonly runJob?: (job: CleanJob) => Promise<CleanOutcome>;
  /** Test hook: called after the cleaned copies are written and before the swap begins. */
  readonly beforeSwap?: () => Promise<void>;
}

export interface CompactionResult {
  readonly segmentsCleaned: number;
  readonly segmentsWritten: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly recordsRemoved: number;
}

const NOTHING: CompactionResult = { segmentsCleaned: 0, segmentsWritten: 0, bytesBefore: 0, bytesAfter: 0, recordsRemoved: 0 };

/** Compacts the sealed closed segments of a partition. Runs under the partition's maintenance lock. */
export function compactPartition(p: Partition, opts: CompactionOptions): Promise<CompactionResult> {
  return p.withMaintenance(async () => {
    const cfg = p.opts.config();
    if (!isCompacted(cfg)) return NOTHING;
    const lagCutoff = opts.now - cfg['min.compaction.lag.ms'];
    const cleanable: Segment[] = [];
    for (const seg of p.segments.slice(0, -1)) {
      // A segment rolled after this pass was queued may still be receiving its last writes.
      if (!seg.sealed || seg.maxTimestamp > lagCutoff) break;
      cleanable.push(seg);
    }
    if (cleanable.length === 0) return NOTHING;
    const job: CleanJob = {
      dir: p.dir,
      segments: cleanable.map((s) => s.baseOffset),
      nextOffsets: cleanable.map((s) => s.nextOffset),
      segmentBytes: cfg['segment.bytes'],
      horizon: opts.now - cfg['delete.retention.ms'],
      maxKeys: opts.maxKeys ?? 4_000_000,
      sync: p.sync,
    };
    const outcome = await (opts.runJob ?? runCleanJob)(job);
    await opts.beforeSwap?.();
    await commitSwap(p.dir, outcome.groups, p.sync);
    // Readers move to the new segments; the old files close when their last read ends.
    for (const g of outcome.groups) {
      const fresh = await Segment.open(p.dir, g.base);
      await fresh.loadIndexes();
      fresh.sealed = true;
      p.replaceSegments(
        cleanable.filter((s) => g.replaces.includes(s.baseOffset)),
        [fresh],
      );
    }
    return {
      segmentsCleaned: outcome.segmentsCleaned,
      segmentsWritten: outcome.groups.length,
      bytesBefore: outcome.bytesBefore,
      bytesAfter: outcome.bytesAfter,
      recordsRemoved: outcome.recordsRemoved,
    };
  });
}
