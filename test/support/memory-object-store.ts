/**
 * An in-memory twin of the S3 sink's `ObjectStore` for unit tests of its rules (rotation, cuts,
 * retries): objects become visible only on put/complete, as in S3, and any call can be made to fail.
 * Integration tests use a real S3-compatible server instead.
 */
import { RetriableError } from '../../src/sdk/index.js';
import type { ObjectStore, OpenUpload, UploadedPart } from '../../connectors/s3/object-store.js';

type Call = 'put' | 'get' | 'createUpload' | 'uploadPart' | 'completeUpload' | 'abortUpload' | 'listUploads';

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  readonly uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>();
  readonly calls: Call[] = [];
  private failures: { call: Call; left: number }[] = [];
  private nextId = 1;

  /** The next `times` calls of `call` throw a RetriableError (after doing nothing). */
  failNext(call: Call, times = 1): void {
    this.failures.push({ call, left: times });
  }

  private enter(call: Call): void {
    this.calls.push(call);
    const f = this.failures.find((x) => x.call === call && x.left > 0);
    if (f) {
      f.left--;
      throw new RetriableError(`injected ${call} failure`);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    this.enter('put');
    this.objects.set(key, Buffer.from(body));
  }

  async get(key: string): Promise<Buffer | null> {
    this.enter('get');
    return this.objects.get(key) ?? null;
  }

  async createUpload(key: string): Promise<string> {
    this.enter('createUpload');
    const id = `u${this.nextId++}`;
    this.uploads.set(id, { key, parts: new Map() });
    return id;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    this.enter('uploadPart');
    const u = this.uploads.get(uploadId);
    if (!u || u.key !== key) throw new Error(`no upload ${uploadId} for ${key}`);
    u.parts.set(partNumber, Buffer.from(body));
    return { partNumber, etag: `"${uploadId}-${partNumber}"` };
  }

  async completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    this.enter('completeUpload');
    const u = this.uploads.get(uploadId);
    if (!u || u.key !== key) throw new Error(`no upload ${uploadId} for ${key}`);
    this.objects.set(key, Buffer.concat(parts.map((p) => u.parts.get(p.partNumber)!)));
    this.uploads.delete(uploadId);
  }

  async abortUpload(_key: string, uploadId: string): Promise<void> {
    this.enter('abortUpload');
    this.uploads.delete(uploadId);
  }

  async listUploads(prefix: string): Promise<OpenUpload[] | null> {
    this.enter('listUploads');
    return [...this.uploads].filter(([, u]) => u.key.startsWith(prefix)).map(([uploadId, u]) => ({ key: u.key, uploadId }));
  }

  /** Visible objects under a prefix, sorted by key. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  text(key: string): string {
    return this.objects.get(key)!.toString('utf8');
  }
}
