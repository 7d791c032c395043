/**
 * Where files were cut for reasons a replay cannot see in the records: an idle partition flushed
 * after `rotate.interval.ms`, a scheduled rotation, the memory budget, rotation on the wall clock.
 * Before any file of such a cut becomes visible, the offset of the cut's last record is saved here,
 * one small object per topic partition (`<topics.dir>/_tributary/cuts/<topic>+<partition>.json`;
 * folders starting with `_` are skipped by Hive-style readers). After a crash the partition is read
 * again from the committed offset and cut at the same records, so the same objects are written with
 * the same content: exactly-once holds for these cuts too.
 *
 * Entries below an offset already committed can never be replayed; they are pruned on the next save.
 */
import { DataError } from '../../src/sdk/index.js';
import type { ObjectStore } from './object-store.js';

export class CutJournal {
  private cuts = new Set<number>();
  private dirty = false;

  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
  ) {}

  /** Reads the saved cuts (none when there is no journal yet). */
  async load(): Promise<void> {
    const bytes = await this.store.get(this.key);
    if (bytes === null) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new DataError(`the cut journal ${this.key} is not JSON; delete it only if you accept duplicates in the lake after a replay`, { cause: err });
    }
    const cuts = (parsed as { cuts?: unknown })?.cuts;
    if (!Array.isArray(cuts) || !cuts.every((c) => Number.isSafeInteger(c))) throw new DataError(`the cut journal ${this.key} has no list of offsets in "cuts"`);
    this.cuts = new Set(cuts as number[]);
  }

  /** True when the segment must end right after the record at `offset`. */
  has(offset: number): boolean {
    return this.cuts.has(offset);
  }

  add(offset: number): void {
    if (this.has(offset)) return;
    this.cuts.add(offset);
    this.dirty = true;
  }

  /** Forgets cuts before `committed`: records there are never delivered again. */
  prune(committed: number): void {
    for (const c of this.cuts) if (c < committed) this.cuts.delete(c);
  }

  /** Saves the journal if a cut was added since the last save. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    await this.store.put(this.key, Buffer.from(JSON.stringify({ version: 1, cuts: [...this.cuts].sort((a, b) => a - b) })));
    this.dirty = false;
  }

  pending(): boolean {
    return this.dirty;
  }
}
