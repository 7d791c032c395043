/**
 * The files of one Kafka topic partition (Confluent's `TopicPartitionWriter`), and the rules that
 * make the lake exactly-once.
 *
 * Records are appended to a **segment**: one open file per encoded partition (folder). A segment
 * ends with a **cut**, which ends all its files at once; its objects are then completed, and only
 * when all of them are complete may the group offset move past the segment. The committed offset is
 * therefore always the first offset of a segment, and a replay from it forms the same segments:
 * - cuts on record count (`flush.size`), record bytes (`flush.size.bytes`), record time
 *   (`rotate.interval.ms` with the Record or RecordField extractor) and incompatible schemas are pure
 *   functions of the records, so a replay makes them again at the same records;
 * - cuts for any other reason (an idle partition, a scheduled rotation, the memory budget, the wall
 *   clock) are saved in the cut journal before any file of theirs is completed, and a replay cuts
 *   where the journal says.
 * Object names carry the offset of their first record, so a replay writes the same keys with the
 * same records.
 *
 * **The replay region.** Every cut also moves the journal's `through` (the last offset of the newest
 * segment cut), saved before any object of the segment is completed. Records up to the `through` an
 * earlier run left (`journal.replayThrough`) were cut by it, and their objects may be complete: while
 * the open segment lies there (its records before `through`), the writer makes no cut of its own —
 * no memory, idle, scheduled or wall-clock cut — so the pure cuts and the journal's re-form exactly
 * the earlier run's segments, the last one ending at `through`. Past it, cuts are made as above. A
 * partition in the replay region that holds too much memory gives its buffered bytes to local spill
 * files instead (`spill`, `spill-files.ts`); they are read back as the objects are sent.
 *
 * `accept` is synchronous (no await per record); `io` does the uploads the appends made due.
 * Redelivered records (offset ≤ the last one seen) are skipped, so a batch redelivered after a
 * failed upload is not written twice.
 *
 * Key and header files (`sidecars`) sit beside each value file with the same start offset and one
 * entry per record of it, in order; they belong to the segment like the value file, so they are cut,
 * completed and counted for the commit rule with it. A tombstone (a null value that `prepare` kept)
 * has no value file: its folder gets sidecar files of its own.
 */
import { DataError, type SinkRecord } from '../../src/sdk/index.js';
import type { CutJournal } from './cut-journal.js';
import { FileUpload, MIN_PART_BYTES } from './file-upload.js';
import type { RecordWriter, RecordWriterFactory } from './formats/record-writer.js';
import type { ObjectStore } from './object-store.js';
import type { SpillFiles } from './spill-files.js';

export interface RotationRules {
  /** `flush.size`: records per segment, or null. */
  readonly flushSize: number | null;
  /** `flush.size.bytes`: a file's record bytes that end the segment, or null. */
  readonly flushSizeBytes: number | null;
  /** `rotate.interval.ms`: record-time span of a segment, and idle time before a flush; or null. */
  readonly rotateIntervalMs: number | null;
  /** False when record times come from the wall clock (`Wallclock` extractor): time cuts are journaled. */
  readonly recordTime: boolean;
  /** `s3.part.size`. */
  readonly partSize: number;
}

export interface PartitionWriterDeps {
  readonly store: ObjectStore;
  readonly journal: CutJournal;
  readonly rules: RotationRules;
  /** Flattening and null handling: the record to write, or null to skip it. */
  prepare(record: SinkRecord): SinkRecord | null;
  /** The record's folder (encoded partition) and timestamp (ms). */
  place(record: SinkRecord): { readonly encoded: string; readonly timestamp: number };
  /** The object key of a file starting at `startOffset`. */
  keyFor(topic: string, encoded: string, partition: number, startOffset: number): string;
  newWriter: RecordWriterFactory;
  /** Files written beside each value file (`store.kafka.keys`, `store.kafka.headers`); none when absent. */
  readonly sidecars?: readonly SidecarFile[];
  /** Where open files spill buffered bytes in the replay region (`spill`); without it they cannot. */
  readonly spill?: SpillFiles;
  /** When the current segment must end by the schedule (`rotate.schedule.interval.ms`), given when it began; or null. */
  scheduledEnd(startedAt: number): number | null;
  now(): number;
}

/** A file beside each value file holding one entry per record of it: the key or header file. */
export interface SidecarFile {
  /** Tells this file apart from the others of a folder (`keys`, `headers`). */
  readonly view: string;
  /**
   * The record as this file's writer takes it (e.g. the key as the value). Throws DataError when the
   * record cannot have an entry here (a null key); it is called before any file takes the record.
   */
  project(record: SinkRecord): SinkRecord;
  /** The object key of this file beside the value file starting at `startOffset`. */
  keyFor(topic: string, encoded: string, partition: number, startOffset: number): string;
  newWriter: RecordWriterFactory;
}

const NO_SIDECARS: readonly SidecarFile[] = [];
const NO_VIEWS: readonly SinkRecord[] = [];

interface OpenFile {
  readonly upload: FileUpload;
  readonly writer: RecordWriter;
  finished: boolean;
}

interface Segment {
  /** Offset of its first record. */
  readonly start: number;
  lastOffset: number;
  records: number;
  readonly baseTimestamp: number;
  readonly endBy: number | null;
  readonly files: Map<string, OpenFile>;
}

/**
 * A record refused before any file changed (its value, partition field, timestamp or a sidecar view
 * cannot be had): the task may report it as errant and go on, since the writer is as it was.
 */
export class RefusedRecordError extends DataError {
  constructor(cause: DataError) {
    super(cause.message, { cause });
    this.name = 'DataError';
  }
}

export class PartitionWriter {
  private open: Segment | null = null;
  /** Cut segments whose objects are not all complete yet, oldest first. */
  private readonly closing: Segment[] = [];
  private lastSeen = -1;
  private lastAppendAt = 0;

  constructor(private readonly d: PartitionWriterDeps) {}

  /** Takes one record (in offset order); may cut the segment. Never awaits. */
  accept(record: SinkRecord): void {
    if (record.kafkaOffset <= this.lastSeen) return;
    this.lastSeen = record.kafkaOffset;
    const sidecars = this.d.sidecars ?? NO_SIDECARS;
    let r: SinkRecord | null;
    let placed: { encoded: string; timestamp: number };
    let views: readonly SinkRecord[];
    try {
      r = this.d.prepare(record);
      if (r === null) return;
      placed = this.d.place(r);
      // Views before any append: a record a sidecar refuses leaves every file as it was.
      views = sidecars.length === 0 ? NO_VIEWS : sidecars.map((s) => s.project(r!));
    } catch (err) {
      throw err instanceof DataError ? new RefusedRecordError(err) : err;
    }
    const { encoded, timestamp } = placed;
    const tombstone = r.value === null || r.value === undefined;
    // A tombstone's sidecars are a file set of their own, even in a folder that also holds records.
    const fileKey = tombstone ? `${r.topic}\u0000${encoded}\u0000` : `${r.topic}\u0000${encoded}`;
    const rules = this.d.rules;
    const through = this.d.journal.replayThrough;
    let seg = this.open;
    if (seg !== null) {
      // The earlier run's last segment ended at `through` (its record missing here: cut all the same).
      if (seg.lastOffset <= through && r.kafkaOffset > through) this.cut(false);
      else if (rules.rotateIntervalMs !== null && timestamp - seg.baseTimestamp >= rules.rotateIntervalMs && (rules.recordTime || seg.lastOffset >= through)) this.cut(!rules.recordTime);
      else if (!this.fits(seg, fileKey, tombstone ? null : r, views)) this.cut(false);
      seg = this.open;
    }
    if (seg === null) {
      const now = this.d.now();
      seg = { start: r.kafkaOffset, lastOffset: r.kafkaOffset, records: 0, baseTimestamp: timestamp, endBy: this.d.scheduledEnd(now), files: new Map() };
      this.open = seg;
    }
    let bytes = tombstone ? 0 : this.append(seg, fileKey, encoded, r, this.d, r);
    for (let i = 0; i < views.length; i++) bytes = Math.max(bytes, this.append(seg, `${fileKey}\u0000${sidecars[i]!.view}`, encoded, r, sidecars[i]!, views[i]!));
    seg.records++;
    seg.lastOffset = r.kafkaOffset;
    this.lastAppendAt = this.d.now();
    if (
      (rules.flushSize !== null && seg.records >= rules.flushSize) ||
      (rules.flushSizeBytes !== null && bytes >= rules.flushSizeBytes) ||
      this.d.journal.has(r.kafkaOffset) ||
      r.kafkaOffset === through
    ) {
      this.cut(false);
    }
  }

  /** False when a file of the segment cannot take the record (`value` null: a tombstone) or its view. */
  private fits(seg: Segment, fileKey: string, value: SinkRecord | null, views: readonly SinkRecord[]): boolean {
    if (value !== null && seg.files.get(fileKey)?.writer.fits(value) === false) return false;
    const sidecars = this.d.sidecars ?? NO_SIDECARS;
    for (let i = 0; i < views.length; i++) {
      if (seg.files.get(`${fileKey}\u0000${sidecars[i]!.view}`)?.writer.fits(views[i]!) === false) return false;
    }
    return true;
  }

  /** Appends `entry` (record `r` as the file takes it) to the segment's file `fileKey`, opening it; returns the file's record bytes. */
  private append(seg: Segment, fileKey: string, encoded: string, r: SinkRecord, kind: Pick<SidecarFile, 'keyFor' | 'newWriter'>, entry: SinkRecord): number {
    let file = seg.files.get(fileKey);
    if (file === undefined) {
      const upload = new FileUpload(this.d.store, kind.keyFor(r.topic, encoded, r.kafkaPartition, r.kafkaOffset), this.d.rules.partSize, this.d.spill ?? null);
      file = { upload, writer: kind.newWriter(upload.push), finished: false };
      seg.files.set(fileKey, file);
    }
    file.writer.append(entry);
    return file.writer.recordBytes;
  }

  /** Ends the open segment; `journaled` when a replay could not find this cut in the records. */
  private cut(journaled: boolean): void {
    const seg = this.open;
    if (seg === null) return;
    if (journaled) this.d.journal.add(seg.lastOffset);
    this.d.journal.advance(seg.lastOffset);
    this.open = null;
    this.closing.push(seg);
  }

  /** True while the open segment lies in the replay region, where the writer makes no cut of its own. */
  replaying(): boolean {
    const seg = this.open;
    return seg !== null && seg.lastOffset < this.d.journal.replayThrough;
  }

  /** True when a cut for a reason outside the records is due now (idle, schedule); never in the replay region. */
  timedCutDue(now: number): boolean {
    const seg = this.open;
    if (seg === null || this.replaying()) return false;
    const interval = this.d.rules.rotateIntervalMs;
    return (interval !== null && now - this.lastAppendAt >= interval) || (seg.endBy !== null && now >= seg.endBy);
  }

  /** When `timedCutDue` becomes true without new records, or null. */
  nextTimedCut(): number | null {
    const seg = this.open;
    if (seg === null || this.replaying()) return null;
    const interval = this.d.rules.rotateIntervalMs;
    const idle = interval !== null ? this.lastAppendAt + interval : Infinity;
    const t = Math.min(idle, seg.endBy ?? Infinity);
    return Number.isFinite(t) ? t : null;
  }

  /**
   * Cuts the open segment for a reason the records do not show (journaled). Returns false, cutting
   * nothing, when there is no open segment or it lies in the replay region.
   */
  forceCut(): boolean {
    if (this.open === null || this.replaying()) return false;
    this.cut(true);
    return true;
  }

  /**
   * Does the uploads that are due: saves the journal (its new cuts and `through`, one put for all
   * the segments cut since the last save), completes every cut segment (oldest first), and sends
   * full parts of open files. Safe to call again after it threw.
   */
  async io(): Promise<void> {
    await this.d.journal.save();
    while (this.closing.length > 0) {
      const seg = this.closing[0]!;
      for (const f of seg.files.values()) {
        if (!f.finished) {
          f.writer.finish();
          f.finished = true;
        }
      }
      await settleAll([...seg.files.values()].map((f) => f.upload.complete()));
      this.closing.shift();
    }
    if (this.open !== null) {
      for (const f of this.open.files.values()) if (f.upload.partReady()) await f.upload.uploadPart();
    }
  }

  /** True when a cut is waiting to be completed (or its journal entry to be saved). */
  hasPendingIo(): boolean {
    return this.closing.length > 0 || this.d.journal.pending();
  }

  /** Bytes held in memory by this partition's files. */
  heldBytes(): number {
    let n = 0;
    for (const seg of this.segments()) for (const f of seg.files.values()) n += f.writer.heldBytes() + f.upload.heldBytes();
    return n;
  }

  /**
   * Frees memory without cutting: files holding at least a minimum part are encoded and sent as a
   * part, largest first, until `enough` bytes were freed. Returns the bytes freed.
   */
  async sendParts(enough: number): Promise<number> {
    if (this.open === null) return 0;
    const files = [...this.open.files.values()].sort((a, b) => b.writer.heldBytes() + b.upload.heldBytes() - (a.writer.heldBytes() + a.upload.heldBytes()));
    let freed = 0;
    for (const f of files) {
      if (freed >= enough) break;
      const before = f.writer.heldBytes() + f.upload.heldBytes();
      if (before < MIN_PART_BYTES) break;
      f.writer.release();
      if (!f.upload.partReady(MIN_PART_BYTES)) continue;
      await f.upload.uploadPart();
      freed += before - (f.writer.heldBytes() + f.upload.heldBytes());
    }
    return freed;
  }

  /**
   * Frees memory without cutting, for a partition in the replay region: the open files' buffered
   * bytes go to local spill files, largest file first, until `enough` bytes were freed. Returns the
   * bytes freed (0 without spill files).
   */
  async spill(enough: number): Promise<number> {
    if (this.open === null || this.d.spill === undefined) return 0;
    const held = (f: OpenFile): number => f.writer.heldBytes() + f.upload.heldBytes();
    const files = [...this.open.files.values()].sort((a, b) => held(b) - held(a));
    let freed = 0;
    for (const f of files) {
      if (freed >= enough) break;
      const before = held(f);
      if (before === 0) break;
      f.writer.release();
      await f.upload.spill();
      freed += before - held(f);
    }
    return freed;
  }

  /**
   * The offset the group may commit: the first offset of the oldest segment not yet complete, or
   * the offset after the last record seen when everything is complete; null before any record.
   */
  commitOffset(): number | null {
    const seg = this.closing[0] ?? this.open;
    if (seg !== null) return seg.start;
    return this.lastSeen >= 0 ? this.lastSeen + 1 : null;
  }

  /** Abandons every file not complete (stop, rebalance): nothing becomes visible; a replay rewrites them. */
  async abort(): Promise<void> {
    const segs = [...this.segments()];
    this.open = null;
    this.closing.length = 0;
    await settleAll(segs.flatMap((s) => [...s.files.values()].map((f) => f.upload.abort())));
  }

  private *segments(): Iterable<Segment> {
    yield* this.closing;
    if (this.open !== null) yield this.open;
  }
}

/** Waits for every call (none is left running behind a failure), then throws the first failure. */
export async function settleAll(calls: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}
