/**
 * The bytes of one object on their way to the store: buffered as the record writer produces them,
 * sent as multipart parts once `partSize` bytes are waiting, and made visible by `complete()`. A
 * file that never filled a part is sent with one PutObject instead, so small files cost one request.
 *
 * Every step keeps what it needs to be retried: a failed part keeps its bytes and number, so the
 * caller can call the same method again after a `RetriableError` and nothing is sent twice out of
 * order. Calls must not overlap (the partition writer awaits each one).
 */
import type { ObjectStore, UploadedPart } from './object-store.js';

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
  done = false;

  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    private readonly partSize: number,
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

  /** True when a part of at least `minBytes` (default: the part size) can be sent. */
  partReady(minBytes = this.partSize): boolean {
    return this.pendingPart !== null || this.buffered >= Math.max(MIN_PART_BYTES, minBytes);
  }

  /** Sends the buffered bytes as the next part. */
  async uploadPart(): Promise<void> {
    if (this.pendingPart === null) {
      if (this.buffered === 0) return;
      this.pendingPart = this.take();
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
    if (this.uploadId === null && this.pendingPart === null) {
      // Kept until the put succeeds, so a retry sends the same bytes.
      this.whole ??= this.take();
      await this.store.put(this.key, this.whole);
      this.whole = null;
    } else {
      if (this.buffered > 0 || this.pendingPart !== null) await this.uploadPart();
      if (this.buffered > 0) await this.uploadPart();
      await this.store.completeUpload(this.key, this.uploadId!, this.parts, this.sent);
    }
    this.done = true;
  }

  /** Discards the upload, if one was started; the object never becomes visible. */
  async abort(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    this.pendingPart = null;
    this.whole = null;
    if (this.uploadId !== null && !this.done) await this.store.abortUpload(this.key, this.uploadId);
    this.done = true;
  }

  private take(): Uint8Array {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return out;
  }
}
