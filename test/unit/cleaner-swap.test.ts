/**
 * Crash safety of the compaction swap: a crash at any point leaves a directory that opens to exactly
 * the records before compaction or exactly those after it.
 */
import { describe, expect, it } from 'vitest';
import { readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js';
import type { StoredRecord } from '../../src/log/log.js';
import { compactPartition } from '../../src/log/embedded/cleaner.js';
import { runCleanJob } from '../../src/log/embedded/cleaner-job.js';
import { CLEANED_SUFFIX, SWAP_MANIFEST, commitSwap, recoverCleanerSwap, type SwapGroup } from '../../src/log/embedded/cleaner-swap.js';
import { segmentPaths } from '../../src/log/embedded/segment.js';
import { buf, partitionDir, readAll, useLogHarness, view } from '../support/log.js';
import { copyCrashImage } from '../support/temp-dir.js';

const h = useLogHarness();
const T0 = 1_700_000_000_000;
const SEGMENT_BYTES = 1024;
const DELETE_RETENTION_MS = 5_000;

/**
 * A compacted topic with duplicates, tombstones (some old enough to be dropped) and several closed
 * segments, closed cleanly. Returns its directory and everything it reads.
 */
async function build(): Promise<{ dataDir: string; clock: ManualClock; pre: StoredRecord[] }> {
  const clock = new ManualClock(T0);
  const dataDir = join(await h.tempDir(), 'd');
  const log = await h.open(dataDir, { clock });
  await log.createTopic('c', { configs: { 'cleanup.policy': 'compact', 'segment.bytes': SEGMENT_BYTES, 'delete.retention.ms': DELETE_RETENTION_MS } });
  for (let i = 0; i < 90; i++) {
    if (i === 60) clock.advance(DELETE_RETENTION_MS + 1_000); // tombstones before this are old at the end
    const key = `k${i % 9}`;
    const tombstone = i % 13 === 5;
    await log.append('c', 0, [{ key: buf(key), value: tombstone ? null : Buffer.from(`v${i}`.padEnd(70, '.')) }]);
  }
  expect(log.partition('c', 0).segments.length).toBeGreaterThan(6);
  const pre = await readAll(log, 'c');
  await log.close();
  return { dataDir, clock, pre };
}

async function open(dataDir: string, clock: ManualClock, crash: boolean): Promise<EmbeddedLog> {
  if (crash) await rm(join(dataDir, '.clean-shutdown'), { force: true });
  return h.open(dataDir, { clock, cleanerThread: false });
}

/** The records one pass must leave: newest per key in the closed segments, old tombstones dropped. */
function expectedPost(pre: readonly StoredRecord[], activeBase: number, horizon: number): StoredRecord[] {
  const latest = new Map<string, number>();
  for (const r of pre) if (r.offset < activeBase) latest.set(r.key!.toString('latin1'), r.offset);
  return pre.filter((r) => r.offset >= activeBase || (latest.get(r.key!.toString('latin1')) === r.offset && (r.value !== null || r.timestamp >= horizon)));
}

async function logBases(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

type Step = { what: string; run: (dir: string) => Promise<void> };

/** The file operations of commitSwap, in its order, one step each. */
function swapSteps(groups: readonly SwapGroup[]): Step[] {
  const steps: Step[] = [
    { what: 'write manifest', run: (dir) => writeFile(join(dir, SWAP_MANIFEST), JSON.stringify({ groups })) },
  ];
  for (const g of groups) {
    const from = (dir: string): ReturnType<typeof segmentPaths> => segmentPaths(dir, g.base, CLEANED_SUFFIX);
    const to = (dir: string): ReturnType<typeof segmentPaths> => segmentPaths(dir, g.base);
    steps.push({ what: `rename ${g.base}.log`, run: (dir) => rename(from(dir).log, to(dir).log) });
    steps.push({ what: `rename ${g.base}.index`, run: (dir) => rename(from(dir).index, to(dir).index) });
    steps.push({ what: `rename ${g.base}.timeindex`, run: (dir) => rename(from(dir).timeindex, to(dir).timeindex) });
    for (const old of g.replaces) {
      if (old === g.base) continue;
      steps.push({ what: `unlink ${old}.log`, run: (dir) => unlink(segmentPaths(dir, old).log) });
      steps.push({ what: `unlink ${old}.index`, run: (dir) => unlink(segmentPaths(dir, old).index) });
      steps.push({ what: `unlink ${old}.timeindex`, run: (dir) => unlink(segmentPaths(dir, old).timeindex) });
    }
  }
  steps.push({ what: 'remove manifest', run: (dir) => unlink(join(dir, SWAP_MANIFEST)) });
  return steps;
}

describe('cleaner swap: a crash at every step of the swap', () => {
  it('opens to exactly the pre- or the post-compaction records, never anything else', async () => {
    const { dataDir, clock, pre } = await build();
    const root = join(dataDir, '..');
    const horizon = clock.now() - DELETE_RETENTION_MS;
    const bases = await logBases(partitionDir(dataDir, 'c'));
    const closed = bases.slice(0, -1);
    const activeBase = bases[bases.length - 1]!;
    const post = expectedPost(pre, activeBase, horizon);
    expect(post.length).toBeLessThan(pre.length);
    expect(post.some((r) => r.value === null)).toBe(true); // a young tombstone stays...
    expect(pre.filter((r) => r.value === null && r.timestamp < horizon).length).toBeGreaterThan(0); // ...old ones go

    // The cleaned copies, written beside the live segments of a copy: the state right before the swap.
    const staged = join(root, 'staged');
    await copyCrashImage(dataDir, staged);
    const outcome = await runCleanJob({ dir: partitionDir(staged, 'c'), segments: closed, nextOffsets: bases.slice(1), segmentBytes: SEGMENT_BYTES, horizon, maxKeys: 1_000_000, sync: false });
    expect(outcome.groups.length).toBeGreaterThan(1);
    expect(outcome.groups.some((g) => g.replaces.length > 1)).toBe(true); // merged groups: unlinks happen
    expect(outcome.groups.flatMap((g) => g.replaces)).toEqual(closed);

    const steps = swapSteps(outcome.groups);
    for (let k = 0; k <= steps.length; k++) {
      for (const crash of [true, false]) {
        const image = join(root, `image-${k}-${crash ? 'crash' : 'clean'}`);
        await copyCrashImage(staged, image);
        for (const step of steps.slice(0, k)) await step.run(partitionDir(image, 'c'));
        const log = await open(image, clock, crash);
        const got = await readAll(log, 'c');
        const expected = k === 0 ? pre : post;
        const label = `crash after ${k === 0 ? 'writing the cleaned copies' : steps[k - 1]!.what} (${crash ? 'no clean-shutdown marker' : 'marker present'})`;
        expect(got.map(view), label).toEqual(expected.map(view));
        expect(got, label).toEqual(expected);
        // Recovery left no scratch files and no manifest, and the log keeps working.
        const left = await readdir(partitionDir(image, 'c'));
        expect(left.filter((n) => n.endsWith(CLEANED_SUFFIX) || n === SWAP_MANIFEST || n.endsWith('.tmp')), label).toEqual([]);
        expect(await log.append('c', 0, [{ key: buf('after'), value: buf('x') }]), label).toEqual({ baseOffset: 90, lastOffset: 90 });
        await log.close();
        await rm(image, { recursive: true, force: true });
      }
    }

    // The real pipeline gives the same result as the simulated one.
    const real = await h.open(dataDir, { clock, cleanerThread: false });
    await real.compactTopic('c');
    expect(await readAll(real, 'c')).toEqual(post);
  });

  it('commitSwap itself, then reopen, gives the post-compaction records', async () => {
    const { dataDir, clock, pre } = await build();
    const horizon = clock.now() - DELETE_RETENTION_MS;
    const pdir = partitionDir(dataDir, 'c');
    const bases = await logBases(pdir);
    const outcome = await runCleanJob({ dir: pdir, segments: bases.slice(0, -1), nextOffsets: bases.slice(1), segmentBytes: SEGMENT_BYTES, horizon, maxKeys: 1_000_000, sync: false });
    await commitSwap(pdir, outcome.groups);
    expect((await readdir(pdir)).filter((n) => n.endsWith(CLEANED_SUFFIX) || n === SWAP_MANIFEST)).toEqual([]);
    expect(await logBases(pdir)).toEqual([...outcome.groups.map((g) => g.base), bases[bases.length - 1]]);
    const log = await open(dataDir, clock, false);
    expect(await readAll(log, 'c')).toEqual(expectedPost(pre, bases[bases.length - 1]!, horizon));
  });

  it('recoverCleanerSwap is idempotent: running it twice after an interrupted swap changes nothing more', async () => {
    const { dataDir, clock, pre } = await build();
    const horizon = clock.now() - DELETE_RETENTION_MS;
    const pdir = partitionDir(dataDir, 'c');
    const bases = await logBases(pdir);
    const outcome = await runCleanJob({ dir: pdir, segments: bases.slice(0, -1), nextOffsets: bases.slice(1), segmentBytes: SEGMENT_BYTES, horizon, maxKeys: 1_000_000, sync: false });
    const steps = swapSteps(outcome.groups);
    // Interrupted half way through the renames and unlinks.
    for (const step of steps.slice(0, Math.floor(steps.length / 2))) await step.run(pdir);
    const messages: string[] = [];
    await recoverCleanerSwap(pdir, (m) => messages.push(m));
    expect(messages.some((m) => m.includes('interrupted compaction swap'))).toBe(true);
    const after1 = (await readdir(pdir)).sort();
    await recoverCleanerSwap(pdir);
    expect((await readdir(pdir)).sort()).toEqual(after1);
    const log = await open(dataDir, clock, true);
    expect(await readAll(log, 'c')).toEqual(expectedPost(pre, bases[bases.length - 1]!, horizon));
  });

  it('a manifest that is not valid JSON is discarded with the scratch files: the old segments stay', async () => {
    const { dataDir, clock, pre } = await build();
    const pdir = partitionDir(dataDir, 'c');
    const bases = await logBases(pdir);
    await runCleanJob({ dir: pdir, segments: bases.slice(0, -1), nextOffsets: bases.slice(1), segmentBytes: SEGMENT_BYTES, horizon: 0, maxKeys: 1_000_000, sync: false });
    await writeFile(join(pdir, SWAP_MANIFEST), '{"groups": [');
    await writeFile(join(pdir, `${SWAP_MANIFEST}.tmp`), 'half a manifest');
    const log = await open(dataDir, clock, true);
    expect(await readAll(log, 'c')).toEqual(pre);
    expect((await readdir(pdir)).filter((n) => n.includes('cleaned') || n.includes(SWAP_MANIFEST))).toEqual([]);
  });
});

describe('cleaner swap through compactPartition\'s beforeSwap hook', () => {
  it('a crash right before the swap (the hook throws) leaves the old records, in process and after reopen', async () => {
    const { dataDir, clock, pre } = await build();
    const log = await open(dataDir, clock, false);
    const p = log.partition('c', 0);
    await p.withMaintenance(async () => {});
    await expect(
      compactPartition(p, {
        now: clock.now(),
        beforeSwap: async () => {
          throw new Error('simulated crash before the swap');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(await readAll(log, 'c')).toEqual(pre);
    expect((await readdir(partitionDir(dataDir, 'c'))).some((n) => n.endsWith(CLEANED_SUFFIX))).toBe(true);
    await log.close();
    const again = await open(dataDir, clock, true);
    expect(await readAll(again, 'c')).toEqual(pre);
    expect((await readdir(partitionDir(dataDir, 'c'))).some((n) => n.endsWith(CLEANED_SUFFIX))).toBe(false);
    // And a later compaction still works.
    await again.compactTopic('c');
    const bases = again.partition('c', 0).segments.map((s) => s.baseOffset);
    expect(await readAll(again, 'c')).toEqual(expectedPost(pre, bases[bases.length - 1]!, clock.now() - DELETE_RETENTION_MS));
  });

  it('a crash image taken in the hook opens to the old records; the finished compaction to the new ones', async () => {
    const { dataDir, clock, pre } = await build();
    const image = join(dataDir, '..', 'image');
    const log = await open(dataDir, clock, false);
    const p = log.partition('c', 0);
    await p.withMaintenance(async () => {});
    const activeBase = p.segments[p.segments.length - 1]!.baseOffset;
    const result = await compactPartition(p, {
      now: clock.now(),
      beforeSwap: async () => {
        expect((await readdir(partitionDir(dataDir, 'c'))).some((n) => n.endsWith(CLEANED_SUFFIX))).toBe(true);
        await copyCrashImage(dataDir, image);
      },
    });
    expect(result.segmentsCleaned).toBeGreaterThan(1);
    const post = expectedPost(pre, activeBase, clock.now() - DELETE_RETENTION_MS);
    expect(await readAll(log, 'c')).toEqual(post);
    await log.close();

    const crashed = await open(image, clock, true);
    expect(await readAll(crashed, 'c')).toEqual(pre);
    await crashed.close();
    const finished = await open(dataDir, clock, true);
    expect(await readAll(finished, 'c')).toEqual(post);
  });
});
