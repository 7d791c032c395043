/**
 * The crash-safe swap of cleaned segments. The cleaner writes `<base>.log.cleaned` (+ indexes) for
 * each group of segments it merged and syncs them; then this module:
 *   1. writes `cleaner-swap.json` atomically, naming each new segment and the old ones it replaces;
 *   2. renames each `.cleaned` file over its final name (the group's first base offset);
 *   3. unlinks the other old segments of each group;
 *   4. removes the manifest.
 * A crash before 1 leaves only `.cleaned` scratch files, which `recoverCleanerSwap` deletes (the old
 * segments are untouched). A crash after 1 is finished by `recoverCleanerSwap` redoing 2–4, which are
 * idempotent. Either way the partition reads the same records afterwards.
 */
import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, readIfExists, writeFileAtomic } from './files.js';
import { segmentPaths } from './segment.js';

export const SWAP_MANIFEST = 'cleaner-swap.json';
export const CLEANED_SUFFIX = '.cleaned';

export interface SwapGroup {
  /** Base offset of the new segment (= of the first old one). */
  readonly base: number;
  /** Base offsets of the old segments it replaces, `base` included. */
  readonly replaces: readonly number[];
}

const ignoreMissing = (err: NodeJS.ErrnoException): void => {
  if (err.code !== 'ENOENT') throw err;
};

async function applySwap(dir: string, groups: readonly SwapGroup[], sync: boolean): Promise<void> {
  for (const g of groups) {
    const from = segmentPaths(dir, g.base, CLEANED_SUFFIX);
    const to = segmentPaths(dir, g.base);
    // The .log first: until its rename the old segment (with its old indexes) is still whole.
    await rename(from.log, to.log).catch(ignoreMissing);
    await rename(from.index, to.index).catch(ignoreMissing);
    await rename(from.timeindex, to.timeindex).catch(ignoreMissing);
    for (const old of g.replaces) {
      if (old === g.base) continue;
      const p = segmentPaths(dir, old);
      await unlink(p.log).catch(ignoreMissing);
      await unlink(p.index).catch(ignoreMissing);
      await unlink(p.timeindex).catch(ignoreMissing);
    }
  }
  await fsyncDir(dir, sync);
}

/** Steps 1–4 above, once every `.cleaned` file of `groups` is written and synced. */
export async function commitSwap(dir: string, groups: readonly SwapGroup[], sync = true): Promise<void> {
  const manifest = join(dir, SWAP_MANIFEST);
  await writeFileAtomic(manifest, JSON.stringify({ groups }), sync);
  await applySwap(dir, groups, sync);
  await unlink(manifest);
  await fsyncDir(dir, sync);
}

/** Finishes an interrupted swap, or discards scratch files of an interrupted cleaning. */
export async function recoverCleanerSwap(dir: string, report?: (message: string) => void): Promise<void> {
  const manifest = await readIfExists(join(dir, SWAP_MANIFEST));
  if (manifest !== null) {
    let groups: SwapGroup[] | null = null;
    try {
      groups = (JSON.parse(manifest.toString('utf8')) as { groups: SwapGroup[] }).groups;
    } catch {
      // A torn manifest cannot exist (it is renamed into place), but never trust it blindly.
      groups = null;
    }
    if (groups) {
      await applySwap(dir, groups, true);
      report?.(`${dir}: finished an interrupted compaction swap of ${groups.length} segment group(s)`);
    }
    await unlink(join(dir, SWAP_MANIFEST));
  }
  for (const name of await readdir(dir)) {
    if (name.endsWith(CLEANED_SUFFIX) || name.endsWith('.tmp')) {
      await unlink(join(dir, name));
      report?.(`${dir}: removed ${name} left by an interrupted ${name.endsWith('.tmp') ? 'write' : 'compaction'}`);
    }
  }
}
