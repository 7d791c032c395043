/**
 * `ObjectStore` on Amazon S3 and S3-compatible servers (MinIO, s3rver, …) through the AWS SDK v3.
 *
 * Retries are the SDK's standard mode (exponential backoff with full jitter) with
 * `s3.part.retries` + 1 attempts for every call, which covers 5xx, throttling (503 SlowDown) and
 * dropped connections; bodies are Buffers, so a retried part is sent again whole. What is left is
 * classified once here (`classify`): a `RetriableError` for what a later attempt may fix, a
 * `ConnectError` naming the cause and the setting to check for what it cannot.
 *
 * Checksums are sent only where S3 requires them (`WHEN_REQUIRED`): since SDK 3.729 the default
 * adds CRC32 trailers that several S3-compatible stores reject or store verbatim.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { ConnectError, RetriableError } from '../../src/sdk/index.js';
import type { ObjectStore, OpenUpload, UploadedPart } from './object-store.js';

export interface S3StoreSettings {
  readonly bucket: string;
  readonly region: string;
  /** `store.url`: an endpoint other than AWS's. */
  readonly endpoint: string | null;
  readonly pathStyle: boolean;
  /** Both set, or both null for the AWS default credential chain. */
  readonly accessKeyId: string | null;
  readonly secretAccessKey: string | null;
  /** `s3.part.retries`: retries after the first attempt. */
  readonly retries: number;
  /** `retry.backoff.ms`: how long the runtime waits before redelivering after a retriable failure. */
  readonly redeliveryBackoffMs: number;
}

/** Error codes no retry can fix, with what the user should check. */
const PERMANENT: Readonly<Record<string, string>> = {
  NoSuchBucket: 'the bucket does not exist (s3.bucket.name)',
  AccessDenied: 'access denied: check the credentials (aws.access.key.id, or the AWS default chain) and their permissions on the bucket',
  AllAccessDisabled: 'all access to the bucket is disabled',
  InvalidAccessKeyId: 'the access key id is not known to the store (aws.access.key.id)',
  SignatureDoesNotMatch: 'the secret key does not match the access key (aws.secret.access.key)',
  InvalidBucketName: 'the bucket name is not valid (s3.bucket.name)',
  PermanentRedirect: 'the bucket is in another region (s3.region) or needs another endpoint (store.url)',
  AuthorizationHeaderMalformed: 'the request was signed for the wrong region (s3.region)',
};

const RETRIABLE_CODES = new Set(['SlowDown', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'TimeoutError']);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function codeOf(err: unknown): string {
  const e = err as SdkError;
  return e?.name ?? e?.code ?? 'Error';
}

function statusOf(err: unknown): number | undefined {
  return (err as SdkError)?.$metadata?.httpStatusCode;
}

/** The error to throw for a failed call: retriable, or permanent with the setting to check. */
export function classify(err: unknown, what: string, retryAfterMs?: number): Error {
  const code = codeOf(err);
  const status = statusOf(err);
  const detail = `${code}${status ? ` (HTTP ${status})` : ''}: ${(err as SdkError)?.message ?? String(err)}`;
  const hint = PERMANENT[code];
  if (hint !== undefined) return new ConnectError(`${what} failed: ${hint}. ${detail}`, { cause: err });
  // No HTTP status: the connection failed or was reset; 5xx and 429 are the store's to recover from.
  if (status === undefined || status >= 500 || status === 429 || RETRIABLE_CODES.has(code)) {
    return new RetriableError(`${what} failed, will retry: ${detail}`, { cause: err, retryAfterMs });
  }
  return new ConnectError(`${what} failed: ${detail}`, { cause: err });
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;

  constructor(
    private readonly s: S3StoreSettings,
    client?: S3Client,
  ) {
    const config: S3ClientConfig = {
      region: s.region,
      forcePathStyle: s.pathStyle,
      maxAttempts: s.retries + 1,
      retryMode: 'standard',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (s.endpoint) config.endpoint = s.endpoint;
    if (s.accessKeyId && s.secretAccessKey) config.credentials = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
    this.client = client ?? new S3Client(config);
  }

  private where(key: string): string {
    return `s3://${this.s.bucket}/${key}`;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw classify(err, what, this.s.redeliveryBackoffMs);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.call(`PutObject ${this.where(key)}`, () => this.client.send(new PutObjectCommand({ Bucket: this.s.bucket, Key: key, Body: asBuffer(body) })));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.s.bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (codeOf(err) === 'NoSuchKey' || statusOf(err) === 404) return null;
      throw classify(err, `GetObject ${this.where(key)}`, this.s.redeliveryBackoffMs);
    }
  }

  async createUpload(key: string): Promise<string> {
    const res = await this.call(`CreateMultipartUpload ${this.where(key)}`, () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.s.bucket, Key: key })));
    if (!res.UploadId) throw new ConnectError(`CreateMultipartUpload ${this.where(key)} returned no upload id`);
    return res.UploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    const res = await this.call(`UploadPart ${partNumber} of ${this.where(key)}`, () =>
      this.client.send(new UploadPartCommand({ Bucket: this.s.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: asBuffer(body) })),
    );
    if (!res.ETag) throw new ConnectError(`UploadPart ${partNumber} of ${this.where(key)} returned no ETag`);
    return { partNumber, etag: res.ETag };
  }

  async completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[], totalBytes: number): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.s.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    } catch (err) {
      // A retry after a lost response finds the upload gone: the object is there when its size says so.
      if (codeOf(err) === 'NoSuchUpload' && (await this.size(key)) === totalBytes) return;
      throw classify(err, `CompleteMultipartUpload ${this.where(key)}`, this.s.redeliveryBackoffMs);
    }
  }

  private async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.s.bucket, Key: key }));
      return head.ContentLength ?? null;
    } catch {
      return null;
    }
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.s.bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if (codeOf(err) === 'NoSuchUpload' || statusOf(err) === 404) return;
      throw classify(err, `AbortMultipartUpload ${this.where(key)}`, this.s.redeliveryBackoffMs);
    }
  }

  async listUploads(prefix: string): Promise<OpenUpload[] | null> {
    const out: OpenUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      let res;
      try {
        res = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.s.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      } catch (err) {
        const status = statusOf(err);
        if (codeOf(err) === 'NotImplemented' || status === 501 || status === 405) return null;
        throw classify(err, `ListMultipartUploads s3://${this.s.bucket}/${prefix}`, this.s.redeliveryBackoffMs);
      }
      for (const u of res.Uploads ?? []) if (u.Key && u.UploadId) out.push({ key: u.Key, uploadId: u.UploadId });
      if (!res.IsTruncated) return out;
      keyMarker = res.NextKeyMarker;
      uploadIdMarker = res.NextUploadIdMarker;
      if (keyMarker === undefined && uploadIdMarker === undefined) return out;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
