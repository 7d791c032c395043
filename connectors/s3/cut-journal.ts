/**
 * Where files were cut for reasons a replay cannot see in the records: an idle partition flushed
 * after `rotate.interval.ms`, a scheduled rotation, the memory budget, rotation on the wall clock.
 * Before any file of such a cut becomes visible, the offset of the cut's last record is saved here,
 * one small object per topic partition (`<topics.dir>/_tributary/cuts/<topic>+<partition>.json`;
 * folders starting with `_` are skipped by Hive-style readers). After a crash the partition is read
 * again from the committed offset and cut at the same records, so the same objects are written with
 * the same content: exactly-once holds for these cuts too.
 *
 * The journal also holds `through`, the last offset of the newest segment the writer has cut (its
 * high-water mark), saved before any object of a segment ending there is completed. Records up to
 * `through` as loaded (`replayThrough`) form the **replay region**: an earlier run cut them into
 * segments and may have completed their objects, so the writer makes no cut of its own there (only
 * the pure cuts and the journal's), and a replay rewrites exactly those objects.
 *
 * Entries below an offset already committed can never be replayed; they are pruned on the next save.
 * `through` is never pruned. `{version: 1, cuts}` without `through` (older runs) reads as through = -1.
 */
import { DataError } from '../../src/sdk/index.js';
import type { ObjectStore } from './object-store.js';

export class CutJournal {
  private cuts = new Set<number>();
  private dirty = false;
  /** The last offset of the newest segment cut (by any run), or -1. */
  private high = -1;
  /** `through` as loaded: the end of the replay region, or -1 when there is none. */
  private loadedThrough = -1;

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
    const through = (parsed as { through?: unknown }).through ?? -1;
    if (!Number.isSafeInteger(through) || (through as number) < -1) throw new DataError(`the cut journal ${this.key} has no offset in "through"`);
    this.cuts = new Set(cuts as number[]);
    this.high = Math.max(this.high, through as number);
    this.loadedThrough = through as number;
  }

  /** The last offset an earlier run cut (and may have completed): the end of the replay region; -1 when none. */
  get replayThrough(): number {
    return this.loadedThrough;
  }

  /** Records that a segment ending at `offset` was cut; saved with the next `save`. */
  advance(offset: number): void {
    if (offset <= this.high) return;
    this.high = offset;
    this.dirty = true;
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

  /** Saves the journal if a cut was added or `through` moved since the last save. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    // Cleared first: a cut made while the put is in flight marks the journal dirty again.
    this.dirty = false;
    try {
      await this.store.put(this.key, Buffer.from(JSON.stringify({ version: 1, cuts: [...this.cuts].sort((a, b) => a - b), through: this.high })));
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }

  pending(): boolean {
    return this.dirty;
  }
}
