/**
 * Log compaction (`cleanup.policy=compact`): keep the newest record per key.
 *
 * Only closed segments are cleaned (never the active one, so appends never wait on the cleaner),
 * and only those whose newest record is older than `min.compaction.lag.ms`. One pass:
 *   1. map key → last offset over the cleanable segments;
 *   2. copy each group of consecutive segments (≤ segment.bytes together) into one `.cleaned`
 *      segment, keeping a record only when it is the newest for its key; a tombstone that is the
 *      newest is kept until its timestamp is older than `delete.retention.ms`;
 *   3. swap the cleaned segments in crash-safely (cleaner-swap.ts).
 * Offsets and their order never change. A batch keeps its base offset and the offset deltas of the
 * records it keeps; its lastOffsetDelta shrinks to its last kept record; empty batches are dropped
 * (kafkajs stalls on them, see reference/kafka-protocol-log.md §1.3).
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  CODEC_GZIP,
  CODEC_MASK,
  HEADER_SIZE,
  finishBatch,
  parseRecords,
  readBatchHeader,
  recordsRegion,
  type RawRecord,
} from '../codec/record-batch.js';
import { fsyncDir } from './files.js';
import type { Partition } from './partition.js';
import { Segment } from './segment.js';
import { CLEANED_SUFFIX, commitSwap, type SwapGroup } from './cleaner-swap.js';
import { isCompacted } from './topic-config.js';

const gzipAsync = promisify(gzip);

export interface CompactionOptions {
  readonly now: number;
  /** Stop adding segments to one pass once the key map holds this many keys. */
  readonly maxKeys?: number;
  /** Test hook: called between the steps of the swap, to crash there. */
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

function forEachRecord(seg: Segment, fn: (r: RawRecord, offset: number, timestamp: number, h: ReturnType<typeof readBatchHeader>) => void): Promise<number> {
  return seg.scan(0, seg.visibleSize, (b) => {
    const h = readBatchHeader(b.buf, b.bufPos);
    if ((h.attributes & ATTR_CONTROL) !== 0) return true;
    const region = recordsRegion(b.buf, b.bufPos, b.size, h.attributes);
    for (const r of parseRecords(region, h.recordsCount)) {
      const ts = (h.attributes & ATTR_LOG_APPEND_TIME) !== 0 ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta;
      fn(r, h.baseOffset + r.offsetDelta, ts, h);
    }
    return true;
  });
}

/** Compacts the closed segments of a partition. Runs under the partition's maintenance lock. */
export function compactPartition(p: Partition, opts: CompactionOptions): Promise<CompactionResult> {
  return p.withMaintenance(async () => {
    const cfg = p.opts.config();
    if (!isCompacted(cfg)) return NOTHING;
    const lagCutoff = opts.now - cfg['min.compaction.lag.ms'];
    const cleanable: Segment[] = [];
    for (const seg of p.segments.slice(0, -1)) {
      if (seg.maxTimestamp > lagCutoff) break;
      cleanable.push(seg);
    }
    if (cleanable.length === 0) return NOTHING;

    // 1. Key map. Keys of a segment past the limit still count: their newer records stay in the log.
    const latest = new Map<string, number>();
    const maxKeys = opts.maxKeys ?? 4_000_000;
    let usable = 0;
    for (const seg of cleanable) {
      await forEachRecord(seg, (r, offset) => {
        if (r.key !== null) latest.set(r.key.toString('latin1'), offset);
      });
      usable++;
      if (latest.size >= maxKeys) break;
    }
    const toClean = cleanable.slice(0, usable);
    const horizon = opts.now - cfg['delete.retention.ms'];
    const keep = (r: RawRecord, offset: number, timestamp: number): boolean => {
      if (r.key === null) return false;
      if (latest.get(r.key.toString('latin1')) !== offset) return false;
      return r.value !== null || timestamp >= horizon;
    };

    // 2. Copy. Consecutive segments merge into one output while their cleaned bytes fit in
    // segment.bytes (and offsets in its u32 index), so cleaned-out segments do not linger.
    const groups: Segment[][] = [];
    let bytesBefore = 0;
    let bytesAfter = 0;
    let removed = 0;
    const swap: SwapGroup[] = [];
    const written: Segment[] = [];
    try {
      let out: Segment | null = null;
      for (const seg of toClean) {
        if (out !== null && (out.size + seg.size > cfg['segment.bytes'] || !out.fitsOffset(seg.nextOffset))) {
          await out.seal();
          out = null;
        }
        if (out === null) {
          out = await Segment.create(p.dir, seg.baseOffset, CLEANED_SUFFIX);
          written.push(out);
          groups.push([]);
        }
        groups[groups.length - 1]!.push(seg);
        bytesBefore += seg.size;
        removed += await copyKept(seg, out, keep);
      }
      await out?.seal();
      for (let i = 0; i < written.length; i++) {
        bytesAfter += written[i]!.size;
        swap.push({ base: written[i]!.baseOffset, replaces: groups[i]!.map((s) => s.baseOffset) });
      }
      await fsyncDir(p.dir);
      await opts.beforeSwap?.();
      // 3. Swap, then let readers move to the new segments.
      await commitSwap(p.dir, swap);
    } finally {
      for (const s of written) s.retire();
    }
    for (let i = 0; i < groups.length; i++) {
      const fresh = await Segment.open(p.dir, swap[i]!.base);
      await fresh.loadIndexes();
      p.replaceSegments(groups[i]!, [fresh]);
    }
    return {
      segmentsCleaned: toClean.length,
      segmentsWritten: groups.length,
      bytesBefore,
      bytesAfter,
      recordsRemoved: removed,
    };
  });
}

/** Copies the kept records of `seg` into `out`; returns how many records were dropped. */
async function copyKept(
  seg: Segment,
  out: Segment,
  keep: (r: RawRecord, offset: number, timestamp: number) => boolean,
): Promise<number> {
  let dropped = 0;
  let pending: Promise<Buffer>[] = [];
  const flush = async (): Promise<void> => {
    const bufs = await Promise.all(pending);
    pending = [];
    for (const b of bufs) {
      const h = readBatchHeader(b, 0);
      const at = out.size;
      out.noteBatch(at, b.length, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp);
    }
    if (bufs.length > 0) {
      const total = bufs.reduce((n, b) => n + b.length, 0);
      await out.fd.writev(bufs, out.size - total);
    }
  };
  await seg.scan(
    0,
    seg.visibleSize,
    (b) => {
      const h = readBatchHeader(b.buf, b.bufPos);
      const whole = b.buf.subarray(b.bufPos, b.bufPos + b.size);
      if ((h.attributes & ATTR_CONTROL) !== 0) {
        pending.push(Promise.resolve(whole));
        return true;
      }
      const region = recordsRegion(b.buf, b.bufPos, b.size, h.attributes);
      const records = parseRecords(region, h.recordsCount);
      const logAppendTime = (h.attributes & ATTR_LOG_APPEND_TIME) !== 0;
      const kept = records.filter((r) =>
        keep(r, h.baseOffset + r.offsetDelta, logAppendTime ? h.maxTimestamp : h.baseTimestamp + r.timestampDelta),
      );
      dropped += records.length - kept.length;
      if (kept.length === records.length) pending.push(Promise.resolve(whole));
      else if (kept.length > 0) pending.push(rebuildBatch(h, region, kept));
      return true;
    },
    flush,
  );
  await flush();
  return dropped;
}

async function rebuildBatch(h: ReturnType<typeof readBatchHeader>, region: Buffer, kept: RawRecord[]): Promise<Buffer> {
  let records = Buffer.concat(kept.map((r) => region.subarray(r.start, r.end)));
  const codec = h.attributes & CODEC_MASK;
  if (codec === CODEC_GZIP) records = await gzipAsync(records);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + records.length);
  records.copy(buf, HEADER_SIZE);
  let maxTimestamp = h.maxTimestamp;
  if ((h.attributes & ATTR_LOG_APPEND_TIME) === 0) {
    maxTimestamp = -1;
    for (const r of kept) maxTimestamp = Math.max(maxTimestamp, h.baseTimestamp + r.timestampDelta);
  }
  finishBatch(buf, 0, {
    baseOffset: h.baseOffset,
    attributes: h.attributes,
    lastOffsetDelta: kept[kept.length - 1]!.offsetDelta,
    baseTimestamp: h.baseTimestamp,
    maxTimestamp,
    recordsCount: kept.length,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
  });
  return buf;
}
