/**
 * One cleaning job: the CPU- and I/O-heavy part of compaction, over files only, so it can run in the
 * cleaner thread (cleaner-thread.ts) as well as inline. It reads sealed segments and writes their
 * cleaned copies as `<base>.log.cleaned` (+ indexes, synced); it never touches a live segment name.
 *   1. map key → last offset over the job's segments;
 *   2. copy consecutive segments into one output while their cleaned bytes fit in segment.bytes,
 *      keeping a record only when it is the newest for its key; a newest tombstone is kept while
 *      its timestamp is within delete.retention.ms (≥ `horizon`).
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
import { fsyncDir, writeFully } from './files.js';
import { Segment } from './segment.js';
import { CLEANED_SUFFIX, type SwapGroup } from './cleaner-swap.js';

const gzipAsync = promisify(gzip);

export interface CleanJob {
  readonly dir: string;
  /** Base offsets of sealed, consecutive segments, oldest first. */
  readonly segments: readonly number[];
  /** One past the last offset of each of those segments (an output's offsets must fit its u32 index). */
  readonly nextOffsets: readonly number[];
  readonly segmentBytes: number;
  /** Tombstones with a timestamp below this are dropped when they are the newest of their key. */
  readonly horizon: number;
  /** Stop adding segments once the key map holds this many keys. */
  readonly maxKeys: number;
  /** Whether the cleaned copies are fsync'ed (flush mode `fsync`). */
  readonly sync: boolean;
}

export interface CleanOutcome {
  /** New segments (as `.cleaned` files) and the old ones each replaces. */
  readonly groups: SwapGroup[];
  readonly segmentsCleaned: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly recordsRemoved: number;
}

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

export async function runCleanJob(job: CleanJob): Promise<CleanOutcome> {
  const inputs: Segment[] = [];
  const written: Segment[] = [];
  try {
    for (const base of job.segments) inputs.push(await Segment.open(job.dir, base));
    // 1. Key map. Keys of a segment past the limit still count: their newer records stay in the log.
    const latest = new Map<string, number>();
    let usable = 0;
    for (const seg of inputs) {
      await forEachRecord(seg, (r, offset) => {
        if (r.key !== null) latest.set(r.key.toString('latin1'), offset);
      });
      usable++;
      if (latest.size >= job.maxKeys) break;
    }
    const keep = (r: RawRecord, offset: number, timestamp: number): boolean => {
      if (r.key === null) return false;
      if (latest.get(r.key.toString('latin1')) !== offset) return false;
      return r.value !== null || timestamp >= job.horizon;
    };

    // 2. Copy, merging cleaned-out segments so they do not linger.
    const replaced: number[][] = [];
    let bytesBefore = 0;
    let removed = 0;
    let out: Segment | null = null;
    for (const [i, seg] of inputs.slice(0, usable).entries()) {
      if (out !== null && (out.size + seg.size > job.segmentBytes || !out.fitsOffset(job.nextOffsets[i]! - 1))) {
        await out.seal(job.sync);
        out = null;
      }
      if (out === null) {
        out = await Segment.create(job.dir, seg.baseOffset, CLEANED_SUFFIX);
        written.push(out);
        replaced.push([]);
      }
      replaced[replaced.length - 1]!.push(seg.baseOffset);
      bytesBefore += seg.size;
      removed += await copyKept(seg, out, keep);
    }
    await out?.seal(job.sync);
    await fsyncDir(job.dir, job.sync);
    return {
      groups: written.map((s, i) => ({ base: s.baseOffset, replaces: replaced[i]! })),
      segmentsCleaned: usable,
      bytesBefore,
      bytesAfter: written.reduce((n, s) => n + s.size, 0),
      recordsRemoved: removed,
    };
  } finally {
    for (const s of [...inputs, ...written]) s.retire();
  }
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
      await writeFully(out.fd, bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs, total), out.size - total);
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
