/**
 * The bytes of one object on their way to the store: buffered as the record writer produces them,
 * sent as multipart parts once `partSize` bytes are waiting, and made visible by `complete()`. A
 * file that never filled a part is sent with one PutObject instead, so small files cost one request.
 *
 * Every step keeps what it needs to be retried: a failed part keeps its bytes and number, so the
 * caller can call the same method again after a `RetriableError` and nothing is sent twice out of
 * order. Calls must not overlap (the partition writer awaits each one).
 *
 * `spill()` gives the buffered bytes to a local spill file instead (when memory is short and the
 * file cannot be cut). The bytes waiting to be sent are then the unread end of the spill file
 * followed by the buffer; parts are read back from the file `partSize` bytes at a time (the part
 * that empties the file takes the buffer with it), and a file that stays within one part is still
 * sent with one PutObject. The spill file is deleted on `complete` and `abort`.
 */
import type { ObjectStore, UploadedPart } from './object-store.js';
import type { SpillFiles } from './spill-files.js';

/** S3's smallest part (all but the last part of an upload). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export class FileUpload {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private uploadId: string | null = null;
  private readonly parts: UploadedPart[] = [];
  /** A part cut from the buffer whose upload has not succeeded yet. */
  private pendingPart: Uint8Array | null = null;
  /** The whole file of a single-request upload, while its put has not succeeded. */
  private whole: Uint8Array | null = null;
  private sent = 0;
  /** The spill file, once the first spill made one. */
  private spillFile: string | null = null;
  /** Bytes written to the spill file, and bytes of it read back (into a part) so far. */
  private spillEnd = 0;
  private spillRead = 0;
  done = false;

  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    private readonly partSize: number,
    /** Where `spill()` puts buffered bytes; null: this upload cannot spill. */
    private readonly spillFiles: SpillFiles | null = null,
  ) {}

  /** Takes the next bytes of the file (a record writer's `Output`). */
  readonly push = (chunk: Uint8Array): void => {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  };

  /** Bytes held in memory: buffered, plus a part waiting to be retried. */
  heldBytes(): number {
    return this.buffered + (this.pendingPart?.length ?? 0) + (this.whole?.length ?? 0);
  }

  /** Bytes waiting in the spill file (written, not read back yet). */
  spilledBytes(): number {
    return this.spillEnd - this.spillRead;
  }

  /** Bytes not sent yet and not in a part waiting to be retried: spilled, then buffered. */
  private waiting(): number {
    return this.spillEnd - this.spillRead + this.buffered;
  }

  /** True when a part of at least `minBytes` (default: the part size) can be sent. */
  partReady(minBytes = this.partSize): boolean {
    return this.pendingPart !== null || this.waiting() >= Math.max(MIN_PART_BYTES, minBytes);
  }

  /**
   * Moves the buffered bytes to the end of the spill file; returns the bytes freed (0 when this
   * upload cannot spill). A failed write keeps them buffered, and the next spill writes them again
   * at the same place.
   */
  async spill(): Promise<number> {
    if (this.spillFiles === null || this.done || this.buffered === 0) return 0;
    const chunks = this.chunks.slice();
    const n = this.buffered;
    this.spillFile ??= this.spillFiles.newFile();
    await this.spillFiles.write(this.spillFile, this.spillEnd, chunks);
    // Bytes pushed while the write was in flight stay buffered, after the spilled ones.
    this.chunks = this.chunks.slice(chunks.length);
    this.buffered -= n;
    this.spillEnd += n;
    return n;
  }

  /** Sends the next part: the buffered bytes, or the next `partSize` bytes of the spill file. */
  async uploadPart(): Promise<void> {
    if (this.pendingPart === null) {
      if (this.waiting() === 0) return;
      this.pendingPart = await this.nextPart();
    }
    if (this.uploadId === null) this.uploadId = await this.store.createUpload(this.key);
    const part = await this.store.uploadPart(this.key, this.uploadId, this.parts.length + 1, this.pendingPart);
    this.parts.push(part);
    this.sent += this.pendingPart.length;
    this.pendingPart = null;
  }

  /** Sends what is left and makes the object visible (the record writer must have finished). */
  async complete(): Promise<void> {
    if (this.done) return;
    if (this.uploadId === null && this.pendingPart === null && (this.spilledBytes() === 0 || this.waiting() <= this.partSize)) {
      // Kept until the put succeeds, so a retry sends the same bytes.
      this.whole ??= await this.nextPart();
      await this.store.put(this.key, this.whole);
      this.whole = null;
    } else {
      while (this.pendingPart !== null || this.waiting() > 0) await this.uploadPart();
      await this.store.completeUpload(this.key, this.uploadId!, this.parts, this.sent);
    }
    this.done = true;
    await this.dropSpill();
  }

  /** Discards the upload, if one was started; the object never becomes visible. */
  async abort(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    this.pendingPart = null;
    this.whole = null;
    this.spillRead = this.spillEnd;
    await this.dropSpill();
    if (this.uploadId !== null && !this.done) await this.store.abortUpload(this.key, this.uploadId);
    this.done = true;
  }

  /**
   * The next bytes to send, in file order: at most `partSize` bytes of the spill file, or — when
   * the rest of it fits in one part — that rest followed by the whole buffer. Every part but the
   * last is therefore `partSize` (≥ 5 MiB) or a whole buffer that was ready as a part.
   */
  private async nextPart(): Promise<Uint8Array> {
    const onDisk = this.spilledBytes();
    if (onDisk === 0) return this.take();
    const n = Math.min(onDisk, this.partSize);
    const head = await this.spillFiles!.read(this.spillFile!, this.spillRead, n);
    this.spillRead += n;
    if (n < onDisk || this.buffered === 0) return head;
    const tail = this.take();
    return Buffer.concat([head, tail], head.length + tail.length);
  }

  /** Deletes the spill file, if there is one; a failure leaves it to the task's stop. */
  private async dropSpill(): Promise<void> {
    const file = this.spillFile;
    if (file === null) return;
    this.spillFile = null;
    await this.spillFiles!.remove(file).catch(() => {});
  }

  private take(): Uint8Array {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return out;
  }
}
