/**
 * Opening a partition directory: finish or discard an interrupted compaction swap, drop index files
 * whose segment is gone, then bring every segment back. Segments wholly before the recovery point
 * (or all of them after a clean shutdown) are trusted and only their indexes are checked; the rest
 * are validated batch by batch and the partition is truncated at the first invalid byte, removing
 * every later segment. The last segment is the active one; the others are sealed.
 */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, readIfExists, writeFileAtomic } from './files.js';
import { recoverCleanerSwap } from './cleaner-swap.js';
import { Segment, segmentPaths } from './segment.js';

const RECOVERY_POINT = 'recovery-point';
const noop = (): void => {};

export interface RecoveryOptions {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly cleanShutdown: boolean;
  /** Whether metadata writes are fsync'ed (flush mode `fsync`). */
  readonly sync: boolean;
  readonly onRecovery?: (message: string) => void;
}

/** Records that every segment below `offset`'s segment is valid, synced and indexed. */
export async function writeRecoveryPoint(dir: string, offset: number, sync: boolean): Promise<void> {
  await writeFileAtomic(join(dir, RECOVERY_POINT), `${offset}\n`, sync);
}

export async function loadSegments(opts: RecoveryOptions): Promise<Segment[]> {
  const { dir } = opts;
  const where = `${opts.topic}-${opts.partition}`;
  await recoverCleanerSwap(dir, opts.onRecovery);
  const names = await readdir(dir);
  const bases = names
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
  // Index files whose segment is gone (a deletion interrupted by a crash).
  for (const n of names) {
    const m = /^(\d{20})\.(index|timeindex)$/.exec(n);
    if (m && !bases.includes(Number(m[1]))) await unlink(join(dir, n)).catch(noop);
  }
  const rp = await readIfExists(join(dir, RECOVERY_POINT));
  const recoveryPoint = rp === null ? 0 : Number(rp.toString('utf8').trim()) || 0;
  const segments: Segment[] = [];
  const trustedOnDisk = new Set<Segment>();
  let expect = 0;
  for (let i = 0; i < bases.length; i++) {
    const seg = await Segment.open(dir, bases[i]!);
    const nextBase = bases[i + 1];
    const trusted = opts.cleanShutdown || (nextBase !== undefined && nextBase <= recoveryPoint);
    let reason: string | null;
    if (trusted) {
      const ok = await seg.loadIndexes();
      if (ok) trustedOnDisk.add(seg);
      reason = ok ? null : 'invalid data in a segment before the recovery point';
    } else {
      reason = await seg.recover(expect);
    }
    segments.push(seg);
    expect = seg.nextOffset;
    if (reason !== null) {
      // Everything after the first invalid byte goes: later segments cannot follow a hole.
      opts.onRecovery?.(`${where}: truncated segment ${bases[i]} at byte ${seg.size} (${reason})`);
      for (const later of bases.slice(i + 1)) {
        const paths = segmentPaths(dir, later);
        await Promise.all([unlink(paths.log), unlink(paths.index).catch(noop), unlink(paths.timeindex).catch(noop)]);
        opts.onRecovery?.(`${where}: removed segment ${later} after a truncation`);
      }
      break;
    }
  }
  if (segments.length === 0) {
    segments.push(await Segment.create(dir, 0));
    await fsyncDir(dir, opts.sync);
  }
  // Closed segments are complete now; write the indexes recovery rebuilt so the next open can trust them.
  for (const seg of segments.slice(0, -1)) {
    if (trustedOnDisk.has(seg)) seg.sealed = true;
    else await seg.seal(opts.sync);
  }
  return segments;
}
