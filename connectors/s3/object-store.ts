/**
 * The object store the S3 sink writes to: the few calls it needs, so the sink's rules can be read
 * apart from the AWS SDK (`s3-object-store.ts` implements it on S3 and S3-compatible servers).
 *
 * Contract:
 * - Every call is retried inside the implementation where the store allows (5xx, throttling,
 *   dropped connections, with jittered backoff). What still fails is thrown as a `RetriableError`
 *   when a later attempt may succeed, or as a `ConnectError` naming the cause when it cannot (no
 *   such bucket, access denied, bad credentials).
 * - An object becomes visible only when `put` or `completeUpload` returns: a reader never sees a
 *   part of a file.
 * - `put` and `completeUpload` overwrite an existing object of the same key; the sink relies on
 *   that to rewrite a file after a crash with the same content.
 */
export interface UploadedPart {
  readonly partNumber: number;
  readonly etag: string;
}

export interface OpenUpload {
  readonly key: string;
  readonly uploadId: string;
}

export interface ObjectStore {
  /** Writes a whole object at once. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or null when there is no such key. */
  get(key: string): Promise<Buffer | null>;
  /** Starts a multipart upload; returns its id. */
  createUpload(key: string): Promise<string>;
  /** Uploads one part (every part but the last ≥ 5 MiB); parts are numbered from 1. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart>;
  /** Makes the object visible from its parts, in order. `totalBytes` lets a retry recognise an earlier success. */
  completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[], totalBytes: number): Promise<void>;
  /** Discards an upload and its parts; an upload that is already gone is not an error. */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /**
   * The uploads started under `prefix` and neither completed nor aborted, or null when the store
   * cannot list them (some S3-compatible servers cannot; a bucket lifecycle rule then cleans up).
   */
  listUploads(prefix: string): Promise<OpenUpload[] | null>;
}
